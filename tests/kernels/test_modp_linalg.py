"""GF(p) linear algebra and polynomials (used by the Poseidon MDS checks) against definitions."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.constants import R
from kernels.modp_linalg import Span, charpoly, identity, mat_inv, mat_mul, mat_pow, mat_vec, \
    poly_divmod, poly_mulmod, right_kernel, roots, x_powmod

rng = random.Random(11)
SMALL = 10007  # a small prime, so that random entries collide and pivots vanish


def det(a, p):
    """Determinant by Gaussian elimination (the definition-level reference)."""
    m = [row[:] for row in a]
    n, d = len(m), 1
    for c in range(n):
        pivot = next((i for i in range(c, n) if m[i][c] % p), None)
        if pivot is None:
            return 0
        if pivot != c:
            m[c], m[pivot] = m[pivot], m[c]
            d = -d
        d = d * m[c][c] % p
        inv = pow(m[c][c], -1, p)
        for i in range(c + 1, n):
            f = m[i][c] * inv % p
            m[i] = [(x - f * y) % p for x, y in zip(m[i], m[c])]
    return d % p


def poly_eval(f, x, p):
    return sum(c * pow(x, k, p) for k, c in enumerate(f)) % p


matrices = st.integers(1, 6).flatmap(lambda n: st.lists(
    st.lists(st.sampled_from([0, 1, 2, SMALL - 1]) | st.integers(0, SMALL - 1),
             min_size=n, max_size=n), min_size=n, max_size=n))


@settings(max_examples=50, deadline=None)
@given(matrices, st.integers(0, SMALL - 1))
def test_charpoly_is_det_x_minus_a(a, x):
    n = len(a)
    f = charpoly(a, SMALL)
    assert len(f) == n + 1 and f[-1] == 1
    x_minus_a = [[(x * (i == j) - a[i][j]) % SMALL for j in range(n)] for i in range(n)]
    assert poly_eval(f, x, SMALL) == det(x_minus_a, SMALL)


@pytest.mark.parametrize("n", [3, 9, 17])
def test_charpoly_cayley_hamilton_over_fr(n):
    a = [[rng.randrange(R) for _ in range(n)] for _ in range(n)]
    f = charpoly(a, R)
    acc = [[0] * n for _ in range(n)]
    for k, c in enumerate(f):
        acc = [[(x + c * y) % R for x, y in zip(r1, r2)] for r1, r2 in zip(acc, mat_pow(a, k, R))]
    assert acc == [[0] * n for _ in range(n)]


def test_roots_finds_exactly_the_rational_roots():
    nonresidue = 5  # not a square mod r (ffjavascript's Fr.nqr)
    f = [1]
    for r in (3, 3, R - 1, 12345678901234567890):  # a repeated root too
        f = poly_mulmod(f, [-r % R, 1], [0] * 10 + [1], R)  # plain product (degree < 10)
    f = poly_mulmod(f, [-nonresidue % R, 0, 1], [0] * 10 + [1], R)  # x^2 - 5: no roots
    assert roots(f, R) == sorted({3, R - 1, 12345678901234567890})
    assert roots([7], R) == [] and roots([0, 1], R) == [0]


@pytest.mark.parametrize("d", [1, 2, 5, 17])
def test_x_powmod_matches_repeated_multiplication(d):
    m = [rng.randrange(R) for _ in range(d)] + [rng.randrange(1, R)]
    acc = [1]
    for e in range(3 * d + 2):
        assert x_powmod(e, m, R) == poly_divmod(acc, m, R)[1]
        acc = poly_mulmod(acc, [0, 1], m, R)
    e = rng.randrange(R)
    assert x_powmod(2 * e, m, R) == poly_mulmod(x_powmod(e, m, R), x_powmod(e, m, R), m, R)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.randoms(use_true_random=False))
def test_right_kernel_and_span(n_rows, n_cols, r):
    rows = [[r.choice([0, 0, 1, r.randrange(SMALL)]) for _ in range(n_cols)]
            for _ in range(n_rows)]
    kernel = right_kernel(rows, n_cols, SMALL)
    assert all(not any(mat_vec(rows, v, SMALL)) for v in kernel)
    rank = Span(n_cols, SMALL, rows).dim
    assert len(kernel) == n_cols - rank and Span(n_cols, SMALL, kernel).dim == len(kernel)


def test_span_membership_and_equality():
    s = Span(3, SMALL, [[1, 2, 3], [2, 4, 6]])
    assert s.dim == 1 and s.contains([3, 6, 9]) and not s.contains([1, 0, 0])
    assert not s.add([5, 10, 15]) and s.add([0, 1, 0]) and s.dim == 2
    assert s.equals(Span(3, SMALL, [[1, 0, 3], [0, 1, 0]]))
    assert not s.equals(Span(3, SMALL, [[1, 0, 0], [0, 1, 0]]))


def test_mat_inv():
    a = [[rng.randrange(R) for _ in range(5)] for _ in range(5)]
    assert mat_mul(a, mat_inv(a, R), R) == identity(5)
    with pytest.raises(ValueError, match="singular"):
        mat_inv([[1, 2], [2, 4]], R)
