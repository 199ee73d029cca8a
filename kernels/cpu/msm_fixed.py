"""Fixed-base multiplication [s_i] G for many scalars and one base (trusted setup), G1 or G2.

A table T[w][j] = (j + 1) 2^(c w) G of affine points turns each product into one signed-digit
lookup and one addition per window; all m accumulators stay affine and every window's m
additions are independent, so they go through `curve.add_pairs` (one inversion per chunk).
The results come out affine with no final normalisation.
"""

import numpy as np
from numba import njit, prange

from kernels.cpu.curve import (
    add_pairs,
    aff_load,
    aff_store,
    batch_to_affine,
    xyzz_dbl,
    xyzz_from_affine,
    xyzz_madd,
    xyzz_store,
    xyzz_to_affine,
)
from kernels.cpu.curve_field import neg, zero_like
from kernels.cpu.msm_digits import signed_digits
from kernels.cpu.msm_pippenger import CHUNK


def table_bits(m: int) -> int:
    """Window width: W(c) * (m + 2^c) balances per-scalar additions against table size."""
    return min(range(2, 17), key=lambda c: (-(-256 // c)) * (m + (1 << c)))


@njit(cache=True)
def _table(base, c, windows):
    """(windows * 2^(c-1), 2, ...) affine: row w * 2^(c-1) + j holds (j + 1) 2^(c w) base."""
    half = 1 << (c - 1)
    tail = base.shape[2:]
    xyzz = np.empty((windows * half, 4) + tail, dtype=np.uint64)
    x, y = aff_load(base, 0)
    g = xyzz_from_affine(x, y)
    for w in range(windows):
        gx, gy = xyzz_to_affine(g)
        acc = g
        xyzz_store(xyzz, w * half, acc)
        for j in range(1, half):
            acc = xyzz_madd(acc, gx, gy)
            xyzz_store(xyzz, w * half + j, acc)
        g = xyzz_dbl(acc)  # 2^(c-1) * g doubled: the next window's unit
    table = np.empty((windows * half, 2) + tail, dtype=np.uint64)
    batch_to_affine(xyzz, table)
    return table


@njit(cache=True, parallel=True)
def _accumulate(table, digits, c, out):
    """out[i] = sum_w digit[w, i] * T[w] row, chunk by chunk in parallel."""
    windows, m = digits.shape
    half = 1 << (c - 1)
    tail = table.shape[2:]
    chunks = (m + CHUNK - 1) // CHUNK
    for ci in prange(chunks):
        start = ci * CHUNK
        n = min(CHUNK, m - start)
        b_buf = np.empty((CHUNK, 2) + tail, dtype=np.uint64)
        prefix = np.empty((CHUNK, 1) + tail, dtype=np.uint64)
        out[start : start + n] = 0
        for w in range(windows):
            for t in range(n):
                d = digits[w, start + t]
                x, y = aff_load(table, w * half + abs(d) - 1 if d != 0 else 0)
                if d == 0:
                    x = zero_like(x)
                    y = x
                elif d < 0:
                    y = neg(y)
                aff_store(b_buf, t, x, y)
            add_pairs(out, start, b_buf, n, prefix)


def fixed_base(base: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """(m, 2, ...) affine [scalars[i]] base[0] for a (1, 2, ...) affine base and (m, 4) scalars."""
    m = scalars.shape[0]
    out = np.zeros((m, *base.shape[1:]), dtype=np.uint64)
    if m == 0:
        return out
    c = table_bits(m)
    digits = signed_digits(scalars, c)
    _accumulate(_table(base, c, digits.shape[0]), digits, c, out)
    return out
