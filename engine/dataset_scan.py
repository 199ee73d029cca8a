"""One streaming pass over a dataset: what the driver (and a verifier holding the file) computes.

Per batch: validate and field-encode the proved columns (an out-of-bounds, missing or inexact
value is an InputError naming file, row and column, raised before anything is proved), encode
the canonical rows and hash them into BLAKE3 Merkle leaves, and add up each shard's column sums;
given the notarizer's secret, also each shard's commitment (natively, as the circuit defines it).
After the pass: the BLAKE3 row root, and the file's sha256 and size (a separate raw read).

Batches hold a whole number of shards (a multiple of the shard size, itself a power of two), so a
shard never straddles two batches. Memory: one batch plus 32 bytes of leaf hash per row.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from engine import merkle
from engine.dataset import StatementSpec, encode_batch, encode_rows, open_dataset
from engine.errors import InputError
from engine.salt import shard_salt
from engine.shard_circuit import ShardShape, shard_circuit
from kernels.poseidon_params import SPONGE_WIDTH

SCAN_BATCH_ROWS = 1 << 16


@dataclass(frozen=True)
class DatasetScan:
    display: str
    format: str
    file_sha256: str
    byte_size: int
    schema: tuple[tuple[str, str], ...]  # (name, type)
    row_count: int
    row_root: str
    shard_sums: tuple[tuple[int, ...], ...]  # signed, encoded units
    commitments: tuple[int, ...] | None  # only when the secret was given


def scan_dataset(path: str | os.PathLike, statement: StatementSpec, *, format: str | None = None,
                 secret: bytes | None = None, sponge_width: int = SPONGE_WIDTH) -> DatasetScan:
    size = statement.shard_rows
    reader = open_dataset(path, format=format, batch_rows=max(size, SCAN_BATCH_ROWS))
    digest = reader.digest()
    circuit = shard_circuit(ShardShape.for_statement(statement, sponge_width)) if secret else None
    leaves, sums, commitments = [], [], []
    for batch in reader:
        values = encode_batch(batch.data, statement, start_row=batch.start_row,
                              file=reader.display).T
        rows = encode_rows(batch.data, batch.start_row, file=reader.display)
        leaves.append(merkle.BLAKE3.leaves(rows.buffer, rows.offsets))
        for lo in range(0, batch.num_rows, size):
            shard = values[lo:lo + size]
            sums.append(tuple(int(x) for x in shard.astype(object).sum(axis=0)))
        if circuit is not None:  # every shard of the batch in one parallel call
            first = batch.start_row // size
            salts = [shard_salt(secret, digest.sha256, first + s)
                     for s in range(-(-batch.num_rows // size))]
            commitments += circuit.commitments(first, salts, np.ascontiguousarray(values))
    if reader.num_rows == 0:
        raise InputError("the dataset has no rows", file=reader.display)
    root = merkle.root(merkle.BLAKE3, np.concatenate(leaves))
    schema = tuple((f.name, str(f.type)) for f in reader.schema)
    return DatasetScan(reader.display, reader.format, digest.sha256, digest.size, schema,
                       reader.num_rows, root.hex(), tuple(sums),
                       tuple(commitments) if circuit is not None else None)


__all__ = ["DatasetScan", "scan_dataset"]
