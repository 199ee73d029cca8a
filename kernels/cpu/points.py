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


def _point_rows(points: np.ndarray, tail: tuple[int, ...], name: str) -> np.ndarray:
    """(m, *tail) uint64 view of an array of points with any leading shape."""
    points = np.asarray(points)
    if points.dtype != np.uint64 or points.shape[points.ndim - len(tail):] != tail:
        raise ValueError(f"{name} must be a (..., {', '.join(map(str, tail))}) uint64 array, "
                         f"got {points.dtype} {points.shape}")
    return np.ascontiguousarray(points).reshape((-1, *tail))


# --- python ints <-> arrays ---------------------------------------------------------------------


def g1_from_ints(points: Sequence[G1Ints]) -> np.ndarray:
    """(m, 2, 6) Montgomery array from affine (x, y) int pairs (None = infinity)."""
    coords: list[int] = []
    for pt in points:
        coords += [0, 0] if pt is None else [pt[0], pt[1]]
    return _to_mont(coords).reshape(len(points), 2, FP_LIMBS)


def g1_to_ints(arr: np.ndarray) -> list[G1Ints]:
    """Affine int pairs (None = infinity) of every point in a (..., 2, 6) array."""
    arr = _point_rows(arr, (2, FP_LIMBS), "G1 points")
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
    """((x0, x1), (y0, y1)) (None = infinity) of every point in a (..., 2, 2, 6) array."""
    arr = _point_rows(arr, (2, 2, FP_LIMBS), "G2 points")
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


def _one(p: np.ndarray, tail: tuple[int, ...], name: str) -> np.ndarray:
    """A single point as a (1, *tail) array, checked."""
    if np.shape(p) != tail:
        raise ValueError(f"{name} must have shape {tail}, got {np.shape(p)}")
    return _point_rows(p, tail, name)


def _add(p: np.ndarray, q: np.ndarray, tail: tuple[int, ...], name: str) -> np.ndarray:
    a, b = _one(p, tail, name), _one(q, tail, name)
    out = np.empty_like(a)
    curve.add_points(a, b, out)
    return out[0]


def _neg(p: np.ndarray, tail: tuple[int, ...], name: str) -> np.ndarray:
    a = _one(p, tail, name)
    out = np.empty_like(a)
    curve.neg_points(a, out)
    return out[0]


def _mul(p: np.ndarray, k: int, tail: tuple[int, ...], name: str) -> np.ndarray:
    """[k] p for |k| < 2^256, not reduced mod r (so also right for points outside the subgroup)."""
    if not -(1 << 256) < k < 1 << 256:
        raise ValueError(f"scalar must satisfy |k| < 2^256, got {k}")
    a = _one(p, tail, name)
    out = np.empty_like(a)
    curve.mul_points(a, ints_to_limbs([abs(k)], 4), out)
    return out[0] if k >= 0 else _neg(out[0], tail, name)


_G1, _G2 = (2, FP_LIMBS), (2, 2, FP_LIMBS)


def g1_add(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """p + q for (2, 6) affine Montgomery points."""
    return _add(p, q, _G1, "G1 point")


def g1_neg(p: np.ndarray) -> np.ndarray:
    return _neg(p, _G1, "G1 point")


def g1_mul(p: np.ndarray, k: int) -> np.ndarray:
    """[k] p for an integer |k| < 2^256 (not reduced mod r: valid for points outside G1 too)."""
    return _mul(p, k, _G1, "G1 point")


def g2_add(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """p + q for (2, 2, 6) affine Montgomery points."""
    return _add(p, q, _G2, "G2 point")


def g2_neg(p: np.ndarray) -> np.ndarray:
    return _neg(p, _G2, "G2 point")


def g2_mul(p: np.ndarray, k: int) -> np.ndarray:
    """[k] p for an integer |k| < 2^256 (not reduced mod r)."""
    return _mul(p, k, _G2, "G2 point")


def g1_is_on_curve(points: np.ndarray) -> np.ndarray:
    """Bool per point of a (..., 2, 6) array: y^2 = x^3 + 4 (infinity, all zeros, counts as on it).

    Coordinates must already be canonical (< p), as deserialisation guarantees."""
    rows = _point_rows(points, (2, FP_LIMBS), "G1 points")
    return curve.on_curve(rows).reshape(np.shape(points)[:-2])


def g2_is_on_curve(points: np.ndarray) -> np.ndarray:
    """Bool per point of a (..., 2, 2, 6) array: y^2 = x^3 + 4(1 + u) (infinity counts as on it)."""
    rows = _point_rows(points, (2, 2, FP_LIMBS), "G2 points")
    return curve.on_curve(rows).reshape(np.shape(points)[:-3])
