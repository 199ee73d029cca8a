"""Shard plans made by the driver from a file's metadata, without decoding a single row.

Parquet: the footer holds every row group's row count and compressed size, so the row count,
the shard row ranges and, per shard, the row groups a worker has to open (and the bytes it will
read) come from `pyarrow.parquet.read_metadata` alone: a few kilobytes per thousand row groups,
whatever the number of rows. `parquet_plan` does that; `shard_jobs` turns a plan into the
engine's `ShardJob`s (same ids and salts as engine.notarize.plan_shards gives after a scan),
so workers are the first to read the values. The one whole-file read left on the driver is the
sha256 of the bytes, which every ShardJob carries and every salt is derived from: sequential
hashing at disk speed, no decoding (engine.key_cache.file_sha256).

CSV and NDJSON have no footer: the row count, and where row r starts, are only known after
reading the text up to it. Splitting at byte offsets aligned to newlines is exact for NDJSON
(a JSON string cannot hold a raw newline) and, for RFC 4180 CSV, at newlines preceded by an
even number of double quotes; counting the rows of each byte range can then run on the workers
in parallel, with a prefix sum on the driver. The engine's ShardJob names rows, not byte
offsets, and its CSV/NDJSON reader streams from the file's start to the shard (text has no
index), so this module does not plan text files: for those, `engine.notarize.notarize` (one
streaming scan on the driver) remains the way, and a cluster job should convert large text
datasets to Parquet first. docs/scaling.md has the cost of each.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from engine.dataset.spec import StatementSpec
from engine.errors import InputError
from engine.notarize import ShardJob
from engine.proving_keys import KeyRef
from engine.salt import check_secret, shard_salt
from kernels.poseidon_params import SPONGE_WIDTH


@dataclass(frozen=True)
class ShardSlice:
    """Rows start_row .. stop_row - 1, held by row groups first_group .. last_group."""

    index: int
    start_row: int
    stop_row: int
    first_group: int
    last_group: int
    compressed_bytes: int  # its row groups' column chunks: what a worker reads for it


@dataclass(frozen=True)
class ParquetPlan:
    """A Parquet file's shard plan from its footer: no row was read to make it."""

    path: str
    byte_size: int
    row_count: int
    shard_rows: int
    group_rows: tuple[int, ...]
    group_bytes: tuple[int, ...]  # compressed bytes of each row group's column chunks
    shards: tuple[ShardSlice, ...]


def parquet_plan(path: str | os.PathLike, shard_rows: int,
                 columns: Sequence[str] | None = None) -> ParquetPlan:
    """The shards of `shard_rows` rows of a Parquet file, and the row groups each one reads;
    bytes count the column chunks of `columns` (a worker reads the proved ones), else all."""
    if shard_rows < 1 or shard_rows & (shard_rows - 1):
        raise ValueError(f"shard_rows must be a power of two, not {shard_rows}")
    display = str(path)
    try:
        byte_size = os.stat(path).st_size
        meta = pq.read_metadata(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the Parquet footer: {exc}", file=display) from None
    names = [meta.schema.column(c).path for c in range(meta.num_columns)]
    wanted = range(meta.num_columns) if columns is None else [
        _column_index(names, c, display) for c in columns]
    groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
    group_rows = np.array([g.num_rows for g in groups], dtype=np.int64)
    group_bytes = np.array([sum(g.column(c).total_compressed_size for c in wanted)
                            for g in groups], dtype=np.int64)
    row_count = int(group_rows.sum())
    if row_count != meta.num_rows:
        raise InputError(f"the footer's row groups hold {row_count} rows, it claims "
                         f"{meta.num_rows}", file=display)
    if row_count == 0:
        raise InputError("the dataset has no rows", file=display)
    ends = np.cumsum(group_rows)  # ends[g]: rows before group g + 1
    starts = np.arange(0, row_count, shard_rows, dtype=np.int64)
    stops = np.minimum(starts + shard_rows, row_count)
    first = np.searchsorted(ends, starts, side="right")
    last = np.searchsorted(ends, stops - 1, side="right")
    prefix = np.concatenate([[0], np.cumsum(group_bytes)])
    shard_bytes = prefix[last + 1] - prefix[first]
    shards = tuple(ShardSlice(i, int(a), int(b), int(f), int(g), int(n)) for i, (a, b, f, g, n)
                   in enumerate(zip(starts, stops, first, last, shard_bytes)))
    return ParquetPlan(display, byte_size, row_count, shard_rows, tuple(group_rows.tolist()),
                       tuple(group_bytes.tolist()), shards)


def _column_index(names: list[str], column: str, display: str) -> int:
    if column not in names:
        raise InputError("no such column in the file", file=display, column=column)
    return names.index(column)


def shard_jobs(plan: ParquetPlan, statement: StatementSpec, key: KeyRef, secret: bytes,
               file_sha256: str, sponge_width: int = SPONGE_WIDTH) -> list[ShardJob]:
    """The engine's shard jobs for a planned file (whose sha256 the caller computed)."""
    if statement.shard_rows != plan.shard_rows:
        raise ValueError(f"the plan has shards of {plan.shard_rows} rows, the statement "
                         f"{statement.shard_rows}")
    if not statement.resolved:
        raise InputError("the statement's bounds are not resolved")
    secret = check_secret(secret)
    return [ShardJob(plan.path, "parquet", file_sha256, statement, sponge_width, s.index,
                     s.start_row, s.stop_row, key, shard_salt(secret, file_sha256, s.index))
            for s in plan.shards]


__all__ = ["ParquetPlan", "ShardSlice", "parquet_plan", "shard_jobs"]
