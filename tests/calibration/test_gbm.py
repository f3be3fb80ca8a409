"""The Generalized Bass Model (Bass, Krishnan and Jain 1994) fit."""

import numpy as np
import pytest

from sim.calibration.bass import period_sales, unit_bounds
from sim.calibration.bootstrap import simulate_process
from sim.calibration.data import SalesSeries
from sim.calibration.fit import calibrate
from sim.calibration.gbm import _GbmObjective, effort, effort_bounds, fit_gbm

N = 15
PRICE = 100.0 * np.r_[np.ones(3), 0.92 ** np.arange(1, N - 2)]  # 8% cuts from period 4
ADV = np.r_[1.0, 1.0, 2.0, 3.0, 4.0, np.full(N - 5, 4.0)]  # ramps up in periods 3-5
TRUTH = dict(p=0.01, q=0.4, m=1e4, beta_price=-1.5, beta_advertising=0.8)


def gbm_sales(p, q, m, beta_price, beta_advertising):
    return period_sales(p, q, m, effort_bounds(effort(beta_price, beta_advertising, PRICE, ADV)))


def test_effort_follows_bkj_discrete_form():
    x = effort(-1.5, 0.8, PRICE, ADV)
    assert x[0] == 1.0  # no change observed before the first period
    assert x[2] == pytest.approx(1.0 + 0.8 * 1.0)  # advertising doubled, price flat
    assert x[3] == pytest.approx(1.0 - 1.5 * (-0.08) + 0.8 * 0.5)
    assert x[-1] == pytest.approx(1.0 + 1.5 * 0.08)
    # Advertising cuts do not slow diffusion (max(0, .)); price rises do.
    assert effort(0.0, 0.8, None, np.array([4.0, 2.0]))[1] == 1.0
    assert effort(-1.5, 0.0, np.array([10.0, 11.0]), None)[1] == pytest.approx(0.85)


def test_constant_mix_reduces_to_bass():
    flat = np.full(N, 5.0)
    bass = period_sales(0.01, 0.4, 1e4, unit_bounds(N))
    gbm = period_sales(0.01, 0.4, 1e4, effort_bounds(effort(-2.0, 3.0, flat, flat)))
    np.testing.assert_allclose(gbm, bass, rtol=1e-14)


def test_analytic_jacobian_matches_finite_differences():
    obj = _GbmObjective(gbm_sales(**TRUTH), PRICE, ADV)
    theta = np.r_[np.log([0.012, 0.35, 1.2e4]), -1.0, 0.5]
    h = 1e-7
    numeric = np.column_stack([(obj.residuals(theta + e) - obj.residuals(theta - e)) / (2 * h)
                               for e in np.eye(theta.size) * h])
    np.testing.assert_allclose(obj.jacobian(theta), numeric, atol=1e-6)


def test_noise_free_gbm_is_recovered():
    fit = fit_gbm(gbm_sales(**TRUTH), PRICE, ADV, bass_start=(0.02, 0.3, 1.5e4))
    got = [fit.p, fit.q, fit.m, fit.beta_price, fit.beta_advertising]
    np.testing.assert_allclose(got, list(TRUTH.values()), rtol=1e-6)


def test_price_only_fit():
    sales = period_sales(0.01, 0.4, 1e4, effort_bounds(effort(-2.0, 0.0, PRICE, None)))
    fit = fit_gbm(sales, price=PRICE, bass_start=(0.01, 0.5, 1e4))
    assert fit.beta_advertising is None
    assert fit.beta_price == pytest.approx(-2.0, rel=1e-6)


def test_calibrate_reports_gbm_with_intervals():
    """Noisy GBM process (phi = 1): the betas' intervals contain the truth."""
    x = effort(TRUTH["beta_price"], TRUTH["beta_advertising"], PRICE, ADV)
    sales = simulate_process(0.01, 0.4, 1e4, x, 1.0, 1, np.random.default_rng(5))[0]
    series = SalesSeries("gbm", "period", np.arange(1.0, N + 1), sales, PRICE, ADV)
    report = calibrate(series, "gbm", replicates=150, seed=3).to_dict()
    g = report["gbm"]
    assert report["method"] == "bass-nls"  # the headline stays the plain Bass fit
    assert g["r2"] > report["r2"]  # the mix explains what plain Bass cannot
    for key in ("p", "q", "m", "beta_price", "beta_advertising"):
        lo, hi = g[f"{key}_ci"]
        assert lo <= TRUTH[key] <= hi, (key, lo, TRUTH[key], hi)
