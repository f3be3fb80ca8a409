"""``sim.kernel.dots``: each sum is 0 plus ``a[i] * b[i]`` for i = 0, 1, ... in turn, each
product rounded before its addition (plain Python floats in that order are the twin), on
shapes as the domain layer passes them (the gufuncs with NumPy's broadcasting of leading
dimensions).
Where NumPy's ``@`` goes through OpenBLAS the order (and fused multiply-adds) depend on the
CPU's kernels; these do not: ``tests/scenario/test_same_bits_on_any_cpu.py`` runs the
scenarios with OpenBLAS's Nehalem kernels too."""

import numpy as np
import pytest

from sim.kernel import dots

RNG = np.random.default_rng(6)


def _sum(a, b):
    acc = 0.0
    for x, y in zip(a, b, strict=True):
        acc += x * y  # Python floats: the product rounded, then the sum
    return acc


def _bits(x):
    return np.asarray(x, dtype=np.float64).view(np.int64)


def _values(*shape):
    """Magnitudes over many decades, both signs: sums where the order shows."""
    return RNG.standard_normal(shape) * 10.0 ** RNG.integers(-8, 9, shape)


@pytest.mark.parametrize("n", [0, 1, 3, 7, 64])
def test_vecdot_adds_the_products_in_order(n):
    for _ in range(50):
        a, b = _values(n), _values(n)
        assert _bits(dots.vecdot(a, b)) == _bits(_sum(a.tolist(), b.tolist()))


@pytest.mark.parametrize("k,n,m", [(1, 1, 1), (3, 4, 2), (20, 10, 5), (4, 0, 3)])
def test_matvec_vecmat_and_matmul_are_rows_of_vecdot(k, n, m):
    a, v, b, w = _values(k, n), _values(n), _values(n, m), _values(k)
    got = dots.matvec(a, v)
    assert got.shape == (k,)
    assert np.array_equal(_bits(got), _bits([_sum(row, v.tolist()) for row in a.tolist()]))
    got = dots.vecmat(w, a)
    assert got.shape == (n,)
    assert np.array_equal(_bits(got), _bits([_sum(w.tolist(), col) for col in a.T.tolist()]))
    got = dots.matmul(a, b)
    assert got.shape == (k, m)
    want = [[_sum(row, col) for col in b.T.tolist()] for row in a.tolist()]
    assert np.array_equal(_bits(got), _bits(want))


def test_close_to_numpy_broadcasting_and_lengths():
    a, b = _values(3, 4), _values(4)
    np.testing.assert_allclose(dots.matvec(a, b), a @ b, rtol=1e-12, atol=1e-300 + 1e-12
                               * np.abs(a).max() * np.abs(b).max())
    stacked = dots.matvec(_values(5, 3, 4), b)  # leading dimensions broadcast
    assert stacked.shape == (5, 3)
    assert dots.matvec(np.ones((2, 2)), [3, 4]).tolist() == [7.0, 7.0]  # lists and ints cast
    got = dots.vecdot(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert type(got) is float and got == 11.0
    readonly = np.array([1.0, 2.0])
    readonly.flags.writeable = False  # the products' arrays are read-only
    assert dots.vecdot(readonly, readonly) == 5.0
    for bad in (dots.vecdot, dots.matvec):
        with pytest.raises(ValueError):
            bad(np.ones((3, 3)) if bad is dots.matvec else np.ones(3), np.ones(4))
