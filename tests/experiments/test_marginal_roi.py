"""Marginal ROI of a budget step, paired by seed (Farris et al., Marketing Metrics 10.1)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.marketing_mix import marginal_roi


def test_marginal_roi_pairs_seeds_and_divides_by_the_extra_spend():
    plan = pd.DataFrame({"option": ["a_40k", "a_80k"], "allocation": ["a", "a"],
                         "budget_per_week": [40e3, 80e3]})
    # seed 0: +2M contribution for +4M spend (-0.5); seed 1: +6M for +4M (+0.5)
    kpis = pd.DataFrame({"option": ["a_40k", "a_80k", "a_40k", "a_80k"],
                         "seed": [0, 0, 1, 1],
                         "contribution": [10e6, 12e6, 20e6, 26e6],
                         "marketing_spend": [4e6, 8e6, 4e6, 8e6]})
    out = marginal_roi(kpis, plan).iloc[0]
    assert (out["from_budget"], out["to_budget"], out["n"]) == (40e3, 80e3, 2)
    assert out["marginal_roi"] == pytest.approx(0.0)
    # a Student t interval on 1 degree of freedom (t 12.706; a normal 1.96 was 6.5 times
    # too narrow here): sd of (-0.5, 0.5) is 0.707, over sqrt(2)
    # a 90% interval, the answer's level (stats.t.ppf(0.95, 1) = 6.314)
    half = stats.t.ppf(0.95, 1) * (2 ** 0.5 * 0.5) / 2 ** 0.5
    assert half == pytest.approx(3.157, abs=1e-3)
    assert (out["low"], out["high"]) == pytest.approx((-half, half))


def test_one_paired_seed_has_no_interval_and_the_report_says_so():
    from experiments.marketing_mix import _signed

    plan = pd.DataFrame({"option": ["a_40k", "a_80k"], "allocation": ["a", "a"],
                         "budget_per_week": [40e3, 80e3]})
    kpis = pd.DataFrame({"option": ["a_40k", "a_80k"], "seed": [0, 0],
                         "contribution": [10e6, 12e6], "marketing_spend": [4e6, 8e6]})
    out = marginal_roi(kpis, plan).iloc[0]
    assert out["n"] == 1 and np.isnan(out["low"]) and np.isnan(out["high"])
    # a difference under 0.005 keeps its size ("ROI 0.00" had read as an ROI of zero)
    assert (_signed(-0.001), _signed(0.004), _signed(-1.816), _signed(float("nan")),
            _signed(-0.0)) == ("-0.001", "+0.004", "-1.82", "n/a", "0.00")


def test_a_single_budget_has_no_marginal_roi():
    plan = pd.DataFrame({"option": ["a_40k"], "allocation": ["a"], "budget_per_week": [40e3]})
    kpis = pd.DataFrame({"option": ["a_40k"], "seed": [0], "contribution": [1.0],
                         "marketing_spend": [1.0]})
    assert marginal_roi(kpis, plan).empty
