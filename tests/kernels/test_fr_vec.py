"""Element-wise Fr (and Fp conversion) array kernels against Python ints mod r / mod p."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kernels.constants import P, R
from kernels.cpu import fr_vec
from kernels.limbs import ints_to_limbs, limbs_to_ints

rng = random.Random(7)
EDGES = [0, 1, 2, R - 1, R - 2, (1 << 64) - 1, 1 << 64, (1 << 255) % R]
# Longer than one POWER_CHUNK and not a multiple of it, so chunk seams are exercised.
M = fr_vec.POWER_CHUNK + 37


def rand_fr(m: int) -> list[int]:
    return EDGES + [rng.randrange(R) for _ in range(m - len(EDGES))]


def test_montgomery_conversions():
    xs = rand_fr(M)
    std = ints_to_limbs(xs, 4)
    mont = fr_vec.to_mont(std)
    assert limbs_to_ints(mont) == [x * 2**256 % R for x in xs]
    assert np.array_equal(fr_vec.from_mont(mont), std)
    assert fr_vec.mont_to_ints(fr_vec.ints_to_mont(xs)) == xs


def test_ints_to_mont_reduces():
    assert fr_vec.mont_to_ints(fr_vec.ints_to_mont([R, R + 5, -1, 2**300])) == [
        0, 5, R - 1, 2**300 % R,
    ]


def test_binary_ops():
    xs, ys = rand_fr(M), rand_fr(M)[::-1]
    a, b = fr_vec.ints_to_mont(xs), fr_vec.ints_to_mont(ys)
    assert fr_vec.mont_to_ints(fr_vec.mul(a, b)) == [x * y % R for x, y in zip(xs, ys)]
    assert fr_vec.mont_to_ints(fr_vec.add(a, b)) == [(x + y) % R for x, y in zip(xs, ys)]
    assert fr_vec.mont_to_ints(fr_vec.sub(a, b)) == [(x - y) % R for x, y in zip(xs, ys)]


def test_shape_mismatch_raises():
    a, b = fr_vec.ints_to_mont([1, 2, 3]), fr_vec.ints_to_mont([1, 2])
    for op in (fr_vec.mul, fr_vec.add, fr_vec.sub):
        with pytest.raises(ValueError, match="shapes differ"):
            op(a, b)


def test_scale_and_mont_scalar():
    xs = rand_fr(100)
    c = rng.randrange(R)
    assert limbs_to_ints(fr_vec.mont_scalar(c)[None, :]) == [c * 2**256 % R]
    out = fr_vec.scale(fr_vec.ints_to_mont(xs), fr_vec.mont_scalar(c))
    assert fr_vec.mont_to_ints(out) == [x * c % R for x in xs]


@pytest.mark.parametrize("m", [0, 1, 5, M])
def test_powers(m):
    s, g = rng.randrange(R), rng.randrange(R)
    out = fr_vec.powers(fr_vec.mont_scalar(s), fr_vec.mont_scalar(g), m)
    assert out.shape == (m, 4)
    assert fr_vec.mont_to_ints(out) == [s * pow(g, i, R) % R for i in range(m)]


@pytest.mark.parametrize("ratio", [1, 3, None])
def test_mul_powers_inplace(ratio):
    xs = rand_fr(M)
    start = rng.randrange(R)
    g = rng.randrange(R) if ratio is None else ratio
    a = fr_vec.ints_to_mont(xs)
    fr_vec.mul_powers_inplace(a, fr_vec.mont_scalar(start), fr_vec.mont_scalar(g))
    assert fr_vec.mont_to_ints(a) == [x * start * pow(g, i, R) % R for i, x in enumerate(xs)]


def test_pow_mont():
    g = rng.randrange(R)
    gm = tuple(np.uint64(v) for v in fr_vec.mont_scalar(g))
    for e in (0, 1, 2, 12345, 2**40 + 7):
        got = np.array(fr_vec.pow_mont(gm, e), dtype=np.uint64)
        assert limbs_to_ints(got[None, :]) == [pow(g, e, R) * 2**256 % R]


def test_fp_conversions():
    xs = [0, 1, P - 1, (1 << 64) - 1] + [rng.randrange(P) for _ in range(200)]
    mont = fr_vec.fp_ints_to_mont(xs)
    assert mont.shape == (len(xs), 6)
    assert limbs_to_ints(mont) == [x * 2**384 % P for x in xs]
    assert fr_vec.fp_mont_to_ints(mont) == xs
    assert limbs_to_ints(fr_vec.fp_from_mont(mont)) == xs


def test_empty_arrays():
    empty = np.zeros((0, 4), dtype=np.uint64)
    assert fr_vec.mul(empty, empty).shape == (0, 4)
    assert fr_vec.ints_to_mont([]).shape == (0, 4)
    assert fr_vec.mont_to_ints(empty) == []
