"""The result of notarizing a dataset, and its verification.

`DatasetNotarization` is everything public about one notarization: the file (name, format, byte
size, sha256, schema, row count), the BLAKE3 row root (docs/row-merkle.md), the statement
(columns, scales, bounds, shard size) with the per-column totals, one record per shard
(row range, commitment, sums, the 192-byte Groth16 proof in hex), the commitment root and the
hash of the verification key. Salts and values never appear in it.

Commitment root: the RFC 6962 tree (engine.merkle, SHA-256, 0x00 leaf / 0x01 node) over the
shard commitments in shard order, each leaf the commitment's 32-byte big-endian encoding.

`verify_notarization(notarization, vk, data=None, secret=None)` checks, raising
VerificationError at the first claim that does not hold:
1. the key is the one named (vk_hash) and has the shard circuit's number of public signals;
   with `rebuild_circuit=True`, also that the statement's shape builds the circuit named by
   `circuit_digest` (sha256 of the R1CS). Which key to trust for a circuit is the caller's
   business (a key registry, a ceremony transcript): a key for another circuit with as many
   public signals would prove something else;
2. the shard records tile [0, row_count) in order, full shards except the last, every shard
   sum lies in count x [lo, hi] (the proof fixes it only modulo r; that interval is far
   narrower than r, so there it is unique), and the commitment root and column totals are what
   the shard records add up to;
3. every shard proof, against public signals rebuilt from the record and the statement
   (commitment, index = position, count, sums, the statement's lo and hi), in one batch check;
4. given the file: its sha256, size, schema, row count and BLAKE3 row root, and the per-shard
   sums recomputed from its values;
5. given the secret as well: every shard commitment recomputed from the file's values.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine import merkle
from engine.dataset_scan import DatasetScan, scan_dataset
from engine.dataset.spec import StatementSpec
from engine.errors import InputError, VerificationError
from engine.groth16.keys import VerifyingKey
from engine.groth16.verifier import batch_verify, prepare
from engine.proving_keys import r1cs_digest, vk_hash
from engine.shard_circuit import ShardPublic, ShardShape, shard_circuit
from kernels.constants import R

FORMAT_VERSION = 1
_HEX32 = r"^[0-9a-f]{64}$"


class SchemaField(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    type: str  # pyarrow's type name, e.g. int64, double, large_string


class ColumnTotal(BaseModel):
    """Per proved column, over the whole dataset, in encoded (scaled integer) units."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    count: int = Field(ge=0)
    sum: int
    lo: int
    hi: int
    scale: int = Field(ge=0)


class ShardRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    index: int = Field(ge=0)
    start_row: int = Field(ge=0)
    count: int = Field(ge=1)
    commitment: str = Field(pattern=_HEX32)
    sums: tuple[int, ...]
    proof: str = Field(pattern=r"^[0-9a-f]{384}$")


