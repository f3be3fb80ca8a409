"""Money at the edges a controller's review found (2026-12-07): no signed zero in a file
or a report, the statements' money columns always floats, and a break-even that follows a
negative cash path."""

import numpy as np
import pandas as pd
import pytest
from test_statements import _ledger, _ts

from sim.cli import compose
from sim.formatting import unsigned_zero
from sim.results.decision import money
from sim.results.kpis import compute_kpis
from sim.results.scorecard_page import fmt
from sim.results.statements import QUARTER_DAYS, build_statements
from sim.scenario import run_scenario


@pytest.mark.parametrize("text, expected", [
    ("-0", "0"), ("-0.0%", "0.0%"), ("-0.00M", "0.00M"), ("-0,000", "0,000"),
    ("-1", "-1"), ("-0.01", "-0.01"), ("0", "0"), ("-10", "-10"), ("-inf", "-inf"),
    ("-", "-")])
def test_unsigned_zero(text, expected):
    assert unsigned_zero(text) == expected


def test_report_formatters_write_no_signed_zero():
    assert money(-0.4) == "0" and money(-0.0, "USD") == "0 USD"
    assert money(-0.6, "USD") == "-1 USD" and money(-1.5e6) == "-1.50M"
    assert fmt(-0.0004, "pct", "") == "0.0%" and fmt(-0.4, "count", "") == "0"
    assert fmt(-0.001, "ratio", "") == "0.00" and fmt(-0.02, "ratio", "") == "-0.02"


def test_statements_money_columns_are_floats_and_never_minus_zero():
    """A firm without capex, interest or channel margins: those columns were int64 zeros
    (np.bincount of no postings) in one run and float64 in another, so pyarrow could not read
    two runs' files together; cf_investing was -0.0 in every quarter without capex."""
    led = _ledger([(0.0, "a", "financing:equity", 1000.0), (10.0, "a", "revenue", 50.0)])
    pnl, bal = build_statements(led, _ts([]), 2 * QUARTER_DAYS, 0.21, 5.0)
    for frame in (pnl, bal):
        money = frame.drop(columns=["firm", "quarter"])
        assert all(dtype == np.float64 for dtype in money.dtypes), money.dtypes
        values = money.to_numpy(float)
        assert not (np.signbit(values) & (values == 0.0)).any()


def test_breakeven_follows_a_negative_cash_path():
    """Operating cash +10 on day 0, -40 by day 7, +60 by day 14: the plan breaks even on day
    14, after it went negative, not on day 0 (docs/kpis.md)."""
    cfg = compose(["horizon_days=60"]).scenario()
    res = run_scenario(cfg, 0)
    ev = res.events.copy()
    ev = pd.concat([ev, pd.DataFrame([{"t": 0.0, "firm": cfg.firm.name, "product":
                                       cfg.firm.product.name, "kind": "launch",
                                       "detail": ""}])], ignore_index=True)
    led = pd.DataFrame([(0.0, "us", "financing:equity", 1e6, ""), (0.0, "us", "revenue", 10.0, ""),
                        (7.0, "us", "marketing:tv", -50.0, ""), (14.0, "us", "revenue", 100.0, "")],
                       columns=["t", "firm", "account", "amount", "product"])
    k = compute_kpis(cfg, res.timeseries, ev, led)
    assert k["launch_day"] == 0.0
    assert k["breakeven_day"] == 14.0


def test_a_subscriptions_contribution_charges_what_the_ledger_books_to_serve():
    """A subscription with a free trial: the ledger books the serving cost of every active
    subscriber, trialists included, and the contribution charges the same (it charged the
    paying subscribers' alone, about 1.1M less in subscription_trial)."""
    res = run_scenario(compose(["scenario=subscription_trial", "horizon_days=730"]).scenario(), 0)
    led = res.ledger[res.ledger["firm"] == res.config.firm.name]
    revenue = led.loc[led["account"] == "revenue", "amount"].sum()
    channels = led.loc[led["account"].str.startswith("channel_margin"), "amount"].sum()
    serving = led.loc[led["account"] == "production", "amount"].sum()
    assert serving < 0 and res.kpis["contribution"] == pytest.approx(
        revenue + channels + serving, rel=1e-9)


def test_shares_of_a_market_where_nobody_sold_are_none():
    """No firm sells a unit in a year of bass_only without a launch: every share is a share
    of nothing, None (it was 0.0, printed 0.000), not 0."""
    k = run_scenario(compose(["scenario=bass_only", "firm.launched=false",
                              "horizon_days=365"]).scenario(), 0, kpis_only=True).kpis
    for key in ("final_market_share", "peak_market_share", "final_revenue_share",
                "final_installed_base_share"):
        assert k[key] is None, key
    sold = run_scenario(compose(["scenario=bass_only", "horizon_days=365"]).scenario(), 0,
                        kpis_only=True).kpis
    assert 0.0 < sold["final_market_share"] <= 1.0
