"""The forecaster (Bass with priors, MAP + Laplace) on synthetic series with known p, q, m."""

import numpy as np
import pytest

from sim.calibration import curves
from sim.calibration.bass import cumulative_share, period_sales, unit_bounds
from sim.calibration.forecast import bass_path, fit_bass_map, forecast
from sim.calibration.priors import bass_prior, table_spread


def noisy_bass(p, q, m, n, cv, seed):
    rng = np.random.default_rng(seed)
    return period_sales(p, q, m, unit_bounds(n)) * (1 + cv * rng.standard_normal(n))


def test_prior_spread_is_the_analogy_tables():
    spread = table_spread()
    assert spread["n"] >= 20
    assert np.exp(spread["log_q"][0]) == pytest.approx(0.388, rel=0.05)  # SFL 1990: 0.38
    prior = bass_prior(period_years=0.25)
    assert np.exp(prior.log_q[0]) == pytest.approx(0.25 * np.exp(spread["log_q"][0]))
    assert bass_prior("color_tv").log_q[0] == pytest.approx(np.log(0.84))
    with pytest.raises(ValueError, match="--analogy"):
        bass_prior("hovercraft")


def test_bass_path_matches_the_closed_form():
    p, q, m = 0.02, 0.5, 1000.0
    path = bass_path(p, q, m, m * cumulative_share(3.0, p, q), 6)[0]
    np.testing.assert_allclose(path, m * cumulative_share(np.arange(4.0, 10.0), p, q),
                               rtol=1e-10)


@pytest.mark.parametrize("p, q, m, n", [(0.01, 0.4, 20_000, 14), (0.03, 0.5, 5_000, 12),
                                        (0.005, 0.7, 1e6, 12)])
def test_map_recovers_noise_free_parameters_when_the_data_decide(p, q, m, n):
    """With a whole life cycle the data dominate the priors. Not exactly: the noise prior
    (cv shrunk towards 0.3 with 4 pseudo-observations) keeps cv >= 0.15 even on exact
    data, so the priors still pull a little (measured: up to 5% here)."""
    post = fit_bass_map(period_sales(p, q, m, unit_bounds(n)) * 1.0, bass_prior(), discount=1.0)
    np.testing.assert_allclose([post.p, post.q, post.m], [p, q, m], rtol=0.08)


def test_posterior_intervals_contain_the_truth_on_noisy_series():
    inside = []
    for seed in range(12):
        sales = noisy_bass(0.01, 0.4, 20_000, 12, 0.1, seed)
        post = fit_bass_map(sales, bass_prior(), discount=1.0)
        d = np.column_stack(post.draws(2000, np.random.default_rng(seed))[:3])
        lo, hi = np.quantile(d, [0.025, 0.975], axis=0)
        inside += list((lo <= [0.01, 0.4, 20_000]) & ([0.01, 0.4, 20_000] <= hi))
    # 36 intervals at 95%: more than 5 misses has probability < 1%.
    assert sum(inside) >= 31, sum(inside)


def test_prior_keeps_an_early_market_potential_finite():
    sales = period_sales(0.01, 0.4, 20_000, unit_bounds(4))  # before take-off
    post = fit_bass_map(sales, bass_prior(), discount=1.0)
    assert sales.sum() < post.m < 1000 * sales.sum()
    ceil = fit_bass_map(sales, bass_prior(ceiling=25_000), discount=1.0)
    assert abs(np.log(ceil.m / 20_000)) < abs(np.log(post.m / 20_000))  # the input helps


def test_zeros_and_negative_increments_are_data():
    sales = np.array([1.0, 3.0, 0.0, 9.0, 15.0, 20.0])
    f = forecast(sales, 4, bass_prior(), draws=500)
    assert np.all(f.lower <= f.point) and np.all(f.point <= f.upper)
    diff = np.array([2.0, 3.0, -0.5, 4.0, 6.0])  # a penetration series that dipped once
    g = forecast(diff, 4, bass_prior(ceiling=100), base=10.0, draws=500)
    assert g.level == pytest.approx(24.5) and np.all(np.isfinite(g.upper))


def test_predictive_intervals_cover_future_levels_of_the_process():
    """30 early series (7 periods seen) of a Bass curve with 15% noise: the 95% interval of
    the level 5 periods ahead should cover near 95%. The binomial standard error with 30
    series is 0.040; the test asks for at least 0.95 - 4 x 0.040 = 0.79."""
    hits = []
    for seed in range(30):
        sales = noisy_bass(0.01, 0.45, 10_000, 12, 0.15, 100 + seed)
        f = forecast(sales[:7], 5, bass_prior(), seed=seed, draws=400)
        actual = sales.sum()
        hits.append(f.lower[-1] <= actual <= f.upper[-1])
    print(f"coverage {np.mean(hits):.3f}")
    assert np.mean(hits) >= 0.79, np.mean(hits)


def test_the_bounds_of_the_level_never_fall():
    """Sales are not negative, so neither bound of the cumulative level may fall with the
    horizon; the moved draws' upper quantile did in 19 of 20 series 30 periods ahead."""
    fell = 0
    for seed in range(8):
        sales = noisy_bass(0.01, 0.45, 10_000, 12, 0.15, 200 + seed)
        f = forecast(sales, 30, bass_prior(), seed=seed, draws=300)
        assert (np.diff(f.lower) >= 0).all() and (np.diff(f.upper) >= 0).all()
        fell += bool((np.diff(np.maximum.accumulate(f.upper)) == 0).any())
    assert fell > 0  # where the raw upper quantile fell, it was held at its high point


def test_same_seed_same_forecast():
    sales = noisy_bass(0.01, 0.4, 5000, 8, 0.1, 1)
    a, b = (forecast(sales, 5, bass_prior(), seed=3, draws=300) for _ in range(2))
    np.testing.assert_array_equal(a.upper, b.upper)


def test_simple_curves_recover_their_own_shapes():
    t = np.arange(12.0)
    logistic = 80 / (1 + np.exp(-0.6 * (t - 6)))
    np.testing.assert_allclose(curves.logistic(logistic[:9], 3),
                               80 / (1 + np.exp(-0.6 * (np.arange(9.0, 12) - 6))), rtol=1e-3)
    gompertz = 60 * np.exp(-4 * np.exp(-0.4 * t))
    np.testing.assert_allclose(curves.gompertz(gompertz[:9], 3), gompertz[9:], rtol=1e-3)
    np.testing.assert_allclose(curves.trend([1.0, 2.0, 3.0, 5.0, 7.0], 2), [9.0, 11.0])
    np.testing.assert_array_equal(curves.naive([1.0, 4.0], 3), [4.0, 4.0, 4.0])


def test_long_series_are_discounted_without_overflow():
    """3,000 weekly periods: the per-year discount cannot overflow, the fit still works."""
    n = 3000
    sales = noisy_bass(0.3 / n, 8.0 / n, 1e6, n, 0.05, 2)
    f = forecast(sales, 10, bass_prior(period_years=1 / 52), draws=200, period_years=1 / 52)
    assert np.all(np.isfinite(f.upper)) and np.all(f.lower <= f.upper)
    plain = fit_bass_map(sales, bass_prior(period_years=1 / 52), discount=1.0)
    assert plain.m == pytest.approx(1e6, rel=0.05)
