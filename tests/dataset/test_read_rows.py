"""DatasetReader.read_rows: a row range equals the same rows of the full streaming read, in every
format; Parquet reads only the row groups holding the range; bad ranges and bad rows inside the
range are InputErrors naming file, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from engine.dataset import open_dataset
from engine.dataset.ndjson_reader import _count_rows
from engine.errors import InputError

ROWS = 5_000
GROUP = 1_000  # Parquet row-group size: ranges below cross group boundaries
DATA = Path(__file__).parent / "data"


def sample_table(n: int) -> pa.Table:
    rng = np.random.default_rng(3)
    return pa.table({
        "id": pa.array(np.arange(n), pa.int64()),
        "price": pa.array(rng.integers(-10**7, 10**7, size=n) / 100),
        "name": pa.array([f"c-{i}, \"q\"" if i % 5 else f"line\nbreak {i}" for i in range(n)]),
        "qty": pa.array(rng.integers(0, 1000, size=n), pa.int64()),
    })


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[pa.Table, dict[str, Path]]:
    table = sample_table(ROWS)
    folder = tmp_path_factory.mktemp("ranges")
    paths = {fmt: folder / f"data.{fmt}" for fmt in ("parquet", "csv", "ndjson")}
    pq.write_table(table, paths["parquet"], row_group_size=GROUP)
    pcsv.write_csv(table, paths["csv"])  # quoted newlines in `name`: records, not lines
    with paths["ndjson"].open("w") as f:
        for i, record in enumerate(table.to_pylist()):
            f.write(json.dumps(record) + ("\n \t\n\n" if i % 97 == 0 else "\n"))  # blank lines
    return table, paths


def streamed(path: Path) -> pa.Table:
    return pa.Table.from_batches([b.data for b in open_dataset(path, batch_rows=700)])


RANGES = [(0, 1024), (990, 2010), (999, 1001), (1000, 2000), (1024, 2048), (4096, ROWS),
          (ROWS - 1, ROWS), (0, ROWS), (2500, 2501)]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_ranges_equal_the_full_streaming_read(files, fmt):
    table, paths = files
    full = streamed(paths[fmt])
    assert full.equals(table)
    reader = open_dataset(paths[fmt], batch_rows=256, block_bytes=1 << 14)  # many blocks
    for start, stop in RANGES:
        batch = reader.read_rows(start, stop)
        assert batch.start_row == start and batch.num_rows == stop - start
        assert pa.Table.from_batches([batch.data]).equals(full.slice(start, stop - start)), \
            (start, stop)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_column_subset_in_the_order_asked(files, fmt):
    table, paths = files
    batch = open_dataset(paths[fmt], block_bytes=1 << 14).read_rows(1500, 3100, ["qty", "id"])
    assert batch.data.schema.names == ["qty", "id"]
    assert pa.Table.from_batches([batch.data]).equals(table.select(["qty", "id"])
                                                      .slice(1500, 1600))


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_rows_past_the_end_name_the_first_missing_row(files, fmt):
    _, paths = files
    reader = open_dataset(paths[fmt])
    with pytest.raises(InputError) as info:
        reader.read_rows(ROWS - 10, ROWS + 5)
    assert (info.value.file, info.value.row) == (str(paths[fmt]), ROWS)
    assert "ends before this row" in str(info.value)
    with pytest.raises(InputError) as info:
        reader.read_rows(ROWS + 100, ROWS + 200)
    assert info.value.row == ROWS + 100


def test_bad_ranges_and_columns(files):
    _, paths = files
    reader = open_dataset(paths["parquet"])
    for start, stop in ((-1, 5), (5, 5), (7, 3)):
        with pytest.raises(ValueError, match="0 <= start < stop"):
            reader.read_rows(start, stop)
    with pytest.raises(InputError) as info:
        reader.read_rows(0, 10, ["id", "nope"])
    assert (info.value.file, info.value.column) == (str(paths["parquet"]), "nope")


def _corrupt_first_row_group(path: Path) -> None:
    """Flip the last byte of the first row group's `id` chunk (a data page; checksums on)."""
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(0)
    at = chunk.data_page_offset + chunk.total_compressed_size - 1
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_parquet_reads_only_the_row_groups_holding_the_range(tmp_path):
    path = tmp_path / "first_group_bad.parquet"
    pq.write_table(sample_table(3 * GROUP), path, row_group_size=GROUP, compression="none",
                   write_page_checksum=True, use_dictionary=False)
    _corrupt_first_row_group(path)
    reader = open_dataset(path)
    with pytest.raises(InputError) as info:  # the full stream cannot get past group 0
        list(reader)
    assert info.value.row == 0
    later = reader.read_rows(GROUP + 10, 2 * GROUP + 10, ["id"])  # groups 1 and 2 only
    assert later.data.column("id").to_pylist() == list(range(GROUP + 10, 2 * GROUP + 10))
    with pytest.raises(InputError, match="cannot decode") as info:
        reader.read_rows(GROUP - 5, GROUP + 5)
    assert info.value.row == 0


def test_parquet_decode_error_inside_the_range_names_its_first_row():
    reader = open_dataset(DATA / "corrupt_page.parquet", batch_rows=50)  # group 1 is corrupt
    assert reader.read_rows(10, 100).data.column("id").to_pylist() == list(range(10, 100))
    for start, stop in ((150, 160), (50, 150)):
        with pytest.raises(InputError, match="cannot decode") as info:
            reader.read_rows(start, stop)
        assert info.value.row == 100


def test_csv_bad_value_in_the_range_names_row_and_column(tmp_path):
    path = tmp_path / "drift.csv"
    rows = [f"{i},{i * 0.5},name{i}" for i in range(3000)]
    rows[2500] = "1.5,7,late"  # column a was inferred int64 from the first block
    path.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    reader = open_dataset(path, block_bytes=4096)
    for columns in (["a"], ["c", "a"], None):
        with pytest.raises(InputError) as info:
            reader.read_rows(2400, 2600, columns)
        assert (info.value.row, info.value.column) == (2500, "a")
    # a column that is not asked for is not converted, so its bad value is not met
    assert reader.read_rows(2400, 2600, ["b"]).data.column("b")[100].as_py() == 7.0


def test_ndjson_bad_line_in_a_later_range_names_its_row(tmp_path):
    path = tmp_path / "drift.ndjson"
    lines = [f'{{"a": {i}, "s": "v{i}"}}' for i in range(3000)]
    lines[2700] = '{"a": 2.5, "s": "late"}'
    path.write_text("\n\n".join(lines) + "\n")  # blank lines between rows
    reader = open_dataset(path, block_bytes=4096)
    assert reader.read_rows(1000, 1100).data.column("a").to_pylist() == list(range(1000, 1100))
    with pytest.raises(InputError) as info:
        reader.read_rows(2650, 2750, ["a"])
    assert (info.value.row, info.value.column) == (2700, "a")


@pytest.mark.parametrize("block, rows", [
    (b'{"a":1}\n', 1), (b'{"a":1}', 1), (b"", 0), (b"\n\n", 0), (b' \t\r\n{"a":1}\r\n', 1),
    (b'{"a":1}\n   \n{"a": 2}\n\t\n{"a":3}', 3), (b'{"s": "x y"}\n\n\n{"s":" "}\n', 2),
])
def test_ndjson_row_count_without_parsing(block, rows):
    assert _count_rows(block) == rows
