"""Dot products in one fixed order: the same bits on every CPU.

NumPy's ``@`` and ``ndarray.dot`` on float64 call OpenBLAS, which picks its kernels by CPU:
their order of additions and their fused multiply-adds differ, so the same products give
other bits on another machine (38 of the 342 files ``benchmarks/check_identical.py``
digests differed on an AMD EPYC between OpenBLAS's AVX-512 kernels and its Haswell ones,
``OPENBLAS_CORETYPE=Haswell``). The domain and results layers multiply small arrays (a
few segments, products, channels or attributes) with these instead: each sum starts at 0
and adds ``a[i] * b[i]`` for i = 0, 1, ... in turn, the product rounded before the
addition (Numba's ``fastmath`` off: no reassociation, no fused multiply-add).

- ``vecdot(a, b)``: (n), (n) -> a Python float, a . b; a compiled function (about 0.25
  us on a few elements, against 0.34 us for ``ndarray.dot`` and ``float``'s conversion);

and, as NumPy generalised ufuncs that Numba builds for float64 (``guvectorize``; about 0.8
us a call, against 0.4 us for a small ``ndarray.dot``), broadcasting over leading
dimensions:

- ``matvec(m, v)``: (k, n), (n) -> (k), m @ v;
- ``vecmat(v, m)``: (n), (n, k) -> (k), v @ m;
- ``matmul(a, b)``: (k, n), (n, l) -> (k, l), a @ b.

The gufuncs are built on their first use (from Numba's cache after the first process), so
that importing the kernel does not import Numba's NumPy support.
``tests/kernel/test_kernel_dots.py`` holds them equal to plain Python sums in that order.
"""

from sim.kernel._numba import built_on_first_use, jit


@jit
def vecdot(a, b):
    """``a . b`` of two 1-d float64 arrays of one length, as a float."""
    if a.shape[0] != b.shape[0]:
        raise ValueError("vecdot: the two arrays differ in length")
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc


def matvec(m, v, out):
    for r in range(m.shape[0]):
        acc = 0.0
        for i in range(v.shape[0]):
            acc += m[r, i] * v[i]
        out[r] = acc


def vecmat(v, m, out):
    for c in range(m.shape[1]):
        acc = 0.0
        for i in range(v.shape[0]):
            acc += v[i] * m[i, c]
        out[c] = acc


def matmul(a, b, out):
    for r in range(a.shape[0]):
        for c in range(b.shape[1]):
            acc = 0.0
            for i in range(a.shape[1]):
                acc += a[r, i] * b[i, c]
            out[r, c] = acc


_GUFUNCS = {
    "matvec": ("void(float64[:, :], float64[:], float64[:])", "(k,n),(n)->(k)"),
    "vecmat": ("void(float64[:], float64[:, :], float64[:])", "(n),(n,k)->(k)"),
    "matmul": ("void(float64[:, :], float64[:, :], float64[:, :])", "(k,n),(n,l)->(k,l)"),
}


def _gufunc(function, spec):
    """The plain NumPy gufunc (the wrapper's Python dispatch costs about 1 us a call)."""
    import numba

    signature, layout = spec
    return numba.guvectorize([signature], layout, cache=True, nopython=True)(function).ufunc


__getattr__ = built_on_first_use(globals(), _GUFUNCS, _gufunc)
__all__ = ["vecdot", *_GUFUNCS]
