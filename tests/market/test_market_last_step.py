"""The market's last step ends where the weekly costs do (``sim.units.step_days``).

The firms' weekly processes (salaries, marketing) run from day 0 while a week starts
before the horizon, so they pay to the end of the week in which the horizon falls (day
1,827 of 1,825). The market steps every ``dt_days`` while a step starts before the
horizon; before this rule its last step ran to the next multiple of ``dt_days`` (day
1,848 with ``dt_days=28``), counting three weeks of sales whose costs were never paid.
"""

import dataclasses

import numpy as np
import pytest

import sim.kernel.aggregate as aggregate
from sim.cli import compose
from sim.scenario import run_scenario
from sim.units import costs_end, step_days


@pytest.mark.parametrize("t, dt, horizon, expected", [
    (1820.0, 7.0, 1825.0, 7.0),     # the default: nothing cut
    (1813.0, 7.0, 1825.0, 7.0),
    (1820.0, 28.0, 1825.0, 7.0),    # ran to 1,848
    (1792.0, 28.0, 1825.0, 28.0),   # a step before the last keeps its length
    (1806.0, 14.0, 1820.0, 14.0),   # a horizon that is a multiple of dt_days
    (1820.0, 182.0, 1821.0, 7.0),   # ran to 2,002
    (1824.0, 6.0, 1825.0, 3.0),     # a dt_days under 7 that does not divide it
    (1820.0, 5.0, 1825.0, 7.0),     # lengthened: it stopped at 1,825, two days short
    (1824.0, 1.0, 1825.0, 3.0),
    (1823.0, 1.0, 1825.0, 1.0),
])
def test_step_days_ends_the_last_step_where_the_weekly_costs_end(t, dt, horizon, expected):
    assert costs_end(1825.0) == 1827.0 and costs_end(1820.0) == 1820.0
    assert step_days(t, dt, horizon) == expected
    assert step_days(np.array([0.0, t]), dt, horizon).tolist() == [dt, expected]


def test_a_clock_that_adds_up_an_inexact_dt_keeps_its_full_steps():
    dt, t = 7.0 / 3.0, 0.0
    for _ in range(782):  # 782 * 7/3 = 1,824.67: the last step before 1,825
        t += dt
    assert t < 1825.0 and step_days(t, dt, 1825.0) == 1827.0 - t
    assert step_days(t - dt, dt, 1825.0) == dt


def _kernel_steps(monkeypatch, overrides, horizon=None):
    seen = []
    step = aggregate.AggregateMarket.step

    def recording(self, offer, dt, rng):
        seen.append(dt)
        return step(self, offer, dt, rng)

    monkeypatch.setattr(aggregate.AggregateMarket, "step", recording)
    cfg = compose(overrides).scenario()
    if horizon is not None:
        cfg = dataclasses.replace(cfg, horizon_days=horizon)
    run_scenario(cfg, 0, kpis_only=True)
    return cfg, seen


@pytest.mark.parametrize("dt, horizon", [(7, None), (28, None), (182, 1821.0), (6, None),
                                         (5, None), (1, None), (14, 1820.0)])
def test_the_market_covers_the_days_the_weekly_costs_cover(monkeypatch, dt, horizon):
    cfg, seen = _kernel_steps(monkeypatch, [f"dt_days={dt}"], horizon)
    assert sum(seen) == costs_end(cfg.horizon_days)
    assert all(s == dt for s in seen[:-1]) and 0.0 < seen[-1] <= max(dt, 7.0)


def test_a_clock_a_few_ulps_short_of_the_horizon_takes_no_step(monkeypatch):
    """dt_days 1.3 over 91 days: the clock's 70th sum is 90.99999999999989, where a step
    of a nanoday or less used to be taken (and, before the cut, a whole step past it)."""
    cfg, seen = _kernel_steps(monkeypatch, ["dt_days=1.3"], 91.0)
    assert len(seen) == 70 and min(seen) > 1.29
    assert sum(seen) == pytest.approx(91.0, abs=1e-9)


