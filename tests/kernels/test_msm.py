"""MSM and fixed-base kernels against py_ecc.

Bases are py_ecc multiples k_i G with known k_i, so the expected sum_i s_i (k_i G) is one py_ecc
multiplication by sum_i s_i k_i mod r; the fixed-base results are checked point by point.
"""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bls12_381 as ref

from kernels.constants import R
from kernels.cpu import msm, points
from kernels.limbs import ints_to_limbs

M_MAX = 300
EDGE = [0, 1, 2, R - 1, R, R + 1, 2 * R - 1, (1 << 256) - 1]


def _bases(gen, n, seed):
    rng = random.Random(seed)
    ks = [rng.randrange(1, R) for _ in range(n)]
    acc, pts = None, []
    step = ref.multiply(gen, ks[0])
    for _ in ks:  # consecutive multiples of a random point: one py_ecc addition each
        acc = step if acc is None else ref.add(acc, step)
        pts.append(acc)
    return [ks[0] * (i + 1) % R for i in range(n)], pts


G1_KS, G1_PTS = _bases(ref.G1, M_MAX, 1)
G1_ARR = points.g1_from_py_ecc(G1_PTS)
G2_KS, G2_PTS = _bases(ref.G2, 40, 2)
G2_ARR = points.g2_from_py_ecc(G2_PTS)


def expected(gen, ks, scalars):
    return ref.multiply(gen, sum(k * s for k, s in zip(ks, scalars, strict=True)) % R)


def g1(pt):
    return points.g1_to_ints(points.g1_from_py_ecc([pt]))[0]


def g2(pt):
    return points.g2_to_ints(points.g2_from_py_ecc([pt]))[0]


def run_g1(bases, scalars, **kw):
    return points.g1_to_ints(msm.msm_g1(bases, ints_to_limbs(scalars, 4), **kw)[None])[0]


scalar = st.one_of(st.integers(0, (1 << 256) - 1), st.sampled_from(EDGE), st.integers(0, 7))


@settings(max_examples=15, deadline=None)
@given(st.lists(scalar, min_size=1, max_size=M_MAX))
def test_msm_g1_matches_py_ecc(scalars):
    m = len(scalars)
    assert run_g1(G1_ARR[:m], scalars) == g1(expected(ref.G1, G1_KS[:m], scalars))


@pytest.mark.parametrize("window", [2, 3, 5, 8, 9, 10, 13, 16])
def test_msm_g1_every_window_width(window):
    rng = random.Random(window)
    scalars = [rng.randrange(1 << 256) for _ in range(120)] + EDGE
    m = len(scalars)
    assert run_g1(G1_ARR[:m], scalars, window=window) == g1(expected(ref.G1, G1_KS[:m], scalars))


def test_msm_g1_degenerate_bases():
    """Infinity among the bases, repeated bases, P next to -P, and scalars that cancel."""
    pts = [G1_PTS[0], ref.Z1, G1_PTS[1], G1_PTS[1], ref.neg(G1_PTS[2]), G1_PTS[2], G1_PTS[3],
           G1_PTS[3], ref.Z1]
    ks = [G1_KS[0], 0, G1_KS[1], G1_KS[1], R - G1_KS[2], G1_KS[2], G1_KS[3], G1_KS[3], 0]
    bases = points.g1_from_py_ecc(pts)
    for scalars in ([5, 7, 1, 1, 9, 9, R - 1, 1, 3], [1] * 9, [0, 1, 2, 2, 3, 3, 4, R - 4, 5]):
        assert run_g1(bases, scalars) == g1(expected(ref.G1, ks, scalars))


def test_msm_g1_one_crowded_bucket():
    """Equal scalars put every point in one bucket: the pairwise tree runs ~log2(m) rounds."""
    for value in (1, 3, R - 1):
        scalars = [value] * M_MAX
        assert run_g1(G1_ARR, scalars) == g1(expected(ref.G1, G1_KS, scalars))


def test_msm_g1_zero_results():
    assert run_g1(G1_ARR[:50], [0] * 50) is None
    assert run_g1(G1_ARR[:3], [R, 2 * R, 0]) is None
    assert run_g1(points.g1_from_py_ecc([ref.Z1] * 4), [1, 2, 3, 4]) is None
    assert run_g1(G1_ARR[:0], []) is None
    pair = points.g1_from_py_ecc([G1_PTS[5], ref.neg(G1_PTS[5])])
    assert run_g1(pair, [12, 12]) is None


@settings(max_examples=6, deadline=None)
@given(st.lists(scalar, min_size=1, max_size=len(G2_PTS)))
def test_msm_g2_matches_py_ecc(scalars):
    m = len(scalars)
    got = points.g2_to_ints(msm.msm_g2(G2_ARR[:m], ints_to_limbs(scalars, 4))[None])[0]
    assert got == g2(expected(ref.G2, G2_KS[:m], scalars))


