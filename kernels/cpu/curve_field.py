"""Field operations dispatched on type, so the curve and MSM code is written once for G1 and G2.

Inside njit code, `mul(a, b)` resolves at compile time to `fp.mul` when `a` is an Fp tuple
(UniTuple(uint64, 6)) and to `fp2.mul` when it is an Fp2 pair of them; array accessors dispatch on
the array's rank: (m, k, 6) holds Fp elements, (m, k, 2, 6) holds Fp2 elements. Numba compiles
one specialisation per field, so the dispatch costs nothing at run time, and (unlike closures
over a field namespace) the generic functions stay cacheable on disk.

Also here: the curve constant b of y^2 = x^3 + b over each field (4 and 4(1 + u), Montgomery).
"""

from numba import types
from numba.extending import overload

from kernels.constants import B_G1, B_G2, P
from kernels.cpu import fp, fp2
from kernels.cpu.llvm_hints import always_inline

_FP = "fp"
_FP2 = "fp2"
_MODULES = {_FP: fp, _FP2: fp2}


def _mont(v: int) -> tuple:
    import numpy as np

    m = (v << 384) % P
    return tuple(np.uint64((m >> (64 * i)) & 0xFFFFFFFFFFFFFFFF) for i in range(6))


B = {_FP: _mont(B_G1), _FP2: (_mont(B_G2[0]), _mont(B_G2[1]))}


def _kind(t) -> str | None:
    """Which field a Numba type is an element of (None if neither)."""
    if isinstance(t, types.UniTuple) and t.count == 6 and t.dtype == types.uint64:
        return _FP
    if isinstance(t, types.UniTuple) and t.count == 2 and _kind(t.dtype) == _FP:
        return _FP2
    return None


def _array_kind(t) -> str | None:
    if isinstance(t, types.Array) and t.dtype == types.uint64:
        return {3: _FP, 4: _FP2}.get(t.ndim)
    return None


def _numba_only(name: str):
    def generic(*args):
        raise TypeError(f"curve_field.{name} only exists inside njit code")

    generic.__name__ = generic.__qualname__ = name
    return generic


def _unary(name: str):
    generic = _numba_only(name)

    @overload(generic)
    def _impl(a):
        kind = _kind(a)
        if kind is not None:
            fn = getattr(_MODULES[kind], name)

            def unary(a):
                always_inline()
                return fn(a)

            return unary
        return None

    return generic


def _binary(name: str):
    generic = _numba_only(name)

    @overload(generic)
    def _impl(a, b):
        kind = _kind(a)
        if kind is not None and _kind(b) == kind:
            fn = getattr(_MODULES[kind], name)

            def binary(a, b):
                always_inline()
                return fn(a, b)

            return binary
        return None

    return generic


def _constant(name: str, values: dict):
    generic = _numba_only(name)

    @overload(generic)
    def _impl(a):
        kind = _kind(a)
        if kind is not None:
            value = values[kind]
            return lambda a: value
        return None

    return generic


add = _binary("add")
sub = _binary("sub")
mul = _binary("mul")
eq = _binary("eq")
neg = _unary("neg")
dbl = _unary("dbl")
sqr = _unary("sqr")
inv = _unary("inv")
is_zero = _unary("is_zero")
zero_like = _constant("zero_like", {_FP: fp.ZERO, _FP2: fp2.ZERO})
one_like = _constant("one_like", {_FP: fp.ONE, _FP2: fp2.ONE})
b_like = _constant("b_like", B)




def ld(arr, i, j):
    """Element [i, j] of an (m, k, 6) Fp or (m, k, 2, 6) Fp2 array (njit only)."""
    raise TypeError("curve_field.ld only exists inside njit code")


def st(arr, i, j, v):
    """Store element [i, j] of an (m, k, 6) Fp or (m, k, 2, 6) Fp2 array (njit only)."""
    raise TypeError("curve_field.st only exists inside njit code")


@overload(ld)
def _ld(arr, i, j):
    kind = _array_kind(arr)
    if kind == _FP:
        return lambda arr, i, j: (
            arr[i, j, 0], arr[i, j, 1], arr[i, j, 2], arr[i, j, 3], arr[i, j, 4], arr[i, j, 5]
        )
    if kind == _FP2:
        return lambda arr, i, j: (
            (arr[i, j, 0, 0], arr[i, j, 0, 1], arr[i, j, 0, 2],
             arr[i, j, 0, 3], arr[i, j, 0, 4], arr[i, j, 0, 5]),
            (arr[i, j, 1, 0], arr[i, j, 1, 1], arr[i, j, 1, 2],
             arr[i, j, 1, 3], arr[i, j, 1, 4], arr[i, j, 1, 5]),
        )
    return None


@overload(st)
def _st(arr, i, j, v):
    kind = _array_kind(arr)
    if kind == _FP:
        def store_fp(arr, i, j, v):
            arr[i, j, 0], arr[i, j, 1], arr[i, j, 2] = v[0], v[1], v[2]
            arr[i, j, 3], arr[i, j, 4], arr[i, j, 5] = v[3], v[4], v[5]
        return store_fp
    if kind == _FP2:
        def store_fp2(arr, i, j, v):
            c0, c1 = v
            arr[i, j, 0, 0], arr[i, j, 0, 1], arr[i, j, 0, 2] = c0[0], c0[1], c0[2]
            arr[i, j, 0, 3], arr[i, j, 0, 4], arr[i, j, 0, 5] = c0[3], c0[4], c0[5]
            arr[i, j, 1, 0], arr[i, j, 1, 1], arr[i, j, 1, 2] = c1[0], c1[1], c1[2]
            arr[i, j, 1, 3], arr[i, j, 1, 4], arr[i, j, 1, 5] = c1[3], c1[4], c1[5]
        return store_fp2
    return None
