"""The counter-based binomial sampler (``sim.kernel.binomial``): its twin, its law.

- Exact agreement with the plain-Python twin (``tests/naive.py``) over (n, p) spanning
  both algorithms (inversion below a mean of 10, Hoermann's BTRD above), p > 1/2 by
  symmetry, and n up to 2**31.
- The law: for fixed (n, p), 200,000 draws (each from its own key) against the exact
  binomial probabilities by a chi-square test over cells of expected count >= 20 (tails
  pooled). With a fixed key the test is deterministic; a sampler with a bias of the size
  a chi-square at this sample size detects (about 1% of a cell's mass) fails it with
  p-value far below the 1e-4 bar, while a correct one passes with probability 1 - 1e-4
  for each key (the keys are fixed, so the outcome never changes between runs).
- Mean and variance of a draw at extreme sizes within 5 standard errors.
"""

import math

import naive
import numpy as np
import pytest
from scipy import stats

from sim.kernel.binomial import binomials, draw_key

KEY = 0x5EED_1234_ABCD_0042


def test_equals_twin_across_regimes():
    g = np.random.default_rng(3)
    n = np.concatenate([g.integers(0, 40, 800), g.integers(0, 200_000, 800),
                        g.integers(0, 2**31 - 1, 100), [0, 5, 7, 1]])
    p = np.concatenate([g.uniform(0.0, 1.0, 800), g.uniform(0.0, 1.0, 800) ** 3,
                        g.uniform(0.0, 1.0, 100), [0.3, 0.0, 1.0, 0.5]])
    kernel = binomials(n, p, KEY)
    twin = [naive.binomial(int(a), float(b), naive.draw_key(KEY, i))
            for i, (a, b) in enumerate(zip(n, p, strict=True))]
    assert kernel.tolist() == twin
    assert kernel[-4:].tolist() == [twin[-4], 0, 7, twin[-1]]
    assert np.all((kernel >= 0) & (kernel <= n))
    assert int(naive.draw_key(KEY, 5)) == int(draw_key(np.uint64(KEY), 5))


@pytest.mark.parametrize("n, p", [(1, 0.3), (12, 0.2), (60, 0.16), (25, 0.5), (40, 0.9),
                                  (200, 0.05), (1000, 0.3), (100_000, 0.002),
                                  (2_000_000, 0.45), (75, 0.999)])
def test_law_is_binomial(n, p):
    draws = 200_000
    x = binomials(np.full(draws, n), np.full(draws, p), KEY ^ (n * 7919))
    observed = np.bincount(x, minlength=n + 1).astype(float)
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * draws
    # cells of expected count >= 20, tails pooled into the first and last cell
    keep = np.flatnonzero(expected >= 20)
    lo, hi = keep[0], keep[-1]
    obs = np.concatenate([[observed[:lo + 1].sum()], observed[lo + 1:hi], [observed[hi:].sum()]])
    exp = np.concatenate([[expected[:lo + 1].sum()], expected[lo + 1:hi], [expected[hi:].sum()]])
    exp *= obs.sum() / exp.sum()  # the mass beyond the cells is below 1e-12 of it
    chi2 = float(((obs - exp) ** 2 / exp).sum())
    p_value = stats.chi2.sf(chi2, obs.shape[0] - 1)
    assert p_value > 1e-4, (n, p, chi2, obs.shape[0])


@pytest.mark.parametrize("n, p", [(2**31 - 2, 1e-3), (2**31 - 2, 0.5), (10**6, 1e-6)])
def test_moments_at_extremes(n, p):
    draws = 100_000
    x = binomials(np.full(draws, n), np.full(draws, p), KEY + 1).astype(float)
    mean, var = n * p, n * p * (1 - p)
    assert abs(x.mean() - mean) <= 5 * math.sqrt(var / draws)
    # the variance of the sample variance is about 2 var^2 / draws (near-normal counts)
    assert abs(x.var() - var) <= 5 * var * math.sqrt(2.0 / draws) + 5 * math.sqrt(var / draws)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="n must be >= 0"):
        binomials([-1], [0.5], 1)
    with pytest.raises(ValueError, match="p in"):
        binomials([3], [1.5], 1)
    with pytest.raises(ValueError, match="shape"):
        binomials([3, 4], [0.5], 1)


def test_aggregate_market_names_a_bad_draws_option():
    from sim.kernel import AggregateMarket, Segments

    seg = Segments.build(population=[100], p=[0.01], q=[0.1])
    with pytest.raises(ValueError, match="draws must be one of generator, counter, approx; got 'numpy'"):
        AggregateMarket(seg, 1, draws="numpy")


def test_inversion_without_loop_exit_equals_the_search():
    """``_inversion`` (a fixed-range count) gives the draws of the sequential search,
    including past its range, where it falls back to the search (mean near 10)."""
    from sim.kernel.binomial import _inversion, _inversion_search, draw_key

    g = np.random.default_rng(17)
    n = g.integers(1, 3000, 40_000)
    p = np.minimum(g.uniform(0.0, 9.99, n.size) / n, 0.5)
    n = np.concatenate([n, np.full(40_000, 1000)])
    p = np.concatenate([p, np.full(40_000, 0.00999)])
    beyond = 0
    for i in range(n.size):
        key = np.uint64(draw_key(np.uint64(4242), i))
        x = _inversion(n[i], p[i], key)
        assert x == _inversion_search(n[i], p[i], key), (n[i], p[i])
        beyond += x > min(n[i], n[i] * p[i] + 10.0)
    assert beyond > 5  # the fallback ran


def test_shared_logarithm_gives_the_same_draws():
    """``binomial_lq(n, p, key, log_q(p))`` (the aggregate step's churn, replacement and
    return draws, whose logarithm one p shares) equals ``binomial(n, p, key)`` draw for
    draw, on both sides of p = 1/2 and in both algorithms."""
    from sim.kernel.binomial import binomial, binomial_lq, log_q

    g = np.random.default_rng(29)
    n = np.concatenate([g.integers(0, 60, 3000), g.integers(0, 50_000, 1000)])
    p = np.concatenate([g.uniform(0.0, 1.0, 3000), g.uniform(0.0, 0.01, 1000)])
    p[:500] = 1.0 - p[:500] * 0.2  # flipped: p > 1/2
    for i in range(n.size):
        key = np.uint64(draw_key(np.uint64(KEY), i))
        lq = log_q(p[i])
        assert lq <= 0.0
        assert binomial_lq(n[i], p[i], key, lq) == binomial(n[i], p[i], key), (n[i], p[i])
