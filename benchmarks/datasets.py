"""The benchmark dataset of issue 3, generated deterministically from a seed.

Four columns: `id` int64 (0, 1, 2, ...), `price` float64 holding 2-decimal prices in
[-100000, 100000) (the float nearest each cent value, proved at scale 2), `name` utf8 (only
in the row hashes) and `qty` int32 in [0, 1000). The same seed and row count give the same
file bytes, so runs on different machines hash and prove the same data.

`python -m benchmarks.datasets ROWS PATH` writes the Parquet file from a child process, which
keeps the generator's memory out of the caller's RSS peak.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 1 << 17


def make_table(rows: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    cents = rng.integers(-10**7, 10**7, size=rows)
    names = pa.array(np.char.add("customer-", rng.integers(0, 10**6, size=rows).astype(str)))
    return pa.table({
        "id": pa.array(np.arange(rows, dtype=np.int64)),
        "price": pa.array(cents / 100.0),
        "name": names,
        "qty": pa.array(rng.integers(0, 1000, size=rows, dtype=np.int32)),
    })


def write_parquet(path: str | os.PathLike, rows: int, seed: int = 1) -> None:
    pq.write_table(make_table(rows, seed), path, row_group_size=ROW_GROUP_ROWS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_parquet(args.path, args.rows, args.seed)
