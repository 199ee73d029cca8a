"""The dataset scan (engine.dataset_scan) cut into shard jobs, so workers read the rows, not the
driver: the same `DatasetScan`, bit for bit, from any Executor.

Per shard a worker reads its rows (Parquet: only the row groups that hold them), encodes and
bounds-checks the proved values (bad data is an InputError naming file, row and column), hashes
the canonical rows into the BLAKE3 leaves of that shard and folds them into the shard's
subtree root, adds up the column sums and, given the salt, computes the shard's commitment.

The row root composes from the shard roots because shards are 2^k rows: in the RFC 6962 tree
over n leaves, every aligned block of 2^k leaves is a node, and the tree over the blocks (the
last one possibly short) with the same node hash and the same lone-node promotion is the tree
over the leaves. So `merkle.root` over the shard roots is the dataset's row root.

The driver reads only the Parquet footer (cluster.planning) and the file's bytes once for its
sha256 (no decoding). Workers check the file's size and mtime against the driver's before
reading and the driver hashes the file again after the scan, so a file edited during the job is
an error. Text formats (CSV, NDJSON) have no row index to plan from (cluster.planning): for them
`scan_on_cluster` runs engine.dataset_scan on the driver, so it is a drop-in for scan_dataset
(`functools.partial(scan_on_cluster, executor=ex)` has scan_dataset's signature).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from cluster.planning import parquet_plan
from engine import merkle
from engine.dataset import StatementSpec, encode_batch, encode_rows, open_dataset
from engine.dataset_scan import DatasetScan, scan_dataset
from engine.errors import InputError
from engine.executor import Executor
from engine.salt import check_secret, shard_salt
from engine.shard_circuit import ShardShape, shard_circuit
from kernels.poseidon_params import SPONGE_WIDTH


@dataclass(frozen=True)
class ScanJob:
    """One shard of a scan: the rows to read and, for commitments, the shard's salt."""

    path: str
    size: int
    mtime_ns: int
    statement: StatementSpec
    sponge_width: int
    index: int
    start_row: int
    stop_row: int
    salt: int | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ShardScan:
    """A worker's scan of one shard: its BLAKE3 subtree root, sums and commitment."""

    index: int
    count: int
    row_root: bytes
    sums: tuple[int, ...]
    commitment: int | None


def scan_shard(job: ScanJob) -> ShardScan:
    """Read, check, hash and sum one shard's rows (what a worker does)."""
    st = os.stat(job.path)
    if (st.st_size, st.st_mtime_ns) != (job.size, job.mtime_ns):
        raise InputError("the file changed since the scan was planned", file=job.path)
    reader = open_dataset(job.path, format="parquet")
    batch = reader.read_rows(job.start_row, job.stop_row)
    values = encode_batch(batch.data, job.statement, start_row=job.start_row,
                          file=reader.display).T
    rows = encode_rows(batch.data, job.start_row, file=reader.display)
    root = merkle.root(merkle.BLAKE3, merkle.BLAKE3.leaves(rows.buffer, rows.offsets))
    sums = tuple(int(x) for x in values.astype(object).sum(axis=0))
    commitment = None
    if job.salt is not None:
        circuit = shard_circuit(ShardShape.for_statement(job.statement, job.sponge_width))
        commitment = circuit.commitment(job.index, job.salt, np.ascontiguousarray(values))
    return ShardScan(job.index, batch.num_rows, root, sums, commitment)


def scan_on_cluster(path: str | os.PathLike, statement: StatementSpec, *, executor: Executor,
                    format: str | None = None, secret: bytes | None = None,
                    sponge_width: int = SPONGE_WIDTH) -> DatasetScan:
    """engine.dataset_scan.scan_dataset's result, computed by `executor` for a Parquet file
    (on the driver for text files)."""
    reader = open_dataset(path, format=format)
    if reader.format != "parquet":
        return scan_dataset(path, statement, format=format, secret=secret,
                            sponge_width=sponge_width)
    secret = check_secret(secret) if secret is not None else None
    before = reader.digest()
    st = os.stat(path)
    plan = parquet_plan(path, statement.shard_rows)
    jobs = [ScanJob(str(path), st.st_size, st.st_mtime_ns, statement, sponge_width, s.index,
                    s.start_row, s.stop_row,
                    shard_salt(secret, before.sha256, s.index) if secret else None)
            for s in plan.shards]
    shards = executor.map(scan_shard, jobs)
    for job, shard in zip(jobs, shards, strict=True):
        if (shard.index, shard.count) != (job.index, job.stop_row - job.start_row):
            raise InputError(f"shard {job.index}: the worker scanned other rows",
                             file=reader.display)
    if reader.digest() != before:
        raise InputError("the file changed while it was scanned", file=reader.display)
    row_root = merkle.root(merkle.BLAKE3, [s.row_root for s in shards])
    schema = tuple((f.name, str(f.type)) for f in reader.schema)
    commitments = tuple(s.commitment for s in shards) if secret else None
    return DatasetScan(reader.display, "parquet", before.sha256, before.size, schema,
                       plan.row_count, row_root.hex(), tuple(s.sums for s in shards),
                       commitments)


__all__ = ["ScanJob", "ShardScan", "scan_on_cluster", "scan_shard"]
