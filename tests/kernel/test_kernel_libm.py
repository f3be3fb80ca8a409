"""``sim.kernel.libm``: the C library's functions (``math``'s), value for value, as NumPy
ufuncs: shapes, broadcasting, pandas Series and NumPy's floating-point warnings as with
``np.exp`` and the others."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from sim.kernel import libm

RNG = np.random.default_rng(20261206)
# wide and narrow ranges; the special values go through NumPy's comparison below
WIDE = np.concatenate([RNG.uniform(-700, 700, 20_000), RNG.uniform(-5, 5, 20_000),
                       RNG.uniform(-1e-6, 1e-6, 2_000), [0.0, -0.0, 1.0, -1.0]])
POSITIVE = np.concatenate([np.exp(RNG.uniform(-700, 700, 20_000)), RNG.uniform(0, 3, 20_000),
                           [1.0, 5e-324, 1.7976931348623157e308]])


def _bits(a):
    return np.asarray(a, dtype=np.float64).view(np.int64)


@pytest.mark.parametrize("name,domain", [("exp", WIDE), ("expm1", WIDE), ("log", POSITIVE),
                                         ("log1p", POSITIVE - 0.999)])
def test_each_function_is_the_c_librarys_value_for_value(name, domain):
    got = getattr(libm, name)(domain)
    want = np.array([getattr(math, name)(x) if abs(x) < 709 or name.startswith("log")
                     else getattr(np, name)(x) for x in domain.tolist()])
    assert got.dtype == np.float64 and got.shape == domain.shape
    assert np.array_equal(_bits(got), _bits(want))


def test_power_is_the_c_librarys_and_broadcasts():
    base = RNG.uniform(0.5, 2.0, 5_000)
    exponent = RNG.uniform(-30, 30, 5_000)
    got = libm.power(base, exponent)
    want = [math.pow(b, e) for b, e in zip(base, exponent, strict=True)]
    assert np.array_equal(_bits(got), _bits(want))
    # a scalar base over a column of exponents: the NPV's discount factors
    row = libm.power(1.08, exponent[:, None] * np.ones(3))
    assert row.shape == (5_000, 3)
    assert np.array_equal(_bits(row[:, 2]), _bits([math.pow(1.08, e) for e in exponent]))


def test_scalars_ints_and_series_as_numpy_gives_them():
    assert type(libm.exp(1.0)) is np.float64 and libm.exp(1.0) == math.exp(1.0)
    assert libm.log(np.array([1, 10])).dtype == np.float64  # ints cast, as np.log casts
    s = pd.Series([0.1, 0.2], index=["a", "b"])
    out = libm.log1p(-s)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"]
    assert out.tolist() == [math.log1p(-0.1), math.log1p(-0.2)]


@pytest.mark.parametrize("name,x", [("log", 0.0), ("log", -1.0), ("log1p", -1.0),
                                    ("log1p", -2.0), ("exp", 800.0), ("expm1", 800.0)])
def test_edge_values_and_warnings_are_numpys(name, x):
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        got = getattr(libm, name)(np.array([x]))
    with warnings.catch_warnings(record=True) as numpys:
        warnings.simplefilter("always")
        want = getattr(np, name)(np.array([x]))
    assert np.array_equal(got, want, equal_nan=True)
    assert [w.category for w in ours] == [w.category for w in numpys] == [RuntimeWarning]
    assert [str(w.message) for w in ours] == [str(w.message) for w in numpys]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(libm, name)(np.array([x]))  # np.errstate silences it, as it does NumPy's
