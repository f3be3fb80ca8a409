"""``sim.kernel.exp_poly.exp_nonpositive``: within 1 ulp of the C library's ``exp`` on its
domain, the plain-Python twin's bits exactly, and vectorisable in a loop (the reason it
exists)."""

import math

import numpy as np
import pytest

from sim.kernel._numba import jit
from sim.kernel.exp_poly import exp_nonpositive
from tests.naive import exp_nonpositive as naive_exp

RNG = np.random.default_rng(20261206)
# the inversion's domain, the reduction's boundaries (k changes at (k + 1/2) ln 2), the
# whole domain, and the edges
EDGES = [0.0, -0.0, -5e-324, -1e-300, -1e-17, -707.99, -708.0]
HALVES = [-(k + 0.5) * math.log(2.0) for k in range(40)]
DOMAIN = np.concatenate([
    RNG.uniform(-27.8, 0.0, 200_000), RNG.uniform(-0.35, 0.0, 50_000),
    RNG.uniform(-708.0, 0.0, 50_000), np.array(HALVES), np.nextafter(HALVES, 0.0),
    np.nextafter(HALVES, -1.0), np.array(EDGES)])


@jit
def _each(x, out):
    for i in range(x.shape[0]):
        out[i] = exp_nonpositive(x[i])


def _compiled(x):
    out = np.empty_like(x)
    _each(x, out)
    return out


def test_within_one_ulp_of_the_c_library():
    got = _compiled(DOMAIN)
    want = np.array([math.exp(x) for x in DOMAIN.tolist()])
    ulps = np.abs(got - want) / np.spacing(want)
    assert ulps.max() <= 1.0, DOMAIN[np.argmax(ulps)]
    # not a copy of exp: about a tenth of the values differ in the last place
    assert 0.01 < (got != want).mean() < 0.3


def test_zero_is_one_and_the_result_is_monotone():
    assert _compiled(np.array([0.0, -0.0])).tolist() == [1.0, 1.0]
    x = np.sort(RNG.uniform(-30.0, 0.0, 100_000))
    assert (np.diff(_compiled(x)) >= 0.0).all()


def test_the_twin_has_the_same_bits():
    sample = np.concatenate([DOMAIN[::50], np.array(EDGES + HALVES)])
    got = _compiled(sample)
    want = np.array([naive_exp(x) for x in sample.tolist()])
    assert np.array_equal(got.view(np.int64), want.view(np.int64))


@pytest.mark.parametrize("x,want", [(-709.0, "floor"), (-745.0, "floor"), (-1e308, "floor"),
                                    (math.nan, "floor"), (-math.inf, "floor"), (1e-300, 1.0),
                                    (5.0, 1.0), (math.inf, 1.0)])
def test_outside_the_domain_held_to_its_edges(x, want):
    """Never a read outside the table of 2^k: below -708 (and NaN) exp(-708), above 0
    one; the twin alike."""
    floor = _compiled(np.array([-708.0]))[0]
    assert 0.0 < floor < 1e-307
    want = floor if want == "floor" else want
    assert _compiled(np.array([x]))[0] == want
    assert naive_exp(x) == want
