"""A ``numpy.random.Generator`` handed to compiled code as four addresses, read once.

Numba accepts a ``Generator`` argument, but unboxes it again on every call: it resolves
its type in Python, reads the bit generator's ``ctypes`` interface and casts three
function pointers with ``ctypes.cast``: about 10 us a call timed alone, more inside a run.
The aggregate market's step is one such call per market step; inside a default run it
took 47-48 us a step with the Generator and takes 20-21 us with its handle.

What a compiled draw uses of a Generator is its bit generator's state pointer and its
``next_uint64``, ``next_uint32`` and ``next_double`` functions (Numba's
``numba/np/random/generator_core.py``); none of them changes while the bit generator
lives. ``generator_handle(rng)`` reads them once, as a tuple of four ints that Numba
passes without any Python work; ``generator_of(handle)``, inside compiled code, builds
from it the Generator value that Numba's own unboxing would build (without a reference
to the Python object, which compiled code then must not return). The draws are Numba's
own Generator methods on the same state, so they are the same draws to the bit
(``tests/kernel/test_kernel_generator.py``, against the Generator passed as itself).

The caller keeps the Generator alive while its handle is used (the market holds both).
The struct's layout is Numba's; ``numba`` is pinned to 0.68 (``pyproject.toml``), and the
test fails if a later version changes it.
"""

import ctypes

import numpy as np
from numba.core import cgutils, types
from numba.extending import intrinsic
from numba.np.random.generator_core import next_uint64

from sim.kernel._numba import jit

_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")
_GENERATOR = types.NumPyRandomGeneratorType("rng")


def generator_handle(rng: np.random.Generator) -> tuple:
    """(state, next_uint64, next_uint32, next_double) of ``rng``'s bit generator, as
    ints: what ``generator_of`` needs. Valid while ``rng`` lives."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    api = rng.bit_generator.ctypes

    def address(fn) -> int:
        return int(ctypes.cast(fn, ctypes.c_void_p).value)

    return (int(api.state_address), address(api.next_uint64), address(api.next_uint32),
            address(api.next_double))


@intrinsic
def generator_of(typingctx, handle):
    """The Generator of ``handle`` (``generator_handle``), for compiled code's draws."""
    if not (isinstance(handle, types.UniTuple) and handle.count == 4
            and isinstance(handle.dtype, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        uintp = context.get_value_type(types.uintp)
        state, next_u64, next_u32, next_double = (
            builder.zext(v, uintp) if v.type.width < uintp.width else builder.trunc(v, uintp)
            if v.type.width > uintp.width else v
            for v in cgutils.unpack_tuple(builder, args[0], 4))
        bit = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        bit.parent = cgutils.get_null_value(bit.parent.type)
        bit.state_address = state
        bit.state = state
        bit.fnptr_next_uint64 = next_u64
        bit.fnptr_next_uint32 = next_u32
        bit.fnptr_next_double = next_double
        bit.bit_generator = cgutils.get_null_value(uintp)
        gen = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        gen.bit_generator = bit._getvalue()
        gen.meminfo = cgutils.get_null_value(gen.meminfo.type)  # no reference held
        gen.parent = cgutils.get_null_value(gen.parent.type)
        return gen._getvalue()

    return _GENERATOR(handle), codegen


# The bit generators whose ``random_raw()`` is their ``next_uint64`` (NumPy's
# ``next_raw``): ``raw_uint64`` on their handle returns what ``random_raw()`` would, and
# advances the state alike. MT19937's raw output is 32-bit: not here.
RAW64_BIT_GENERATORS = (np.random.PCG64, np.random.PCG64DXSM, np.random.Philox,
                        np.random.SFC64)


@jit(inline="always")
def raw_uint64(handle):
    """The next raw 64-bit output of the bit generator of ``handle``: its
    ``random_raw()`` where its type is one of ``RAW64_BIT_GENERATORS``."""
    return next_uint64(generator_of(handle).bit_generator)
