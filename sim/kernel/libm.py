"""The C library's ``exp``, ``log``, ``expm1``, ``log1p`` and ``power`` as NumPy ufuncs: the
same values on every kind of CPU.

On a CPU with AVX-512, NumPy computes ``np.exp``, ``np.log``, ``np.expm1``, ``np.log1p`` and
``np.power`` on float64 with its own vectorised code, which differs from the C library's in
the last place on some inputs (7,353 of 100,000 ``expm1`` values on [-5, 0], measured on an
AMD EPYC); elsewhere it calls the C library. A run whose domain code used NumPy's therefore
gave other bits on such a machine (72 of the 342 files ``benchmarks/check_identical.py``
digests). The compiled kernels call the C library's functions already; the domain and
results layers call these, so the same seed gives the same bits with and without AVX-512.

Each is the NumPy ufunc that Numba builds from ``math.exp`` (and so on) for float64: a C
loop over the elements calling the C library (Numba uses no vector math library unless
Intel's SVML is installed, which this project does not install), called as fast as
NumPy's own (about 0.3 us on a few elements), broadcasting and casting as ufuncs do, with
NumPy's floating-point error handling (``np.errstate``). They are built on first use
(``libm.exp`` the first time; from Numba's cache after the first process): building one
imports Numba's NumPy support, 0.4 s that ``import sim`` need not pay.
``tests/kernel/test_kernel_libm.py`` holds them equal to ``math`` value for value.
"""

import math

from sim.kernel._numba import built_on_first_use


def exp(x):
    return math.exp(x)


def log(x):
    return math.log(x)


def expm1(x):
    return math.expm1(x)


def log1p(x):
    return math.log1p(x)


def power(x, y):
    return x ** y


_SIGNATURES = {"exp": "float64(float64)", "log": "float64(float64)",
               "expm1": "float64(float64)", "log1p": "float64(float64)",
               "power": "float64(float64, float64)"}


def _ufunc(function, signature):
    """The plain NumPy ufunc (the DUFunc wrapper's Python dispatch costs about 1 us a call)."""
    import numba

    return numba.vectorize([signature], cache=True)(function).ufunc


__getattr__ = built_on_first_use(globals(), _SIGNATURES, _ufunc)
__all__ = list(_SIGNATURES)
