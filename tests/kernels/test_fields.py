"""Property tests of the generated Montgomery fields (kernels.cpu.fp, kernels.cpu.fr) against
Python big-int arithmetic mod p and mod r.

The njit field functions are called straight from Python on tuples of np.uint64 (that is the
UniTuple(uint64, n) type they are compiled for). Elements are drawn uniformly, plus edge values
that stress carries and the final conditional subtraction: 0, 1, q-1, q-2, (q-1)/2, (q+1)/2,
2^64-1 and 2^64 patterns, single all-ones limbs and Montgomery R mod q itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.constants import P, R
from kernels.cpu import fp, fr

FIELDS = {"fp": (fp, P), "fr": (fr, R)}
MAX_EXAMPLES = 40
common = settings(max_examples=MAX_EXAMPLES, deadline=None)


def edge_values(q: int, n: int) -> list[int]:
    m64 = (1 << 64) - 1
    vals = [0, 1, 2, q - 1, q - 2, (q - 1) // 2, (q + 1) // 2, m64, 1 << 64, (1 << (64 * n)) % q]
    vals += [m64 << (64 * i) for i in range(n)]  # one all-ones limb
    vals += [(1 << (64 * i)) - 1 for i in range(1, n + 1)]  # low limbs all ones
    return sorted({v % q for v in vals})


def elements(q: int, n: int):
    return st.one_of(st.integers(0, q - 1), st.sampled_from(edge_values(q, n)))


def as_tuple(x: int, n: int) -> tuple:
    return tuple(np.uint64((x >> (64 * i)) & ((1 << 64) - 1)) for i in range(n))


def as_int(t) -> int:
    return sum(int(limb) << (64 * i) for i, limb in enumerate(t))


class Ops:
    """A field's njit functions, with results re-typed as np.uint64 tuples (Numba boxes uint64
    as Python int, which would come back in as int64 and overflow) so they can be fed back."""

    def __init__(self, field):
        self._field = field

    def __getattr__(self, name):
        attr = getattr(self._field, name)
        if not callable(attr):
            return attr

        def call(*args):
            out = attr(*args)
            return tuple(np.uint64(v) for v in out) if isinstance(out, tuple) else out

        return call


class Codec:
    """Python-int view of one field's Montgomery tuples: mont(x) = x R mod q."""

    def __init__(self, field, q):
        self.f, self.q, self.n = Ops(field), q, field.N
        self.radix = 1 << (64 * self.n)
        self.radix_inv = pow(self.radix, -1, q)

    def enc(self, x: int) -> tuple:
        return as_tuple(x * self.radix % self.q, self.n)

    def dec(self, t) -> int:
        v = as_int(t)
        assert 0 <= v < self.q, "field function returned a non-canonical value"
        return v * self.radix_inv % self.q


@pytest.fixture(params=sorted(FIELDS))
def field(request):
    return Codec(*FIELDS[request.param])


@st.composite
def field_triples(draw):
    """(codec, x, y, z) for either field."""
    f, q = FIELDS[draw(st.sampled_from(sorted(FIELDS)))]
    e = elements(q, f.N)
    return Codec(f, q), draw(e), draw(e), draw(e)


@common
@given(field_triples())
def test_mul_add_sub_match_big_ints(args):
    c, x, y, _ = args
    q, f = c.q, c.f
    assert c.dec(f.mul(c.enc(x), c.enc(y))) == x * y % q
    assert c.dec(f.add(c.enc(x), c.enc(y))) == (x + y) % q
    assert c.dec(f.sub(c.enc(x), c.enc(y))) == (x - y) % q
    assert c.dec(f.neg(c.enc(x))) == -x % q
    assert c.dec(f.dbl(c.enc(x))) == 2 * x % q
    assert c.dec(f.sqr(c.enc(x))) == x * x % q


@common
@given(field_triples())
def test_ring_laws(args):
    c, x, y, z = args
    f = c.f
    a, b, d = c.enc(x), c.enc(y), c.enc(z)
    assert f.mul(a, b) == f.mul(b, a)
    assert f.add(a, b) == f.add(b, a)
    assert f.mul(f.mul(a, b), d) == f.mul(a, f.mul(b, d))
    assert f.add(f.add(a, b), d) == f.add(a, f.add(b, d))
    assert f.mul(a, f.add(b, d)) == f.add(f.mul(a, b), f.mul(a, d))
    assert f.sub(f.add(a, b), b) == a
    assert f.add(a, f.neg(a)) == f.ZERO
    assert f.mul(a, f.ONE) == a
    assert c.dec(f.mul(f.mul(a, b), d)) == x * y * z % c.q


@settings(max_examples=25, deadline=None)
@given(field_triples())
def test_inverse(args):
    c, x, _, _ = args
    f = c.f
    inv = f.inv(c.enc(x))
    if x == 0:
        assert inv == f.ZERO  # documented: zero maps to zero
    else:
        assert c.dec(inv) == pow(x, -1, c.q)
        assert f.mul(inv, c.enc(x)) == f.ONE


@common
@given(field_triples())
def test_montgomery_round_trip(args):
    c, x, _, _ = args
    f = c.f
    mont = f.to_mont(as_tuple(x, c.n))
    assert as_int(mont) == x * c.radix % c.q
    assert as_int(f.from_mont(mont)) == x


@common
@given(field_triples())
def test_predicates(args):
    c, x, y, _ = args
    f = c.f
    assert bool(f.is_zero(c.enc(x))) == (x == 0)
    assert bool(f.eq(c.enc(x), c.enc(y))) == (x == y)
    assert bool(f.eq(c.enc(x), c.enc(x)))


def test_constants(field):
    f, q = field.f, field.q
    assert as_int(f.MODULUS) == q
    assert as_int(f.ONE) == field.radix % q
    assert as_int(f.R2) == field.radix**2 % q
    assert as_int(f.ZERO) == 0


def test_edge_products(field):
    """Every pair of edge values, exhaustively (the carry paths hypothesis may miss)."""
    f, q = field.f, field.q
    edges = edge_values(q, field.n)
    for x in edges:
        for y in edges:
            assert field.dec(f.mul(field.enc(x), field.enc(y))) == x * y % q
            assert field.dec(f.add(field.enc(x), field.enc(y))) == (x + y) % q
            assert field.dec(f.sub(field.enc(x), field.enc(y))) == (x - y) % q


def test_load_store_round_trip(field):
    f, n = field.f, field.n
    arr = np.zeros((3, n), dtype=np.uint64)
    t = field.enc(field.q - 1)
    f.store(arr, 1, t)
    assert f.load(arr, 1) == t
    assert not arr[0].any() and not arr[2].any()
