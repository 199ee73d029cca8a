"""CUDA field headers (fp.cuh, fr.cuh, fp2.cuh) compiled for the host, against Python ints and the CPU backend.

Buffers are built with kernels.limbs (the uint64 arrays every backend uses) and handed to the C
code as they are, so every test also checks that fp_t / fr_t share that byte layout.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from kernels.constants import FP_LIMBS, FR_LIMBS, P, R
from kernels.cuda import gen_constants
from kernels.limbs import ints_to_limbs, limbs_to_ints
from support.cuda_host import HostBuildError, build, call, host_library
from support.gpu import requires_gpu

RP = (1 << 384) % P  # Montgomery radix of Fp mod p
RR = (1 << 256) % R


def _edges(q: int, bits: int) -> list[int]:
    """Reduced values where carry chains and the final subtraction are most likely to go wrong."""
    r = (1 << bits) % q
    vals = [0, 1, 2, q - 1, q - 2, (q - 1) // 2, (q + 1) // 2, r, q - r, pow(r, -1, q),
            r * r % q, (1 << 32) - 1, 1 << 32, (1 << 64) - 1, 1 << (q.bit_length() - 1),
            (1 << (q.bit_length() - 1)) - 1, q - (1 << 32)]
    # all-ones limbs below the top one: maximal carries through the low part
    vals += [(q >> (32 * k) << (32 * k)) - 1 for k in range(1, bits // 32)]
    return sorted({v % q for v in vals})


def _random(q: int, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(q) for _ in range(n)]


class _Field:
    def __init__(self, prefix: str, q: int, limbs64: int, radix: int) -> None:
        self.prefix, self.q, self.limbs64, self.radix = prefix, q, limbs64, radix
        self.rinv = pow(radix, -1, q)
        self.edges = _edges(q, 64 * limbs64)

    def arr(self, values: list[int]) -> np.ndarray:
        return ints_to_limbs(values, self.limbs64)

    def pairs(self, seed: int) -> tuple[list[int], list[int]]:
        """Every pair of edge values, plus random pairs."""
        a = [x for x in self.edges for _ in self.edges] + _random(self.q, 300, seed)
        b = [y for _ in self.edges for y in self.edges] + _random(self.q, 300, seed + 1)
        return a, b


FP = _Field("fp", P, FP_LIMBS, RP)
FR = _Field("fr", R, FR_LIMBS, RR)


@pytest.fixture(scope="module")
def lib():
    return host_library(["host_arith.cpp"], "arith")


def _binary(lib, field: _Field, op: str, a: list[int], b: list[int]) -> list[int]:
    out = np.empty((len(a), field.limbs64), dtype=np.uint64)
    call(getattr(lib, f"h_{field.prefix}_{op}"), field.arr(a), field.arr(b), out, len(a))
    return limbs_to_ints(out)


def _unary(lib, field: _Field, op: str, a: list[int]) -> list[int]:
    out = np.empty((len(a), field.limbs64), dtype=np.uint64)
    call(getattr(lib, f"h_{field.prefix}_{op}"), field.arr(a), out, len(a))
    return limbs_to_ints(out)


def test_constants_header_is_current():
    assert gen_constants.HEADER.read_text() == gen_constants.header_source(), (
        "regenerate with `python -m kernels.cuda.gen_constants`")


def test_host_build_reports_missing_and_broken_sources(tmp_path):
    with pytest.raises(HostBuildError, match="not found"):
        build([tmp_path / "absent.cpp"], "absent")
    bad = tmp_path / "bad.cpp"
    bad.write_text('#include "fp.cuh"\nextern "C" void f(fp_t *o) { *o = fp_mul(*o); }\n')
    with pytest.raises(HostBuildError, match="bad.cpp"):
        build([bad], "bad")


def test_moduli_leave_the_headroom_the_headers_assume():
    # mont.cuh: 2q < 2^(32N) (no carry out of a sum, N + 1 limb CIOS accumulator), q odd
    for q, words in ((P, 12), (R, 8)):
        assert q % 2 == 1 and 2 * q < 1 << (32 * words)


@pytest.mark.parametrize("field", [FP, FR], ids=["fp", "fr"])
def test_add_sub_mul_match_python_ints(lib, field):
    a, b = field.pairs(seed=1 if field is FP else 2)
    q, rinv = field.q, field.rinv
    assert _binary(lib, field, "add", a, b) == [(x + y) % q for x, y in zip(a, b)]
    assert _binary(lib, field, "sub", a, b) == [(x - y) % q for x, y in zip(a, b)]
    assert _binary(lib, field, "mul", a, b) == [x * y * rinv % q for x, y in zip(a, b)]


@pytest.mark.parametrize("field", [FP, FR], ids=["fp", "fr"])
def test_unary_ops_match_python_ints(lib, field):
    a = field.edges + _random(field.q, 200, seed=3)
    q, rinv = field.q, field.rinv
    assert _unary(lib, field, "neg", a) == [-x % q for x in a]
    assert _unary(lib, field, "dbl", a) == [2 * x % q for x in a]
    assert _unary(lib, field, "sqr", a) == [x * x * rinv % q for x in a]
    assert _unary(lib, field, "to_mont", a) == [x * field.radix % q for x in a]
    assert _unary(lib, field, "from_mont", a) == [x * rinv % q for x in a]


@pytest.mark.parametrize("field", [FP, FR], ids=["fp", "fr"])
def test_inverse_is_fermat_with_zero_to_zero(lib, field):
    a = field.edges[:8] + _random(field.q, 12, seed=4)
    q, r = field.q, field.radix
    # Montgomery in, Montgomery out: (x R)^-1 R^2 = x^-1 R
    assert _unary(lib, field, "inv", a) == [pow(x, -1, q) * r * r % q if x else 0 for x in a]


@pytest.mark.parametrize("field", [FP, FR], ids=["fp", "fr"])
def test_constants_predicates_and_equality(lib, field):
    one = np.empty(field.limbs64, dtype=np.uint64)
    call(getattr(lib, f"h_{field.prefix}_one"), one)
    assert limbs_to_ints(one) == [field.radix]
    zero = np.ones(field.limbs64, dtype=np.uint64)
    call(getattr(lib, f"h_{field.prefix}_zero"), zero)
    assert limbs_to_ints(zero) == [0]

    a = [0, 1, field.q - 1, 1 << 200, 0]
    b = [0, 1, field.q - 1, 1 << 199, 1 << 200]
    flags = np.empty(len(a), dtype=np.uint8)
    call(getattr(lib, f"h_{field.prefix}_is_zero"), field.arr(a), flags, len(a))
    assert flags.tolist() == [1, 0, 0, 0, 1]
    call(getattr(lib, f"h_{field.prefix}_eq"), field.arr(a), field.arr(b), flags, len(a))
    assert flags.tolist() == [1, 1, 1, 0, 0]


def test_fr_pow5(lib):
    a = FR.edges + _random(R, 100, seed=5)
    # Montgomery: (x R)^5 / R^4 = x^5 R
    assert _unary(lib, FR, "pow5", a) == [pow(x, 5, R) * pow(RR, -4, R) % R for x in a]


def test_fr_mont_conversions_are_byte_identical_to_the_cpu_backend(lib):
    from kernels.cpu.backend import CpuBackend

    std = FR.arr(FR.edges + _random(R, 500, seed=6))
    mont = np.empty_like(std)
    call(lib.h_fr_to_mont, std, mont, len(std))
    assert mont.tobytes() == CpuBackend.fr_to_mont(std).tobytes()
    back = np.empty_like(std)
    call(lib.h_fr_from_mont, mont, back, len(std))
    assert back.tobytes() == CpuBackend.fr_from_mont(mont).tobytes() == std.tobytes()
    prod = np.empty_like(std)
    call(lib.h_fr_mul, mont, mont[::-1].copy(), prod, len(std))
    assert prod.tobytes() == CpuBackend.fr_mul(mont, mont[::-1].copy()).tobytes()


def test_fp_montgomery_layout_matches_the_cpu_point_arrays(lib):
    from kernels.cpu import points
    from kernels.constants import G1_X, G1_Y

    gen = points.g1_from_ints([(G1_X, G1_Y)])  # (1, 2, 6) Montgomery limbs from the CPU side
    std = FP.arr([G1_X, G1_Y])
    mont = np.empty_like(std)
    call(lib.h_fp_to_mont, std, mont, 2)
    assert mont.tobytes() == gen.tobytes()
    # 12 x 32-bit view of the same buffer is what the C struct sees
    assert mont.view(np.uint32).shape == (2, 12)


# --- Fp2 = Fp[u]/(u^2 + 1) ----------------------------------------------------------------------

Fp2 = tuple[int, int]


def _fp2_elements(seed: int) -> list[Fp2]:
    picks = FP.edges[::3]
    vals = [(x, y) for x in picks for y in picks]
    rng = random.Random(seed)
    return vals + [(rng.randrange(P), rng.randrange(P)) for _ in range(150)]


def _fp2_arr(values: list[Fp2]) -> np.ndarray:
    return ints_to_limbs([c for v in values for c in v], FP_LIMBS).reshape(len(values), 2, FP_LIMBS)


def _fp2_ints(arr: np.ndarray) -> list[Fp2]:
    flat = limbs_to_ints(arr)
    return list(zip(flat[0::2], flat[1::2]))


def _fp2_call(lib, op: str, *args: list[Fp2]) -> list[Fp2]:
    out = np.empty((len(args[0]), 2, FP_LIMBS), dtype=np.uint64)
    call(getattr(lib, f"h_fp2_{op}"), *map(_fp2_arr, args), out, len(args[0]))
    return _fp2_ints(out)


def _fp2_mont_mul(a: Fp2, b: Fp2) -> Fp2:
    """Product of two Montgomery-form Fp2 values, in Montgomery form."""
    c0 = (a[0] * b[0] - a[1] * b[1]) * FP.rinv % P
    c1 = (a[0] * b[1] + a[1] * b[0]) * FP.rinv % P
    return c0, c1


def test_fp2_ops_match_python_ints(lib):
    a = _fp2_elements(seed=7)
    b = a[::-1]
    assert _fp2_call(lib, "add", a, b) == [((x[0] + y[0]) % P, (x[1] + y[1]) % P) for x, y in zip(a, b)]
    assert _fp2_call(lib, "sub", a, b) == [((x[0] - y[0]) % P, (x[1] - y[1]) % P) for x, y in zip(a, b)]
    assert _fp2_call(lib, "mul", a, b) == [_fp2_mont_mul(x, y) for x, y in zip(a, b)]
    assert _fp2_call(lib, "sqr", a) == [_fp2_mont_mul(x, x) for x in a]
    assert _fp2_call(lib, "neg", a) == [(-x[0] % P, -x[1] % P) for x in a]
    assert _fp2_call(lib, "dbl", a) == [(2 * x[0] % P, 2 * x[1] % P) for x in a]


def test_fp2_inverse_and_predicates(lib):
    a = [(0, 0), (0, 1), (1, 0)] + _fp2_elements(seed=8)[-12:]
    inv = _fp2_call(lib, "inv", a)
    assert inv[0] == (0, 0)
    one = (RP, 0)  # Montgomery one
    for x, y in zip(a[1:], inv[1:]):
        assert _fp2_mont_mul(x, y) == one
    flags = np.empty(3, dtype=np.uint8)
    call(lib.h_fp2_is_zero, _fp2_arr([(0, 0), (0, 1), (1, 0)]), flags, 3)
    assert flags.tolist() == [1, 0, 0]
    call(lib.h_fp2_eq, _fp2_arr([(5, 6), (5, 6), (5, 6)]), _fp2_arr([(5, 6), (6, 5), (5, 7)]), flags, 3)
    assert flags.tolist() == [1, 0, 0]
    out = np.empty((1, 2, FP_LIMBS), dtype=np.uint64)
    call(lib.h_fp2_one, out)
    assert _fp2_ints(out) == [one]


# --- the PTX path on a device: the same inputs through field_ops.cu must give the host model's bytes

DEVICE_OPS = [("fr", "add", 2), ("fr", "sub", 2), ("fr", "mul", 2), ("fr", "to_mont", 1),
              ("fr", "from_mont", 1), ("fp", "mul", 2), ("fp", "to_mont", 1), ("fp", "from_mont", 1)]


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("prefix,op,arity", DEVICE_OPS, ids=[f"{p}_{o}" for p, o, _ in DEVICE_OPS])
def test_device_kernels_equal_the_host_model(lib, prefix, op, arity):
    from kernels.cuda import module

    cp = module.cupy()
    field = FP if prefix == "fp" else FR
    a, b = field.pairs(seed=9)
    args = [field.arr(a), field.arr(b)][:arity]
    want = np.empty_like(args[0])
    call(getattr(lib, f"h_{prefix}_{op}"), *args, want, len(a))
    dev = [cp.asarray(x) for x in args]
    out = cp.empty_like(dev[0])
    module.function("field_ops.cu", f"{prefix}_{op}_batch")(module.grid(len(a)), (module.BLOCK,),
                                                             (*dev, out, np.uint64(len(a))))
    assert cp.asnumpy(out).tobytes() == want.tobytes()
