"""Two LLVM-level hints for the curve kernels: forced inlining and software prefetch.

`always_inline()` marks the enclosing njit function `alwaysinline`. Numba's own
`inline="always"` splices Numba IR and makes compile time explode for the nested
Fp -> Fp2 -> curve code (minutes per kernel). Leaving inlining to LLVM is fast, but its size
threshold refuses the ~250-instruction Montgomery multiplication at most call sites, and each
out-of-line call passes tuples through memory. Calling `always_inline()` first thing in a small
wrapper makes LLVM inline that wrapper everywhere.

`prefetch(arr, i)` asks the cache to fetch the row arr[i] (up to 192 bytes: a G2 point), for
the random point reads of the MSM's first bucket round, which are otherwise DRAM-latency bound.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def always_inline(typingctx):
    def codegen(context, builder, signature, args):
        builder.function.attributes.add("alwaysinline")
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def prefetch(typingctx, arr, i):
    if not isinstance(arr, types.Array):
        return None

    def codegen(context, builder, signature, args):
        arr_type, _ = signature.args
        ary = context.make_array(arr_type)(context, builder, args[0])
        index = args[1]
        stride = builder.extract_value(ary.strides, 0)
        base = builder.ptrtoint(ary.data, ir.IntType(64))
        addr = builder.add(base, builder.mul(index, stride))
        i8p = ir.IntType(8).as_pointer()
        fn = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [i8p, ir.IntType(32), ir.IntType(32), ir.IntType(32)]),
            "llvm.prefetch.p0",
        )
        i32, i64 = ir.IntType(32), ir.IntType(64)
        for offset in (0, 64, 128):  # the lines of a row of up to 192 bytes (a G2 point)
            with builder.if_then(builder.icmp_signed("<", i64(offset), stride)):
                ptr = builder.inttoptr(builder.add(addr, i64(offset)), i8p)
                builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.none(arr, types.int64), codegen
