"""Canonical row bytes: the typed, length-prefixed encoding of every row that BLAKE3 hashes.

The format is specified in docs/row-encoding.md (with a worked example a test recomputes); in
short, all integers little-endian:

    row    = u64 row_index | u32 column_count | column_count * field
    field  = u8 tag | u32 payload_length | payload

Every column of the dataset is encoded, proved or not. Values are encoded by their logical type,
not their storage width: any integer column gives tag INT with 8 bytes, float16/32 widen to
float64, decimal32/64 widen to 16 bytes, dictionary columns encode their values.

Built per record batch without a per-row Python loop: fixed-width fields of consecutive columns are
packed into one numpy structured array (a "run", one row per record), variable-length payloads
(strings, binary, and fixed payloads of a column with nulls in the batch) stay Arrow binary arrays,
and `binary_join_element_wise` concatenates runs and payloads row by row. The result is an
Arrow-style buffer plus int64 offsets (n + 1): row i is buffer[offsets[i]:offsets[i + 1]].
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import InputError

TAG_NULL = 0x00
TAG_BOOL = 0x01
TAG_INT = 0x02
TAG_UINT64 = 0x03  # only for uint64 values >= 2^63; smaller ones are INT (same payload bytes)
TAG_FLOAT = 0x04
TAG_DECIMAL = 0x05
TAG_UTF8 = 0x06
TAG_BINARY = 0x07
TAG_DATE = 0x08
TAG_TIMESTAMP = 0x09
TAG_TIME = 0x0A
TAG_DURATION = 0x0B

TIME_UNITS = {"s": 0, "ms": 1, "us": 2, "ns": 3}
CANONICAL_NAN = 0x7FF8000000000000
_MS_PER_DAY = 86_400_000
_EMPTY = pa.scalar(b"", pa.large_binary())


@dataclass(frozen=True)
class EncodedRows:
    """Rows of one batch: row i is buffer[offsets[i]:offsets[i + 1]]; offsets[0] == 0.

    Both arrays may be read-only views of Arrow buffers."""

    buffer: np.ndarray  # uint8
    offsets: np.ndarray  # int64, n + 1

    def row(self, i: int) -> bytes:
        return self.buffer[self.offsets[i]:self.offsets[i + 1]].tobytes()

    def __len__(self) -> int:
        return len(self.offsets) - 1


@dataclass(frozen=True)
class _Fixed:
    """A fixed-width field: a numpy format and per-row values (or one value for every row)."""

    fmt: str | tuple[str, int]
    values: np.ndarray | int


Piece = _Fixed | pa.LargeBinaryArray


def _numbers(arr: pa.Array, dtype: str) -> np.ndarray:
    filled = pc.fill_null(arr, False if pa.types.is_boolean(arr.type) else 0)
    return filled.to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def _float_bits(arr: pa.Array) -> np.ndarray:
    x = _numbers(arr.cast(pa.float64()), "<f8") + 0.0  # -0.0 + 0.0 == +0.0
    bits = x.view("<u8").copy()
    bits[np.isnan(x)] = CANONICAL_NAN
    return bits


def _decimal_words(arr: pa.Array) -> tuple[np.ndarray, int]:
    if arr.type.byte_width < 16:
        arr = arr.cast(pa.decimal128(arr.type.precision, arr.type.scale))
    width = arr.type.byte_width
    raw = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    return raw[arr.offset * width:(arr.offset + len(arr)) * width].reshape(len(arr), width), width


def _fixed_payload(arr: pa.Array) -> tuple[int | np.ndarray, list[_Fixed]] | None:
    """(tag, payload fields) of a fixed-width type; None for variable-length types."""
    t = arr.type
    if pa.types.is_null(t):
        return TAG_NULL, []
    if pa.types.is_boolean(t):
        return TAG_BOOL, [_Fixed("u1", _numbers(arr, "u1"))]
    if pa.types.is_integer(t):
        if t == pa.uint64():
            values = _numbers(arr, "<u8")
            tags = np.where(values >= np.uint64(1 << 63), TAG_UINT64, TAG_INT)
            return tags, [_Fixed("<u8", values)]
        return TAG_INT, [_Fixed("<i8", _numbers(arr, "<i8"))]
    if pa.types.is_floating(t):
        return TAG_FLOAT, [_Fixed("<u8", _float_bits(arr))]
    if pa.types.is_decimal(t):
        words, width = _decimal_words(arr)
        return TAG_DECIMAL, [_Fixed("<i4", t.scale), _Fixed(("u1", width), words)]
    if pa.types.is_date32(t):
        return TAG_DATE, [_Fixed("<i8", _numbers(arr.view(pa.int32()), "<i8"))]
    if pa.types.is_date64(t):
        return TAG_DATE, [_Fixed("<i8", _numbers(arr.view(pa.int64()), "<i8") // _MS_PER_DAY)]
    for is_type, tag in ((pa.types.is_timestamp, TAG_TIMESTAMP), (pa.types.is_time, TAG_TIME),
                         (pa.types.is_duration, TAG_DURATION)):
        if is_type(t):
            storage = pa.int32() if t.bit_width == 32 else pa.int64()
            count = _numbers(arr.view(storage), "<i8")
            return tag, [_Fixed("u1", TIME_UNITS[t.unit]), _Fixed("<i8", count)]
    return None


def _variable_payload(arr: pa.Array) -> tuple[int, pa.LargeBinaryArray] | None:
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return TAG_UTF8, arr.cast(pa.large_binary())
    if (pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t)
            or pa.types.is_fixed_size_binary(t)):
        return TAG_BINARY, arr.cast(pa.large_binary())
    return None


def _pack_run(fields: list[_Fixed], n: int) -> np.ndarray:
    """Pack fixed fields into a structured array: one packed record of bytes per row."""
    dtype = np.dtype([(f"f{i}", f.fmt) for i, f in enumerate(fields)])  # packed, no padding
    run = np.empty(n, dtype=dtype)
    for i, f in enumerate(fields):
        run[f"f{i}"] = f.values
    return run


def _as_binary(run: np.ndarray) -> pa.LargeBinaryArray:
    width = run.dtype.itemsize
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(run),
                                                 [None, pa.py_buffer(run)])
    return fixed.cast(pa.large_binary())


def _column_pieces(arr: pa.Array, name: str, file: str | None) -> list[Piece]:
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    valid = None if arr.null_count == 0 else arr.is_valid().to_numpy(zero_copy_only=False)
    fixed = _fixed_payload(arr)
    if fixed is not None:
        tag, payload = fixed
        width = sum(np.dtype(f.fmt).itemsize for f in payload)
        if valid is None or not payload:
            return [_Fixed("u1", tag), _Fixed("<u4", width), *payload]
        blob = _as_binary(_pack_run(payload, len(arr)))
        return [_Fixed("u1", np.where(valid, tag, TAG_NULL)),
                _Fixed("<u4", np.where(valid, width, 0)),
                pc.if_else(pa.array(valid), blob, _EMPTY)]
    variable = _variable_payload(arr)
    if variable is None:
        raise InputError(f"type {arr.type} is not supported by the row encoding", file=file,
                         column=name)
    tag, blob = variable
    lengths = _numbers(pc.binary_length(blob), "<u4")
    tags = tag if valid is None else np.where(valid, tag, TAG_NULL)
    return [_Fixed("u1", tags), _Fixed("<u4", lengths), pc.fill_null(blob, b"")]


def _runs(pieces: list[Piece]) -> Iterator[list[_Fixed] | pa.LargeBinaryArray]:
    run: list[_Fixed] = []
    for piece in pieces:
        if isinstance(piece, _Fixed):
            run.append(piece)
            continue
        if run:
            yield run
            run = []
        yield piece
    if run:
        yield run


def check_supported(schema: pa.Schema, file: str | None = None) -> None:
    """InputError naming the first column whose type the row encoding does not cover.

    Asks the encoders themselves (on an empty array), so there is one list of supported types."""
    for field in schema:
        t = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        empty = pa.array([], type=t)
        if _fixed_payload(empty) is None and _variable_payload(empty) is None:
            raise InputError(f"type {field.type} is not supported by the row encoding", file=file,
                             column=field.name)


def encode_rows(batch: pa.RecordBatch, start_row: int = 0, *,
                file: str | None = None) -> EncodedRows:
    """Canonical bytes of the batch's rows, numbered from `start_row` (the global row index)."""
    n = batch.num_rows
    pieces: list[Piece] = [_Fixed("<u8", np.arange(start_row, start_row + n, dtype=np.uint64)),
                           _Fixed("<u4", batch.num_columns)]
    for name, column in zip(batch.schema.names, batch.columns):
        pieces += _column_pieces(column, name, file)
    parts = [part if isinstance(part, pa.Array) else _pack_run(part, n)
             for part in _runs(pieces)]
    if len(parts) == 1:  # every field fixed-width: the run is the buffer
        run = parts[0]
        return EncodedRows(run.view(np.uint8).reshape(-1),
                           np.arange(n + 1, dtype=np.int64) * run.dtype.itemsize)
    joined = pc.binary_join_element_wise(
        *(part if isinstance(part, pa.Array) else _as_binary(part) for part in parts), _EMPTY)
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64, count=n + 1)
    data = joined.buffers()[2]
    buffer = (np.frombuffer(data, dtype=np.uint8, count=int(offsets[-1])) if data is not None
              else np.zeros(0, dtype=np.uint8))
    return EncodedRows(buffer, offsets)
