"""The notarize pipeline: scan the file once, plan shard jobs, prove them, assemble the result.

1. The driver streams the file once (engine.dataset_scan): every proved value validated and
   encoded, rows hashed into the BLAKE3 root, row count, schema, each shard's sums and (it holds
   the secret) commitment; and the file's sha256. Bad data stops here, before any proof, with
   file, row and column named; nothing is returned. A `scanner` with scan_dataset's signature
   may compute the same DatasetScan elsewhere: cluster.distributed_scan.scan_on_cluster runs it
   as shard jobs on the workers, and the driver then only hashes a Parquet file's bytes and
   reads its footer (and, to fit `options` to the file, its first batch).
2. The shard key is fetched from (or made into) the on-disk cache (engine.proving_keys).
3. The plan: one `ShardJob` per 2^k rows, carrying everything it needs (file path and sha256,
   statement, row range, key file and vk hash, its salt) and nothing else: a pure, picklable,
   idempotent job `(shard spec, key id) -> ShardResult` whose id is a hash of its content (the
   salt excluded). A worker checks the file's sha256 (once per process and file version),
   reads only its own rows, builds the witness and proves. Retrying a job gives the same public
   result (proofs are re-randomised each time and all of them verify).
4. An Executor runs the jobs; results come back in plan order. The driver checks each result's
   public signals against what its own scan computed (count, sums, commitment: so a worker that
   read other rows or another file is caught even when the sums agree), assembles the
   `DatasetNotarization` and batch-verifies it before returning it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from engine.dataset import (StatementOptions, StatementSpec, encode_batch, open_dataset,
                            resolve_statement, signed_from_fr)
from engine.dataset_scan import DatasetScan, scan_dataset
from engine.errors import InputError, VerificationError, ZkpLedgerError
from engine.executor import Executor, InProcessExecutor
from engine.formats import zcash
from engine.groth16.keys import Proof
from engine.groth16.prover import ProverContext
from engine.key_cache import file_sha256
from engine.notarization import (ColumnTotal, DatasetNotarization, SchemaField, ShardRecord,
                                 commitment_root, verify_notarization)
from engine.proving_keys import KeyRef, ensure_key, vk_hash
from engine.salt import check_secret, shard_salt
from engine.shard_circuit import ShardPublic, ShardShape, shard_circuit
from engine.snark import load_proving_key
from kernels.poseidon_params import SPONGE_WIDTH

# scan_dataset's signature: (path, statement, *, format, secret, sponge_width) -> DatasetScan
Scanner = Callable[..., DatasetScan]


@dataclass(frozen=True)
class ShardJob:
    """One shard to prove: all a worker needs, nothing it must not see (the salt is its own)."""

    path: str
    format: str
    file_sha256: str
    statement: StatementSpec
    sponge_width: int
    index: int
    start_row: int
    stop_row: int
    key: KeyRef
    salt: int = field(repr=False)

    @property
    def job_id(self) -> str:
        """sha256 of the job's public content: same file, statement, rows and key, same id."""
        content = {"file_sha256": self.file_sha256,
                   "statement": self.statement.model_dump(mode="json"),
                   "sponge_width": self.sponge_width, "index": self.index,
                   "rows": [self.start_row, self.stop_row], "vk_hash": self.key.vk_hash}
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ShardResult:
    """What a worker returns: public signals and proof (never values or salt)."""

    job_id: str
    index: int
    public: ShardPublic
    proof: bytes  # 192-byte compressed A || B || C
    seconds: dict[str, float] = field(default_factory=dict, compare=False)  # per worker stage


def plan_shards(scan: DatasetScan, path: str | os.PathLike, statement: StatementSpec,
                key: KeyRef, secret: bytes, sponge_width: int = SPONGE_WIDTH) -> list[ShardJob]:
    size = statement.shard_rows
    return [ShardJob(str(path), scan.format, scan.file_sha256, statement, sponge_width,
                     i, start, min(start + size, scan.row_count), key,
                     shard_salt(secret, scan.file_sha256, i))
            for i, start in enumerate(range(0, scan.row_count, size))]


@cache
def _prover(key_path: str, expected_vk_hash: str) -> ProverContext:
    pk = load_proving_key(key_path)
    if vk_hash(pk.vk) != expected_vk_hash:
        raise InputError(f"the key file holds another key than the job names "
                         f"({expected_vk_hash[:16]}...)", file=key_path)
    return ProverContext.build(pk)


def _read_shard(job: ShardJob) -> np.ndarray:
    """int64 (rows, columns) values of the job's rows, from the job's file (only those rows:
    DatasetReader.read_rows opens just the Parquet row groups holding them)."""
    reader = open_dataset(job.path, format=job.format, batch_rows=job.statement.shard_rows)
    batch = reader.read_rows(job.start_row, job.stop_row, [c.name for c in job.statement.columns])
    return encode_batch(batch.data, job.statement, start_row=batch.start_row,
                        file=reader.display).T.copy()


def _file_sha256(path: str) -> str:
    """The file's sha256, hashed once per process and file version: a worker proves many shards
    of one file, and rehashing it for each made every job O(file size)."""
    st = os.stat(path)
    return _version_sha256(os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino)


@lru_cache(maxsize=8)
def _version_sha256(path: str, size: int, mtime_ns: int, inode: int) -> str:
    digest = file_sha256(path)
    st = os.stat(path)
    if (st.st_size, st.st_mtime_ns, st.st_ino) != (size, mtime_ns, inode):
        raise InputError("the file changed while it was being hashed", file=path)
    return digest


