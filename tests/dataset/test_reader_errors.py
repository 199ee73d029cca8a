"""Malformed inputs: every one is an InputError naming the file, the 0-based row and the column."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from engine.dataset import (ColumnSpec, StatementOptions, encode_column, open_dataset,
                            resolve_statement)
from engine.errors import InputError

DATA = Path(__file__).parent / "data"


def read_all(path: Path, **options) -> list:
    return list(open_dataset(path, **options))


def fails(path: Path, *, row: int | None = None, column: str | None = None, says: str = "",
          **options) -> InputError:
    with pytest.raises(InputError) as info:
        read_all(path, **options)
    err = info.value
    assert (err.file, err.row, err.column) == (str(path), row, column), str(err)
    assert says in str(err)
    assert str(err).startswith(f"file {path}")
    if row is not None:
        assert f"row {row} (0-based)" in str(err)
    if column is not None:
        assert f"column {column}" in str(err)
    return err


@pytest.mark.parametrize("name, says", [
    ("empty.csv", "file is empty"),
    ("header_only.csv", "no data rows"),
    ("blank_lines.ndjson", "no rows"),
    ("no_rows.parquet", "no rows"),
    ("truncated.parquet", "not a readable Parquet file"),
    ("not_parquet.parquet", "not a readable Parquet file"),
])
def test_files_without_rows_or_structure(name, says):
    fails(DATA / name, says=says)


def test_missing_file(tmp_path):
    fails(tmp_path / "absent.csv", says="cannot open")


def test_unknown_extension_needs_a_format():
    fails(DATA / "no_extension", says="cannot tell the format")
    assert [b.num_rows for b in read_all(DATA / "no_extension", format="csv")] == [1]


def test_ragged_row_names_the_first_missing_column():
    fails(DATA / "ragged_short.csv", row=1, column="c", says="2 fields where the header has 3")


def test_ragged_row_counts_records_not_lines():
    # The second record spans two lines inside quotes; the long record is data row 2.
    fails(DATA / "ragged_long_after_quoted_newline.csv", row=2,
          says="4 fields where the header has 3")


def test_duplicate_csv_header():
    fails(DATA / "duplicate_header.csv", column="a", says="more than once")


def test_corrupt_parquet_page_names_the_first_undecodable_row():
    fails(DATA / "corrupt_page.parquet", row=100, says="cannot decode", batch_rows=50)


def test_later_csv_block_cannot_change_a_type(tmp_path):
    path = tmp_path / "drift.csv"
    rows = [f"{i},{i * 0.5},name{i}" for i in range(3000)]
    rows[2500] = "1.5,7,late"  # column a was inferred int64 from the first block
    path.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    err = fails(path, row=2500, column="a", says="'1.5' is not a valid int64", block_bytes=4096)
    assert "fixed by the first" in str(err)


def test_csv_sparse_text_column_is_string_not_null(tmp_path):
    path = tmp_path / "sparse.csv"
    path.write_text("a,note\n" + "".join(f"{i},\n" for i in range(2000)) + "2000,hello\n")
    reader = open_dataset(path, block_bytes=4096)
    assert reader.schema.field("note").type == pa.string()
    assert sum(b.num_rows for b in reader) == 2001


def test_ndjson_invalid_line_row_skips_blank_lines():
    # Line 3 of the file is the second data row (a blank line precedes it).
    fails(DATA / "bad_json_line.ndjson", row=1, says="not valid JSON")


def test_ndjson_not_an_object():
    fails(DATA / "not_an_object.ndjson", row=1, says="not a JSON object")


def test_ndjson_duplicate_key():
    fails(DATA / "duplicate_key.ndjson", row=1, column="a", says="appears twice")


def test_ndjson_type_conflict_in_first_block():
    fails(DATA / "type_conflict.ndjson", row=1, column="b", says='"text" does not fit')


def test_ndjson_later_block_type_conflict(tmp_path):
    path = tmp_path / "drift.ndjson"
    lines = [f'{{"a": {i}, "s": "v{i}"}}' for i in range(3000)]
    lines[2700] = '{"a": 2.5, "s": "late"}'
    path.write_text("\n".join(lines) + "\n")
    fails(path, row=2700, column="a", says="2.5 does not fit the column type int64",
          block_bytes=4096)


def test_ndjson_later_block_unknown_field(tmp_path):
    path = tmp_path / "extra.ndjson"
    lines = [f'{{"a": {i}}}' for i in range(3000)]
    lines[2999] = '{"a": 1, "surprise": true}'
    path.write_text("\n".join(lines) + "\n")
    fails(path, row=2999, column="surprise", says="not in the schema", block_bytes=4096)


def test_file_changed_while_reading(tmp_path):
    path = tmp_path / "grows.csv"
    path.write_text("a\n1\n2\n")
    reader = open_dataset(path)
    with path.open("a") as f:
        f.write("3\n")
    fails_now = pytest.raises(InputError, match="changed while it was being read")
    with fails_now:
        list(reader)
    with pytest.raises(InputError, match="changed while it was being read"):
        reader.digest()


def test_unsupported_column_type_is_refused_at_open():
    fails(DATA / "list_column.parquet", column="tags",
          says="type list<element: int64> is not supported by the row encoding")


def _prove_x(path: Path) -> InputError:
    reader = open_dataset(path)
    spec = resolve_statement(reader.schema, StatementOptions(columns="x", scale={"x": 1}),
                             file=reader.display)
    with pytest.raises(InputError) as info:
        for batch in reader:
            encode_column(batch.data.column("x"), spec.columns[0], start_row=batch.start_row,
                          file=reader.display)
    return info.value


def test_inf_in_a_proved_column():
    err = _prove_x(DATA / "inf_value.csv")
    assert (err.row, err.column) == (1, "x") and "inf is not a finite number" in str(err)


def test_missing_value_in_a_proved_column():
    err = _prove_x(DATA / "missing_value.csv")
    assert (err.row, err.column) == (1, "x") and "missing (null)" in str(err)


def test_missing_statement_column_names_file_and_column():
    reader = open_dataset(DATA / "inf_value.csv")
    with pytest.raises(InputError) as info:
        resolve_statement(reader.schema, StatementOptions(columns="id,price"), file=reader.display)
    assert (info.value.file, info.value.column) == (reader.display, "price")
    assert "no such column (the file has: id, x)" in str(info.value)


def test_errors_carry_row_offsets_of_later_batches(tmp_path):
    path = tmp_path / "late_bad.csv"
    path.write_text("x\n" + "".join(f"{i}.5\n" for i in range(5000)) + "0.25\n")
    reader = open_dataset(path, batch_rows=1000)
    column = ColumnSpec(name="x", kind="fixed", scale=1, lo="-1e6", hi="1e6")
    with pytest.raises(InputError) as info:
        for batch in reader:
            encode_column(batch.data.column("x"), column, start_row=batch.start_row,
                          file=reader.display)
    assert (info.value.row, info.value.column) == (5000, "x")
    assert "0.25 has more than 1 decimals" in str(info.value)


def test_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n3\n")
    fails(path, row=1, column="b", says="1 fields where the header has 2")
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    assert open_dataset(path).schema.names == ["a", "b"]
