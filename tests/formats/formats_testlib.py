"""Shared helpers for the format tests: py_ecc reference points, snarkjs runner, test data paths."""

from __future__ import annotations

import functools
from pathlib import Path

from support.snarkjs import PTAU, SNARKJS, requires_snarkjs  # noqa: F401
from support.snarkjs import snarkjs as _run
from py_ecc.optimized_bls12_381 import G1, G2, Z1, Z2, curve_order, is_on_curve, multiply, normalize
from py_ecc.bls.point_compression import modular_squareroot_in_FQ2
from py_ecc.fields import optimized_bls12_381_FQ2 as FQ2
from py_ecc.optimized_bls12_381 import b2

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def snarkjs(*args: str | Path, cwd: Path | None = None) -> str:
    """Run snarkjs (tests/support/snarkjs.py); return stdout."""
    return _run(*args, cwd=cwd).stdout


def g1_ref(k: int):
    """[k] G1 as Python ints via py_ecc (None at infinity)."""
    pt = multiply(G1, k % curve_order)
    if pt == Z1:
        return None
    x, y = normalize(pt)
    return int(x.n), int(y.n)


def g2_ref(k: int):
    pt = multiply(G2, k % curve_order)
    if pt == Z2:
        return None
    x, y = normalize(pt)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


# (0, 2) is on y^2 = x^3 + 4 and has order 3: on the curve, outside the r-order subgroup.
G1_ORDER3 = (0, 2)


@functools.cache
def g2_non_subgroup():
    """A point of E'(Fp2) outside G2: smallest x = (k, 1) with a square x^3 + b, checked with py_ecc
    (on the curve, and r * point != infinity)."""
    for k in range(1, 1000):
        x = FQ2([k, 1])
        y = modular_squareroot_in_FQ2(x ** 3 + b2)
        if y is None:
            continue
        pt = (x, y, FQ2.one())
        assert is_on_curve(pt, b2)
        assert multiply(pt, curve_order) != Z2
        return (k, 1), (int(y.coeffs[0]), int(y.coeffs[1]))
    raise AssertionError("no point found")
