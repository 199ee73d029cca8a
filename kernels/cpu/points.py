"""Python-level point helpers: conversions (python ints, py_ecc) and single-point group operations.

Arrays follow kernels/limbs.py: G1 affine (…, 2, 6) and G2 affine (…, 2, 2, 6) uint64 in
Montgomery form, all zeros for the point at infinity. Python-int affine points are `(x, y)` for
G1 and `((x0, x1), (y0, y1))` for G2, with `None` for infinity. py_ecc's optimized_bls12_381
points are homogeneous projective `(X, Y, Z)` with Z = 0 at infinity.

The group operations (g1_add, g1_mul, …) exist for the few single-point steps of proving and
setup; bulk work goes through the MSM and fixed-base kernels in kernels/cpu/msm.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kernels.constants import FP_LIMBS, G1_X, G1_Y, G2_X, G2_Y, P
from kernels.cpu import curve
from kernels.limbs import ints_to_limbs, limbs_to_ints

_R_MONT = (1 << (64 * FP_LIMBS)) % P
_R_MONT_INV = pow(_R_MONT, -1, P)

G1Ints = tuple[int, int] | None
G2Ints = tuple[tuple[int, int], tuple[int, int]] | None


def _to_mont(values: Sequence[int]) -> np.ndarray:
    return ints_to_limbs([v % P * _R_MONT % P for v in values], FP_LIMBS)


def _from_mont(arr: np.ndarray) -> list[int]:
    return [v * _R_MONT_INV % P for v in limbs_to_ints(arr)]


# --- python ints <-> arrays ---------------------------------------------------------------------


def g1_from_ints(points: Sequence[G1Ints]) -> np.ndarray:
    """(m, 2, 6) Montgomery array from affine (x, y) int pairs (None = infinity)."""
    coords: list[int] = []
    for pt in points:
        coords += [0, 0] if pt is None else [pt[0], pt[1]]
    return _to_mont(coords).reshape(len(points), 2, FP_LIMBS)


def g1_to_ints(arr: np.ndarray) -> list[G1Ints]:
    arr = np.asarray(arr, dtype=np.uint64).reshape(-1, 2, FP_LIMBS)
    vals = _from_mont(arr)
    out: list[G1Ints] = []
    for i in range(arr.shape[0]):
        x, y = vals[2 * i], vals[2 * i + 1]
        out.append(None if x == 0 and y == 0 else (x, y))
    return out


def g2_from_ints(points: Sequence[G2Ints]) -> np.ndarray:
    """(m, 2, 2, 6) Montgomery array from ((x0, x1), (y0, y1)) (None = infinity)."""
    coords: list[int] = []
    for pt in points:
        coords += [0, 0, 0, 0] if pt is None else [*pt[0], *pt[1]]
    return _to_mont(coords).reshape(len(points), 2, 2, FP_LIMBS)


def g2_to_ints(arr: np.ndarray) -> list[G2Ints]:
    arr = np.asarray(arr, dtype=np.uint64).reshape(-1, 2, 2, FP_LIMBS)
    vals = _from_mont(arr)
    out: list[G2Ints] = []
    for i in range(arr.shape[0]):
        x0, x1, y0, y1 = vals[4 * i : 4 * i + 4]
        out.append(None if not (x0 or x1 or y0 or y1) else ((x0, x1), (y0, y1)))
    return out


G1_GENERATOR = g1_from_ints([(G1_X, G1_Y)])[0]
G2_GENERATOR = g2_from_ints([(G2_X, G2_Y)])[0]


# --- py_ecc <-> arrays --------------------------------------------------------------------------


def g1_from_py_ecc(points: Sequence) -> np.ndarray:
    """(m, 2, 6) array from py_ecc optimized_bls12_381 G1 points (projective FQ triples)."""
    ints: list[G1Ints] = []
    for x, y, z in points:
        if z.n == 0:
            ints.append(None)
        else:
            zi = pow(z.n, -1, P)
            ints.append((x.n * zi % P, y.n * zi % P))
    return g1_from_ints(ints)


def g1_to_py_ecc(arr: np.ndarray) -> list:
    from py_ecc.optimized_bls12_381 import FQ, Z1

    return [Z1 if pt is None else (FQ(pt[0]), FQ(pt[1]), FQ.one()) for pt in g1_to_ints(arr)]


def g2_from_py_ecc(points: Sequence) -> np.ndarray:
    """(m, 2, 2, 6) array from py_ecc optimized_bls12_381 G2 points (projective FQ2 triples)."""
    ints: list[G2Ints] = []
    for x, y, z in points:
        if z == z.zero():
            ints.append(None)
        else:
            ax, ay = x / z, y / z
            ints.append((tuple(ax.coeffs), tuple(ay.coeffs)))
    return g2_from_ints(ints)


def g2_to_py_ecc(arr: np.ndarray) -> list:
    from py_ecc.optimized_bls12_381 import FQ2, Z2

    return [
        Z2 if pt is None else (FQ2(list(pt[0])), FQ2(list(pt[1])), FQ2.one())
        for pt in g2_to_ints(arr)
    ]


# --- single-point group operations --------------------------------------------------------------


def _scalar_limbs(k: int) -> np.ndarray:
    if not 0 <= k < 1 << 256:
        raise ValueError(f"scalar must be in [0, 2^256), got {k}")
    return ints_to_limbs([k], 4)


def _add(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    out = np.empty((1,) + p.shape, dtype=np.uint64)
    curve.add_points(p[None].astype(np.uint64), q[None].astype(np.uint64), out)
    return out[0]


def _mul(p: np.ndarray, k: int) -> np.ndarray:
    sign = -1 if k < 0 else 1
    out = np.empty((1,) + p.shape, dtype=np.uint64)
    curve.mul_points(p[None].astype(np.uint64), _scalar_limbs(abs(k)), out)
    return out[0] if sign > 0 else _neg(out[0])


def _neg(p: np.ndarray) -> np.ndarray:
    out = np.empty((1,) + p.shape, dtype=np.uint64)
    curve.neg_points(p[None].astype(np.uint64), out)
    return out[0]


def g1_add(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """p + q for (2, 6) affine Montgomery points."""
    return _add(p, q)


def g1_neg(p: np.ndarray) -> np.ndarray:
    return _neg(p)


def g1_mul(p: np.ndarray, k: int) -> np.ndarray:
    """[k] p for an integer |k| < 2^256 (not reduced mod r: valid for points outside G1 too)."""
    return _mul(p, k)


def g2_add(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """p + q for (2, 2, 6) affine Montgomery points."""
    return _add(p, q)


def g2_neg(p: np.ndarray) -> np.ndarray:
    return _neg(p)


def g2_mul(p: np.ndarray, k: int) -> np.ndarray:
    """[k] p for an integer |k| < 2^256 (not reduced mod r)."""
    return _mul(p, k)


def g1_is_on_curve(points: np.ndarray) -> np.ndarray:
    """(m,) bool for (m, 2, 6) points: y^2 = x^3 + 4 (infinity, all zeros, counts as on it)."""
    return curve.on_curve(np.ascontiguousarray(points, dtype=np.uint64).reshape(-1, 2, FP_LIMBS))


def g2_is_on_curve(points: np.ndarray) -> np.ndarray:
    """(m,) bool for (m, 2, 2, 6) points: y^2 = x^3 + 4(1 + u) (infinity counts as on it)."""
    return curve.on_curve(
        np.ascontiguousarray(points, dtype=np.uint64).reshape(-1, 2, 2, FP_LIMBS)
    )
