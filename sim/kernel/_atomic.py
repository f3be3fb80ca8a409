"""Atomic integer adds for ``prange`` loops (Numba has none on the CPU).

Integer addition commutes, so counters updated atomically from several threads end with
the same values whatever the thread count or the interleaving: results stay bit-identical
(a float sum would not). Used by the agent kernel's neighbour-count scatter, where two
customers changing in different chunks can share a neighbour.
"""

import numba
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def _atomic_add_ir(typingctx, arr, index, value):
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.dtype == types.int32
            and isinstance(index, types.Integer) and isinstance(value, types.Integer)):
        return None
    sig = types.void(arr, index, value)

    def codegen(context, builder, signature, args):
        arr_ty, index_ty, value_ty = signature.args
        ary = context.make_array(arr_ty)(context, builder, args[0])
        idx = context.cast(builder, args[1], index_ty, types.intp)
        val = context.cast(builder, args[2], value_ty, types.int32)
        ptr = cgutils.get_item_pointer(context, builder, arr_ty, ary, [idx], wraparound=False)
        builder.atomic_rmw("add", ptr, val, "monotonic")
        return context.get_dummy_value()

    return sig, codegen


def _atomic_add_py(arr, index, value):
    arr[index] += value


# With NUMBA_DISABLE_JIT=1 (coverage runs) intrinsics cannot run: use the Python twin.
atomic_add = _atomic_add_py if numba.config.DISABLE_JIT else _atomic_add_ir
"""atomic_add(arr: int32[:] (C-contiguous), index: int, value: int) -> None: arr[index] += value."""
