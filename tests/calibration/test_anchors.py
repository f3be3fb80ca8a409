"""Anchors on the classic Bass-era series (room air conditioners, clothes dryers, colour TV).

What is checked, and how far each check can be trusted:

1. ``test_bass.py::test_nls_is_the_global_minimum_by_brute_force`` shows that our NLS
   estimate is the global least-squares minimum of the Srinivasan-Mason objective
   ``sum_t (S_t - m [F(t) - F(t-1)])^2`` (t = 1 for the first year) on these files. NLS is
   deterministic, so any correct implementation on the same data must land on it; a
   published table that differs used other data or stopped its optimiser early.

2. Published values. The issue cites, for room air conditioners (1949-1961, thousands of
   units), the NLS estimates of Srinivasan and Mason (1986): m ~ 17,000, p ~ 0.0104,
   q ~ 0.3840. We could not retrieve the paper's table in this environment to confirm them,
   and they are not the NLS minimum on the shared file (that is m = 18,713, p = 0.00944,
   q = 0.3748; the cited point has 43% more squared error). p = 0.0104 is also the value
   usually quoted from Bass (1969), whose room-air-conditioner series started earlier, so
   the cited numbers may mix sources. The test therefore asks what the data can support:
   the cited values must lie inside our 95% intervals and inside the joint 95% region of
   the NLS fit (F test on the sum of squares). Someone with the paper should replace
   ``CITED`` by its table and tighten this to the table's rounding.

3. ``test_regression_*``: named regression values (our own fits, recorded 2026-11) so that
   a change in the estimator that moves them is noticed; they are not validation.
"""

import numpy as np
import pytest
from scipy.stats import f as f_dist

from sim.calibration.bass import fit_nls, period_sales, unit_bounds
from sim.calibration.data import read_sales_csv
from sim.calibration.fit import calibrate

CITED = {
    # Srinivasan & Mason (1986) NLS, as cited in the calibration issue (not verified here).
    "room_air_conditioners_1949_1961": dict(p=0.0104, q=0.3840, m=17_000.0),
}

REGRESSION = {  # p, q per year; m in thousands of units (our NLS fits)
    "room_air_conditioners_1949_1961": dict(p=0.0094421, q=0.37476, m=18_712.7),
    "clothes_dryers_1949_1961": dict(p=0.013596, q=0.32670, m=16_497.0),
    "color_televisions_1963_1970": dict(p=0.018466, q=0.61586, m=39_658.6),
}


@pytest.mark.parametrize("stem", sorted(REGRESSION))
def test_regression_classic_nls_estimates(data_dir, stem):
    fit = fit_nls(read_sales_csv(data_dir / f"{stem}.csv").sales)
    want = REGRESSION[stem]
    np.testing.assert_allclose([fit.p, fit.q, fit.m], [want["p"], want["q"], want["m"]],
                               rtol=2e-4)


@pytest.mark.parametrize("stem", sorted(CITED))
def test_cited_published_values_inside_our_intervals(data_dir, stem):
    series = read_sales_csv(data_dir / f"{stem}.csv")
    report = calibrate(series, stem, replicates=300, seed=0).to_dict()
    cited = CITED[stem]
    for key, value in cited.items():
        lo, hi = report[f"{key}_ci"]
        assert lo <= value <= hi, (key, lo, value, hi)


@pytest.mark.parametrize("stem", sorted(CITED))
def test_cited_published_values_inside_joint_confidence_region(data_dir, stem):
    sales = read_sales_csv(data_dir / f"{stem}.csv").sales
    n, k = sales.size, 3
    best = fit_nls(sales).sse
    c = CITED[stem]
    sse = float(np.sum((period_sales(c["p"], c["q"], c["m"], unit_bounds(n)) - sales) ** 2))
    limit = best * (1.0 + k / (n - k) * f_dist.ppf(0.95, k, n - k))
    assert best < sse <= limit


def test_classic_series_fit_the_bass_shape(data_dir):
    """All three are textbook Bass curves: R^2 > 0.9 and the peak inside the data."""
    for stem in REGRESSION:
        series = read_sales_csv(data_dir / f"{stem}.csv")
        r = calibrate(series, stem, replicates=0).to_dict()
        assert r["r2"] > 0.9 and 0 < r["peak_period"] < series.n
        assert r["ols"]["valid"]  # Bass's own estimator works on his kind of data
