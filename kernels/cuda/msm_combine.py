"""Last MSM step, on the host: Horner over the GPU's window sums, then affine (kernels/cpu/curve).

S = sum_w 2^(c w) S_w is a chain of c (W - 1) dependent doublings (about 240 per MSM): one GPU
thread runs such a chain far slower than one CPU core (an Fp multiplication is a long serial carry
chain there, and nothing hides its latency), and the W window sums are a few kilobytes to copy.
The XYZZ layout of msm.cu (x, y, zz, zzz as 12 x 32-bit Montgomery limbs; infinity zz = 0) is the
(…, 4, 6) uint64 layout of kernels/cpu/curve.py byte for byte, so the CPU curve code reads it as is.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kernels.cpu.curve import aff_store, xyzz_add, xyzz_dbl, xyzz_load, xyzz_to_affine


@njit(cache=True)
def _horner(sums, c, out):
    """out[j] = affine(sum_w 2^(c w) sums[j, w]) for sums (k, W, 4, ...)."""
    k, windows = sums.shape[0], sums.shape[1]
    for j in range(k):
        row = sums[j]
        acc = xyzz_load(row, windows - 1)
        for w in range(windows - 2, -1, -1):
            for _ in range(c):
                acc = xyzz_dbl(acc)
            acc = xyzz_add(acc, xyzz_load(row, w))
        x, y = xyzz_to_affine(acc)
        aff_store(out, j, x, y)


def combine_windows(sums: np.ndarray, c: int) -> np.ndarray:
    """(k, 2, ...) affine Montgomery MSM results from (k, W, 4, ...) XYZZ window sums of width c."""
    sums = np.ascontiguousarray(sums, dtype=np.uint64)
    out = np.zeros((sums.shape[0], 2, *sums.shape[3:]), dtype=np.uint64)
    _horner(sums, c, out)
    return out
