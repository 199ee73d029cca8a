"""64-bit limb primitives for Numba: multiply-accumulate and carry chains through LLVM i128.

Numba has no 128-bit integer type; these intrinsics emit LLVM `i128` arithmetic directly, which
the x86-64 backend lowers to `mul`/`adc`/`sbb`. Everything is uint64 in and out (mixing int64 and
uint64 in Numba silently promotes to float64, so no signed values appear here).
"""

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_I64 = ir.IntType(64)
_I128 = ir.IntType(128)
_PAIR = types.UniTuple(types.uint64, 2)


def _split(context, builder, signature, wide):
    lo = builder.trunc(wide, _I64)
    hi = builder.trunc(builder.lshr(wide, ir.Constant(_I128, 64)), _I64)
    return context.make_tuple(builder, signature.return_type, (lo, hi))


@intrinsic
def mac(typingctx, t, a, b, c):
    """(lo, hi) of t + a*b + c; never overflows 128 bits."""
    sig = _PAIR(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        t, a, b, c = (builder.zext(x, _I128) for x in args)
        wide = builder.add(builder.add(builder.mul(a, b), t), c)
        return _split(context, builder, signature, wide)

    return sig, codegen


@intrinsic
def adc(typingctx, a, b, carry):
    """(sum, carry_out) of a + b + carry, carry in {0, 1}."""
    sig = _PAIR(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        a, b, c = (builder.zext(x, _I128) for x in args)
        return _split(context, builder, signature, builder.add(builder.add(a, b), c))

    return sig, codegen


@intrinsic
def sbb(typingctx, a, b, borrow):
    """(difference, borrow_out) of a - b - borrow, borrow in {0, 1}."""
    sig = _PAIR(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        a, b, c = (builder.zext(x, _I128) for x in args)
        wide = builder.sub(builder.sub(a, b), c)
        lo = builder.trunc(wide, _I64)
        out = builder.trunc(builder.lshr(wide, ir.Constant(_I128, 127)), _I64)
        return context.make_tuple(builder, signature.return_type, (lo, out))

    return sig, codegen
