"""Demand seasonality as a market setting (sim/market/seasonality.py, docs/model.md 1.8)."""

import numpy as np
import pytest

from sim.cli import compose
from sim.config.market import SeasonalityConfig
from sim.market.seasonality import Seasonality
from sim.scenario import run_scenario
from sim.units import DAYS_PER_MONTH


def test_index_averages_one_and_months_follow_the_calendar():
    s = Seasonality(SeasonalityConfig(monthly_index=[2.0] * 11 + [13.0], start_month=11))
    assert np.mean(s.index) == pytest.approx(1.0)
    assert s.month(0.0) == 10  # day 0 is in November
    assert s.month(DAYS_PER_MONTH + 0.5) == 11  # December: the high month
    assert s.factor(DAYS_PER_MONTH + 0.5) == pytest.approx(13.0 / (35.0 / 12.0))
    assert s.month(2 * DAYS_PER_MONTH) == 0  # then January
    assert Seasonality(SeasonalityConfig()).factor(123.0) == 1.0


@pytest.mark.parametrize("kwargs, key", [
    ({"monthly_index": [1.0] * 11}, "monthly_index"),
    ({"monthly_index": [1.0] * 11 + [-1.0]}, "monthly_index[11]"),
    ({"monthly_index": [0.0] * 12}, "positive sum"),
    ({"start_month": 13}, "start_month"),
])
def test_bad_seasonality_is_one_clear_error(kwargs, key):
    with pytest.raises(ValueError, match=key.replace("[", r"\[").replace("]", r"\]")):
        SeasonalityConfig(**kwargs)


def test_consumer_electronics_sells_most_in_the_holidays():
    """The default market: per-day category purchases in November-December against
    February-April, in years 2-4 (Census factors 1.27 against 0.90 on average)."""
    cfg = compose(["scenario=baseline", "horizon_days=1825"]).scenario()
    ts = run_scenario(cfg, seed=0).timeseries
    per_step = ts.groupby("t").units_sold.sum()
    t = per_step.index.to_numpy()
    month = ((t // DAYS_PER_MONTH) % 12).astype(int)
    later = t >= 730
    holiday = per_step.to_numpy()[later & np.isin(month, [10, 11])].mean()
    spring = per_step.to_numpy()[later & np.isin(month, [1, 2, 3])].mean()
    assert holiday > 1.2 * spring
    flat = compose(["scenario=baseline", "horizon_days=1825",
                    "market.seasonality.monthly_index=[]"]).scenario()
    ts0 = run_scenario(flat, seed=0).timeseries.groupby("t").units_sold.sum().to_numpy()
    assert ts0[later & np.isin(month, [10, 11])].mean() < 1.1 * ts0[later & np.isin(month, [1, 2, 3])].mean()
