"""Scalar preparation for Pippenger: reduction mod r, signed c-bit digits, per-window bucket sort.

Signed digits d in [-2^(c-1), 2^(c-1)] halve the bucket count: a negative digit adds -P to bucket
|d|. With W = ceil(256 / c) windows every reduced scalar (< r < 2^255) has its final carry absorbed
by the top window, since that window holds at most c - 1 bits of the scalar.
"""

import numpy as np
from numba import njit, prange

from kernels.constants import FR_LIMBS, R, limbs

_R_LIMBS = np.array(limbs(R, FR_LIMBS), dtype=np.uint64)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)


def window_count(c: int) -> int:
    return -(-256 // c)


@njit(cache=True)
def _ge_r(s, r):
    for k in range(3, -1, -1):
        if s[k] != r[k]:
            return s[k] > r[k]
    return True


@njit(cache=True)
def _sub_r(s, r):
    borrow = _ZERO
    for k in range(4):
        a, b = s[k], r[k]
        d = a - b - borrow
        borrow = _ONE if (a < b) or (a == b and borrow == _ONE) else _ZERO
        s[k] = d


@njit(cache=True)
def _reduce(s, r):
    """s mod r in place for s < 2^256 (at most two subtractions since 2^256 < 3 r)."""
    while _ge_r(s, r):
        _sub_r(s, r)


@njit(cache=True)
def _bits(s, offset, c):
    """c bits of the 256-bit little-endian scalar s starting at bit `offset` (zero beyond 256)."""
    limb = offset // 64
    shift = offset % 64
    if limb >= 4:
        return 0
    v = s[limb] >> np.uint64(shift)
    if shift + c > 64 and limb + 1 < 4:
        v |= s[limb + 1] << np.uint64(64 - shift)
    return np.int64(v & ((_ONE << np.uint64(c)) - _ONE))


@njit(cache=True, parallel=True)
def signed_digits(scalars, c):
    """(W, m) int32 signed base-2^c digits of scalars (m, 4) after reduction mod r."""
    m = scalars.shape[0]
    windows = (256 + c - 1) // c
    half = 1 << (c - 1)
    full = 1 << c
    out = np.empty((windows, m), dtype=np.int32)
    work = scalars.copy()
    for i in prange(m):
        s = work[i]
        _reduce(s, _R_LIMBS)
        carry = 0
        for w in range(windows):
            d = _bits(s, w * c, c) + carry
            if d > half:
                d -= full
                carry = 1
            else:
                carry = 0
            out[w, i] = d
    return out


@njit(cache=True)
def bucket_sort(digits, skip, offsets, entries):
    """Counting sort of one window's points by bucket |d| - 1, into preallocated arrays.

    With nb = len(offsets) - 1 buckets (> max |d|), bucket j gets entries[offsets[j]:offsets[j + 1]],
    each entry `(point index << 1) | (d < 0)`, in increasing point order. Zero digits and points
    with skip[i] set are left out. Returns the number of entries.
    """
    nb = offsets.shape[0] - 1
    offsets[:] = 0
    for i in range(digits.shape[0]):
        d = digits[i]
        if d != 0 and not skip[i]:
            offsets[abs(d)] += 1  # bucket |d| - 1 ends at offsets[|d|]
    for j in range(1, nb + 1):
        offsets[j] += offsets[j - 1]
    for i in range(digits.shape[0]):  # offsets[j] runs from the start to the end of bucket j - 1
        d = digits[i]
        if d != 0 and not skip[i]:
            j = abs(d) - 1
            entries[offsets[j]] = (i << 1) | (1 if d < 0 else 0)
            offsets[j] += 1
    for j in range(nb, 0, -1):
        offsets[j] = offsets[j - 1]
    offsets[0] = 0
    return offsets[nb]
