"""G1/G2 point arithmetic (XYZZ, batch-affine pairs, normalisation, on-curve) against py_ecc."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from py_ecc import optimized_bls12_381 as ref

from kernels.constants import P, R
from kernels.cpu import curve, points
from kernels.limbs import ints_to_limbs

scalars = st.integers(1, R - 1)

GROUPS = {
    "g1": dict(gen=ref.G1, zero=ref.Z1, from_ecc=points.g1_from_py_ecc, to_ints=points.g1_to_ints,
               add=points.g1_add, neg=points.g1_neg, mul=points.g1_mul),
    "g2": dict(gen=ref.G2, zero=ref.Z2, from_ecc=points.g2_from_py_ecc, to_ints=points.g2_to_ints,
               add=points.g2_add, neg=points.g2_neg, mul=points.g2_mul),
}


def affine(group, pt):
    """Canonical python-int affine form of a py_ecc point (None = infinity)."""
    g = GROUPS[group]
    return g["to_ints"](g["from_ecc"]([pt]))[0]


def ours(group, arr):
    return GROUPS[group]["to_ints"](np.asarray(arr)[None])[0]


def ecc_point(group, k):
    return ref.multiply(GROUPS[group]["gen"], k)


def arr(group, pt):
    return GROUPS[group]["from_ecc"]([pt])[0]


@pytest.mark.parametrize("group", ["g1", "g2"])
@settings(max_examples=10, deadline=None)
@given(a=scalars, b=scalars)
def test_add_matches_py_ecc(group, a, b):
    p, q = ecc_point(group, a), ecc_point(group, b)
    assert ours(group, GROUPS[group]["add"](arr(group, p), arr(group, q))) == affine(group, ref.add(p, q))


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_add_special_cases(group):
    g = GROUPS[group]
    p = ecc_point(group, 12345)
    a, o = arr(group, p), arr(group, g["zero"])
    assert ours(group, g["add"](a, a)) == affine(group, ref.double(p))
    assert ours(group, g["add"](a, g["neg"](a))) is None
    assert ours(group, g["add"](a, o)) == affine(group, p)
    assert ours(group, g["add"](o, a)) == affine(group, p)
    assert ours(group, g["add"](o, o)) is None
    assert ours(group, g["neg"](o)) is None
    assert ours(group, g["neg"](a)) == affine(group, ref.neg(p))


@pytest.mark.parametrize("group", ["g1", "g2"])
@settings(max_examples=8, deadline=None)
@given(base=scalars, k=st.integers(0, (1 << 256) - 1))
def test_mul_matches_py_ecc(group, base, k):
    p = ecc_point(group, base)
    assert ours(group, GROUPS[group]["mul"](arr(group, p), k)) == affine(group, ref.multiply(p, k))


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_mul_edge_scalars(group):
    g = GROUPS[group]
    p = ecc_point(group, 777)
    a = arr(group, p)
    assert ours(group, g["mul"](a, 0)) is None
    assert ours(group, g["mul"](a, 1)) == affine(group, p)
    assert ours(group, g["mul"](a, R)) is None
    assert ours(group, g["mul"](a, R + 2)) == affine(group, ref.double(p))
    assert ours(group, g["mul"](a, -3)) == affine(group, ref.neg(ref.multiply(p, 3)))
    assert ours(group, g["mul"](arr(group, g["zero"]), 5)) is None
    with pytest.raises(ValueError):
        g["mul"](a, 1 << 256)


@njit
def _xyzz_ops(p, q, add_out, dbl_out, madd_out):
    for i in range(p.shape[0]):
        a, b = curve.xyzz_load(p, i), curve.xyzz_load(q, i)
        curve.xyzz_store(add_out, i, curve.xyzz_add(a, b))
        curve.xyzz_store(dbl_out, i, curve.xyzz_dbl(a))
        x, y = curve.xyzz_to_affine(b)
        curve.xyzz_store(madd_out, i, curve.xyzz_madd(a, x, y))


def _fp2(c):
    return ref.FQ2(list(c))


def to_xyzz(group, pt, z):
    """XYZZ array for an affine int point scaled by z: (x z^2, y z^3, z^2, z^3)."""
    if group == "g1":
        if pt is None:
            coords = [1, 1, 0, 0]
        else:
            coords = [pt[0] * z * z % P, pt[1] * z ** 3 % P, z * z % P, z ** 3 % P]
        flat = coords
    else:
        if pt is None:
            coords = [ref.FQ2.one(), ref.FQ2.one(), ref.FQ2.zero(), ref.FQ2.zero()]
        else:
            zz = _fp2(z)
            coords = [_fp2(pt[0]) * zz * zz, _fp2(pt[1]) * zz ** 3, zz * zz, zz ** 3]
        flat = [int(c) for x in coords for c in x.coeffs]
    r_mont = (1 << 384) % P
    limbs = ints_to_limbs([v * r_mont % P for v in flat], 6)
    return limbs.reshape((4, 6) if group == "g1" else (4, 2, 6))


def random_z(group, rng):
    return rng.randrange(1, P) if group == "g1" else (rng.randrange(P), rng.randrange(1, P))


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_xyzz_formulas_and_normalisation(group):
    """add, dbl, madd in XYZZ with random projective scalings, including the special cases."""
    rng = random.Random(7)
    base = [ecc_point(group, k) for k in (5, 11, 5, 0)]  # last: infinity (k = 0)
    zero = GROUPS[group]["zero"]
    cases = [(base[0], base[1]), (base[0], base[2]), (base[0], ref.neg(base[2])),
             (base[0], zero), (zero, base[1]), (zero, zero)]
    ps = np.stack([to_xyzz(group, affine(group, a), random_z(group, rng)) for a, _ in cases])
    qs = np.stack([to_xyzz(group, affine(group, b), random_z(group, rng)) for _, b in cases])
    add_out, dbl_out, madd_out = (np.empty_like(ps) for _ in range(3))
    _xyzz_ops(ps, qs, add_out, dbl_out, madd_out)
    for out, expect in ((add_out, [ref.add(a, b) for a, b in cases]),
                        (madd_out, [ref.add(a, b) for a, b in cases]),
                        (dbl_out, [ref.double(a) for a, _ in cases])):
        aff = np.empty((len(cases), 2) + ps.shape[2:], dtype=np.uint64)
        curve.batch_to_affine(out, aff)
        assert GROUPS[group]["to_ints"](aff) == [affine(group, e) for e in expect]


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_add_pairs_all_cases(group):
    """The batch-affine kernel: generic sums, doubling, P + (-P), infinity on either side."""
    g = GROUPS[group]
    pts = [ecc_point(group, k) for k in (3, 8, 21, 40)]
    cases = [(pts[0], pts[1]), (pts[2], pts[2]), (pts[3], ref.neg(pts[3])), (g["zero"], pts[1]),
             (pts[2], g["zero"]), (g["zero"], g["zero"]), (pts[1], pts[3]), (pts[3], pts[3])]
    a = g["from_ecc"]([x for x, _ in cases])
    b = g["from_ecc"]([y for _, y in cases])
    prefix = np.empty((len(cases), 1) + a.shape[2:], dtype=np.uint64)
    curve.add_pairs(a, 0, b, len(cases), prefix)
    assert g["to_ints"](a) == [affine(group, ref.add(x, y)) for x, y in cases]


def test_add_pairs_offset_leaves_other_rows():
    pts = [ecc_point("g1", k) for k in (2, 9, 4)]
    a = points.g1_from_py_ecc(pts)
    b = points.g1_from_py_ecc([pts[2]])
    prefix = np.empty((1, 1, 6), dtype=np.uint64)
    curve.add_pairs(a, 1, b, 1, prefix)
    assert points.g1_to_ints(a) == [affine("g1", pts[0]), affine("g1", ref.add(pts[1], pts[2])),
                                    affine("g1", pts[2])]


def test_batch_to_affine_empty():
    curve.batch_to_affine(np.empty((0, 4, 6), np.uint64), np.empty((0, 2, 6), np.uint64))


def test_on_curve_g1():
    good = [ecc_point("g1", k) for k in (1, 99)]
    arr1 = points.g1_from_py_ecc(good + [ref.Z1])
    assert points.g1_is_on_curve(arr1).tolist() == [True, True, True]
    x, y = affine("g1", good[1])
    off = points.g1_from_ints([(x, y + 1), (x, 0), (0, 2), (0, P - 2), (0, 1)])
    # (0, +-2) lies on y^2 = x^3 + 4 (outside G1) and must not be mistaken for infinity.
    assert points.g1_is_on_curve(off).tolist() == [False, False, True, True, False]


def test_on_curve_g2():
    good = [ecc_point("g2", k) for k in (1, 99)]
    arr2 = points.g2_from_py_ecc(good + [ref.Z2])
    assert points.g2_is_on_curve(arr2).tolist() == [True, True, True]
    (x0, x1), (y0, y1) = affine("g2", good[1])
    bad = points.g2_from_ints([((x0, x1), (y0, (y1 + 1) % P)), ((x1, x0), (y0, y1))])
    assert points.g2_is_on_curve(bad).tolist() == [False, False]


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_py_ecc_round_trip(group):
    g = GROUPS[group]
    pts = [ecc_point(group, k) for k in (1, 2, 1000)] + [g["zero"]]
    back = (points.g1_to_py_ecc if group == "g1" else points.g2_to_py_ecc)(g["from_ecc"](pts))
    assert all(ref.eq(p, q) for p, q in zip(pts, back, strict=True))
    assert ref.is_inf(back[-1])


def test_generators_match_py_ecc():
    assert ours("g1", points.G1_GENERATOR) == affine("g1", ref.G1)
    assert ours("g2", points.G2_GENERATOR) == affine("g2", ref.G2)


def test_on_curve_keeps_leading_shape():
    grid = np.stack([points.g1_from_py_ecc([ecc_point("g1", k) for k in (1, 2, 3)])] * 2)
    grid[1, 2, 1, 0] ^= np.uint64(1)
    assert points.g1_is_on_curve(grid).tolist() == [[True] * 3, [True, True, False]]


def test_malformed_point_arrays_are_rejected():
    g = points.G1_GENERATOR
    with pytest.raises(ValueError, match="G1 point"):
        points.g1_add(g, g[:, :5])
    with pytest.raises(ValueError, match="G1 point"):
        points.g1_mul(g[None], 3)
    with pytest.raises(ValueError, match="G2 point"):
        points.g2_neg(g)
    with pytest.raises(ValueError, match="G1 points"):
        points.g1_is_on_curve(np.zeros((4, 12), np.uint64))
    with pytest.raises(ValueError, match="G2 points"):
        points.g2_is_on_curve(np.zeros((4, 2, 2, 6), np.int64))
    with pytest.raises(ValueError, match="G1 points"):
        points.g1_to_ints(np.zeros((3, 6), np.uint64))
