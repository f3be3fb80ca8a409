"""Finance that can run out, end to end (docs/model.md section 6.1): cash never goes below
the credit line, each change of cash state is one event, and an insolvent firm leaves the
market (nothing shipped or billed, its customers served by nobody) while money, customers
and units stay conserved."""

import dataclasses

import numpy as np
import pytest

from sim.cli import compose
from sim.scenario import run_scenario
from tests.scenario.test_conservation import check_run

STATES = ["cash_exhausted", "cash_recovered", "layoffs", "insolvent"]


def run(overrides, horizon):
    cfg = compose(overrides).scenario()
    cfg = dataclasses.replace(cfg, horizon_days=horizon)
    res = run_scenario(cfg, 0)
    check_run(res, cfg)  # the ledger, customers and units still add up
    return cfg, res


def states(res, firm="us"):
    ev = res.events
    mine = ev[(ev.firm == firm) & ev.kind.isin(STATES)]
    return list(zip(mine.t, mine.kind, strict=True))


def test_the_issue_command_runs_out_before_launch_without_flip_flop():
    # before: about 70 cash_exhausted/cash_recovered events, cash down to -630k with no
    # credit line; now: one event per change of state, and the money is gone before launch
    # on pre-launch marketing that goes on through the slip (``during_slip: continue``)
    cfg, res = run(["scenario=startup_vs_incumbent", "firm.marketing.budget_per_week=250000",
                    "firm.marketing.during_slip=continue"], 700.0)
    kinds = [k for _, k in states(res)]
    assert kinds == ["cash_exhausted", "layoffs", "insolvent"]
    assert res.kpis["prelaunch_paused_day"] is None
    us = res.timeseries[res.timeseries.firm == "us"]
    assert (us["cash"] >= -cfg.firm.credit_line - 1e-6).all()
    assert us["units_sold"].sum() == 0 and not us["launched"].any()


def test_with_the_campaign_paused_during_the_slip_the_same_plan_launches():
    """The default stops the pre-launch campaign once the planned day (420) has passed
    without a product (docs/model.md 3.1): the startup pays nine weeks of it, not the
    twenty-eight to its launch on day 558, and launches with cash to spare."""
    cfg, res = run(["scenario=startup_vs_incumbent", "firm.marketing.budget_per_week=250000"],
                   700.0)
    assert states(res) == []
    ev = res.events[res.events.firm == "us"]
    (launch,) = ev[ev.kind == "launch"].t
    assert list(ev[ev.kind == "prelaunch_paused"].t) == [427.0] and 550.0 < launch < 565.0
    assert res.kpis["prelaunch_paused_day"] == 427.0
    led = res.ledger[(res.ledger.firm == "us") & res.ledger.account.str.startswith("marketing")]
    assert -led[led.t < launch].amount.sum() == pytest.approx(9 * 250_000.0)


def test_an_insolvent_durable_firm_stops_selling_and_its_owners_drift_away():
    cfg, res = run(["scenario=startup_vs_incumbent", "firm.marketing.budget_per_week=200000",
                    "firm.pricing.list_price=149"], 900.0)
    (t_out, kind), = [s for s in states(res) if s[1] == "insolvent"]
    launch = res.events[(res.events.firm == "us") & (res.events.kind == "launch")].t.iloc[0]
    assert launch < t_out  # it had customers when it failed
    us = res.timeseries[res.timeseries.firm == "us"].set_index("t")
    after = us[us.index >= t_out]
    assert (after["units_sold"] == 0).all() and (after["revenue"] == 0).all()
    assert not after["launched"].any()
    base = after["installed_base"].to_numpy()
    assert base[0] > 0 and np.all(np.diff(base) <= 0) and base[-1] < base[0]
    # nothing is paid after the exit: no salaries, production or marketing
    led = res.ledger[(res.ledger.firm == "us") & (res.ledger.t > t_out)]
    assert led.empty


def test_the_saas_firm_no_longer_runs_an_unlimited_overdraft():
    # before: it ended at -5.9M with credit_line 0 and kept operating. Its shipped plan now
    # pays (trials convert on satisfaction, the outside option is calibrated), so it is
    # priced at 9 a seat-month here, barely above the serving cost: insolvent on day 1064
    cfg, res = run(["scenario=subscription_trial", "firm.pricing.list_price=9"], 1300.0)
    kinds = [k for _, k in states(res)]
    assert kinds == ["cash_exhausted", "layoffs", "insolvent"]
    t_out = states(res)[-1][0]
    us = res.timeseries[res.timeseries.firm == "us"].set_index("t")
    assert us["cash"].min() >= -cfg.firm.credit_line - 1e-6
    after = us[us.index >= t_out]
    # subscribers are served by nobody: they all leave at the first step, nobody pays
    assert after["installed_base"].iloc[0] == 0 and (after["revenue"] == 0).all()