class DatasetNotarization(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = FORMAT_VERSION
    file_name: str
    format: str
    byte_size: int = Field(ge=0)
    file_sha256: str = Field(pattern=_HEX32)
    data_schema: tuple[SchemaField, ...]
    row_count: int = Field(ge=1)
    row_root: str = Field(pattern=_HEX32)  # BLAKE3 Merkle root over canonical rows
    statement: StatementSpec
    sponge_width: int
    columns: tuple[ColumnTotal, ...]
    shards: tuple[ShardRecord, ...]
    commitment_root: str = Field(pattern=_HEX32)  # SHA-256 RFC 6962 root over commitments
    circuit_digest: str = Field(pattern=_HEX32)  # sha256 of the shard R1CS (proving_keys)
    vk_hash: str = Field(pattern=_HEX32)
    insecure_dev: bool

    @property
    def shape(self) -> ShardShape:
        return ShardShape.for_statement(self.statement, self.sponge_width)

    def shard_public(self, position: int) -> ShardPublic:
        """The public signals shard `position` was proved with, rebuilt from this record."""
        shard = self.shards[position]
        cols = self.statement.columns
        return ShardPublic(int(shard.commitment, 16), position, shard.count,
                           tuple(s % R for s in shard.sums), tuple(c.lo_scaled % R for c in cols),
                           tuple(c.hi_scaled % R for c in cols))


def commitment_root(commitments: list[int]) -> str:
    leaves = [merkle.SHA256.leaf(c.to_bytes(32, "big")) for c in commitments]
    return merkle.root(merkle.SHA256, leaves).hex()


def _fail(message: str) -> None:
    raise VerificationError(message)


def _check_structure(n: DatasetNotarization) -> None:
    size = n.statement.shard_rows
    if not n.shards:
        _fail("the notarization has no shards")
    if not n.statement.resolved:
        _fail("the statement's bounds are not resolved")
    m = len(n.statement.columns)
    for position, shard in enumerate(n.shards):
        if shard.index != position or shard.start_row != position * size:
            _fail(f"shard {position} is out of order (index {shard.index}, "
                  f"start row {shard.start_row})")
        last = position == len(n.shards) - 1
        if shard.count > size or (not last and shard.count != size):
            _fail(f"shard {position} claims {shard.count} rows; shards hold {size} "
                  f"(only the last may hold fewer)")
        if len(shard.sums) != m:
            _fail(f"shard {position} has {len(shard.sums)} sums for {m} columns")
        for col, total in zip(n.statement.columns, shard.sums):
            if not shard.count * col.lo_scaled <= total <= shard.count * col.hi_scaled:
                _fail(f"shard {position}: the sum {total} of column {col.name} is not within "
                      f"count x [lo, hi] (a proof fixes a sum only modulo r)")
    if sum(s.count for s in n.shards) != n.row_count:
        _fail(f"the shards cover {sum(s.count for s in n.shards)} rows, not {n.row_count}")
    if commitment_root([int(s.commitment, 16) for s in n.shards]) != n.commitment_root:
        _fail("the commitment root does not match the shard commitments")
    if len(n.columns) != m:
        _fail(f"{len(n.columns)} column totals for {m} proved columns")
    for j, (total, col) in enumerate(zip(n.columns, n.statement.columns)):
        expect = ColumnTotal(name=col.name, count=n.row_count, sum=sum(s.sums[j] for s in n.shards),
                             lo=col.lo_scaled, hi=col.hi_scaled, scale=col.scale)
        if total != expect:
            _fail(f"column {col.name}: totals {total.model_dump()} are not what the shards and "
                  f"the statement give ({expect.model_dump()})")


def _check_proofs(n: DatasetNotarization, vk: VerifyingKey) -> None:
    if vk_hash(vk) != n.vk_hash:
        _fail("the verification key is not the one the proofs were made with (vk_hash differs)")
    if vk.insecure_dev != n.insecure_dev:
        _fail("the notarization and the key disagree on whether the key is an insecure dev key")
    if vk.n_public != n.shape.n_public:
        _fail(f"the key has {vk.n_public} public signals, the shard circuit {n.shape.n_public}")
    items = [(n.shard_public(i).signals(), bytes.fromhex(s.proof)) for i, s in enumerate(n.shards)]
    try:
        ok = batch_verify(prepare(vk), items)
    except InputError as exc:
        raise VerificationError(f"malformed shard proof or public signal: {exc}") from None
    if not ok:
        _fail("the shard proofs do not verify against their public signals")


def verify_notarization(notarization: DatasetNotarization, vk: VerifyingKey, *,
                        data: str | os.PathLike | None = None, secret: bytes | None = None,
                        data_format: str | None = None,
                        rebuild_circuit: bool = False, scanner=scan_dataset) -> list[str]:
    """Check the notarization (module doc); returns the names of the checks that passed.
    `scanner` rescans the file (scan_dataset's signature; e.g. a cluster's distributed scan)."""
    if secret is not None and data is None:
        raise InputError("recomputing commitments needs the data file as well as the secret")
    _check_structure(notarization)
    _check_proofs(notarization, vk)
    done = ["structure", "proofs"]
    if rebuild_circuit:
        built = r1cs_digest(shard_circuit(notarization.shape).circuit.r1cs)
        if built != notarization.circuit_digest:
            _fail("the statement's shard shape does not build the circuit the record names")
        done.append("circuit")
    if data is not None:
        fresh = scanner(data, notarization.statement, secret=secret,
                        format=data_format or notarization.format,
                        sponge_width=notarization.sponge_width)
        _compare(notarization, fresh)
        done.append("data")
        if secret is not None:
            done.append("commitments")
    return done


def _compare(n: DatasetNotarization, fresh: DatasetScan) -> None:
    for what, claimed, actual in (
            ("file sha256", n.file_sha256, fresh.file_sha256),
            ("byte size", n.byte_size, fresh.byte_size),
            ("schema", tuple((f.name, f.type) for f in n.data_schema), fresh.schema),
            ("row count", n.row_count, fresh.row_count),
            ("BLAKE3 row root", n.row_root, fresh.row_root)):
        if claimed != actual:
            _fail(f"the data's {what} ({actual}) is not the notarized one ({claimed})")
    for i, (shard, sums) in enumerate(zip(n.shards, fresh.shard_sums)):
        if tuple(shard.sums) != tuple(sums):
            _fail(f"shard {i}: the data's sums {list(sums)} are not the notarized ones")
    if fresh.commitments is not None:
        for i, (shard, c) in enumerate(zip(n.shards, fresh.commitments)):
            if int(shard.commitment, 16) != c:
                _fail(f"shard {i}: the commitment recomputed from the data and secret differs")


__all__ = ["ColumnTotal", "DatasetNotarization", "SchemaField", "ShardRecord", "commitment_root",
           "verify_notarization"]
