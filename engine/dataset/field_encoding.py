"""Proved column values -> signed 64-bit integers -> Fr elements, exactly or not at all.

A value v of a column with scale s becomes the integer k = v * 10^s (s = 0 for kind "int"):
- integers: k = v * 10^s, which must fit a signed 64-bit integer;
- decimals (decimal32 .. decimal256) with unscaled integer u and type scale t: k = u * 10^(s - t);
  when s < t, u must be a multiple of 10^(t - s), else the value has more decimals than s;
- floats stand for their shortest round-trip decimal (what `repr` prints and a CSV writer
  wrote): the value is accepted when that decimal has at most s decimals, so 0.1 at scale 1 is 1,
  and 0.1 + 0.2 (0.30000000000000004) is rejected at any scale below 17. Test: the k among
  rint(x * 10^s) and its two neighbours for which k / 10^s (one correctly rounded division) rounds
  back to x in the float's own precision. This is exact while |k| < 2^(p-1) (p = 53, 24, 11
  mantissa bits for float64/32/16): then at most one k per float, and it is one of the three.
  Beyond that a float no longer names one decimal at that scale, and the value is rejected
  (store such data as integers or decimals). Never rounded silently.
- null, NaN and +-inf are rejected; every k must lie in the column's [lo, hi] (encoded units).
Every error is an `InputError` naming the file, the first offending row (global, 0-based) and the
column, whichever check it fails.

Fr: k >= 0 is the element k; k < 0 is r - |k| (that is, k mod r). A shard sum of at most 2^24
values of magnitude <= 2^63 has magnitude below 2^87 < (r - 1) / 2, so the Fr sum s of mixed
signs decodes uniquely: s when s <= (r - 1) / 2, else s - r (`signed_from_fr`). The circuit's
range check of k - lo in [0, hi - lo] is also sign-safe: both operands are k mod r, so the Fr
difference is the true integer difference whenever that lies in range, and is >= r - 2^64
(far outside any 64-bit range) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import InputError
from kernels.constants import FR_LIMBS, R

if TYPE_CHECKING:
    from engine.dataset.spec import ColumnSpec, StatementSpec

INT64_MAX = (1 << 63) - 1
MAX_FLOAT_SCALE = 15  # 10^15 < 2^52: scales above this leave a float64 hardly any integer part
_MANTISSA_BITS = {pa.float16(): 11, pa.float32(): 24, pa.float64(): 53}
_R_LIMBS = np.array([(R >> (64 * i)) & ((1 << 64) - 1) for i in range(FR_LIMBS)], dtype=np.uint64)
# r's low limb exceeds 2^63, so r - |k| for any int64 k < 0 never borrows out of limb 0.
assert int(_R_LIMBS[0]) > 1 << 63

Check = tuple[np.ndarray, Callable[[int], str]]  # (rows failing, reason for a failing row)


def float_mantissa_bits(data_type: pa.DataType) -> int:
    return _MANTISSA_BITS[data_type]


def float_limit(data_type: pa.DataType) -> int:
    """|k| must stay below this for a float of this type to name one decimal at the scale."""
    return 1 << (float_mantissa_bits(data_type) - 1)


def _prepare(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return arr.dictionary_decode() if pa.types.is_dictionary(arr.type) else arr


def _valid(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return arr.is_valid().to_numpy(zero_copy_only=False)


def _shown(arr: pa.Array, i: int) -> str:
    value = arr[i].as_py()
    if isinstance(value, float):
        return str(arr.to_numpy(zero_copy_only=False)[i])  # shortest repr in the column's precision
    return str(value)


def _integers(arr: pa.Array, scale: int) -> tuple[np.ndarray, list[Check]]:
    factor = 10 ** scale
    limit = INT64_MAX // factor
    raw = pc.fill_null(arr, 0).to_numpy()
    if arr.type == pa.uint64():
        fits = raw <= np.uint64(limit)
        k = np.where(fits, raw, 0).astype(np.int64) * factor
    else:
        v = raw.astype(np.int64)
        fits = (v >= -limit) & (v <= limit) if scale else np.ones(len(v), dtype=bool)
        k = np.where(fits, v, 0) * factor
    return k, [(~fits, lambda i: f"value {_shown(arr, i)} times 10^{scale} does not fit a "
                                 f"signed 64-bit integer")]


def _unscaled(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The decimals' unscaled integers as int64, and which of them fit int64."""
    width = arr.type.byte_width
    raw = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    raw = raw[arr.offset * width:(arr.offset + len(arr)) * width]
    if width <= 8:
        return raw.view(f"<i{width}").astype(np.int64), np.ones(len(arr), dtype=bool)
    words = raw.view("<i8").reshape(len(arr), width // 8)
    low = words[:, 0]
    return low, (words[:, 1:] == (low >> 63)[:, None]).all(axis=1)


def _decimals(arr: pa.Array, scale: int) -> tuple[np.ndarray, list[Check]]:
    unscaled, fits = _unscaled(arr)
    shift = scale - arr.type.scale
    if shift >= 0:
        if shift:
            limit = INT64_MAX // 10 ** shift
            fits &= (unscaled >= -limit) & (unscaled <= limit)
        exact = np.ones(len(arr), dtype=bool)
        k = np.where(fits, unscaled, 0) * 10 ** shift
    elif -shift > 18:  # 10^-shift exceeds every int64: only zero is exact
        exact = unscaled == 0
        k = np.zeros(len(arr), dtype=np.int64)
    else:
        k, rest = np.divmod(unscaled, 10 ** -shift)
        exact = rest == 0
    return k, [
        (~fits, lambda i: f"value {_shown(arr, i)} times 10^{scale} does not fit a signed "
                          f"64-bit integer"),
        (~exact, lambda i: f"value {_shown(arr, i)} has more than {scale} decimals (scale "
                           f"{scale}); it would have to be rounded"),
    ]


def _float_candidates(arr: pa.Array, scale: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(k as float64, |k| below the type's limit, k / 10^scale rounds back to the value)."""
    x = pc.fill_null(arr, 0).to_numpy()
    factor = 10.0 ** scale
    with np.errstate(all="ignore"):
        k = np.rint(x.astype(np.float64) * factor)
        exact = (k / factor).astype(x.dtype) == x
        # x * 10^s carries the float's representation error and a rounding of its own; together
        # below 1 while |k| < 2^(p-1), so the true k is rint's or a neighbour.
        for step in (-1.0, 1.0):
            neighbour = k + step
            hit = ~exact & ((neighbour / factor).astype(x.dtype) == x)
            k = np.where(hit, neighbour, k)
            exact |= hit
        small = np.abs(k) < float_limit(arr.type)
    return k, small, exact


def _floats(arr: pa.Array, scale: int) -> tuple[np.ndarray, list[Check]]:
    x = pc.fill_null(arr, 0).to_numpy()
    finite = np.isfinite(x)
    k, small, exact = _float_candidates(arr, scale)
    ok = finite & small & exact
    bits = float_mantissa_bits(arr.type) - 1
    return np.where(ok, k, 0).astype(np.int64), [
        (~finite, lambda i: f"value {_shown(arr, i)} is not a finite number"),
        (~small, lambda i: f"value {_shown(arr, i)} is too large to encode exactly: "
                           f"|value| * 10^{scale} must stay below 2^{bits} for {arr.type}; "
                           f"store it as an integer or decimal column"),
        (~exact, lambda i: f"value {_shown(arr, i)} has more than {scale} decimals (scale "
                           f"{scale}); it would have to be rounded"),
    ]


def _first_failure(checks: list[Check], n: int) -> tuple[int, str] | None:
    bad = np.zeros(n, dtype=bool)
    for mask, _ in checks:
        bad |= mask
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    return i, next(describe(i) for mask, describe in checks if mask[i])


def encode_column(values: pa.Array | pa.ChunkedArray, column: ColumnSpec, *, start_row: int = 0,
                  file: str | None = None) -> np.ndarray:
    """int64 k = value * 10^scale of one proved column, every value checked (see module doc)."""
    arr = _prepare(values)
    t = arr.type
    if pa.types.is_integer(t):
        k, checks = _integers(arr, column.scale)
    elif pa.types.is_decimal(t):
        k, checks = _decimals(arr, column.scale)
    elif pa.types.is_floating(t):
        k, checks = _floats(arr, column.scale)
    else:
        raise InputError(f"type {t} cannot be proved: only integer, decimal and float columns",
                         file=file, column=column.name)
    lo, hi = column.lo_scaled, column.hi_scaled
    checks = [(~_valid(arr), lambda i: "value is missing (null); a proved column must be complete"),
              *checks,
              ((k < lo) | (k > hi), lambda i: f"value {_shown(arr, i)} is outside the bounds "
                                               f"[{column.lo}, {column.hi}]")]
    failure = _first_failure(checks, len(arr))
    if failure:
        raise InputError(failure[1], file=file, row=start_row + failure[0], column=column.name)
    return k


def encode_batch(batch: pa.RecordBatch, statement: StatementSpec, *, start_row: int = 0,
                 file: str | None = None) -> np.ndarray:
    """(columns, rows) int64: the proved columns of one batch, in statement order."""
    out = np.empty((len(statement.columns), batch.num_rows), dtype=np.int64)
    for j, column in enumerate(statement.columns):
        out[j] = encode_column(batch.column(column.name), column, start_row=start_row, file=file)
    return out


def infer_float_scale(values: pa.Array | pa.ChunkedArray, *, column: str,
                      file: str | None = None) -> int:
    """The fewest decimals (<= MAX_FLOAT_SCALE) encoding every finite value exactly.

    Nulls and non-finite values are skipped here; `encode_column` rejects them with their row."""
    arr = _prepare(values)
    x = pc.fill_null(arr, 0).to_numpy()
    considered = _valid(arr) & np.isfinite(x)
    need = np.full(len(arr), -1)
    for scale in range(MAX_FLOAT_SCALE + 1):
        _, _, exact = _float_candidates(arr, scale)
        need[(need < 0) & exact] = scale
    never = considered & (need < 0)
    if never.any():
        i = int(np.argmax(never))
        raise InputError(f"value {_shown(arr, i)} has more than {MAX_FLOAT_SCALE} decimals; "
                         f"it has no exact fixed-point encoding", file=file, row=i, column=column)
    scale = int(need[considered].max(initial=0))
    _, small, _ = _float_candidates(arr, scale)
    too_large = considered & ~small
    if too_large.any():
        i = int(np.argmax(too_large))
        raise InputError(f"value {_shown(arr, i)} is too large to encode exactly at the {scale} "
                         f"decimals other values need; give the scale explicitly or store the "
                         f"column as integers or decimals", file=file, row=i, column=column)
    return scale


def to_fr(values: np.ndarray) -> np.ndarray:
    """(m, 4) uint64 standard-form Fr limbs of int64 values: k, or r - |k| when k < 0."""
    v = np.asarray(values, dtype=np.int64).reshape(-1)
    out = np.zeros((v.size, FR_LIMBS), dtype=np.uint64)
    magnitude = v.view(np.uint64).copy()
    neg = v < 0
    magnitude[neg] = np.uint64(0) - magnitude[neg]  # |k| modulo 2^64, exact for -2^63 too
    out[:, 0] = magnitude
    out[neg, 0] = _R_LIMBS[0] - magnitude[neg]
    out[neg, 1:] = _R_LIMBS[1:]
    return out


def signed_from_fr(value: int) -> int:
    """Decode an Fr element (e.g. a public sum) to the signed integer it stands for."""
    if not 0 <= value < R:
        raise ValueError("not a canonical Fr element")
    return value if value <= (R - 1) // 2 else value - R
