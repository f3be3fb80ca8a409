"""The one place where the kernel's Numba options live.

``fastmath`` stays off: the agent kernel must give bit-identical results for any thread
count and, later, on a GPU, and reassociated floating point would break that.
``cache=True`` writes compiled code next to the modules (or under ``NUMBA_CACHE_DIR``) so a
second process does not recompile; ``sim.kernel._numba_cache`` keys it by the whole kernel
package's source, so a change to one module cannot leave another's cached code stale.
"""

from numba import njit

from sim.kernel import _numba_cache

_numba_cache.install()

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


def built_on_first_use(namespace: dict, specs: dict, build):
    """A module's ``__getattr__`` for objects built the first time they are read: each name
    of ``specs`` is taken out of ``namespace`` (the module's globals: the plain Python
    function) and, on first access, ``build(function, spec)`` is stored there under that
    name and returned. For the Numba-built ufuncs of ``sim.kernel.libm`` and
    ``sim.kernel.dots``: building one imports Numba's NumPy support (0.4 s), which
    ``import sim`` need not pay."""
    kernels = {name: namespace.pop(name) for name in specs}

    def __getattr__(name):
        if name not in kernels:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = namespace[name] = build(kernels[name], specs[name])
        return value

    return __getattr__
