"""Dataset ingestion on the CPU: read a Parquet file in batches, field-encode the proved columns,
build the canonical row bytes, and hash the file.

The dataset is the issue's shape: 1M rows x 4 columns (int64 id, float64 price with 2 decimals
proved at scale 2, utf8 name, int32 qty). Two ways to run it:
- `python -m benchmarks.bench_ingest [--rows N] [--batch-rows N] [--format parquet|csv|ndjson]`:
  one streaming pass with the time
  of each stage and the peak memory (process RSS from getrusage, Arrow's pool peak, and the
  tracemalloc peak of numpy/Python allocations in a second pass). The file is written by a child
  process first, so the RSS peak is the ingestion's own.
- `pytest benchmarks/bench_ingest.py --benchmark-only`: the stages at 100k rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from benchmarks.datasets import make_table
from engine.dataset import (StatementOptions, encode_batch, encode_rows, open_dataset,
                            resolve_statement)

OPTIONS = StatementOptions(columns="id,price,qty", scale={"price": 2})


def write_dataset(path: Path, rows: int) -> None:
    table = make_table(rows)
    if path.suffix == ".csv":
        pcsv.write_csv(table, path)
    elif path.suffix == ".ndjson":
        with path.open("w") as f:
            for start in range(0, rows, 1 << 16):
                f.writelines(json.dumps(r) + "\n" for r in table.slice(start, 1 << 16).to_pylist())
    else:
        pq.write_table(table, path, row_group_size=1 << 17)


def ingest(path: Path, batch_rows: int) -> dict[str, float]:
    """One streaming pass; seconds per stage plus rows and bytes produced."""
    times = dict.fromkeys(("open", "read", "field_encode", "row_encode"), 0.0)
    t0 = time.perf_counter()
    reader = open_dataset(path, batch_rows=batch_rows)
    times["open"] = time.perf_counter() - t0
    spec = None
    rows = row_bytes = checksum = 0
    batches = iter(reader)
    while True:
        t0 = time.perf_counter()
        batch = next(batches, None)
        times["read"] += time.perf_counter() - t0
        if batch is None:
            break
        if spec is None:
            spec = resolve_statement(reader.schema, OPTIONS, sample=batch.data, file=reader.display)
        t0 = time.perf_counter()
        values = encode_batch(batch.data, spec, start_row=batch.start_row, file=reader.display)
        times["field_encode"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        encoded = encode_rows(batch.data, batch.start_row, file=reader.display)
        times["row_encode"] += time.perf_counter() - t0
        rows += batch.num_rows
        row_bytes += int(encoded.offsets[-1])
        checksum += int(values[1].sum())
    t0 = time.perf_counter()
    digest = reader.digest()
    times["sha256"] = time.perf_counter() - t0
    return {**times, "rows": rows, "row_bytes": row_bytes, "file_bytes": digest.size,
            "price_sum": checksum}


def report(rows: int, batch_rows: int, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"ingest.{fmt}"
        subprocess.run([sys.executable, "-m", "benchmarks.bench_ingest", "--write", str(path),
                        "--rows", str(rows)], check=True, cwd=Path(__file__).resolve().parents[1])
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = ingest(path, batch_rows)
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        arrow_peak = pa.default_memory_pool().max_memory()
        tracemalloc.start()
        ingest(path, batch_rows)
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    mib = 1 << 20
    total = sum(result[k] for k in ("open", "read", "field_encode", "row_encode"))
    print(f"{result['rows']:,} rows, batch {batch_rows:,}, "
          f"{fmt} {result['file_bytes'] / mib:.1f} MiB, "
          f"row bytes {result['row_bytes'] / mib:.1f} MiB")
    for stage in ("open", "read", "field_encode", "row_encode", "sha256"):
        print(f"  {stage:13s} {result[stage]:7.3f} s")
    print(f"  {'ingest total':13s} {total:7.3f} s  ({result['rows'] / total / 1e6:.2f} M rows/s)")
    print(f"  peak RSS {rss_peak / 1024:.0f} MiB (baseline {rss_before / 1024:.0f} MiB), "
          f"Arrow pool peak {arrow_peak / mib:.0f} MiB, "
          f"tracemalloc peak {traced_peak / mib:.0f} MiB")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ingest") / "ingest.parquet"
    write_dataset(path, 100_000)
    return path


@pytest.fixture(scope="module")
def batches(dataset) -> list:
    return list(open_dataset(dataset, batch_rows=1 << 16))


def test_read(benchmark, dataset):
    rows = benchmark(lambda: sum(b.num_rows for b in open_dataset(dataset, batch_rows=1 << 16)))
    assert rows == 100_000


def test_field_encode(benchmark, batches):
    spec = resolve_statement(batches[0].data.schema, OPTIONS, sample=batches[0].data)
    out = benchmark(lambda: [encode_batch(b.data, spec, start_row=b.start_row) for b in batches])
    assert sum(v.shape[1] for v in out) == 100_000


def test_row_encode(benchmark, batches):
    out = benchmark(lambda: [encode_rows(b.data, b.start_row) for b in batches])
    assert sum(len(e) for e in out) == 100_000


def test_sha256(benchmark, dataset):
    digest = benchmark(lambda: open_dataset(dataset).digest())
    assert digest.size == dataset.stat().st_size


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-rows", type=int, default=1 << 16)
    parser.add_argument("--format", choices=("parquet", "csv", "ndjson"), default="parquet")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_dataset(args.write, args.rows)
    else:
        report(args.rows, args.batch_rows, args.format)
