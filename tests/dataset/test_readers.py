"""Streaming readers: formats agree, batching does not change rows, digests are the file's."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from engine.dataset import encode_rows, file_digest, open_dataset
from engine.dataset.readers import detect_format

ROWS = 50_000


def sample_table(n: int) -> pa.Table:
    """Types all three formats infer alike: int64, float64 (2 decimals), string, bool, and
    nulls in the numeric column (CSV cannot tell a null string from an empty one)."""
    rng = np.random.default_rng(7)
    ints = rng.integers(-10**12, 10**12, size=n)
    return pa.table({
        "id": pa.array(np.arange(n), pa.int64()),
        "amount": pa.array(np.round(rng.normal(0, 1000, size=n), 2)),
        "label": pa.array([f"item-{i}, \"q\"" if i % 7 else f"r{i}" for i in range(n)]),
        "flag": pa.array(rng.integers(0, 2, size=n).astype(bool)),
        "maybe": pa.array(ints, mask=rng.random(n) < 0.1),
    })


def write_all(table: pa.Table, folder: Path) -> dict[str, Path]:
    paths = {fmt: folder / f"data.{fmt}" for fmt in ("parquet", "csv", "ndjson")}
    pq.write_table(table, paths["parquet"], row_group_size=7_777)
    pcsv.write_csv(table, paths["csv"])
    with paths["ndjson"].open("w") as f:
        for record in table.to_pylist():
            f.write(json.dumps(record) + "\n")
    return paths


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[pa.Table, dict[str, Path]]:
    table = sample_table(ROWS)
    return table, write_all(table, tmp_path_factory.mktemp("formats"))


def all_row_bytes(reader) -> list[bytes]:
    rows = []
    for batch in reader:
        encoded = encode_rows(batch.data, batch.start_row)
        rows += [encoded.row(i) for i in range(len(encoded))]
    return rows


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_each_format_reads_the_table(files, fmt):
    table, paths = files
    reader = open_dataset(paths[fmt], batch_rows=4096, block_bytes=1 << 16)
    assert reader.format == fmt
    assert reader.schema == table.schema
    batches = list(reader)
    assert [b.start_row for b in batches] == list(range(0, ROWS, 4096))
    assert all(b.num_rows == 4096 for b in batches[:-1]) and batches[-1].num_rows == ROWS % 4096
    assert pa.Table.from_batches([b.data for b in batches]).equals(table)
    assert reader.num_rows == ROWS


def test_same_rows_same_bytes_in_every_format(files):
    _, paths = files
    parquet, csv, ndjson = (all_row_bytes(open_dataset(paths[f], batch_rows=10_000,
                                                       block_bytes=1 << 18))
                            for f in ("parquet", "csv", "ndjson"))
    assert len(parquet) == ROWS
    assert parquet == csv == ndjson


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_batch_size_does_not_change_rows(files, fmt):
    _, paths = files
    small = list(open_dataset(paths[fmt], batch_rows=1000, block_bytes=1 << 15))
    whole = list(open_dataset(paths[fmt], batch_rows=ROWS, block_bytes=64 << 20))
    assert len(small) == ROWS // 1000 and len(whole) == 1
    assert pa.Table.from_batches([b.data for b in small]).equals(
        pa.Table.from_batches([whole[0].data]))
    small_rows = [encode_rows(b.data, b.start_row) for b in small]
    whole_rows = encode_rows(whole[0].data)
    assert b"".join(e.buffer.tobytes() for e in small_rows) == whole_rows.buffer.tobytes()


def test_reader_can_be_iterated_again(files):
    _, paths = files
    reader = open_dataset(paths["csv"], batch_rows=20_000)
    first = [b.data for b in reader]
    second = [b.data for b in reader]
    assert [b.equals(c) for b, c in zip(first, second)] == [True] * 3


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_digest_is_sha256_of_the_file_bytes(files, fmt):
    _, paths = files
    data = paths[fmt].read_bytes()
    digest = open_dataset(paths[fmt]).digest()
    assert digest.sha256 == hashlib.sha256(data).hexdigest()
    assert digest.size == len(data)
    assert file_digest(paths[fmt]) == digest


def test_compressed_text_is_read_and_hashed_compressed(tmp_path):
    csv_gz, ndjson_gz = tmp_path / "d.csv.gz", tmp_path / "d.jsonl.gz"
    csv_gz.write_bytes(gzip.compress(b"a,b\n1,x\n2,y\n"))
    ndjson_gz.write_bytes(gzip.compress(b'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n'))
    for path, fmt in ((csv_gz, "csv"), (ndjson_gz, "ndjson")):
        reader = open_dataset(path)
        assert reader.format == fmt
        assert pa.Table.from_batches([b.data for b in reader]).to_pydict() == {"a": [1, 2],
                                                                                "b": ["x", "y"]}
        assert reader.digest().sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_tsv_and_explicit_types(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text("a\tb\n1\t2\n3\t4\n")
    reader = open_dataset(path, column_types={"b": pa.float64()})
    assert reader.schema == pa.schema([("a", pa.int64()), ("b", pa.float64())])
    assert [b.data.to_pydict() for b in reader] == [{"a": [1, 3], "b": [2.0, 4.0]}]


def test_ndjson_declared_type_and_long_lines(tmp_path):
    path = tmp_path / "d.ndjson"
    long = "x" * 10_000  # longer than a block: the block grows to the end of the line
    path.write_text(f'{{"a": 1, "s": "{long}"}}\n\n{{"a": 2, "s": "y"}}')  # no final newline
    reader = open_dataset(path, block_bytes=1024, column_types={"a": pa.float64()})
    assert reader.schema == pa.schema([("a", pa.float64()), ("s", pa.string())])
    assert pa.Table.from_batches([b.data for b in reader]).to_pydict() == {"a": [1.0, 2.0],
                                                                            "s": [long, "y"]}


@pytest.mark.parametrize("name, fmt", [("x.parquet", "parquet"), ("x.PQ", "parquet"),
                                       ("x.csv", "csv"), ("x.csv.gz", "csv"), ("x.tsv", "tsv"),
                                       ("x.ndjson", "ndjson"), ("x.jsonl.zst", "ndjson")])
def test_detect_format(name, fmt):
    assert detect_format(name) == fmt


def test_unknown_format_name():
    with pytest.raises(ValueError, match="format must be one of"):
        detect_format("x.csv", "xlsx")
