"""Fp2 kernels against py_ecc's FQ2 (the same tower: u^2 = -1) and the field laws."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from py_ecc.optimized_bls12_381 import FQ2

from kernels.constants import P
from kernels.cpu import fp2
from kernels.limbs import ints_to_limbs, limbs_to_ints

R_MONT = (1 << 384) % P
R_INV = pow(R_MONT, -1, P)

elements = st.tuples(st.integers(0, P - 1), st.integers(0, P - 1))
nonzero = elements.filter(lambda e: e != (0, 0))


def to_array(values):
    flat = [c * R_MONT % P for v in values for c in v]
    return ints_to_limbs(flat, 6).reshape(len(values), 2, 6)


def from_array(arr):
    flat = [v * R_INV % P for v in limbs_to_ints(arr)]
    return [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]


@njit
def _binary(op, a, b):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        x, y = fp2.load(a, i), fp2.load(b, i)
        if op == 0:
            r = fp2.add(x, y)
        elif op == 1:
            r = fp2.sub(x, y)
        else:
            r = fp2.mul(x, y)
        fp2.store(out, i, r)
    return out


@njit
def _unary(op, a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        x = fp2.load(a, i)
        if op == 0:
            r = fp2.neg(x)
        elif op == 1:
            r = fp2.sqr(x)
        elif op == 2:
            r = fp2.inv(x)
        elif op == 3:
            r = fp2.dbl(x)
        elif op == 4:
            r = fp2.conj(x)
        else:
            r = fp2.mul_by_xi(x)
        fp2.store(out, i, r)
    return out


def binary(op, a, b):
    return from_array(_binary(op, to_array([a]), to_array([b])))[0]


def unary(op, a):
    return from_array(_unary(op, to_array([a])))[0]


def ref(v):
    return FQ2(list(v))


def coeffs(x):
    return tuple(int(c) for c in x.coeffs)


@settings(max_examples=40, deadline=None)
@given(elements, elements)
def test_add_sub_mul_match_py_ecc(a, b):
    assert binary(0, a, b) == coeffs(ref(a) + ref(b))
    assert binary(1, a, b) == coeffs(ref(a) - ref(b))
    assert binary(2, a, b) == coeffs(ref(a) * ref(b))


@settings(max_examples=40, deadline=None)
@given(elements)
def test_unary_ops_match_py_ecc(a):
    assert unary(0, a) == coeffs(-ref(a))
    assert unary(1, a) == coeffs(ref(a) * ref(a))
    assert unary(3, a) == coeffs(ref(a) + ref(a))
    assert unary(4, a) == (a[0], (-a[1]) % P)
    assert unary(5, a) == coeffs(ref(a) * FQ2([1, 1]))


@settings(max_examples=25, deadline=None)
@given(nonzero)
def test_inverse(a):
    inv = unary(2, a)
    assert inv == coeffs(FQ2.one() / ref(a))
    assert binary(2, a, inv) == (1, 0)


def test_inverse_of_zero_is_zero():
    assert unary(2, (0, 0)) == (0, 0)


@settings(max_examples=25, deadline=None)
@given(elements, elements, elements)
def test_ring_laws(a, b, c):
    ab = binary(2, a, b)
    assert ab == binary(2, b, a)
    assert binary(2, ab, c) == binary(2, a, binary(2, b, c))
    assert binary(2, a, binary(0, b, c)) == binary(0, ab, binary(2, a, c))
    assert binary(0, a, unary(0, a)) == (0, 0)


def test_u_squared_is_minus_one():
    assert unary(1, (0, 1)) == (P - 1, 0)


def test_edge_values():
    for a in [(0, 0), (1, 0), (0, 1), (P - 1, P - 1), (P - 1, 0)]:
        for b in [(0, 0), (1, 0), (P - 1, 1), (P - 1, P - 1)]:
            assert binary(2, a, b) == coeffs(ref(a) * ref(b))
            assert binary(1, a, b) == coeffs(ref(a) - ref(b))
        assert unary(1, a) == coeffs(ref(a) * ref(a))
