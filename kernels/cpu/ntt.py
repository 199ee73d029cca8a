"""Radix-2 NTT over Fr on the CPU: forward, inverse and coset variants for lengths 2^k.

Convention (natural order in and out): for a = (a_0..a_{n-1}) and w = fr_root_of_unity(k), the
primitive n-th root of unity of kernels.constants (the one snarkjs uses),
`ntt(a)[i] = sum_j a_j w^(i j)`, and `intt` is its exact inverse (1/n included).
`coset_ntt(a, s)[i]` evaluates the polynomial at s w^i; `coset_intt` undoes it.
Arrays are (n, 4) uint64 Montgomery form with canonical entries; every function returns a new
array and leaves its input untouched (the bit-reversal copy is the only allocation, and a
natural-order-in, natural-order-out transform needs it anyway).

Algorithm: copy into bit-reversed order (fusing the coset scaling, or the index negation that
turns a forward transform into an inverse one), then Cooley-Tukey DIT butterflies in place, in
groups of stages that split into independent cache-sized tasks (see `_stage_group`): two or
three parallel regions per transform instead of one per stage, which matters on shared cores
where every barrier waits for the slowest thread. Below 2^PARALLEL_LOG everything runs on one
thread. Inverse = forward transform of A_{-i} scaled by 1/n, so one twiddle table per size
serves both directions. Twiddles w^0..w^(n/2-1) (Montgomery) are built on first use and cached
in `_TWIDDLES` (16 bytes per point: 64 MiB at 2^22); `clear_twiddle_cache` frees them.
"""

from __future__ import annotations

from contextlib import contextmanager

import numba
import numpy as np
from numba import prange

from kernels.constants import FR_LIMBS, FR_TWO_ADICITY, R, fr_root_of_unity
from kernels.cpu import fr, fr_vec

BLOCK_LOG = 12  # a task works on 2^12 elements * 32 bytes = 128 KiB (fits L2)
MIN_LANES_LOG = 3  # at least 8 adjacent elements (256 bytes) per contiguous run
PARALLEL_LOG = 14  # smaller transforms run on one thread: a barrier would cost more than it saves

_ONE = np.array(fr.ONE, dtype=np.uint64)
_CHUNK = fr_vec.POWER_CHUNK
_TWIDDLES: dict[int, np.ndarray] = {}


def twiddles(log_n: int) -> np.ndarray:
    """Cached (max(n/2, 1), 4) Montgomery table of w^0..w^(n/2-1), w = fr_root_of_unity(log_n)."""
    table = _TWIDDLES.get(log_n)
    if table is None:
        w = fr_vec.mont_scalar(fr_root_of_unity(log_n))
        table = fr_vec.powers(_ONE, w, max((1 << log_n) >> 1, 1))
        _TWIDDLES[log_n] = table
    return table


def clear_twiddle_cache() -> None:
    _TWIDDLES.clear()


@numba.njit(inline="always", cache=True)
def _bit_reverse(i, bits):
    r = 0
    for _ in range(bits):
        r = (r << 1) | (i & 1)
        i >>= 1
    return r


