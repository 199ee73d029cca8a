"""Fp2 = Fp[u]/(u^2 + 1) for G2: elements are `(c0, c1)` pairs of Fp Montgomery tuples.

Written on top of the generated `fp` module, whose operations inline into these as straight-line
64-bit limb code. Arrays of Fp2 elements keep the two coefficients on an axis of length 2
before the limb axis (..., 2, 6), as in kernels/limbs.py.
"""

from numba import njit

from kernels.cpu import fp
from kernels.cpu.llvm_hints import always_inline

# Cheap operations force LLVM inlining (see llvm_hints); the multiplications stay out of line,
# where a call costs a few percent of their ~150 ns and keeps the G2 kernels quick to compile.
jit = njit(cache=True)

ZERO = (fp.ZERO, fp.ZERO)
ONE = (fp.ONE, fp.ZERO)


@jit
def add(a, b):
    always_inline()
    return (fp.add(a[0], b[0]), fp.add(a[1], b[1]))


@jit
def sub(a, b):
    always_inline()
    return (fp.sub(a[0], b[0]), fp.sub(a[1], b[1]))


@jit
def neg(a):
    always_inline()
    return (fp.neg(a[0]), fp.neg(a[1]))


@jit
def dbl(a):
    always_inline()
    return (fp.dbl(a[0]), fp.dbl(a[1]))


@jit
def conj(a):
    """The Frobenius map a0 + a1 u -> a0 - a1 u."""
    always_inline()
    return (a[0], fp.neg(a[1]))


@jit
def mul(a, b):
    """Karatsuba: three Fp multiplications."""
    a0, a1 = a
    b0, b1 = b
    v0 = fp.mul(a0, b0)
    v1 = fp.mul(a1, b1)
    cross = fp.mul(fp.add(a0, a1), fp.add(b0, b1))
    return (fp.sub(v0, v1), fp.sub(fp.sub(cross, v0), v1))


@jit
def sqr(a):
    """(a0 + a1)(a0 - a1) + 2 a0 a1 u: two Fp multiplications."""
    a0, a1 = a
    t = fp.mul(a0, a1)
    return (fp.mul(fp.add(a0, a1), fp.sub(a0, a1)), fp.add(t, t))


@jit
def mul_fp(a, s):
    """Product with an Fp element s."""
    return (fp.mul(a[0], s), fp.mul(a[1], s))


@jit
def mul_by_xi(a):
    """Product with xi = 1 + u (the twist's non-residue): (a0 - a1) + (a0 + a1) u."""
    always_inline()
    return (fp.sub(a[0], a[1]), fp.add(a[0], a[1]))


@jit
def eq(a, b):
    always_inline()
    return a[0] == b[0] and a[1] == b[1]


@jit
def is_zero(a):
    always_inline()
    return a[0] == fp.ZERO and a[1] == fp.ZERO


@njit(cache=True)
def inv(a):
    """1/a = conj(a) / (a0^2 + a1^2); zero maps to zero."""
    a0, a1 = a
    norm_inv = fp.inv(fp.add(fp.mul(a0, a0), fp.mul(a1, a1)))
    return (fp.mul(a0, norm_inv), fp.neg(fp.mul(a1, norm_inv)))


@jit
def to_mont(a):
    always_inline()
    return (fp.to_mont(a[0]), fp.to_mont(a[1]))


@jit
def from_mont(a):
    always_inline()
    return (fp.from_mont(a[0]), fp.from_mont(a[1]))


@jit
def load(arr, i):
    """Element i of an (m, 2, 6) array."""
    always_inline()
    return (
        (arr[i, 0, 0], arr[i, 0, 1], arr[i, 0, 2], arr[i, 0, 3], arr[i, 0, 4], arr[i, 0, 5]),
        (arr[i, 1, 0], arr[i, 1, 1], arr[i, 1, 2], arr[i, 1, 3], arr[i, 1, 4], arr[i, 1, 5]),
    )


@jit
def store(arr, i, v):
    always_inline()
    c0, c1 = v
    arr[i, 0, 0] = c0[0]
    arr[i, 0, 1] = c0[1]
    arr[i, 0, 2] = c0[2]
    arr[i, 0, 3] = c0[3]
    arr[i, 0, 4] = c0[4]
    arr[i, 0, 5] = c0[5]
    arr[i, 1, 0] = c1[0]
    arr[i, 1, 1] = c1[1]
    arr[i, 1, 2] = c1[2]
    arr[i, 1, 3] = c1[3]
    arr[i, 1, 4] = c1[4]
    arr[i, 1, 5] = c1[5]
