"""Aggregate mode's approximate draws (``draws="approx"``) against the exact binomial.

The approximation is ``floor(n p + 1/2 + sd (z + g (z^2 - 1)))`` clipped to [0, n], with
``g = (1 - 2 p) / (6 sd)`` (Cornish-Fisher), used where ``n p q >= min_variance``. Its law
has a closed form (the map from z to x is monotone there), so its Kolmogorov distance to
the binomial is computed exactly; the sampler is then checked against that law, and the
market's outcomes against the exact path's over many seeds.
"""

import math

import naive
import numpy as np
import pytest
from kernel_markets import tiny_offer, tiny_segments
from scipy import special, stats

from sim.kernel import AggregateMarket
from sim.kernel.binomial import binomials, binomials_approx, normal_quantile

DT = 7.0


def approx_cdf(k, n, p):
    """P(X <= k) for the approximate sampler's law at (n, p), p <= 1/2 (closed form)."""
    mu, sd = n * p, math.sqrt(n * p * (1.0 - p))
    y = (np.asarray(k, float) + 0.5 - mu) / sd  # x <= k  <=>  h(z) < y, h(z) = z + g(z^2-1)
    g = (1.0 - 2.0 * p) / (6.0 * sd)
    if g == 0.0:
        z = y
    else:
        z = (-1.0 + np.sqrt(np.maximum(1.0 + 4.0 * g * (g + y), 0.0))) / (2.0 * g)
    cdf = special.ndtr(z)
    return np.where(np.asarray(k) >= n, 1.0, cdf)


def kolmogorov_distance(n, p):
    k = np.arange(0, n + 1)
    return float(np.max(np.abs(approx_cdf(k, n, p) - stats.binom.cdf(k, n, p))))


def test_normal_quantile_matches_scipy():
    u = np.concatenate([np.linspace(1e-6, 1 - 1e-6, 20001), np.logspace(-16, -3, 400),
                        1.0 - np.logspace(-15, -3, 400)])
    ours = np.array([normal_quantile(x) for x in u])
    exact = special.ndtri(u)
    rel = np.abs(ours - exact) / np.maximum(np.abs(exact), 1e-300)
    assert rel[exact != 0.0].max() < 1.2e-9
    assert [naive.normal_quantile(x) for x in u[::50]] == list(ours[::50])


@pytest.mark.parametrize("variance", [10.0, 20.0, 50.0, 200.0, 2000.0])
@pytest.mark.parametrize("p", [0.001, 0.05, 0.3, 0.5])
def test_law_is_within_the_stated_kolmogorov_distance(variance, p):
    """The error docs/model.md states: at most 0.015 / (n p q) for n p q >= 10 (the
    uncorrected normal law is 5 to 100 times further off at p < 1/2)."""
    n = int(round(variance / (p * (1.0 - p))))
    d = kolmogorov_distance(n, p)
    assert d <= 0.015 / (n * p * (1.0 - p))


@pytest.mark.parametrize("n,p", [(120, 0.1), (5000, 0.004), (60, 0.5), (300, 0.93)])
def test_sampler_follows_its_law_and_the_binomial_moments(n, p):
    draws = 200_000
    x = binomials_approx(np.full(draws, n), np.full(draws, p), step_key=12345)
    assert x.min() >= 0 and x.max() <= n
    pp = min(p, 1.0 - p)
    y = x if p <= 0.5 else n - x
    k = np.arange(0, n + 1)
    empirical = np.cumsum(np.bincount(y, minlength=n + 1)) / draws
    ks = np.max(np.abs(empirical - approx_cdf(k, n, pp)))
    assert ks < 1.95 / math.sqrt(draws)  # KS 0.1% critical value: the sampler has this law
    mean, var = n * p, n * p * (1.0 - p)
    assert abs(x.mean() - mean) < 4.0 * math.sqrt(var / draws)
    # the sample variance's standard error is about var * sqrt(2 / draws) (near-normal law)
    assert abs(x.var() - var) < 4.0 * var * math.sqrt(2.0 / draws) + 0.25 / 12.0


def test_below_the_threshold_it_is_the_exact_draw_key_for_key():
    """Below the variance threshold with a mean below 10 both samplers invert the same
    uniforms (between 10 and 20 the approximate one inverts where ``binomial`` uses BTRD:
    its law is tested next)."""
    g = np.random.default_rng(3)
    n = g.integers(0, 400, 5000)
    p = g.uniform(0.0, 1.0, 5000) ** 3
    pp = np.minimum(p, 1 - p)
    var = n * pp * (1 - pp)
    a = binomials_approx(n, p, step_key=99, min_variance=10.0)
    e = binomials(n, p, step_key=99)
    small = (var < 10.0) & (n * pp < 10.0)
    assert small.sum() > 1000 and (~small).sum() > 1000
    np.testing.assert_array_equal(a[small], e[small])


