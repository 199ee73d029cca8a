"""Streaming NDJSON source: line-bounded blocks, each parsed by pyarrow's JSON reader.

pyarrow has no streaming JSON reader, so the file is read `block_bytes` at a time (through
`pa.input_stream`, which also undoes .gz/.bz2/.zst compression), cut after the last newline, and
each block is parsed with `pyarrow.json.read_json` as one chunk. Memory stays bounded by a block
(a line longer than the block extends it). The first block infers the schema; every later block is
parsed against that schema with unknown fields an error, so no block can change a type.

Rows are the non-blank lines, 0-based (pyarrow skips blank lines too). A pass that starts at a
later row (`batches(skip_rows=...)`) counts the non-blank lines of the blocks before it without
parsing them. pyarrow's JSON errors rarely name a row or column, so on an error the block is
bisected over its lines (a prefix that fails keeps failing as it grows) to the first bad line,
which is then checked field by field.
Known limits of pyarrow's JSON inference: ISO dates become timestamp[s] (CSV makes them date32),
and an integer beyond int64 is read as a float64.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.json as pjson

from engine.errors import InputError


def _read(block: bytes, schema: pa.Schema | None, unexpected: str) -> pa.Table:
    options = pjson.ParseOptions(explicit_schema=schema, unexpected_field_behavior=unexpected)
    return pjson.read_json(pa.BufferReader(block),
                           read_options=pjson.ReadOptions(block_size=len(block) + 1),
                           parse_options=options)


class NdjsonSource:
    """Record batches of one NDJSON file; `schema` is fixed on construction."""

    def __init__(self, path: Path, display: str, *, block_bytes: int,
                 column_types: Mapping[str, pa.DataType] | None = None):
        self._path, self._display, self._block_bytes = path, display, block_bytes
        self._declared = pa.schema(list(column_types.items())) if column_types else None
        self.schema: pa.Schema | None = None  # None while the first block infers it
        blocks = self._blocks()
        first = next(blocks, None)
        blocks.close()
        if first is None:
            raise InputError("no rows: the file holds only blank lines", file=display)
        self.schema = self._parse(first, rows_before=0).schema

    def batches(self, skip_rows: int = 0,
                columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The rows from `skip_rows` on, only `columns` (default all). Blocks wholly before
        `skip_rows` are counted (non-blank lines), not parsed."""
        rows = 0
        for block in self._blocks():
            if rows < skip_rows:
                n = _count_rows(block)
                if rows + n <= skip_rows:
                    rows += n
                    continue
            table = self._parse(block, rows_before=rows)
            if columns is not None:
                table = table.select(columns)
            table, rows = table.slice(max(0, skip_rows - rows)), rows + table.num_rows
            yield from table.to_batches()

    def _blocks(self) -> Iterator[bytes]:
        """Blocks of whole lines holding at least one non-blank line."""
        with pa.input_stream(self._path, compression="detect") as stream:
            pending: list[bytes] = []  # the start of a line that has not ended yet
            while chunk := stream.read(self._block_bytes):
                cut = chunk.rfind(b"\n") + 1
                if not cut:
                    pending.append(chunk)
                    continue
                block = b"".join([*pending, chunk[:cut]])
                pending = [chunk[cut:]]
                if not block.isspace():
                    yield block
            tail = b"".join(pending)
            if tail and not tail.isspace():
                yield tail

    def _read_block(self, block: bytes) -> pa.Table:
        if self.schema is None:  # first block: declared types, the rest inferred
            return _read(block, self._declared, "infer")
        return _read(block, self.schema, "error")

    def _parse(self, block: bytes, *, rows_before: int) -> pa.Table:
        try:
            return self._read_block(block)
        except pa.ArrowInvalid as exc:
            raise self._locate(block, exc, rows_before) from None

    def _fails(self, lines: list[bytes]) -> bool:
        if not lines:
            return False
        try:
            self._read_block(b"\n".join(lines))
        except pa.ArrowInvalid:
            return True
        return False

    def _locate(self, block: bytes, exc: pa.ArrowInvalid, rows_before: int) -> InputError:
        lines = [line for line in block.split(b"\n") if line.strip()]
        if not self._fails(lines):
            return InputError(f"unreadable NDJSON from row {rows_before} on: {exc}",
                              file=self._display, row=rows_before)
        good, bad = 0, len(lines)  # lines[:good] parses, lines[:bad] fails
        while bad - good > 1:
            mid = (good + bad) // 2
            good, bad = (good, mid) if self._fails(lines[:mid]) else (mid, bad)
        index = bad - 1
        schema, new_fields = self.schema, self.schema is None
        if new_fields:
            schema = self._read_block(b"\n".join(lines[:index])).schema if index else self._declared
        column, reason = _diagnose(lines[index], schema, new_fields_allowed=new_fields)
        return InputError(reason or f"line rejected by the JSON reader: {exc}", file=self._display,
                          row=rows_before + index, column=column)


def _count_rows(block: bytes) -> int:
    """The rows of a block as pyarrow's JSON reader counts them (lines holding anything but
    JSON whitespace), found without parsing: the line ends that follow a non-blank character."""
    text = np.frombuffer(block.translate(None, b" \t\r"), dtype=np.uint8) != ord("\n")
    if not text.size:
        return 0
    return int(np.count_nonzero(text[:-1] & ~text[1:])) + int(text[-1])


def _diagnose(line: bytes, schema: pa.Schema | None, *,
              new_fields_allowed: bool) -> tuple[str | None, str | None]:
    """(column, reason) for a line the JSON reader rejected; reason None when none is found."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in items]
        duplicates.extend(k for k in keys if keys.count(k) > 1)
        return dict(items)

    try:
        value = json.loads(line, object_pairs_hook=pairs)
    except ValueError as exc:
        return None, f"not valid JSON: {exc}"
    if not isinstance(value, dict):
        return None, f"not a JSON object but {type(value).__name__}"
    if duplicates:
        return duplicates[0], "field appears twice in one object"
    for key, field_value in value.items():
        if schema is None or key not in schema.names:
            if new_fields_allowed:
                continue
            return key, "field not in the schema (fields are fixed by the first block)"
        try:
            _read(json.dumps({key: field_value}).encode(), pa.schema([schema.field(key)]), "error")
        except pa.ArrowInvalid:
            why = ("inferred from the rows before it" if new_fields_allowed
                   else "types are fixed by the first block")
            return key, (f"value {json.dumps(field_value)} does not fit the column type "
                         f"{schema.field(key).type} ({why})")
    return None, None