def prove_shard(job: ShardJob) -> ShardResult:
    """Run one shard job: the whole of what a worker does."""
    t0 = time.perf_counter()
    circuit = shard_circuit(ShardShape.for_statement(job.statement, job.sponge_width))
    prover = _prover(job.key.path, job.key.vk_hash)  # both built once per process
    t1 = time.perf_counter()
    if _file_sha256(job.path) != job.file_sha256:
        raise InputError("the file is not the one planned (sha256 differs)", file=job.path)
    values = _read_shard(job)
    cols = job.statement.columns
    t2 = time.perf_counter()
    w = circuit.witness(job.index, job.salt, values, [c.lo_scaled for c in cols],
                        [c.hi_scaled for c in cols])
    t3 = time.perf_counter()
    proof = encode_proof(prover.prove(w.witness))
    seconds = {"load": t1 - t0, "read": t2 - t1, "witness": t3 - t2,
               "prove": time.perf_counter() - t3}
    return ShardResult(job.job_id, job.index, w.public, proof, seconds)


def encode_proof(proof: Proof) -> bytes:
    """The 192-byte compressed A || B || C of a prover's proof."""
    return (zcash.compress_g1_array(proof.a[None]).tobytes()
            + zcash.compress_g2_array(proof.b[None]).tobytes()
            + zcash.compress_g1_array(proof.c[None]).tobytes())


def _check_result(job: ShardJob, result: ShardResult, sums: tuple[int, ...],
                  commitment: int) -> None:
    """The worker's public signals are those of the driver's own scan of the hashed file."""
    public = result.public
    if (result.job_id != job.job_id or public.index != job.index
            or public.count != job.stop_row - job.start_row
            or tuple(signed_from_fr(s) for s in public.sums) != sums
            or public.commitment != commitment):
        raise ZkpLedgerError(f"shard {job.index}: the worker's result does not match the plan")


def notarize(path: str | os.PathLike, *, secret: bytes,
             options: StatementOptions | None = None, statement: StatementSpec | None = None,
             format: str | None = None, executor: Executor | None = None,
             sponge_width: int = SPONGE_WIDTH,
             timings: dict[str, float] | None = None,
             scanner: Scanner = scan_dataset) -> DatasetNotarization:
    """Notarize a file: a resolved `statement`, or `options` fitted to the file's schema.

    `scanner` computes the driver's DatasetScan (default: engine.dataset_scan.scan_dataset, in
    this process); it must be given the secret so the result carries the commitments.

    `timings`, when given, receives wall seconds per driver stage (scan, key, shards, verify)
    and the workers' summed seconds per shard stage (load: circuit and key, once per process;
    read; witness; prove)."""
    stages = timings if timings is not None else {}
    t = time.perf_counter()
    if statement is None:
        reader = open_dataset(path, format=format)
        first = next(iter(reader), None)
        if first is None:
            raise InputError("the dataset has no rows", file=reader.display)
        statement = resolve_statement(reader.schema, options, sample=first.data,
                                      file=reader.display)
    elif not statement.resolved:
        raise InputError("the statement's bounds are not resolved")
    secret = check_secret(secret)  # before the long scan
    scan = scanner(path, statement, format=format, secret=secret, sponge_width=sponge_width)
    if scan.commitments is None:
        raise ZkpLedgerError("the scanner returned no commitments although the secret was given")
    t = _lap(stages, "scan", t)
    shape = ShardShape.for_statement(statement, sponge_width)
    key, pk = ensure_key(shard_circuit(shape).circuit.r1cs)
    t = _lap(stages, "key", t)
    jobs = plan_shards(scan, path, statement, key, secret, sponge_width)
    results = (executor or InProcessExecutor()).map(prove_shard, jobs)
    t = _lap(stages, "shards", t)
    for stage in ("load", "read", "witness", "prove"):
        stages[f"shard_{stage}"] = sum(r.seconds.get(stage, 0.0) for r in results)
    for job, result, sums, commitment in zip(jobs, results, scan.shard_sums, scan.commitments,
                                             strict=True):
        _check_result(job, result, sums, commitment)
    record = _assemble(scan, statement, sponge_width, key, jobs, results)
    try:  # a worker's bad proof must not reach the ledger: ~1 ms per proof, batched
        verify_notarization(record, pk.vk)
    except VerificationError as exc:
        raise ZkpLedgerError(f"the assembled notarization does not verify: {exc}") from None
    _lap(stages, "verify", t)
    return record


def _lap(stages: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    stages[name] = now - since
    return now


def _assemble(scan: DatasetScan, statement: StatementSpec, sponge_width: int, key: KeyRef,
              jobs: list[ShardJob], results: list[ShardResult]) -> DatasetNotarization:
    shards = tuple(
        ShardRecord(index=job.index, start_row=job.start_row, count=result.public.count,
                    commitment=result.public.commitment.to_bytes(32, "big").hex(),
                    sums=sums, proof=result.proof.hex())
        for job, result, sums in zip(jobs, results, scan.shard_sums))
    columns = tuple(
        ColumnTotal(name=c.name, count=scan.row_count, sum=sum(s[j] for s in scan.shard_sums),
                    lo=c.lo_scaled, hi=c.hi_scaled, scale=c.scale)
        for j, c in enumerate(statement.columns))
    return DatasetNotarization(
        file_name=os.path.basename(scan.display), format=scan.format, byte_size=scan.byte_size,
        file_sha256=scan.file_sha256,
        data_schema=tuple(SchemaField(name=n, type=t) for n, t in scan.schema),
        row_count=scan.row_count, row_root=scan.row_root, statement=statement,
        sponge_width=sponge_width, columns=columns, shards=shards,
        commitment_root=commitment_root([r.public.commitment for r in results]),
        circuit_digest=key.circuit_digest, vk_hash=key.vk_hash, insecure_dev=key.insecure_dev)


__all__ = ["Scanner", "ShardJob", "ShardResult", "encode_proof", "notarize", "plan_shards",
           "prove_shard"]
