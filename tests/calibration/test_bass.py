"""The Bass estimators against closed forms and slow, obviously-correct twins."""

import numpy as np
import pytest

from sim.calibration.bass import (
    _cdf_and_grads,
    cumulative_share,
    fit_nls,
    fit_ols,
    fit_statistics,
    inverse_share,
    peak_sales,
    peak_time,
    period_sales,
    refit_nls,
    unit_bounds,
)
from sim.calibration.data import read_sales_csv
from sim.kernel import bass_cdf, bass_pdf

PARAMS = [(0.01, 0.4, 20_000.0), (0.03, 0.38, 5_000.0), (0.002, 0.9, 1e6), (0.2, 0.1, 300.0),
          (0.001, 0.05, 2_000.0)]


@pytest.mark.parametrize("p, q, m", PARAMS)
def test_share_matches_kernel_closed_form(p, q, m):
    t = np.linspace(0.0, 60.0, 241)
    np.testing.assert_allclose(cumulative_share(t, p, q), bass_cdf(t, p, q), rtol=1e-13,
                               atol=1e-15)
    inner = (t > 0) & (cumulative_share(t, p, q) < 0.999)  # where the inverse is well conditioned
    f = cumulative_share(t[inner], p, q)
    np.testing.assert_allclose(inverse_share(f, p, q), t[inner], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("p, q, m", PARAMS)
def test_analytic_gradient_matches_finite_differences(p, q, m):
    x = np.linspace(0.0, 30.0, 31)
    _, d_logp, d_logq = _cdf_and_grads(x, p, q)
    h = 1e-6
    up, down = np.exp(h), np.exp(-h)
    fd_p = (cumulative_share(x, p * up, q) - cumulative_share(x, p * down, q)) / (2 * h)
    fd_q = (cumulative_share(x, p, q * up) - cumulative_share(x, p, q * down)) / (2 * h)
    np.testing.assert_allclose(d_logp, fd_p, atol=1e-8)
    np.testing.assert_allclose(d_logq, fd_q, atol=1e-8)


@pytest.mark.parametrize("p, q, m", PARAMS)
@pytest.mark.parametrize("n", [8, 20])
def test_nls_recovers_noise_free_closed_form(p, q, m, n):
    sales = period_sales(p, q, m, unit_bounds(n))
    fit = fit_nls(sales)
    np.testing.assert_allclose([fit.p, fit.q, fit.m], [p, q, m], rtol=1e-5)
    assert fit.sse < 1e-12 * np.sum(sales**2)


def test_refit_starts_anywhere_nearby():
    sales = period_sales(0.01, 0.4, 2e4, unit_bounds(15))
    fit = refit_nls(sales, np.log([0.02, 0.3, 3e4]))
    np.testing.assert_allclose([fit.p, fit.q, fit.m], [0.01, 0.4, 2e4], rtol=1e-6)


@pytest.mark.parametrize("p, q, m", [(0.01, 0.4, 20_000.0), (0.05, 0.3, 800.0)])
def test_ols_recovers_its_own_discrete_model_exactly(p, q, m):
    # Bass (1969) discrete model: S_t = p m + (q - p) Y_{t-1} - (q/m) Y_{t-1}^2.
    sales, y = [], 0.0
    for _ in range(14):
        s = p * m + (q - p) * y - (q / m) * y * y
        sales.append(s)
        y += s
    fit = fit_ols(np.array(sales))
    assert fit.valid and fit.note is None
    np.testing.assert_allclose([fit.p, fit.q, fit.m], [p, q, m], rtol=1e-8)


def test_ols_without_a_bass_solution_says_so():
    # Accelerating growth: the quadratic in Y bends upwards (c > 0).
    fit = fit_ols(np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]))
    assert not fit.valid and fit.as_start() is None
    assert "OLS" in fit.note


def test_ols_note_on_a_shared_series(data_dir):
    s = read_sales_csv(data_dir / "mammography_1965_1978.csv")
    fit = fit_ols(s.sales)
    assert not fit.valid and "p=" in fit.note and "must be > 0" in fit.note


@pytest.mark.parametrize("p, q, m", PARAMS)
def test_peak_matches_numerical_maximum_of_the_density(p, q, m):
    t = np.linspace(0.0, 200.0, 400_001)
    rate = m * bass_pdf(t, p, q)
    assert peak_time(p, q) == pytest.approx(t[np.argmax(rate)], abs=1e-3)
    assert peak_sales(p, q, m) == pytest.approx(rate.max(), rel=1e-8)


def test_fit_statistics_by_hand():
    stats = fit_statistics([10.0, 20.0, 30.0], [12.0, 20.0, 27.0])
    assert stats["sse"] == pytest.approx(13.0)
    assert stats["rmse"] == pytest.approx(np.sqrt(13.0 / 3))
    assert stats["r2"] == pytest.approx(1 - 13.0 / 200.0)
    assert stats["mape"] == pytest.approx(100 * (0.2 + 0 + 0.1) / 3)


@pytest.mark.parametrize("stem", ["room_air_conditioners_1949_1961", "clothes_dryers_1949_1961",
                                  "color_televisions_1963_1970"])
def test_nls_is_the_global_minimum_by_brute_force(data_dir, stem):
    """A dense (p, q) grid with m profiled out exactly finds no better point than the fit."""
    sales = read_sales_csv(data_dir / f"{stem}.csv").sales
    fit = fit_nls(sales)
    p = np.geomspace(fit.p / 20, min(fit.p * 20, 1.0), 400)[:, None, None]
    q = np.geomspace(fit.q / 5, fit.q * 5, 400)[None, :, None]
    shares = np.diff(cumulative_share(unit_bounds(sales.size), p, q), axis=-1)
    m = np.sum(shares * sales, axis=-1) / np.sum(shares**2, axis=-1)
    sse = np.sum((m[..., None] * shares - sales) ** 2, axis=-1)
    assert fit.sse <= sse.min() * (1 + 1e-9)
    i, j = np.unravel_index(np.argmin(sse), sse.shape)
    # The grid's best point is the fit up to the grid's resolution (about 1.5% in p, 0.8% in q).
    assert p[i, 0, 0] == pytest.approx(fit.p, rel=0.03)
    assert q[0, j, 0] == pytest.approx(fit.q, rel=0.02)
