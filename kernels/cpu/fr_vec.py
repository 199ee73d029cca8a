"""Element-wise Fr array kernels: the vector layer between scalar field code and NTT/MSM/prover.

Arrays are (m, 4) uint64 little-endian limbs (kernels.limbs). Arithmetic kernels (mul, scale,
powers, mul_powers_inplace) work in Montgomery form (R = 2^256, as in snarkjs); add and sub are the
same in either form. Every kernel requires canonical inputs (each element below r); `ints_to_mont`
reduces Python ints mod r, so arrays built through it always are. Kernels return new arrays
unless the name ends in `_inplace`. Fp arrays (m, 6) get the Montgomery conversions only.

All kernels are njit functions bound at module level, so other njit code can call them directly.
Loops are `prange` over elements. On busy cores a parallel region on a tiny array can cost
milliseconds (each barrier waits for a descheduled thread): callers with small arrays call
`numba.set_num_threads(1)` around them, as kernels.cpu.ntt does.
"""

from __future__ import annotations

from collections.abc import Iterable

import numba
import numpy as np
from numba import prange

from kernels.constants import FR_LIMBS, P, R
from kernels.cpu import fp, fr
from kernels.limbs import ints_to_limbs, limbs_to_ints

# Elements per chunk where a running product needs a per-chunk starting power (powers,
# mul_powers_inplace): the chunk start costs ~2 log2(m) multiplications, amortised over 4096.
POWER_CHUNK = 4096


@numba.njit(inline="always", cache=True)
def _check_pair(a, b):
    if a.shape != b.shape:
        raise ValueError("element-wise Fr op: operand shapes differ")


@numba.njit(inline="always", cache=True)
def _const(c):
    """(4,) uint64 limbs -> the tuple form used by the scalar field functions."""
    return (c[0], c[1], c[2], c[3])


@numba.njit(cache=True)
def pow_mont(base, e):
    """base^e for a Montgomery tuple and an int64 exponent e >= 0 (square and multiply)."""
    acc = fr.ONE
    sq = base
    while e > 0:
        if e & 1:
            acc = fr.mul(acc, sq)
        sq = fr.mul(sq, sq)
        e >>= 1
    return acc


@numba.njit(parallel=True, cache=True)
def to_mont(a):
    """Standard form -> Montgomery form (x -> x R mod r)."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fr.store(out, i, fr.to_mont(fr.load(a, i)))
    return out


@numba.njit(parallel=True, cache=True)
def from_mont(a):
    """Montgomery form -> standard form (x R -> x)."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fr.store(out, i, fr.from_mont(fr.load(a, i)))
    return out


@numba.njit(parallel=True, cache=True)
def mul(a, b):
    _check_pair(a, b)
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fr.store(out, i, fr.mul(fr.load(a, i), fr.load(b, i)))
    return out


@numba.njit(parallel=True, cache=True)
def add(a, b):
    _check_pair(a, b)
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fr.store(out, i, fr.add(fr.load(a, i), fr.load(b, i)))
    return out


@numba.njit(parallel=True, cache=True)
def sub(a, b):
    _check_pair(a, b)
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fr.store(out, i, fr.sub(fr.load(a, i), fr.load(b, i)))
    return out


@numba.njit(parallel=True, cache=True)
def scale(a, c):
    """a[i] * c for a (4,) Montgomery constant c."""
    ct = _const(c)
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fr.store(out, i, fr.mul(fr.load(a, i), ct))
    return out


@numba.njit(parallel=True, cache=True)
def mul_powers_inplace(a, start, ratio):
    """a[i] *= start * ratio^i, for (4,) Montgomery constants; the coset shift of an NTT.
    A ratio of one is a plain scaling by start (one multiplication per element, not two)."""
    s, g = _const(start), _const(ratio)
    m = a.shape[0]
    if g == fr.ONE:
        for i in prange(m):
            fr.store(a, i, fr.mul(fr.load(a, i), s))
        return
    for chunk in prange((m + POWER_CHUNK - 1) // POWER_CHUNK):
        lo = chunk * POWER_CHUNK
        hi = min(lo + POWER_CHUNK, m)
        acc = fr.mul(s, pow_mont(g, lo))
        for i in range(lo, hi):
            fr.store(a, i, fr.mul(fr.load(a, i), acc))
            acc = fr.mul(acc, g)


@numba.njit(parallel=True, cache=True)
def powers(start, ratio, m):
    """(m, 4) Montgomery array [start, start*ratio, start*ratio^2, ...]."""
    s, g = _const(start), _const(ratio)
    out = np.empty((m, FR_LIMBS), dtype=np.uint64)
    for chunk in prange((m + POWER_CHUNK - 1) // POWER_CHUNK):
        lo = chunk * POWER_CHUNK
        hi = min(lo + POWER_CHUNK, m)
        acc = fr.mul(s, pow_mont(g, lo))
        for i in range(lo, hi):
            fr.store(out, i, acc)
            acc = fr.mul(acc, g)
    return out


def mont_scalar(value: int) -> np.ndarray:
    """(4,) uint64 Montgomery limbs of a Python int (reduced mod r): the constant argument form."""
    return ints_to_limbs([(value % R) * (1 << 256) % R], FR_LIMBS)[0]


def ints_to_mont(values: Iterable[int]) -> np.ndarray:
    """(m, 4) Montgomery Fr array from Python ints (any sign or size; reduced mod r)."""
    return to_mont(ints_to_limbs([v % R for v in values], FR_LIMBS))


def mont_to_ints(arr: np.ndarray) -> list[int]:
    """Python ints in [0, r) from an (m, 4) Montgomery Fr array."""
    return limbs_to_ints(from_mont(np.ascontiguousarray(arr, dtype=np.uint64)))


# Fp (m, 6): the Montgomery conversions only (curve points arrive in standard form from
# compressed encodings and leave that way; everything in between is Montgomery).


@numba.njit(parallel=True, cache=True)
def fp_to_mont(a):
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fp.store(out, i, fp.to_mont(fp.load(a, i)))
    return out


@numba.njit(parallel=True, cache=True)
def fp_from_mont(a):
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        fp.store(out, i, fp.from_mont(fp.load(a, i)))
    return out


def fp_ints_to_mont(values: Iterable[int]) -> np.ndarray:
    """(m, 6) Montgomery Fp array from Python ints (reduced mod p)."""
    return fp_to_mont(ints_to_limbs([v % P for v in values], fp.n))


def fp_mont_to_ints(arr: np.ndarray) -> list[int]:
    return limbs_to_ints(fp_from_mont(np.ascontiguousarray(arr, dtype=np.uint64)))
