"""curve.cuh (G1 over Fp, G2 over Fp2) compiled for the host, against py_ecc and the CPU backend.

Points cross the boundary in the CPU backend's layouts (kernels/cpu/points.py): affine arrays are
compared byte for byte with points built from py_ecc by the CPU side. XYZZ inputs are made in
Python with random Z (X = x Z^2, Y = y Z^3, ZZ = Z^2, ZZZ = Z^3), so the general formulas see
arbitrary representations, not only Z = 1.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

import numpy as np
import py_ecc.optimized_bls12_381 as ref
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.constants import FP_LIMBS, FR_CUBE_ROOT, P
from kernels.cpu import points
from kernels.limbs import ints_to_limbs
from support.cuda_host import call, host_library
from support.gpu import requires_gpu

RP = (1 << 384) % P


@dataclass(frozen=True)
class Group:
    name: str  # "g1" / "g2": the prefix of the host library functions
    gen: tuple
    inf: tuple
    field: Callable  # py_ecc field class (FQ or FQ2)
    coord: tuple  # trailing shape of one coordinate: (6,) or (2, 6)
    from_py_ecc: Callable
    to_py_ecc: Callable

    def coeffs(self, v) -> list[int]:
        return [v.n] if self.field is ref.FQ else [c.n if hasattr(c, "n") else int(c) for c in v.coeffs]

    def affine(self, pts: list) -> np.ndarray:
        return self.from_py_ecc(pts)

    def xyzz(self, pts: list, seed: int) -> np.ndarray:
        """XYZZ array of py_ecc points with a random non-zero Z each (infinity: all zeros)."""
        rng = random.Random(seed)
        coords: list[int] = []
        for pt in pts:
            if ref.is_inf(pt):
                coords += [0] * (4 * len(self.coeffs(self.field.one())))
                continue
            x, y = ref.normalize(pt)
            z = self.field([rng.randrange(1, P) for _ in self.coeffs(self.field.one())]
                           if self.field is ref.FQ2 else rng.randrange(1, P))
            zz = z * z
            for v in (x * zz, y * zz * z, zz, zz * z):
                coords += self.coeffs(v)
        mont = ints_to_limbs([c * RP % P for c in coords], FP_LIMBS)
        return mont.reshape(len(pts), 4, *self.coord)


G1 = Group("g1", ref.G1, ref.Z1, ref.FQ, (FP_LIMBS,), points.g1_from_py_ecc, points.g1_to_py_ecc)
G2 = Group("g2", ref.G2, ref.Z2, ref.FQ2, (2, FP_LIMBS), points.g2_from_py_ecc, points.g2_to_py_ecc)
GROUPS = pytest.mark.parametrize("g", [G1, G2], ids=["g1", "g2"])


@pytest.fixture(scope="module")
def lib():
    return host_library(["host_curve.cpp"], "curve")


def _pool(g: Group, n: int, seed: int) -> list:
    rng = random.Random(seed)
    return [ref.multiply(g.gen, rng.randrange(1, ref.curve_order)) for _ in range(n)]


POOLS = {"g1": _pool(G1, 6, 11), "g2": _pool(G2, 4, 12)}


def _out(g: Group, n: int, kind: str) -> np.ndarray:
    return np.empty((n, 4 if kind == "xyzz" else 2, *g.coord), dtype=np.uint64)


def _to_affine(lib, g: Group, xyzz: np.ndarray) -> np.ndarray:
    out = _out(g, len(xyzz), "affine")
    call(getattr(lib, f"h_{g.name}_to_affine"), xyzz, out, len(xyzz))
    return out


def _op(lib, g: Group, op: str, *args: np.ndarray) -> np.ndarray:
    out = _out(g, len(args[0]), "xyzz")
    call(getattr(lib, f"h_{g.name}_{op}"), *args, out, len(args[0]))
    return out


def _expect(g: Group, pts: list) -> bytes:
    return g.affine(pts).tobytes()


@GROUPS
def test_mixed_addition_all_cases(lib, g):
    a, b, c = POOLS[g.name][:3]
    # (XYZZ p, affine q): generic, p = q (doubling), p = -q, infinity on either side or both
    ps = [a, a, a, g.inf, a, g.inf, ref.double(b)]
    qs = [b, a, ref.neg(a), c, g.inf, g.inf, ref.neg(b)]
    got = _to_affine(lib, g, _op(lib, g, "add_affine", g.xyzz(ps, seed=1), g.affine(qs)))
    assert got.tobytes() == _expect(g, [ref.add(p, q) for p, q in zip(ps, qs)])


@GROUPS
def test_general_addition_all_cases(lib, g):
    a, b, c, d = POOLS[g.name][:4]
    ps = [a, a, a, g.inf, c, g.inf, d]
    qs = [b, a, ref.neg(a), c, g.inf, g.inf, ref.double(d)]
    # different random Z on each side, so p = q is detected across representations
    got = _to_affine(lib, g, _op(lib, g, "add", g.xyzz(ps, seed=2), g.xyzz(qs, seed=3)))
    assert got.tobytes() == _expect(g, [ref.add(p, q) for p, q in zip(ps, qs)])


@GROUPS
def test_double_negate_and_convert(lib, g):
    pts = [*POOLS[g.name], g.inf]
    xyzz = g.xyzz(pts, seed=4)
    assert _to_affine(lib, g, _op(lib, g, "dbl", xyzz)).tobytes() == _expect(g, [ref.double(p) for p in pts])
    assert _to_affine(lib, g, _op(lib, g, "neg", xyzz)).tobytes() == _expect(g, [ref.neg(p) for p in pts])
    assert _to_affine(lib, g, xyzz).tobytes() == _expect(g, pts)

    aff = g.affine(pts)
    neg = np.empty_like(aff)
    call(getattr(lib, f"h_{g.name}_affine_neg"), aff, neg, len(pts))
    assert neg.tobytes() == _expect(g, [ref.neg(p) for p in pts])
    back = _to_affine(lib, g, _op(lib, g, "from_affine", aff))
    assert back.tobytes() == aff.tobytes()


@GROUPS
def test_infinity_is_all_zeros_and_stays_infinite(lib, g):
    inf = _out(g, 1, "xyzz")
    call(getattr(lib, f"h_{g.name}_infinity"), inf)
    assert not inf.any()
    assert not _op(lib, g, "dbl", inf)[0, 2:].any()  # zz = zzz = 0
    assert not _to_affine(lib, g, inf).any()


@GROUPS
def test_results_equal_the_cpu_backend(lib, g):
    pts = POOLS[g.name]
    cpu_add = points.g1_add if g is G1 else points.g2_add
    aff = g.affine(pts)
    got = _to_affine(lib, g, _op(lib, g, "add_affine", _op(lib, g, "from_affine", aff), aff[::-1].copy()))
    want = np.stack([cpu_add(p, q) for p, q in zip(aff, aff[::-1])])
    assert got.tobytes() == want.tobytes()


@GROUPS
def test_on_curve(lib, g):
    aff = g.affine([*POOLS[g.name], g.inf])
    bad = aff.copy()
    bad[:-1, 1] = aff[1:, 1]  # y of another point: off the curve (infinity row left alone)
    flags = np.empty(len(aff), dtype=np.uint8)
    call(getattr(lib, f"h_{g.name}_on_curve"), aff, flags, len(aff))
    assert flags.all()
    call(getattr(lib, f"h_{g.name}_on_curve"), bad, flags, len(aff))
    assert flags.tolist() == [0] * (len(aff) - 1) + [1]


@GROUPS
def test_projective_equality(lib, g):
    a, b = POOLS[g.name][:2]
    ps, qs = [a, a, g.inf, g.inf, a], [a, b, g.inf, a, ref.neg(a)]
    flags = np.empty(len(ps), dtype=np.uint8)
    call(getattr(lib, f"h_{g.name}_eq"), g.xyzz(ps, seed=5), g.xyzz(qs, seed=6), flags, len(ps))
    assert flags.tolist() == [1, 0, 1, 0, 0]


def test_g1_endomorphism_is_multiplication_by_lambda(lib):
    pts = POOLS["g1"]
    out = np.empty((len(pts), 2, FP_LIMBS), dtype=np.uint64)
    call(lib.h_g1_endo, G1.affine(pts), out, len(pts))
    assert out.tobytes() == _expect(G1, [ref.multiply(p, FR_CUBE_ROOT) for p in pts])


# --- group laws on random picks (index -1 is infinity) -----------------------------------------

def _picks(g: Group, idx: list[int]) -> list:
    pool = POOLS[g.name]
    return [g.inf if i < 0 else pool[i] for i in idx]


triples = st.tuples(*[st.integers(-1, 3)] * 3)


@GROUPS
@settings(max_examples=15, deadline=None)
@given(idx=triples, seed=st.integers(0, 2**32))
def test_addition_is_commutative_associative_and_mixed_agrees(lib, g, idx, seed):
    pa, pb, pc = _picks(g, list(idx))
    a, b, c = (g.xyzz([p], seed=seed + k) for k, p in enumerate((pa, pb, pc)))
    ab, ba = _op(lib, g, "add", a, b), _op(lib, g, "add", b, a)
    assert _to_affine(lib, g, ab).tobytes() == _to_affine(lib, g, ba).tobytes() == _expect(g, [ref.add(pa, pb)])
    left = _op(lib, g, "add", ab, c)
    right = _op(lib, g, "add", a, _op(lib, g, "add", b, c))
    assert _to_affine(lib, g, left).tobytes() == _to_affine(lib, g, right).tobytes()
    mixed = _op(lib, g, "add_affine", a, g.affine([pb]))
    assert _to_affine(lib, g, mixed).tobytes() == _to_affine(lib, g, ab).tobytes()


# --- the PTX path on a device: curve_ops.cu must give the host model's bytes -------------------

@pytest.mark.gpu
@requires_gpu
@GROUPS
def test_device_kernels_equal_the_host_model(lib, g):
    from kernels.cuda import module

    cp = module.cupy()
    pool = POOLS[g.name]
    ps = [*pool, pool[0], pool[1], g.inf, g.inf]
    qs = [*pool[::-1], pool[0], ref.neg(pool[1]), pool[2], g.inf]
    a, b, n = g.affine(ps), g.affine(qs), len(ps)
    fn = module.function("curve_ops.cu", f"{g.name}_affine_add_batch")
    out = cp.empty_like(cp.asarray(a))
    fn(module.grid(n), (module.BLOCK,), (cp.asarray(a), cp.asarray(b), out, np.uint64(n)))
    assert cp.asnumpy(out).tobytes() == _expect(g, [ref.add(p, q) for p, q in zip(ps, qs)])

    xyzz = g.xyzz(ps, seed=7)
    fn = module.function("curve_ops.cu", f"{g.name}_xyzz_to_affine_batch")
    fn(module.grid(n), (module.BLOCK,), (cp.asarray(xyzz), out, np.uint64(n)))
    assert cp.asnumpy(out).tobytes() == _to_affine(lib, g, xyzz).tobytes()
