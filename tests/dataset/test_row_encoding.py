"""Row bytes against docs/row-encoding.md: its worked example, and a per-row reference encoder
written from the document with Python values (struct, datetime, Decimal), not Arrow buffers."""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from engine.dataset import check_supported, encode_rows
from engine.errors import InputError

DOC = Path(__file__).resolve().parents[2] / "docs" / "row-encoding.md"
UNITS = {"s": (0, dt.timedelta(seconds=1)), "ms": (1, dt.timedelta(milliseconds=1)),
         "us": (2, dt.timedelta(microseconds=1))}
EPOCH = dt.datetime(1970, 1, 1)


def field(tag: int, payload: bytes = b"") -> bytes:
    return struct.pack("<BI", tag, len(payload)) + payload


def reference_value(value: object, t: pa.DataType) -> bytes:
    """One field, from the document's table."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    if value is None:
        return field(0x00)
    if pa.types.is_boolean(t):
        return field(0x01, b"\x01" if value else b"\x00")
    if pa.types.is_integer(t):
        return field(0x02, struct.pack("<q", value)) if value < 1 << 63 else \
            field(0x03, struct.pack("<Q", value))
    if pa.types.is_floating(t):
        x = float(value)
        bits = struct.pack("<Q", 0x7FF8000000000000) if math.isnan(x) else \
            struct.pack("<d", 0.0 if x == 0 else x)
        return field(0x04, bits)
    if pa.types.is_decimal(t):
        width = 32 if t.byte_width == 32 else 16
        unscaled = int(Decimal(value).scaleb(t.scale))
        return field(0x05, struct.pack("<i", t.scale)
                     + unscaled.to_bytes(width, "little", signed=True))
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return field(0x06, value.encode())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return field(0x07, bytes(value))
    if pa.types.is_date(t):
        return field(0x08, struct.pack("<q", (value - dt.date(1970, 1, 1)).days))
    if pa.types.is_timestamp(t):
        code, unit = UNITS[t.unit]
        since = value - (EPOCH.replace(tzinfo=dt.timezone.utc) if value.tzinfo else EPOCH)
        return field(0x09, struct.pack("<Bq", code, since // unit))
    if pa.types.is_time(t):
        code, unit = UNITS[t.unit]
        since = dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second,
                             microseconds=value.microsecond)
        return field(0x0A, struct.pack("<Bq", code, since // unit))
    if pa.types.is_duration(t):
        code, unit = UNITS[t.unit]
        return field(0x0B, struct.pack("<Bq", code, value // unit))
    raise AssertionError(f"no reference for {t}")


def reference_rows(batch: pa.RecordBatch, start_row: int) -> list[bytes]:
    columns = [(batch.column(j).to_pylist(), batch.schema.field(j).type)
               for j in range(batch.num_columns)]
    return [struct.pack("<QI", start_row + i, batch.num_columns)
            + b"".join(reference_value(values[i], t) for values, t in columns)
            for i in range(batch.num_rows)]


def rows_of(batch: pa.RecordBatch, start_row: int = 0) -> list[bytes]:
    encoded = encode_rows(batch, start_row)
    assert encoded.offsets.dtype == np.int64 and encoded.offsets[0] == 0
    assert encoded.offsets[-1] == len(encoded.buffer) and encoded.buffer.dtype == np.uint8
    return [encoded.row(i) for i in range(len(encoded))]


def every_type_batch(n: int, seed: int) -> pa.RecordBatch:
    rng = np.random.default_rng(seed)

    def mask() -> np.ndarray:
        return rng.random(n) < 0.2

    ints = rng.integers(-2**40, 2**40, n)
    floats = rng.normal(0, 1e3, n)
    floats[rng.random(n) < 0.1] = np.nan
    floats[rng.random(n) < 0.1] = -0.0
    floats[rng.random(n) < 0.05] = -np.inf
    words = [f"w{'é' * int(i % 4)}{i}" for i in rng.integers(0, 1000, n)]
    days = rng.integers(-20_000, 30_000, n)
    micros = rng.integers(-2**50, 2**50, n)
    decimals = [Decimal(int(v)).scaleb(-3) for v in rng.integers(-10**15, 10**15, n)]
    return pa.record_batch({
        "i8": pa.array(rng.integers(-128, 128, n), pa.int8(), mask=mask()),
        "u32": pa.array(rng.integers(0, 2**32, n), pa.uint32()),
        "u64": pa.array(rng.integers(0, 2**64, n, dtype=np.uint64), pa.uint64(), mask=mask()),
        "i64": pa.array(ints, pa.int64()),
        "f64": pa.array(floats, mask=mask()),
        "f32": pa.array(floats.astype(np.float32), pa.float32()),
        "f16": pa.array(rng.normal(size=n).astype(np.float16), pa.float16()),
        "dec": pa.array(decimals, pa.decimal128(20, 3), mask=mask()),
        "dec256": pa.array(decimals, pa.decimal256(40, 3)),
        "dec64": pa.array([Decimal(int(v)).scaleb(-2) for v in ints % 10**9], pa.decimal64(12, 2)),
        "s": pa.array(words, mask=mask()),
        "ls": pa.array(words, pa.large_string()),
        "sv": pa.array(words, pa.string_view(), mask=mask()),
        "bin": pa.array([w.encode() * 2 for w in words], pa.binary()),
        "fsb": pa.array([bytes([i % 256] * 3) for i in range(n)], pa.binary(3), mask=mask()),
        "dict": pa.array(words).dictionary_encode(),
        "b": pa.array(rng.integers(0, 2, n).astype(bool), mask=mask()),
        "d32": pa.array(days.astype(np.int32), pa.date32(), mask=mask()),
        "d64": pa.array(days * 86_400_000, pa.date64()),
        "ts": pa.array(micros, pa.timestamp("us"), mask=mask()),
        "tstz": pa.array(micros // 1000, pa.timestamp("ms", tz="Europe/Paris")),
        "t32": pa.array(rng.integers(0, 86_400, n).astype(np.int32), pa.time32("s")),
        "t64": pa.array(rng.integers(0, 86_400 * 10**6, n), pa.time64("us"), mask=mask()),
        "dur": pa.array(micros, pa.duration("us")),
        "null": pa.nulls(n),
    })


def test_every_type_matches_the_reference():
    batch = every_type_batch(300, seed=1)
    assert rows_of(batch, start_row=12_345) == reference_rows(batch, 12_345)


def test_sliced_batches_match_the_reference():
    batch = every_type_batch(200, seed=2).slice(37, 101)
    assert batch.column("s").offset == 37
    assert rows_of(batch, start_row=37) == reference_rows(batch, 37)


def test_all_fixed_width_fast_path_matches_the_reference():
    batch = pa.record_batch({"a": pa.array([1, -2, 3], pa.int32()), "x": [0.5, float("nan"), -0.0],
                             "ok": [True, False, True]})
    assert rows_of(batch, start_row=5) == reference_rows(batch, 5)
    assert {len(r) for r in rows_of(batch)} == {12 + 13 + 13 + 6}


def test_floats_are_canonical():
    negative_nan = struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000001))[0]
    rows = rows_of(pa.record_batch({"x": pa.array([float("nan"), negative_nan, -0.0, 0.0])}))
    payloads = [r[-8:].hex() for r in rows]
    assert payloads == ["000000000000f87f"] * 2 + ["0000000000000000"] * 2


def test_width_does_not_matter_but_decimal_scale_does():
    small = pa.record_batch({"v": pa.array([5, -1], pa.int16())})
    wide = pa.record_batch({"v": pa.array([5, -1], pa.int64())})
    assert rows_of(small) == rows_of(wide)
    unsigned = pa.record_batch({"v": pa.array([5], pa.uint64())})
    assert rows_of(unsigned) == rows_of(wide.slice(0, 1))
    one = pa.record_batch({"v": pa.array([Decimal("1.5")], pa.decimal128(9, 1))})
    two = pa.record_batch({"v": pa.array([Decimal("1.50")], pa.decimal128(9, 2))})
    assert rows_of(one) != rows_of(two)


def test_empty_batch():
    encoded = encode_rows(pa.record_batch({"a": pa.array([], pa.int64()),
                                           "s": pa.array([], pa.string())}))
    assert len(encoded) == 0 and encoded.offsets.tolist() == [0] and encoded.buffer.size == 0


def test_documented_worked_example():
    text = DOC.read_text()
    documented = {int(m.group(1)): bytes.fromhex(m.group(2))
                  for m in re.finditer(r"^row (\d+): ([0-9a-f]+)$", text, re.M)}
    batch = pa.record_batch({
        "id": pa.array([7, -2], pa.int64()),
        "price": pa.array([2.5, float("nan")]),
        "name": pa.array(["ab", None]),
        "ok": pa.array([True, False]),
        "amount": pa.array([Decimal("1.25"), Decimal("-0.50")], pa.decimal128(9, 2)),
    })
    assert documented == dict(enumerate(rows_of(batch)))
    assert documented == dict(enumerate(reference_rows(batch, 0)))
    assert [len(r) for r in documented.values()] == [76, 74]


@pytest.mark.parametrize("data_type", [pa.list_(pa.int64()), pa.struct([("a", pa.int8())]),
                                       pa.map_(pa.string(), pa.int8()),
                                       pa.month_day_nano_interval()])
def test_unsupported_types_are_named(data_type):
    schema = pa.schema([("ok", pa.int8()), ("bad", data_type)])
    with pytest.raises(InputError, match="file f.parquet, column bad: type .* is not supported"):
        check_supported(schema, file="f.parquet")
    batch = pa.record_batch([pa.array([1], pa.int8()), pa.array([None], data_type)], schema=schema)
    with pytest.raises(InputError, match="column bad"):
        encode_rows(batch, file="f.parquet")
