"""Public CPU MSM API over BLS12-381 G1 and G2 (Numba; parallel over the CPU threads).

Inputs and outputs follow kernels/limbs.py: affine Montgomery points, all zeros = infinity;
scalars are (…, 4) uint64 little-endian in standard form, any value below 2^256 (reduced mod r).

    msm_g1(points (m, 2, 6), scalars (m, 4)) -> (2, 6)
    msm_g2(points (m, 2, 2, 6), scalars (m, 4)) -> (2, 2, 6)
    msm_g1_batch(points (m, 2, 6), scalars (k, m, 4)) -> (k, 2, 6)   one base set, k scalar vectors
    msm_g2_batch(points (m, 2, 2, 6), scalars (k, m, 4)) -> (k, 2, 2, 6)
    fixed_base_g1(base (2, 6), scalars (m, 4)) -> (m, 2, 6)            [s_i] base, trusted setup
    fixed_base_g2(base (2, 2, 6), scalars (m, 4)) -> (m, 2, 2, 6)

Cost model (msm_pippenger, msm_reduce): about one batch-affine addition (~6 Fp multiplications)
per point per window, W = ceil(256 / c) windows, plus two per bucket. GLV is not used: it turns
m points of 255-bit scalars into 2m points of 128-bit ones, which leaves the per-point term
(2m * 128 / c = m * 256 / c) unchanged and needs a carry window, so it only trims the bucket term.
"""

from __future__ import annotations

import numba
import numpy as np

from kernels.constants import FP_LIMBS, FR_LIMBS
from kernels.cpu.msm_digits import signed_digits, window_count
from kernels.cpu.msm_fixed import fixed_base
from kernels.cpu.msm_pippenger import infinity_mask, pippenger

MAX_WINDOW = 22
_G1_TAIL = (FP_LIMBS,)
_G2_TAIL = (2, FP_LIMBS)


def window_bits(m: int) -> int:
    """Window width c minimising W(c) * (m + 2^c): per window, about one batch-affine addition per
    point (bucket accumulation) and two per bucket (reduction), with 2^(c-1) buckets."""
    if m <= 1:
        return 2
    return min(range(2, MAX_WINDOW + 1), key=lambda c: (window_count(c) * (m + (1 << c)), -c))


def _check_points(points: np.ndarray, tail: tuple[int, ...], name: str) -> np.ndarray:
    points = np.asarray(points)
    if points.dtype != np.uint64 or points.ndim != 2 + len(tail) or points.shape[1:] != (2, *tail):
        raise ValueError(f"{name} must be a (m, 2, {', '.join(map(str, tail))}) uint64 array, "
                         f"got {points.dtype} {points.shape}")
    return np.ascontiguousarray(points)


def _check_scalars(scalars: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    scalars = np.asarray(scalars)
    want = (*lead, FR_LIMBS)
    if scalars.dtype != np.uint64 or scalars.shape != want:
        raise ValueError(f"scalars must be a {want} uint64 array, got {scalars.dtype} {scalars.shape}")
    return np.ascontiguousarray(scalars)


def _msm(points: np.ndarray, scalars: np.ndarray, tail: tuple[int, ...],
         window: int | None = None) -> np.ndarray:
    m = points.shape[0]
    out = np.zeros((1, 2, *tail), dtype=np.uint64)
    if window is not None and not 2 <= window <= MAX_WINDOW:
        raise ValueError(f"window must be in [2, {MAX_WINDOW}], got {window}")
    if m > 0:
        c = window or window_bits(m)
        digits = signed_digits(scalars, c)
        pippenger(points, infinity_mask(points), digits, c, numba.get_num_threads(), out)
    return out[0]


def msm_g1(points: np.ndarray, scalars: np.ndarray, *, window: int | None = None) -> np.ndarray:
    """sum_i scalars[i] * points[i] over G1, as a (2, 6) affine Montgomery point.

    `window` overrides the Pippenger window width (tests and tuning); by default it follows m."""
    points = _check_points(points, _G1_TAIL, "G1 points")
    return _msm(points, _check_scalars(scalars, points.shape[:1]), _G1_TAIL, window)


def msm_g2(points: np.ndarray, scalars: np.ndarray, *, window: int | None = None) -> np.ndarray:
    """sum_i scalars[i] * points[i] over G2, as a (2, 2, 6) affine Montgomery point."""
    points = _check_points(points, _G2_TAIL, "G2 points")
    return _msm(points, _check_scalars(scalars, points.shape[:1]), _G2_TAIL, window)


def _batch(points: np.ndarray, scalars: np.ndarray, tail: tuple[int, ...]) -> np.ndarray:
    scalars = np.asarray(scalars)
    if scalars.ndim != 3:
        raise ValueError(f"batched scalars must be (k, m, {FR_LIMBS}), got {scalars.shape}")
    scalars = _check_scalars(scalars, (scalars.shape[0], points.shape[0]))
    out = np.zeros((scalars.shape[0], 2, *tail), dtype=np.uint64)
    for j, vector in enumerate(scalars):
        out[j] = _msm(points, vector, tail)
    return out


def msm_g1_batch(points: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """(k, 2, 6): one G1 MSM per scalar vector scalars[j] (k, m, 4), all over the same points."""
    return _batch(_check_points(points, _G1_TAIL, "G1 points"), scalars, _G1_TAIL)


def msm_g2_batch(points: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """(k, 2, 2, 6): one G2 MSM per scalar vector, all over the same points."""
    return _batch(_check_points(points, _G2_TAIL, "G2 points"), scalars, _G2_TAIL)


def _fixed(base: np.ndarray, scalars: np.ndarray, tail: tuple[int, ...], name: str) -> np.ndarray:
    base = _check_points(np.asarray(base)[None], tail, name)
    scalars = np.asarray(scalars)
    if scalars.ndim != 2:
        raise ValueError(f"scalars must be an (m, {FR_LIMBS}) array, got shape {scalars.shape}")
    return fixed_base(base, _check_scalars(scalars, scalars.shape[:1]))


def fixed_base_g1(base: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """(m, 2, 6): [scalars[i]] base for a (2, 6) G1 base, affine (batch-normalised)."""
    return _fixed(base, scalars, _G1_TAIL, "G1 base")


def fixed_base_g2(base: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """(m, 2, 2, 6): [scalars[i]] base for a (2, 2, 6) G2 base."""
    return _fixed(base, scalars, _G2_TAIL, "G2 base")
