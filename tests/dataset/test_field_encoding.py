"""Field encoding against Python references: Decimal(repr(x)) for floats, ints mod r for Fr."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.dataset import (ColumnSpec, StatementSpec, encode_batch, encode_column, signed_from_fr,
                            to_fr)
from engine.dataset.field_encoding import infer_float_scale
from engine.errors import InputError
from kernels.constants import R
from kernels.limbs import limbs_to_ints

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
D = Decimal


def col(scale: int = 0, lo: int | str = INT64_MIN, hi: int | str = INT64_MAX, name: str = "c"):
    kind = "int" if scale == 0 else "fixed"
    if isinstance(lo, int):
        lo = str(D(lo).scaleb(-scale))
    if isinstance(hi, int):
        hi = str(D(hi).scaleb(-scale))
    return ColumnSpec(name=name, kind=kind, scale=scale, lo=lo, hi=hi)


def error_of(values: pa.Array, column: ColumnSpec, start_row: int = 0) -> InputError:
    with pytest.raises(InputError) as info:
        encode_column(values, column, start_row=start_row, file="data.parquet")
    assert (info.value.file, info.value.column) == ("data.parquet", column.name)
    return info.value


@pytest.mark.parametrize("data_type", [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(),
                                       pa.uint16(), pa.uint32(), pa.uint64()])
def test_integers_as_they_are_and_scaled(data_type):
    values = [0, 1, 100, 127] if pa.types.is_unsigned_integer(data_type) else [0, -1, 100, -128]
    arr = pa.array(values, data_type)
    assert encode_column(arr, col()).tolist() == values
    assert encode_column(arr, col(scale=3)).tolist() == [v * 1000 for v in values]


def test_int64_extremes_and_overflow_when_scaled():
    arr = pa.array([INT64_MIN, INT64_MAX])
    assert encode_column(arr, col()).tolist() == [INT64_MIN, INT64_MAX]
    err = error_of(pa.array([5, INT64_MAX // 10 + 1]), col(scale=1), start_row=40)
    assert err.row == 41 and "times 10^1 does not fit a signed 64-bit integer" in str(err)


def test_uint64_beyond_int64():
    err = error_of(pa.array([1, 1 << 63], pa.uint64()), col())
    assert err.row == 1 and "does not fit a signed 64-bit integer" in str(err)


def test_decimals_rescale_exactly():
    arr = pa.array([D("1.230"), D("-0.500"), D("12.000")], pa.decimal128(9, 3))
    assert encode_column(arr, col(scale=2)).tolist() == [123, -50, 1200]
    assert encode_column(arr, col(scale=5)).tolist() == [123000, -50000, 1200000]
    err = error_of(pa.array([D("1.23"), D("1.234")], pa.decimal128(9, 3)), col(scale=2))
    assert err.row == 1 and "1.234 has more than 2 decimals" in str(err)


@pytest.mark.parametrize("make_type", [pa.decimal32, pa.decimal64, pa.decimal128, pa.decimal256])
def test_decimal_widths(make_type):
    arr = pa.array([D("-1.5"), D("2.25")], make_type(8, 2))
    assert encode_column(arr, col(scale=2)).tolist() == [-150, 225]


def test_decimal_beyond_int64():
    big = D(1 << 64)
    err = error_of(pa.array([D(1), big], pa.decimal256(40, 0)), col())
    assert err.row == 1 and "does not fit a signed 64-bit integer" in str(err)
    ok = pa.array([D(INT64_MIN), D(INT64_MAX)], pa.decimal128(19, 0))
    assert encode_column(ok, col()).tolist() == [INT64_MIN, INT64_MAX]


def test_decimal_with_a_scale_beyond_int64_digits():
    arr = pa.array([D(0), D("1E-30")], pa.decimal256(40, 30))
    assert encode_column(arr[:1], col(scale=2)).tolist() == [0]
    assert "more than 2 decimals" in str(error_of(arr, col(scale=2)))


@pytest.mark.parametrize("values, scale, expected", [
    ([0.1, 0.25, -3.0, 0.0, -0.0], 2, [10, 25, -300, 0, 0]),
    ([1234.5678], 4, [12345678]),
    ([1e-15], 15, [1]),
    ([4503599627370495.0], 0, [4503599627370495]),  # 2^52 - 1
    ([41274931326685.27], 2, [4127493132668527]),  # rint(x * 100) is one too high here
])
def test_floats_as_their_shortest_decimal(values, scale, expected):
    assert encode_column(pa.array(values), col(scale=scale)).tolist() == expected


@pytest.mark.parametrize("values, scale, row, says", [
    ([0.1, 0.15], 1, 1, "0.15 has more than 1 decimals"),
    ([0.1 + 0.2], 2, 0, "0.30000000000000004 has more than 2 decimals"),
    ([1.0, float("nan")], 0, 1, "nan is not a finite number"),
    ([float("-inf")], 0, 0, "-inf is not a finite number"),
    ([4503599627370496.0], 0, 0, "must stay below 2^52 for double"),
    ([1e20], 2, 0, "too large to encode exactly"),
])
def test_float_rejections(values, scale, row, says):
    err = error_of(pa.array(values), col(scale=scale))
    assert err.row == row and says in str(err), str(err)


def test_float32_uses_its_own_shortest_decimal():
    arr = pa.array(np.array([0.1, 2.5, -7.75], dtype=np.float32))
    assert encode_column(arr, col(scale=2)).tolist() == [10, 250, -775]
    err = error_of(pa.array(np.array([0.1, 0.123], dtype=np.float32)), col(scale=2))
    assert err.row == 1 and "0.123 has more than 2 decimals" in str(err)


def test_float16():
    arr = pa.array(np.array([0.5, -2.25], dtype=np.float16))
    assert encode_column(arr, col(scale=2)).tolist() == [50, -225]


def test_null_dictionary_and_chunked_inputs():
    assert "missing (null)" in str(error_of(pa.array([1, None]), col()))
    dictionary = pa.array([3, 1, 3]).dictionary_encode()
    assert encode_column(dictionary, col()).tolist() == [3, 1, 3]
    chunked = pa.chunked_array([[1, 2], [3]])
    assert encode_column(chunked, col()).tolist() == [1, 2, 3]


def test_non_numeric_column_is_rejected():
    assert "type string cannot be proved" in str(error_of(pa.array(["1"]), col()))


def test_bounds_in_column_units():
    column = col(scale=2, lo="-1.5", hi="99.99")
    assert encode_column(pa.array([-1.5, 99.99, 0.0]), column).tolist() == [-150, 9999, 0]
    err = error_of(pa.array([1.0, 100.0]), column, start_row=7)
    assert err.row == 8 and "100.0 is outside the bounds [-1.50, 99.99]" in str(err)


def test_the_first_offending_row_wins_whatever_the_reason():
    values = pa.array([1.0, 1.0, 50.0, float("nan"), None, 0.123])
    err = error_of(values, col(scale=2, lo="0", hi="10"), start_row=100)
    assert err.row == 102 and "outside the bounds" in str(err)
    err = error_of(pa.array([1.0, None, float("nan")]), col(scale=2, lo="0", hi="10"))
    assert err.row == 1 and "missing" in str(err)


def test_encode_batch_in_statement_order():
    batch = pa.record_batch({"a": [1, 2], "b": [0.5, 1.25], "s": ["x", "y"]})
    spec = StatementSpec(columns=(col(scale=2, name="b"), col(name="a")))
    out = encode_batch(batch, spec)
    assert out.dtype == np.int64 and out.tolist() == [[50, 125], [1, 2]]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1,
                max_size=20), st.integers(0, 6))
def test_float_acceptance_matches_decimal_repr(values, scale):
    """Accepted exactly when repr(x) has <= scale decimals and |x| * 10^scale < 2^52."""
    column = col(scale=scale)
    for i, x in enumerate(values):
        exact = D(repr(x)).scaleb(scale)
        ok = exact == exact.to_integral_value() and abs(exact) < 2 ** 52
        arr = pa.array([x])
        if ok:
            assert encode_column(arr, column).tolist() == [int(exact)]
        else:
            with pytest.raises(InputError):
                encode_column(arr, column)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=1,
                max_size=20), st.integers(0, 6))
def test_float32_acceptance_matches_its_shortest_decimal(values, scale):
    column = col(scale=scale)
    for x in np.array(values, dtype=np.float32):
        exact = D(str(x)).scaleb(scale)  # numpy prints a float32's shortest round-trip decimal
        ok = exact == exact.to_integral_value() and abs(exact) < 2 ** 23
        arr = pa.array([x], pa.float32())
        if ok:
            assert encode_column(arr, column).tolist() == [int(exact)]
        else:
            with pytest.raises(InputError):
                encode_column(arr, column)


@settings(max_examples=50, deadline=None)
@given(st.integers(-(2**52 - 1), 2**52 - 1), st.integers(0, 15))
def test_decimal_strings_round_trip_through_float(k, scale):
    x = float(f"{k}e-{scale}")  # correctly rounded, as a CSV reader parses the text
    assert encode_column(pa.array([x]), col(scale=scale)).tolist() == [k]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(INT64_MIN, INT64_MAX), min_size=1, max_size=30))
def test_to_fr_is_value_mod_r_and_sums_decode(values):
    limbs = to_fr(np.array(values, dtype=np.int64))
    assert limbs.dtype == np.uint64 and limbs.shape == (len(values), 4)
    elements = limbs_to_ints(limbs)
    assert elements == [v % R for v in values]
    assert signed_from_fr(sum(elements) % R) == sum(values)


def test_signed_from_fr_rejects_non_canonical():
    assert signed_from_fr(R - 1) == -1 and signed_from_fr((R - 1) // 2) == (R - 1) // 2
    with pytest.raises(ValueError):
        signed_from_fr(R)


def test_infer_float_scale():
    assert infer_float_scale(pa.array([1.0, 2.5, -0.125, None, float("nan")]), column="x") == 3
    assert infer_float_scale(pa.array([3.0, 1e15]), column="x") == 0
    with pytest.raises(InputError) as info:
        infer_float_scale(pa.array([0.5, 1e15]), column="x", file="f")
    assert (info.value.row, info.value.column) == (1, "x") and "too large" in str(info.value)
