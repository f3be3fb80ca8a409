"""Regions (sim.market.regions): rollout, price levels, localisation costs and the
cross-region influence, checked against the coupled Bass equations (solved by scipy) and
the Takada and Jain (1991) regularity, on the degenerate Bass scenario split in two
regions (no churn, satisfaction 1, full awareness, no outside option)."""

import dataclasses

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from sim.cli import compose
from sim.config.region import RegionConfig
from sim.scenario import run_scenario
from sim.units import DAYS_PER_MONTH, DAYS_PER_YEAR

P, Q = 0.05, 0.8  # per year: a peak about 3.3 years after launch
SIZE = 200_000
LAG_DAY = 728.0  # a market step (dt = 7)
HORIZON = 2184.0  # the lead's peak near day 1,190 (ln(q/p) / (p + q)), the lag's after it


def two_regions(delta=0.5, lag_day=LAG_DAY, level=1.0, cost=0.0, p_lag=P):
    base = compose(["scenario=bass_only", f"horizon_days={HORIZON}"]).scenario()
    seg = base.market.segments[0]
    segments = [dataclasses.replace(seg, name="lead_seg", size=SIZE),
                dataclasses.replace(seg, name="lag_seg", size=SIZE)]
    regions = [RegionConfig(name="lead", segments=["lead_seg"], p=P, q=Q),
               RegionConfig(name="lag", segments=["lag_seg"], p=p_lag, q=Q,
                            influence={"lead": delta} if delta else {},
                            price_level=level, localisation_cost=cost)]
    market = dataclasses.replace(base.market, segments=segments, regions=regions)
    firm = dataclasses.replace(base.firm, rollout={"lead": 0.0, "lag": lag_day})
    return dataclasses.replace(base, market=market, firm=firm)


def shares(res):
    """(steps, 2) owners' share of lead and lag after each step."""
    reg = res.regions.pivot_table(index="t", columns="region", values="installed_base",
                                  aggfunc="sum")
    return reg[["lead", "lag"]].to_numpy() / SIZE


def coupled_bass(t_end, p, q, delta, lag_day):
    """The coupled Bass equations of Kumar and Krishnan (2002), per day:
    dF1 = (p + q F1)(1 - F1); dF2 = (p + delta F1 + q F2)(1 - F2) from the lag's entry."""
    def rhs(t, y):
        f1, f2 = y
        d1 = (p + q * f1) * (1 - f1)
        d2 = (p + delta * f1 + q * f2) * (1 - f2) if t >= lag_day else 0.0
        return [d1, d2]
    return solve_ivp(rhs, (0.0, t_end), [0.0, 0.0], dense_output=True, rtol=1e-10,
                     atol=1e-12, max_step=1.0)


def discrete_twin(n, dt, p, q, delta, lag_step):
    """The kernel's scheme for the two regions (start-of-step hazards), in expectation."""
    f = np.zeros(2)
    out = np.empty((n, 2))
    for k in range(n):
        h1 = p + q * f[0]
        h2 = p + delta * f[0] + q * f[1] if k >= lag_step else 0.0
        f = f + (1 - f) * -np.expm1(-np.array([h1, h2]) * dt)
        out[k] = f
    return out


@pytest.fixture(scope="module")
def runs():
    cfg = two_regions()
    return cfg, [run_scenario(cfg, s) for s in range(10)]


def test_two_regions_follow_the_coupled_bass_equations(runs):
    cfg, results = runs
    dt = cfg.dt_days
    f = np.array([shares(r) for r in results])  # (seeds, steps, 2)
    mean = f.mean(axis=0)
    se = f.std(axis=0, ddof=1) / np.sqrt(len(f))  # sampling error of the mean, measured
    n = mean.shape[0]
    p, q, d = (x / DAYS_PER_YEAR for x in (P, Q, 0.5))
    twin = discrete_twin(n, dt, p, q, d, int(LAG_DAY / dt))
    live = se > 0  # elsewhere nobody can adopt yet (the lag before entry): exactly 0
    assert np.all(mean[~live] == twin[~live]) and live.sum() > 400
    assert np.all(np.abs(mean - twin)[live] <= 4 * se[live])
    t = dt * np.arange(1, n + 1)  # a row is the state after its step
    ode = coupled_bass(t[-1], p, q, d, LAG_DAY).sol(t).T
    bias = np.max(np.abs(twin - ode))  # the weekly step's discretisation bias, stated
    assert bias < 0.01
    assert np.all(np.abs(mean - ode) <= bias + 4 * se)
    # the influence matters: without it the lag region is far behind the ODE above
    alone = coupled_bass(t[-1], p, q, 0.0, LAG_DAY).sol(t).T
    assert np.max(np.abs(alone[:, 1] - ode[:, 1])) > 20 * (bias + 4 * se.max())


def test_nothing_is_sold_in_a_region_before_entry(runs):
    _, results = runs
    reg = results[0].regions
    lag = reg[reg["region"] == "lag"]
    before = lag[lag["t"] < LAG_DAY]
    assert not before["on_sale"].any()
    assert before["new_adopters"].sum() == 0 and before["revenue"].sum() == 0
    assert lag[lag["t"] >= LAG_DAY]["on_sale"].all()
    ev = results[0].events
    entries = ev[ev["kind"] == "region_entry"]
    assert entries["t"].tolist() == [0.0, LAG_DAY]


