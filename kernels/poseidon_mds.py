"""Poseidon's MDS matrix: a Cauchy matrix from the Grain stream, kept only if it passes the checks.

Follows the reference `generate_parameters_grain.sage` (hadeshash) step for step, because the
matrix must come out identical: draw 2t field elements (n-bit integers reduced mod p, no
rejection), redraw all of them while any two coincide, set M[i][j] = 1 / (x_i + y_j) and redraw
if some x_i + y_j = 0; then keep M only if it passes the reference's three tests against
infinitely long invariant subspace trails (Grassi, Rechberger, Schofnegger 2020), else draw again
from the same stream. With s = 1 S-box per partial round the tests are:

1. for i = 1 .. t-1: M^i is not a multiple of I; no nonzero vector of the subspace S_i (the
   inputs whose first coordinate stays 0 through i-1 partial rounds) is an eigenvector of M^i
   with eigenvalue in GF(p); and S_i is not mapped onto itself by M^j, j = 1 .. i;
2. e_0 is a cyclic vector of M (its orbit spans GF(p)^t): no proper invariant subspace holds it;
3. test 2 holds for every power M^r, r = 2 .. 4t.
"""

from __future__ import annotations

from collections.abc import Callable

from kernels.modp_linalg import Matrix, Span, charpoly, identity, mat_mul, mat_vec, right_kernel, \
    roots


def cauchy_candidate(draw: Callable[[], int], t: int, p: int) -> Matrix | None:
    """One draw of the reference's create_mds_p loop body; None when x_i + y_j = 0 somewhere."""
    while True:
        values = [draw() % p for _ in range(2 * t)]
        if len(set(values)) == len(values):
            break
    xs, ys = values[:t], values[t:]
    if any((x + y) % p == 0 for x in xs for y in ys):
        return None
    return [[pow(x + y, -1, p) for y in ys] for x in xs]


def generate_mds(draw: Callable[[], int], t: int, p: int) -> Matrix:
    """The first Cauchy candidate from `draw` (n-bit integers) that passes all three tests."""
    while True:
        m = cauchy_candidate(draw, t, p)
        if m is not None and is_secure(m, p):
            return m


def is_secure(m: Matrix, p: int) -> bool:
    return passes_test_1(m, p) and passes_test_2(m, p) and passes_test_3(m, p)


def _trail_subspace(powers: list[Matrix], i: int, t: int, p: int) -> Span:
    """S_i: vectors with v_0 = 0 and (M^k v)_0 = 0 for k = 1 .. i-1."""
    if i == 1:
        return Span(t, p, identity(t)[1:])
    rows = [powers[k][0][1:] for k in range(1, i)]
    return Span(t, p, ([0, *v] for v in right_kernel(rows, t - 1, p)))


def passes_test_1(m: Matrix, p: int) -> bool:
    t = len(m)
    powers = [identity(t)]
    for _ in range(1, t):
        powers.append(mat_mul(powers[-1], m, p))
    for i in range(1, t):
        mi = powers[i]
        if mi == [[mi[0][0] * int(r == c) for c in range(t)] for r in range(t)]:
            return False
        s = _trail_subspace(powers, i, t, p)
        basis = s.basis()
        for lam in roots(charpoly(mi, p), p):
            shifted = [[(x - lam * int(r == c)) % p for c, x in enumerate(row)]
                       for r, row in enumerate(mi)]
            # (M^i - lam I) B c = 0 with B's columns a basis of S_i: a nonzero c is an eigenvector
            images = [mat_vec(shifted, b, p) for b in basis]
            transposed = [list(col) for col in zip(*images)]
            if right_kernel(transposed, len(basis), p):
                return False
        for j in range(1, i + 1):
            if s.equals(Span(t, p, (mat_vec(powers[j], b, p) for b in basis))):
                return False
    return True


def passes_test_2(m: Matrix, p: int) -> bool:
    t = len(m)
    v = identity(t)[0]
    orbit = Span(t, p, [v])
    while orbit.dim < t:
        v = mat_vec(m, v, p)
        if not orbit.add(v):
            return False
    return True


def passes_test_3(m: Matrix, p: int) -> bool:
    t = len(m)
    power = m
    for _ in range(2, 4 * t + 1):
        power = mat_mul(power, m, p)
        if not passes_test_2(power, p):
            return False
    return True