@numba.njit(parallel=True, cache=True)
def _permuted_copy(src, log_n, negate, ratio, scaled):
    """out[bitrev(i)] = x_i, with x_i = src[i], or src[-i mod n] when `negate` (the inverse
    transform's input), times ratio^i when `scaled` (the coset shift)."""
    n = src.shape[0]
    out = np.empty_like(src)
    mask = n - 1
    g = (ratio[0], ratio[1], ratio[2], ratio[3])
    for chunk in prange((n + _CHUNK - 1) // _CHUNK):
        lo = chunk * _CHUNK
        hi = min(lo + _CHUNK, n)
        acc = fr_vec.pow_mont(g, lo)
        for i in range(lo, hi):
            x = fr.load(src, ((n - i) & mask) if negate else i)
            if scaled:
                x = fr.mul(x, acc)
                acc = fr.mul(acc, g)
            fr.store(out, _bit_reverse(i, log_n), x)
    return out


@numba.njit(inline="always", cache=True)
def _butterfly(a, i, k, w):
    u = fr.load(a, i)
    v = fr.mul(fr.load(a, k), w)
    fr.store(a, i, fr.add(u, v))
    fr.store(a, k, fr.sub(u, v))


@numba.njit(inline="always", cache=True)
def _butterfly_unit(a, i, k):
    u = fr.load(a, i)
    v = fr.load(a, k)
    fr.store(a, i, fr.add(u, v))
    fr.store(a, k, fr.sub(u, v))


@numba.njit(parallel=True, cache=True)
def _stage_group(a, tw, log_n, s0, b, lanes):
    """DIT stages s0..s0+b-1 in place.

    Those stages only pair indices that differ in bits s0..s0+b-1, so the array falls apart into
    n / 2^b independent 2^b-point sub-transforms of stride 2^s0. A task takes `lanes` of them
    with adjacent offsets, so its innermost loop walks contiguous memory, and its 2^b * lanes
    elements stay in cache for all b stages.
    """
    n = a.shape[0]
    groups = (1 << s0) // lanes
    for task in prange((n >> (s0 + b)) * groups):
        lo = (task % groups) * lanes
        base = ((task // groups) << (s0 + b)) + lo
        for r in range(b):
            s = s0 + r
            half = 1 << s
            step = 1 << (log_n - 1 - s)  # w_(2 half)^j = w_n^(j n / (2 half))
            for t in range(0, 1 << b, 2 << r):
                for jj in range(1 << r):
                    i = base + ((t + jj) << s0)
                    j = (jj << s0) + lo  # twiddle exponent (i mod 2^s) of the lane-0 element
                    for lane in range(lanes):
                        if j + lane == 0:
                            _butterfly_unit(a, i, i + half)
                        else:
                            _butterfly(a, i + lane, i + lane + half, fr.load(tw, (j + lane) * step))


def _stage_plan(log_n: int) -> list[tuple[int, int, int]]:
    """(s0, b, lanes) per stage group: first 2^BLOCK_LOG-point blocks, then the remaining stages
    split evenly into groups whose tasks keep 2^BLOCK_LOG elements in runs of >= 2^MIN_LANES_LOG."""
    first = min(BLOCK_LOG, log_n)
    plan = [(0, first, 1)]
    rest = log_n - first
    count = -(-rest // (BLOCK_LOG - MIN_LANES_LOG))
    s0 = first
    for g in range(count):
        b = rest // count + (g < rest % count)
        plan.append((s0, b, 1 << min(s0, BLOCK_LOG - b)))
        s0 += b
    return plan


@contextmanager
def _threads_for(log_n: int):
    """One thread below 2^PARALLEL_LOG, the configured number otherwise."""
    if log_n >= PARALLEL_LOG:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _log_size(a: np.ndarray) -> int:
    if not isinstance(a, np.ndarray) or a.dtype != np.uint64 or a.ndim != 2 \
            or a.shape[1] != FR_LIMBS:
        raise ValueError("NTT input must be an (n, 4) uint64 array of Montgomery Fr elements")
    n = a.shape[0]
    if n == 0 or n & (n - 1):
        raise ValueError(f"NTT length must be a power of two, got {n}")
    log_n = n.bit_length() - 1
    if log_n > FR_TWO_ADICITY:
        raise ValueError(f"NTT length 2^{log_n} exceeds the 2-adicity 2^{FR_TWO_ADICITY} of Fr")
    return log_n


def _transform(a: np.ndarray, negate: bool, shift: int, unscale: int | None) -> np.ndarray:
    """ntt(x) for x_j = a_j shift^j, or x_j = a_{-j} when `negate`; then, if `unscale` is given,
    out[j] *= unscale^-j / n (the tail of an inverse transform)."""
    log_n = _log_size(a)
    tw = twiddles(log_n)
    with _threads_for(log_n):
        src = np.ascontiguousarray(a)
        out = _permuted_copy(src, log_n, negate, fr_vec.mont_scalar(shift), shift % R != 1)
        for s0, b, lanes in _stage_plan(log_n):
            _stage_group(out, tw, log_n, s0, b, lanes)
        if unscale is not None:
            n_inv = fr_vec.mont_scalar(pow(1 << log_n, -1, R))
            fr_vec.mul_powers_inplace(out, n_inv, fr_vec.mont_scalar(pow(unscale, -1, R)))
    return out


def ntt(coeffs: np.ndarray) -> np.ndarray:
    """Evaluations at w^0..w^(n-1) of the polynomial with these coefficients."""
    return _transform(coeffs, negate=False, shift=1, unscale=None)


def intt(evals: np.ndarray) -> np.ndarray:
    """Coefficients of the polynomial taking these values at w^0..w^(n-1)."""
    return _transform(evals, negate=True, shift=1, unscale=1)


def coset_ntt(coeffs: np.ndarray, shift: int) -> np.ndarray:
    """Evaluations at shift * w^i (shift a non-zero Python int): the NTT of a_j shift^j."""
    _check_shift(shift)
    return _transform(coeffs, negate=False, shift=shift, unscale=None)


def coset_intt(evals: np.ndarray, shift: int) -> np.ndarray:
    """Coefficients of the polynomial taking these values at shift * w^i."""
    _check_shift(shift)
    return _transform(evals, negate=True, shift=1, unscale=shift)


def _check_shift(shift: int) -> None:
    if shift % R == 0:
        raise ValueError("coset shift must be non-zero in Fr")
