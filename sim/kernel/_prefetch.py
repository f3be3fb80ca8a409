"""A software prefetch for Numba kernels (``llvm.prefetch``): a hint, with no effect on
results, that lets a loop start the cache misses of the next items before it needs them.
"""

import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def _prefetch_ir(typingctx, arr, index):
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and isinstance(index, types.Integer)):
        return None
    sig = types.void(arr, index)

    def codegen(context, builder, signature, args):
        arr_ty, index_ty = signature.args
        ary = context.make_array(arr_ty)(context, builder, args[0])
        idx = context.cast(builder, args[1], index_ty, types.intp)
        ptr = cgutils.get_item_pointer(context, builder, arr_ty, ary, [idx], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # read, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


def _prefetch_py(arr, index):
    return None


# With NUMBA_DISABLE_JIT=1 (coverage runs) intrinsics cannot run: use the Python twin.
prefetch = _prefetch_py if numba.config.DISABLE_JIT else _prefetch_ir
"""prefetch(arr: 1-d array, index: int) -> None: hint that arr[index] will be read soon.
The index must lie inside the array (the address is computed, not checked)."""