@pytest.mark.parametrize(("n", "p"), [(36, 0.5), (30, 0.4), (28, 0.62), (60, 0.8)])
def test_small_variance_draws_by_inversion_are_binomial(n, p):
    """Variance below 10 and mean 10 to 20 (inverted, not BTRD): a chi-square test of
    200,000 draws against the binomial's pmf, and the moments."""
    draws = 200_000
    x = binomials_approx(np.full(draws, n), np.full(draws, p), step_key=4242,
                         min_variance=10.0)
    pp = min(p, 1 - p)
    assert n * pp * (1 - pp) < 10.0 <= n * pp
    counts = np.bincount(x, minlength=n + 1)
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * draws
    keep = expected >= 5.0  # pool the sparse tails into one cell
    observed = np.append(counts[keep], counts[~keep].sum())
    expected = np.append(expected[keep], expected[~keep].sum())
    assert stats.chisquare(observed, expected * draws / expected.sum()).pvalue > 1e-4
    sd = math.sqrt(n * p * (1 - p) / draws)
    assert abs(x.mean() - n * p) < 5.0 * sd


def test_sampler_equals_its_python_twin():
    g = np.random.default_rng(5)
    n = g.integers(0, 100_000, 400)
    p = g.uniform(0.0, 1.0, 400) ** 2
    ours = binomials_approx(n, p, step_key=7, min_variance=9.0)
    twin = [naive.binomial_approx(int(a), float(b), naive.draw_key(7, i), 9.0)
            for i, (a, b) in enumerate(zip(n, p, strict=True))]
    assert ours.tolist() == twin


@pytest.mark.parametrize("seed", [0, 11])
def test_aggregate_approx_step_equals_twin(seed):
    seg = tiny_segments(populations=(20000, 15000))
    market = AggregateMarket(seg, 3, draws="approx")
    twin = naive.NaiveAggregate(seg, 3, draws="approx")
    rng_kernel, rng_twin = np.random.default_rng(seed), np.random.default_rng(seed)
    for step in range(10):
        offer = tiny_offer(seg, step)
        out = market.step(offer, DT, rng_kernel)
        expected = twin.step(offer, DT, rng_twin)
        for name in ("new_adopters", "units", "replacements", "churners", "returned",
                     "active", "pool", "lapsed", "lost"):
            np.testing.assert_array_equal(getattr(out, name), expected[name],
                                          err_msg=f"{name} differs at step {step}")


def _final_counts(draws, seeds, steps=20):
    """Per seed: adopters of each product over the run and owners at its end, and whether
    customers were conserved at every step."""
    seg = tiny_segments(populations=(40000, 30000))
    population = np.asarray(seg.population)
    rows = []
    for seed in seeds:
        market = AggregateMarket(seg, 3, draws=draws)
        rng = np.random.default_rng(seed)
        adopted = np.zeros(3, np.int64)
        for step in range(steps):
            out = market.step(tiny_offer(seg, step), DT, rng)
            assert np.array_equal(out.population(), population)
            adopted += out.new_adopters.sum(axis=0)
        rows.append(np.concatenate([adopted, out.active.sum(axis=0), out.lapsed]))
    return np.array(rows, float)


def test_aggregate_approx_matches_exact_in_distribution():
    """Over 300 seeds, every outcome's mean agrees within 4 standard errors of the
    difference and a two-sample KS test does not reject at 0.1% (11 outcomes; the
    Bonferroni level of the whole test is about 1%)."""
    exact = _final_counts("counter", range(300))
    approx = _final_counts("approx", range(1000, 1300))
    for col in range(exact.shape[1]):
        a, b = exact[:, col], approx[:, col]
        se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) <= 4.0 * se + 1e-9, col
        assert stats.ks_2samp(a, b).pvalue > 1e-3, col


@pytest.mark.parametrize("bad", [8.9, -1.0, float("nan"), float("inf"), "ten"])
def test_min_variance_out_of_range_is_named(bad):
    with pytest.raises(ValueError, match="approx_min_variance must be a finite number >= 9"):
        AggregateMarket(tiny_segments(), 3, draws="approx", approx_min_variance=bad)
