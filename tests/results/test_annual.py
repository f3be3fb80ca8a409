"""Years and statement KPIs (sim/results/annual.py) against hand-computed ledgers."""

import pandas as pd
import pytest

from sim.results.annual import annual, free_cash_flow, statement_kpis
from sim.results.statements import QUARTER_DAYS, build_statements


def _ledger(rows):
    return pd.DataFrame(rows, columns=["t", "firm", "account", "amount"])


NO_TS = pd.DataFrame(columns=["t", "firm", "produced", "inventory", "units_sold"])


def test_revenue_growth_is_last_complete_year_over_the_year_before():
    led = _ledger([(10.0, "a", "revenue", 100.0), (400.0, "a", "revenue", 150.0),
                   (800.0, "a", "revenue", 999.0)])  # year 2 is incomplete at 900 days
    pnl, bal = build_statements(led, NO_TS, 900.0, 0.0, 5.0)
    years = annual(pnl, bal, "a", 900.0)
    assert years["complete"].tolist() == [True, True, False]
    assert years["net_revenue"].tolist() == pytest.approx([100.0, 150.0, 999.0])
    assert statement_kpis(pnl, bal, "a", 900.0)["revenue_growth_yoy"] == pytest.approx(0.5)


def test_margins_are_ratios_of_the_last_year_statement_lines():
    led = _ledger([(10.0, "a", "revenue", 1000.0), (10.0, "a", "channel_margin:retail", -250.0),
                   (20.0, "a", "salaries:manufacturing", -300.0),
                   (30.0, "a", "marketing:tv", -200.0), (40.0, "a", "research", -50.0)])
    pnl, bal = build_statements(led, NO_TS, 365.0, 0.0, 5.0)
    k = statement_kpis(pnl, bal, "a", 365.0)
    assert k["gross_margin_rate"] == pytest.approx((750.0 - 300.0) / 750.0)
    assert k["ebitda_margin"] == pytest.approx((750.0 - 300.0 - 250.0) / 750.0)
    assert k["revenue_growth_yoy"] is None  # one year only


def test_payback_and_breakeven_on_cumulative_free_cash_flow():
    # -1000 in quarter 0, then +400 a quarter: cumulative -1000, -600, -200, +200, +600
    rows = [(0.0, "a", "financing:equity", 5000.0), (1.0, "a", "research", -1000.0)]
    rows += [((k + 0.5) * QUARTER_DAYS, "a", "revenue", 400.0) for k in range(1, 5)]
    pnl, bal = build_statements(_ledger(rows), NO_TS, 5 * QUARTER_DAYS, 0.0, 5.0)
    fcf = free_cash_flow(bal, "a")
    assert fcf["cumulative_fcf"].tolist() == pytest.approx([-1000, -600, -200, 200, 600])
    k = statement_kpis(pnl, bal, "a", 5 * QUARTER_DAYS)
    assert k["payback_day"] == pytest.approx(3 * QUARTER_DAYS + 0.5 * QUARTER_DAYS)
    assert k["fcf_breakeven_day"] == pytest.approx(QUARTER_DAYS)
    assert k["free_cash_flow_total"] == pytest.approx(600.0)  # equity is financing, not FCF


def test_no_payback_while_the_cumulative_flow_still_falls():
    led = _ledger([(1.0, "a", "research", -10.0), (200.0, "a", "research", -10.0)])
    pnl, bal = build_statements(led, NO_TS, 365.0, 0.0, 5.0)
    k = statement_kpis(pnl, bal, "a", 365.0)
    assert k["payback_day"] is None and k["fcf_breakeven_day"] is None