def test_later_entry_diffuses_faster_takada_jain(runs):
    """With the lead's adopters influencing it, the lag region's time from its launch to
    its sales peak is shorter than the lead's (Takada and Jain 1991); with no influence
    and the same p, q they are equal within a few steps."""
    cfg, results = runs
    lead = [r.kpis["region_lead_time_to_peak_days"] for r in results]
    lag = [r.kpis["region_lag_time_to_peak_days"] for r in results]
    assert all(g < 0.7 * d for g, d in zip(lag, lead, strict=True))
    bare = run_scenario(two_regions(delta=0.0), 0).kpis
    assert abs(bare["region_lag_time_to_peak_days"]
               - bare["region_lead_time_to_peak_days"]) <= 8 * cfg.dt_days


def test_price_level_and_localisation_cost_are_booked():
    cfg = two_regions(delta=0.0, level=1.25, cost=1_500_000.0)
    res = run_scenario(cfg, 3)
    reg = res.regions
    price = cfg.firm.pricing.list_price
    per = price * cfg.dt_days / DAYS_PER_MONTH  # a subscriber's bill for one step
    for name, level in (("lead", 1.0), ("lag", 1.25)):
        rows = reg[reg["region"] == name]
        np.testing.assert_allclose(rows["revenue"], per * level * rows["installed_base"],
                                   rtol=1e-9)
    # the timeseries and the ledger carry the same revenue as the regions table
    np.testing.assert_allclose(res.timeseries["revenue"].sum(), reg["revenue"].sum(), rtol=1e-9)
    led = res.ledger
    np.testing.assert_allclose(led[led["account"] == "revenue"]["amount"].sum(),
                               reg["revenue"].sum(), rtol=1e-9)
    loc = led[led["account"] == "localisation"]
    assert loc["amount"].tolist() == [-1_500_000.0] and loc["t"].tolist() == [LAG_DAY]
    # money is conserved: the firm's cash is the ledger's sum
    assert led[led["firm"] == "us"]["amount"].sum() == pytest.approx(res.final_cash["us"])
    pnl, _ = res.statements()
    assert pnl["revenue"].sum() == pytest.approx(reg["revenue"].sum())
    # the localisation cost is general and administrative spending in the statements
    free, _ = run_scenario(two_regions(delta=0.0, level=1.25), 3).statements()
    assert abs(pnl["opex_ga"].sum() - free["opex_ga"].sum()) == pytest.approx(1_500_000.0)


def test_a_higher_price_level_lowers_adoption_against_the_outside_option():
    def adopters(level):
        cfg = two_regions(delta=0.0, lag_day=0.0, level=level)
        seg = [dataclasses.replace(s, outside_utility=-4.0) for s in cfg.market.segments]
        cfg = dataclasses.replace(cfg, market=dataclasses.replace(cfg.market, segments=seg),
                                  horizon_days=728.0)
        reg = run_scenario(cfg, 5).regions
        return reg.groupby("region")["new_adopters"].sum()
    same, dearer = adopters(1.0), adopters(2.0)
    assert dearer["lag"] < 0.8 * same["lag"]
    # the lead region is untouched (its own draws change only through the shared stream)
    assert dearer["lead"] == pytest.approx(same["lead"], rel=0.05)


@pytest.mark.slow
def test_agent_mode_agrees_with_aggregate_mode_in_each_region():
    """Both kernels read the rollout (awareness) and the influence (advertising effect)
    from the offer: owners' shares at four dates, 6 seeds each, Welch within 4 se."""
    def runs(mode):
        cfg = two_regions()
        seg = [dataclasses.replace(s, size=50_000) for s in cfg.market.segments]
        cfg = dataclasses.replace(cfg, mode=mode, horizon_days=1456.0,
                                  market=dataclasses.replace(cfg.market, segments=seg))
        return np.array([shares(run_scenario(cfg, s))[[103, 129, 155, 207], :] * SIZE / 50_000
                         for s in range(6)])
    a, g = runs("aggregate"), runs("agent")
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + g.var(axis=0, ddof=1) / len(g))
    assert np.all(np.abs(a.mean(axis=0) - g.mean(axis=0)) <= 4 * se + 1e-12)
    assert a.mean(axis=0)[3, 1] > 0.5  # the lag region has diffused by then


def test_channels_keep_their_margin_of_the_revenue_at_regional_prices():
    """A 30% retail channel in global_rollout (regions priced at other levels): the
    margins are 30% of the revenue booked, and the distribution table carries that revenue
    (taken at list price they were 30.31%, the table 357.0M against the ledger's 353.4M)."""
    cfg = compose(["scenario=global_rollout", "horizon_days=1000",
                   "+firm.distribution.channels={retail:{margin:0.3,initial:1.0,target:1.0}}"]
                  ).scenario()
    res = run_scenario(cfg, 0)
    led = res.ledger[res.ledger["firm"] == "us"]
    revenue = led.loc[led["account"] == "revenue", "amount"].sum()
    margins = -led.loc[led["account"].str.startswith("channel_margin"), "amount"].sum()
    # the premise: some regions price below the list (negative revenue adjustments)
    assert (led.loc[led["account"] == "revenue", "amount"] < 0).any()
    assert margins == pytest.approx(0.3 * revenue, rel=1e-9)
    carried = res.distribution.loc[res.distribution["firm"] == "us", "revenue"].sum()
    assert carried == pytest.approx(revenue, rel=1e-9)
