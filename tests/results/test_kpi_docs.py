"""docs/kpis.md defines every KPI that a run reports (formula, units, source)."""

import re
from pathlib import Path

import pytest

from sim.cli import compose
from sim.scenario import run_scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


@pytest.fixture(scope="module")
def kpis():
    cfg = compose(["horizon_days=560"]).scenario()
    return run_scenario(cfg, seed=0).kpis


def test_every_kpi_is_documented(kpis):
    text = DOC.read_text()
    documented = set(re.findall(r"`([a-z_]+)`", text))
    # a family keyed by product or firm: `product_revenue.<p>` documents product_revenue.hub
    families = set(re.findall(r"`([a-z_]+)\.<[a-z]>`", text))
    missing = sorted(k for k in kpis if k not in documented
                     and not ("." in k and k.split(".", 1)[0] in families))
    assert not missing, f"KPIs without a definition in docs/kpis.md: {missing}"


def test_every_kpi_row_names_a_source_or_is_plain():
    rows = [line for line in DOC.read_text().splitlines()
            if line.startswith("| `")
            and not any(src in line for src in ("FBPR", "GLS", "Brealey-Myers", "Koller", "Griffin-Page", "rNPV", "Kalish", "Takada"))]
    # rows without a source are bookkeeping (sums of ledger accounts), dates or read-outs
    plain = {"cumulative_profit", "marketing_spend", "sales_cost", "cash_final",
             "launch_day", "time_to_market_days", "launch_slip_days", "peak_sales_day",
             "prelaunch_paused_day",
             "killed", "cash_exhausted", "cash_exhausted_day", "insolvent_day",
             "service_level_final", "npv", "breakeven_day", "shared_costs",
             "product_units", "portfolio_revenue", "portfolio_profit", "pipeline_projects"}
    for line in rows:
        names = set(re.findall(r"`([a-z_]+)(?:\.<[a-z]>)?`", line.split("|")[1]))
        assert names & plain, f"a share, customer or return KPI without its source: {line}"