def test_a_subscription_bills_its_last_step_for_the_days_it_covers():
    """bass_only (a subscription at 20 a month, nobody churns) at dt_days=28: the last
    step, from day 1,820, bills 7 days of each subscriber, not 28."""
    cfg = compose(["scenario=bass_only", "dt_days=28"]).scenario()
    res = run_scenario(cfg, 0)
    last = res.timeseries.iloc[-1]
    assert last["t"] == 1820.0
    days = last["revenue"] / (last["installed_base"] * last["price"]) * (365.0 / 12.0)
    assert days == pytest.approx(7.0, rel=1e-12)
    # the KPIs read the step's length per row: a subscriber-month still earns its margin
    assert res.kpis["unit_margin"] == pytest.approx(16.0)


def test_the_answer_hardly_depends_on_the_step_length():
    """bass_only's NPV at dt_days 28 and 91 within 2% of dt_days 7 (0.6% and 1.7% now; 3.5%
    and 13% when the last step ran to 1,848 and 1,911)."""
    npv = {dt: run_scenario(compose(["scenario=bass_only", f"dt_days={dt}"]).scenario(),
                            0, kpis_only=True).kpis["npv"] for dt in (7, 28, 91)}
    assert abs(npv[28] / npv[7] - 1.0) < 0.02
    assert abs(npv[91] / npv[7] - 1.0) < 0.02


def test_sales_days_by_year_follow_the_steps():
    from sim.results.annual import sales_days_by_year

    assert sales_days_by_year(np.arange(5), 7.0, 1825.0).tolist() == [371, 364, 364, 364, 364]
    assert sales_days_by_year(np.arange(5), 28.0, 1825.0)[4] == 343.0  # 12 x 28 + 7


def _kpis(overrides, seed=0):
    return run_scenario(compose(overrides).scenario(), seed, kpis_only=True).kpis


@pytest.mark.parametrize("scenario", ["price_war", "baseline"])
def test_coarse_steps_give_the_weekly_steps_answer(scenario):
    """With the last step cut, the KPIs that read per-step figures read each row's step
    length: the peak sales day of price_war (sales still rising at the end) is the last
    step's at dt_days 28 as at 7 (it was day 1,484: the 7-day row counted as 28 days), and
    the last year's revenue growth compares sales per day (the fifth year books 343 days
    against 364: 0.030 for baseline instead of 0.090 at dt_days=7)."""
    week, month = _kpis([f"scenario={scenario}"]), _kpis([f"scenario={scenario}", "dt_days=28"])
    assert month["peak_sales_day"] == week["peak_sales_day"]
    assert abs(month["revenue_growth_yoy"] - week["revenue_growth_yoy"]) < 0.015
    name = f"product_revenue_growth.{compose([f'scenario={scenario}']).scenario().firm.product.name}"
    assert abs(month[name] - week[name]) < 0.015


def test_a_subscription_share_among_durables_reads_its_last_steps_length():
    """A subscription against a durable rival: the final unit share compares paying
    subscribers with owners at the last step; billing inverted with 28 days for the 7-day
    last step counted a quarter of the subscribers (0.274 against 0.600). With the trials'
    converters billed from their trial's last day, a trial dated from the step's start
    gave 0.602 and 0.613; dated from its middle, 0.6015 and 0.6075 (seed 0)."""
    mixed = ["scenario=subscription_trial", "competitors.legacy.product.kind=durable"]
    week, month = _kpis(mixed), _kpis([*mixed, "dt_days=28"])
    assert month["final_market_share"] == pytest.approx(week["final_market_share"], abs=0.01)


def test_a_free_trials_value_does_not_hang_on_the_step_length():
    """A 30-day trial's cohorts are dated from the middle of the step they joined in: dated
    from its start, with converters paying from the trial's end, the trial ran half a step
    short, and NPV was 4.52M at 7-day steps against 5.39M at 28 (seed 0, the rival's product
    a durable); now 4.25M against 4.29M."""
    mixed = ["scenario=subscription_trial", "competitors.legacy.product.kind=durable"]
    week, month = _kpis(mixed), _kpis([*mixed, "dt_days=28"])
    assert month["npv"] == pytest.approx(week["npv"], rel=0.05)


def test_market_days_are_the_days_the_market_steps_on(monkeypatch):
    from sim.units import market_days

    cfg, seen = _kernel_steps(monkeypatch, ["dt_days=1.3"], 91.0)
    days = market_days(1.3, 91.0)
    assert len(days) == len(seen) == 70
    assert np.allclose(np.diff(days), 1.3) and days[-1] + step_days(days[-1], 1.3, 91.0) == \
        pytest.approx(costs_end(91.0))