def test_the_kpis_and_the_table_say_when_the_firm_ran_out_and_failed():
    """A price of 1 cannot pay the payroll: the KPIs date the shortage and the insolvency
    from the events, the KPI table warns under its figures, and the release whose work was
    under way when the firm failed never lands (the engineers left with everybody)."""
    import pandas as pd

    from sim.cli import format_table

    cfg, res = run(["firm.pricing.list_price=1"], 800.0)
    ev = res.events[res.events.firm == "us"]
    day = {k: ev[ev.kind == k].t.min() for k in ("cash_exhausted", "insolvent")}
    assert res.kpis["cash_exhausted_day"] == day["cash_exhausted"]
    assert res.kpis["insolvent_day"] == day["insolvent"] < cfg.horizon_days
    assert not (ev[ev.t > day["insolvent"]].kind == "release").any()
    assert res.kpis["pipeline_projects"] == 0
    text = format_table(pd.DataFrame([res.kpis]))
    assert f"Warning: insolvent on day {day['insolvent']:,.0f}" in text
    assert f"Warning: cash ran short on day {day['cash_exhausted']:,.0f}" in text
    two = format_table(pd.DataFrame([res.kpis, {**res.kpis, "insolvent_day": None,
                                                "cash_exhausted_day": None}]))
    assert "insolvent in 1 of 2 replications" in two
    healthy = run(["firm.pricing.list_price=249"], 300.0)[1].kpis
    assert healthy["insolvent_day"] is None and healthy["cash_exhausted_day"] is None
    # no cash warning; the one line left says the 300-day run ends before the launch
    said = [ln for ln in format_table(pd.DataFrame([healthy])).splitlines()
            if ln.startswith("Warning")]
    assert [ln.split(" (")[0] for ln in said] == [
        "Warning: the product did not launch within the run"]


def test_a_firm_insolvent_at_the_start_develops_nothing():
    _, res = run(["firm.initial_cash=0"], 400.0)
    ev = res.events[res.events.firm == "us"]
    assert res.kpis["insolvent_day"] == 0.0
    assert not (ev.kind == "project_started").any()
    assert res.kpis["pipeline_projects"] == 0 and res.kpis["pipeline_strength"] == 0.0
    # no money was ever drawn: a need of 0.0, not -0.0 (max(-0.0, 0.0) kept the sign)
    assert str(res.kpis["peak_funding_need"]) == "0.0"
    from sim.results.files import kpis_text

    assert "-0.0" not in kpis_text({**res.kpis, "x": -0.0})
    assert '"x": 0.0' in kpis_text({"x": -0.0}) and '"y": -1e-300' in kpis_text({"y": -1e-300})


def test_no_trial_converts_when_none_can_even_if_the_firm_fails():
    """trial_conversion=0: nobody pays, the firm fails, and the KPI is 0 (it was 0.015: the
    trials that ended after the exit counted as ended, their leavers uncounted)."""
    cfg = compose(["scenario=subscription_trial", "firm.pricing.trial_conversion=0"]).scenario()
    res = run_scenario(cfg, 0)
    assert res.kpis["cumulative_revenue"] == 0.0 and res.kpis["insolvent_day"] is not None
    assert res.kpis["trial_conversion"] == 0.0


def test_peak_funding_need_is_the_daily_low_of_the_operating_cash():
    """max(0, -min_t cumulative FCF) over days, not over quarter ends: in
    subscription_trial the low falls between two quarter ends (8,367,693 against the
    quarter ends' 8,365,847; 8,179,182 against 8,169,887 before the trial's accounting was
    corrected on 2026-12-07). Within a day the weekly payments post before the market's
    revenue, so the lowest balance between postings (cash_min) can be lower still; a day's
    postings are netted here."""
    res = run_scenario(compose(["scenario=subscription_trial"]).scenario(), 0)
    led = res.ledger[(res.ledger["firm"] == "us")
                     & ~res.ledger["account"].str.startswith("financing")]
    by_day = led.groupby("t")["amount"].sum().cumsum()
    need = res.kpis["peak_funding_need"]
    assert need == pytest.approx(-by_day.min(), rel=1e-12)
    _, bal = res.statements()
    b = bal[bal["firm"] == "us"]
    quarterly = -(b["cf_operating"] + b["cf_investing"]).cumsum().min()
    assert need > quarterly + 1_000


def test_a_line_products_paused_campaign_is_the_firms_kpi():
    """product_line's value tier (planned for day 540) slips: its campaign stops at the
    first weekly payment after its plan, and the firm's KPI says so though the first
    product launched on plan."""
    cfg = compose(["scenario=product_line"]).scenario()
    res = run_scenario(dataclasses.replace(cfg, horizon_days=600.0), 0)
    ev = res.events[res.events.kind == "prelaunch_paused"]
    assert list(zip(ev["product"], ev.t, strict=True)) == [("hub_lite", 546.0)]
    assert res.kpis["prelaunch_paused_day"] == 546.0
