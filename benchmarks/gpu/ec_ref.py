"""BLS12-381 G1/G2 affine arithmetic in plain Python ints: base points and MSM answers for run_all.

Why here: the GPU image has neither py_ecc nor (necessarily) a working Numba, and run_all must
still make its MSM inputs and check the results. Points are made as known multiples of one base,
P_i = m_i B, so an MSM's answer is (sum k_i m_i) B: one scalar multiplication, at any size.
Affine formulas with one inversion per step: slow (tens of microseconds) but only used for a few
thousand steps. Infinity is None; Fp2 elements are (c0, c1) with u^2 = -1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kernels.constants import FP_LIMBS, G1_X, G1_Y, G2_X, G2_Y, P, R
from kernels.limbs import ints_to_limbs, limbs_to_ints

MONT = (1 << 384) % P
MONT_INV = pow(MONT, -1, P)


class Fp:
    zero, one = 0, 1

    @staticmethod
    def add(a, b):
        return (a + b) % P

    @staticmethod
    def sub(a, b):
        return (a - b) % P

    @staticmethod
    def mul(a, b):
        return a * b % P

    @staticmethod
    def inv(a):
        return pow(a, -1, P)


class Fp2:
    zero, one = (0, 0), (1, 0)

    @staticmethod
    def add(a, b):
        return (a[0] + b[0]) % P, (a[1] + b[1]) % P

    @staticmethod
    def sub(a, b):
        return (a[0] - b[0]) % P, (a[1] - b[1]) % P

    @staticmethod
    def mul(a, b):
        return (a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P

    @staticmethod
    def inv(a):
        t = pow(a[0] * a[0] + a[1] * a[1], -1, P)
        return a[0] * t % P, -a[1] * t % P


def add(p, q, f):
    """p + q for affine points over field f (None = infinity)."""
    if p is None:
        return q
    if q is None:
        return p
    (x1, y1), (x2, y2) = p, q
    if x1 == x2:
        if f.add(y1, y2) == f.zero:
            return None
        x_sq = f.mul(x1, x1)
        lam = f.mul(f.add(f.add(x_sq, x_sq), x_sq), f.inv(f.add(y1, y1)))
    else:
        lam = f.mul(f.sub(y2, y1), f.inv(f.sub(x2, x1)))
    x3 = f.sub(f.sub(f.mul(lam, lam), x1), x2)
    return x3, f.sub(f.mul(lam, f.sub(x1, x3)), y1)


def neg(p, f):
    return None if p is None else (p[0], f.sub(f.zero, p[1]))


def mul(p, k: int, f):
    """[k] p by double-and-add (k reduced mod r; p in the order-r subgroup)."""
    k %= R
    acc = None
    for bit in bin(k)[2:] if k else "":
        acc = add(acc, acc, f)
        if bit == "1":
            acc = add(acc, p, f)
    return acc


G1 = ((G1_X, G1_Y), Fp)
G2 = ((G2_X, G2_Y), Fp2)


def multiples(base, count: int, f) -> list:
    """[B, 2B, ..., count B] by repeated addition (one inversion each)."""
    out, acc = [], None
    for _ in range(count):
        acc = add(acc, base, f)
        out.append(acc)
    return out


def _coords(p, f) -> list[int]:
    if p is None:
        return [0] * (2 if f is Fp else 4)
    return list(p) if f is Fp else [*p[0], *p[1]]


def to_limbs(points: Sequence, f) -> np.ndarray:
    """(m, 2, 6) G1 or (m, 2, 2, 6) G2 affine Montgomery limbs; infinity all zeros (kernels.limbs)."""
    ints = [x * MONT % P for p in points for x in _coords(p, f)]
    arr = ints_to_limbs(ints, FP_LIMBS)
    return arr.reshape(len(points), 2, FP_LIMBS) if f is Fp else arr.reshape(len(points), 2, 2, FP_LIMBS)


def from_limbs(arr: np.ndarray, f):
    """One affine Montgomery point (2, 6) or (2, 2, 6) back to ints (None for all zeros)."""
    ints = [x * MONT_INV % P for x in limbs_to_ints(np.asarray(arr))]
    if not any(ints):
        return None
    return (ints[0], ints[1]) if f is Fp else ((ints[0], ints[1]), (ints[2], ints[3]))
