"""Streaming CSV source: pyarrow's block reader with the column types fixed by the first block.

The first block (`block_bytes` of text) infers the types; every pass then reopens the file with
those types declared, so no later block can change them: a later value that does not convert is an
error. pyarrow's conversion and parse errors name neither the row nor (for ragged rows) the column,
so on an error the file is scanned once more with Python's csv module, which reads CSV the same way
(comma, double quotes, doubled quotes as escapes, newlines allowed inside quotes, empty lines
skipped), to find the first offending record. Error paths only; the normal path is all pyarrow.

A column empty throughout the first block is typed string, not pyarrow's null type, so a sparse
text column does not fail on its first value. Rows are data records, 0-based, header excluded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv

from engine.errors import InputError

_CONVERSION = re.compile(
    r"In CSV column #(\d+): CSV conversion error to (.+?): invalid value '(.*)'$", re.S)
_RAGGED = re.compile(r"Expected (\d+) columns, got (\d+)")


class CsvSource:
    """Record batches of one CSV file; `schema` is fixed on construction."""

    def __init__(self, path: Path, display: str, *, block_bytes: int, delimiter: str = ",",
                 column_types: Mapping[str, pa.DataType] | None = None):
        self._path, self._display = path, display
        self._read = pcsv.ReadOptions(block_size=block_bytes)
        self._parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
        self._delimiter = delimiter
        self.first_block_rows: int | None = None
        try:
            convert = pcsv.ConvertOptions(column_types=column_types or {})
            reader = pcsv.open_csv(path, read_options=self._read, parse_options=self._parse,
                                   convert_options=convert)
            with reader:
                first = reader.read_next_batch()
        except StopIteration:
            raise InputError("no data rows (only a header)", file=display) from None
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                raise InputError("no header row: the file holds no CSV records",
                                 file=display) from None
            raise self._locate(exc, rows_before=0) from None
        schema = reader.schema
        self.first_block_rows = first.num_rows
        self.schema = pa.schema([pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f
                                 for f in schema])

    def batches(self, skip_rows: int = 0,
                columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The rows from `skip_rows` on, only `columns` (default all). Text has no index: the
        rows before are still parsed, but only `columns` are converted and nothing is kept."""
        convert = pcsv.ConvertOptions(column_types=self.schema, include_columns=columns)
        reader = pcsv.open_csv(self._path, read_options=self._read, parse_options=self._parse,
                               convert_options=convert)
        rows = 0
        with reader:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except pa.ArrowInvalid as exc:
                    raise self._locate(exc, rows_before=rows) from None
                batch, rows = batch.slice(max(0, skip_rows - rows)), rows + batch.num_rows
                if batch.num_rows:
                    yield batch

    def _records(self) -> Iterator[list[str]]:
        """Records as Python's csv module reads them (header first, empty lines dropped)."""
        limit = csv.field_size_limit()
        csv.field_size_limit((1 << 31) - 1)
        try:
            with pa.input_stream(self._path, compression="detect") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
                yield from (r for r in csv.reader(text, delimiter=self._delimiter) if r)
        finally:
            csv.field_size_limit(limit)

    def _header_and_row(self, matches: Callable[[list[str]], bool]) -> tuple[list[str], int | None]:
        """The header and the index of the first data record that `matches`."""
        records = self._records()
        header = next(records, [])
        return header, next((i for i, record in enumerate(records) if matches(record)), None)

    def _locate(self, exc: pa.ArrowInvalid, *, rows_before: int) -> InputError:
        message = str(exc)
        ragged = _RAGGED.search(message)
        if ragged:
            expected, got = int(ragged.group(1)), int(ragged.group(2))
            header, row = self._header_and_row(lambda record: len(record) != expected)
            column = header[got] if got < min(expected, len(header)) else None
            return InputError(f"ragged row: {got} fields where the header has {expected}",
                              file=self._display, row=rows_before if row is None else row,
                              column=column)
        conversion = _CONVERSION.search(message)
        if conversion:
            index, type_name, value = int(conversion[1]), conversion[2], conversion[3]
            header, row = self._header_and_row(
                lambda record: index < len(record) and record[index] == value)
            why = ("a declared column type" if self.first_block_rows is None else
                   f"column types are fixed by the first {self.first_block_rows} rows")
            return InputError(f"value {value!r} is not a valid {type_name} ({why})",
                              file=self._display,
                              row=rows_before if row is None else row,
                              column=header[index] if index < len(header) else None)
        return InputError(f"unreadable CSV from row {rows_before} on: {message}",
                          file=self._display, row=rows_before)
