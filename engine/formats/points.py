"""Curve points in two shapes, and the checks every point read from outside goes through.

Python-int form (what JSON files, ZCash encodings and py_ecc speak), coordinates in [0, p):
    G1: (x, y), or None for the point at infinity
    G2: ((x0, x1), (y0, y1)) with x = x0 + x1 u in Fp2 = Fp[u]/(u^2 + 1), or None
Array form (kernels.limbs, and byte for byte the snarkjs `.zkey` "LEM" layout): little-endian
64-bit limbs in Montgomery form (R = 2^384), G1 (m, 2, 6), G2 (m, 2, 2, 6) ordered x0 x1 y0 y1;
infinity is all-zero limbs, which cannot be a real point because (0, 0) is not on y^2 = x^3 + 4.
Note (0, 2) and (0, -2) *are* on the curve: they have order 3, the simplest non-subgroup point.

Conversions and the vectorised on-curve kernels live in kernels.cpu.points; this module adds the
decoding rules (canonical coordinates, ZCash sign, square roots) and the validity masks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kernels.constants import B_G1, B_G2, FP_LIMBS, P
from kernels.cpu import points as cpu_points
from kernels.limbs import ints_to_limbs

G1Point = tuple[int, int] | None
G2Point = tuple[tuple[int, int], tuple[int, int]] | None

HALF_P = (P - 1) // 2  # y is "the larger root" when y > HALF_P (ZCash sign rule)


# ---- Python ints <-> Montgomery arrays: one implementation, in kernels.cpu.points ----------------

g1_to_array = cpu_points.g1_from_ints
g2_to_array = cpu_points.g2_from_ints
g1_from_array = cpu_points.g1_to_ints
g2_from_array = cpu_points.g2_to_ints


# ---- Python-int curve arithmetic needed by decoders ---------------------------------------------

def _fp2_mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def _g2_rhs(x: tuple[int, int]) -> tuple[int, int]:
    x3 = _fp2_mul(_fp2_mul(x, x), x)
    return ((x3[0] + B_G2[0]) % P, (x3[1] + B_G2[1]) % P)


def g1_on_curve(pt: G1Point) -> bool:
    """y^2 = x^3 + 4 for canonical coordinates; infinity counts as on the curve."""
    if pt is None:
        return True
    x, y = pt
    return (y * y - x * x * x - B_G1) % P == 0


def g2_on_curve(pt: G2Point) -> bool:
    if pt is None:
        return True
    x, y = pt
    return _fp2_mul(y, y) == _g2_rhs(x)


def fp_is_larger(y: int) -> bool:
    """The ZCash sign bit of an Fp coordinate: y is the lexicographically larger of y, -y."""
    return y > HALF_P


def fp2_is_larger(y: tuple[int, int]) -> bool:
    """The ZCash sign bit in Fp2: compare the u-coefficient first, c0 only when c1 is zero."""
    return y[1] > HALF_P if y[1] else y[0] > HALF_P


def _fp_sqrt(a: int) -> int | None:
    root = pow(a, (P + 1) // 4, P)  # p = 3 mod 4
    return root if root * root % P == a % P else None


def _fp2_sqrt(a: tuple[int, int]) -> tuple[int, int] | None:
    """Square root in Fp2 through the norm: a = (c + d u)^2 with c^2 = (a0 + sqrt(N(a))) / 2."""
    a0, a1 = a
    if a1 == 0:
        r = _fp_sqrt(a0)
        if r is not None:
            return (r, 0)
        r = _fp_sqrt(-a0 % P)  # a0 = -(r^2) = (r u)^2
        return None if r is None else (0, r)
    norm_root = _fp_sqrt((a0 * a0 + a1 * a1) % P)
    if norm_root is None:
        return None
    half = pow(2, -1, P)
    for t in (norm_root, P - norm_root):
        c = _fp_sqrt((a0 + t) * half % P)
        if c:
            d = a1 * pow(2 * c, -1, P) % P
            if _fp2_mul((c, d), (c, d)) == (a0 % P, a1 % P):
                return (c, d)
    return None


def g1_y_from_x(x: int, larger: bool) -> int | None:
    """The y with y^2 = x^3 + 4 and the given sign bit, or None if x is not on the curve."""
    y = _fp_sqrt((x * x * x + B_G1) % P)
    if y is None:
        return None
    return y if fp_is_larger(y) == larger else (P - y) % P


def g2_y_from_x(x: tuple[int, int], larger: bool) -> tuple[int, int] | None:
    y = _fp2_sqrt(_g2_rhs(x))
    if y is None:
        return None
    return y if fp2_is_larger(y) == larger else ((P - y[0]) % P, (P - y[1]) % P)


# ---- vectorised checks over Montgomery arrays ---------------------------------------------------

def limbs_lt(a: np.ndarray, bound: int) -> np.ndarray:
    """Element-wise a < bound over the last (limb) axis, most significant limb first."""
    a = np.asarray(a, dtype=np.uint64)
    c = ints_to_limbs([bound], a.shape[-1])[0]
    lt = np.zeros(a.shape[:-1], dtype=bool)
    eq = np.ones(a.shape[:-1], dtype=bool)
    for i in range(a.shape[-1] - 1, -1, -1):
        lt |= eq & (a[..., i] < c[i])
        eq &= a[..., i] == c[i]
    return lt


def is_zero_point(arr: np.ndarray, group_dims: int) -> np.ndarray:
    """Infinity mask: rows whose last `group_dims` axes are all zero limbs."""
    a = np.asarray(arr)
    return ~a.any(axis=tuple(range(a.ndim - group_dims, a.ndim)))


def g1_valid_mask(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(canonical, on_curve_or_infinity) masks for an (m, 2, 6) Montgomery array.

    on_curve is only meaningful where canonical holds (the kernel assumes limbs below p)."""
    a = np.ascontiguousarray(arr, dtype=np.uint64).reshape(-1, 2, FP_LIMBS)
    canonical = limbs_lt(a, P).all(axis=1)
    ok = np.zeros(len(a), dtype=np.bool_)
    if len(a):
        safe = np.where(canonical[:, None, None], a, 0)  # keep the kernel on reduced inputs
        ok = cpu_points.g1_is_on_curve(safe)
    return canonical, ok | is_zero_point(a, 2)


def g2_valid_mask(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(canonical, on_curve_or_infinity) masks for an (m, 2, 2, 6) Montgomery array."""
    a = np.ascontiguousarray(arr, dtype=np.uint64).reshape(-1, 2, 2, FP_LIMBS)
    canonical = limbs_lt(a, P).all(axis=(1, 2))
    ok = np.zeros(len(a), dtype=np.bool_)
    if len(a):
        safe = np.where(canonical[:, None, None, None], a, 0)
        ok = cpu_points.g2_is_on_curve(safe)
    return canonical, ok | is_zero_point(a, 3)
