"""The one place where the kernel's Numba options live.

``fastmath`` stays off: the agent kernel must give bit-identical results for any thread
count and, later, on a GPU, and reassociated floating point would break that.
``cache=True`` writes compiled code next to the modules (or under ``NUMBA_CACHE_DIR``) so a
second process does not recompile.
"""

from numba import njit

JIT_OPTIONS = {"cache": True, "fastmath": False, "nogil": True, "error_model": "numpy"}


def jit(fn=None, **extra):
    """``numba.njit`` with the project's options (serial kernels)."""
    options = {**JIT_OPTIONS, **extra}
    if fn is None:
        return njit(**options)
    return njit(**options)(fn)


def jit_parallel(fn=None, **extra):
    """``numba.njit(parallel=True)`` with the project's options (``prange`` kernels)."""
    return jit(fn, parallel=True, **extra)
