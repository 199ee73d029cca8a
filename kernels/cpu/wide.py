"""64-bit limb primitives for Numba: multiply-accumulate and carry chains as LLVM intrinsics.

Numba has no 128-bit integer type; these intrinsics emit LLVM IR directly (`i128` products for
`mac`, overflow intrinsics for `adc`/`sbb`), which the x86-64 backend lowers to `mulx`/`adc`/`sbb`. Everything is uint64 in and out (mixing int64 and
uint64 in Numba silently promotes to float64, so no signed values appear here).
"""

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_I1 = ir.IntType(1)
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


def _with_overflow(builder, op, a, b):
    """(a op b mod 2^64, overflow bit) through llvm.u{add,sub}.with.overflow.i64."""
    fnty = ir.FunctionType(ir.LiteralStructType([_I64, _I1]), [_I64, _I64])
    fn = builder.module.declare_intrinsic(f"llvm.{op}.with.overflow", [_I64], fnty)
    pair = builder.call(fn, [a, b])
    return builder.extract_value(pair, 0), builder.extract_value(pair, 1)


def _carry_chain(op):
    """Codegen of a + b + carry (op "uadd") or a - b - borrow (op "usub") with carry out.

    Two overflow intrinsics OR-ed together is the pattern the x86 backend folds into one
    `adc`/`sbb`; the i128 form compiled to add/adc/sar sequences (~20% slower NTT butterflies).
    """

    def codegen(context, builder, signature, args):
        a, b, c = args
        first, o1 = _with_overflow(builder, op, a, b)
        value, o2 = _with_overflow(builder, op, first, c)
        out = builder.zext(builder.or_(o1, o2), _I64)
        return context.make_tuple(builder, signature.return_type, (value, out))

    return codegen


@intrinsic
def adc(typingctx, a, b, carry):
    """(sum, carry_out) of a + b + carry, carry in {0, 1}."""
    return _PAIR(types.uint64, types.uint64, types.uint64), _carry_chain("uadd")


@intrinsic
def sbb(typingctx, a, b, borrow):
    """(difference, borrow_out) of a - b - borrow, borrow in {0, 1}."""
    return _PAIR(types.uint64, types.uint64, types.uint64), _carry_chain("usub")
