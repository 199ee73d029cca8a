"""Montgomery batch inversion against Python's modular inverse (zeros map to zero)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kernels.constants import P, R
from kernels.cpu import fr_vec
from kernels.cpu.batch_inverse import CHUNK, fp_batch_inverse, fr_batch_inverse

rng = random.Random(11)

FIELDS = {
    "fr": (R, fr_batch_inverse, fr_vec.ints_to_mont, fr_vec.mont_to_ints),
    "fp": (P, fp_batch_inverse, fr_vec.fp_ints_to_mont, fr_vec.fp_mont_to_ints),
}


def expected(xs: list[int], q: int) -> list[int]:
    return [pow(x, -1, q) if x else 0 for x in xs]


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_random_with_zeros_across_chunks(name):
    q, batch_inverse, enc, dec = FIELDS[name]
    m = 2 * CHUNK + 5
    xs = [rng.randrange(1, q) for _ in range(m)]
    for i in (0, 1, CHUNK - 1, CHUNK, CHUNK + 1, m - 1):  # zeros at chunk seams and both ends
        xs[i] = 0
    xs[7], xs[8] = 1, q - 1
    assert dec(batch_inverse(enc(xs))) == expected(xs, q)


@pytest.mark.parametrize("name", sorted(FIELDS))
@pytest.mark.parametrize("xs", [[], [0], [1], [0, 0, 0], [5, 0], [0, 5]])
def test_small_inputs(name, xs):
    q, batch_inverse, enc, dec = FIELDS[name]
    assert dec(batch_inverse(enc(xs))) == expected(xs, q)


def test_input_untouched_and_shape_kept():
    a = fr_vec.ints_to_mont([3, 0, 9])
    before = a.copy()
    out = fr_batch_inverse(a)
    assert np.array_equal(a, before) and out.shape == (3, 4)