@pytest.mark.parametrize("window", [10, 12])
def test_msm_g2_wide_windows(window):
    """Windows with >= 256 buckets take the lane-parallel bucket reduction."""
    rng = random.Random(window)
    scalars = [rng.randrange(1 << 256) for _ in range(30)] + EDGE
    m = len(scalars)
    got = msm.msm_g2(G2_ARR[:m], ints_to_limbs(scalars, 4), window=window)
    assert points.g2_to_ints(got[None])[0] == g2(expected(ref.G2, G2_KS[:m], scalars))


def test_msm_g2_degenerate_bases():
    pts = [G2_PTS[0], ref.Z2, G2_PTS[1], G2_PTS[1], ref.neg(G2_PTS[1])]
    ks = [G2_KS[0], 0, G2_KS[1], G2_KS[1], R - G2_KS[1]]
    scalars = [3, 5, R - 1, 1, 4]
    got = msm.msm_g2(points.g2_from_py_ecc(pts), ints_to_limbs(scalars, 4), window=3)
    assert points.g2_to_ints(got[None])[0] == g2(expected(ref.G2, ks, scalars))


def test_batch_equals_individual_msms():
    rng = random.Random(3)
    m, k = 64, 4
    scalars = np.stack([ints_to_limbs([rng.randrange(1 << 256) for _ in range(m)], 4)
                        for _ in range(k)])
    scalars[2] = 0
    got = msm.msm_g1_batch(G1_ARR[:m], scalars)
    assert got.shape == (k, 2, 6)
    for j in range(k):
        assert np.array_equal(got[j], msm.msm_g1(G1_ARR[:m], scalars[j]))
    got2 = msm.msm_g2_batch(G2_ARR[:8], scalars[:2, :8])
    for j in range(2):
        assert np.array_equal(got2[j], msm.msm_g2(G2_ARR[:8], scalars[j, :8]))
    assert msm.msm_g1_batch(G1_ARR[:m], scalars[:0]).shape == (0, 2, 6)


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_fixed_base_matches_py_ecc(group):
    rng = random.Random(11)
    scalars = EDGE + [rng.randrange(1 << 256) for _ in range(20)]
    if group == "g1":
        base_pt = G1_PTS[7]
        got = points.g1_to_ints(msm.fixed_base_g1(G1_ARR[7], ints_to_limbs(scalars, 4)))
        want = [g1(ref.multiply(base_pt, s % R)) for s in scalars]
    else:
        base_pt = G2_PTS[3]
        got = points.g2_to_ints(msm.fixed_base_g2(G2_ARR[3], ints_to_limbs(scalars, 4)))
        want = [g2(ref.multiply(base_pt, s % R)) for s in scalars]
    assert got == want


def test_fixed_base_many_scalars_and_infinity_base():
    """Enough scalars for a wide table (several chunks), checked through k_i G sums."""
    rng = random.Random(5)
    scalars = [rng.randrange(R) for _ in range(3000)]
    out = msm.fixed_base_g1(points.G1_GENERATOR, ints_to_limbs(scalars, 4))
    picks = [0, 1, 1024, 2047, 2048, 2999]
    got = points.g1_to_ints(out[picks])
    assert got == [g1(ref.multiply(ref.G1, scalars[i])) for i in picks]
    # All results at once: sum_i s_i G through our MSM with unit scalars.
    assert run_g1(out, [1] * len(scalars)) == g1(ref.multiply(ref.G1, sum(scalars) % R))
    zero_base = np.zeros((2, 6), dtype=np.uint64)
    assert not msm.fixed_base_g1(zero_base, ints_to_limbs([1, 5], 4)).any()
    assert msm.fixed_base_g1(points.G1_GENERATOR, np.zeros((0, 4), np.uint64)).shape == (0, 2, 6)


def test_malformed_inputs_are_rejected():
    s = ints_to_limbs([1, 2], 4)
    with pytest.raises(ValueError, match="G1 points"):
        msm.msm_g1(G1_ARR[:2].astype(np.int64), s)
    with pytest.raises(ValueError, match="G1 points"):
        msm.msm_g1(G2_ARR[:2], s)
    with pytest.raises(ValueError, match="scalars"):
        msm.msm_g1(G1_ARR[:3], s)
    with pytest.raises(ValueError, match="scalars"):
        msm.msm_g1(G1_ARR[:2], s.astype(np.uint32))
    with pytest.raises(ValueError, match="G2 points"):
        msm.msm_g2(G1_ARR[:2], s)
    with pytest.raises(ValueError, match="window"):
        msm.msm_g1(G1_ARR[:2], s, window=1)
    with pytest.raises(ValueError, match="batched scalars"):
        msm.msm_g1_batch(G1_ARR[:2], s)
    with pytest.raises(ValueError, match="G1 base"):
        msm.fixed_base_g1(G1_ARR[:2], s)
    with pytest.raises(ValueError, match="scalars"):
        msm.fixed_base_g2(G2_ARR[0], s[0])


def test_window_bits_grows_with_m():
    widths = [msm.window_bits(1 << k) for k in range(0, 23, 2)]
    assert widths == sorted(widths)
    assert 2 <= widths[0] and widths[-1] <= msm.MAX_WINDOW
