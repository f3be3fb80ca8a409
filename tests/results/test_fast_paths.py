"""The array paths of the results layer against their plain pandas twins: the same floats,
bit for bit (``==`` on every KPI, NaN and None alike), on random ledgers."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.results.annual import (
    _ratio,
    annual,
    breakeven_day,
    free_cash_flow,
    payback_day,
    statement_kpis,
)
from sim.results.statements import build_statements

ACCOUNTS = ["revenue", "channel_margin:retail", "production", "capacity", "interest",
            "financing:equity", "research", "development", "marketing:tv", "salaries:sales",
            "salaries:manufacturing", "write_off:old", "rent"]


def _random_ledger(seed: int, firms=("a", "b", "c")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    t = np.sort(rng.uniform(0.0, 1500.0, n)).round(0)
    account = rng.choice(ACCOUNTS, n)
    sign = np.where(np.isin(account, ["revenue", "financing:equity"]), 1.0, -1.0)
    amount = sign * rng.lognormal(8.0, 2.0, n)
    return pd.DataFrame({"t": t, "firm": rng.choice(list(firms), n), "account": account,
                         "amount": amount})


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or a == b


def statement_kpis_twin(pnl, balance, firm, horizon_days) -> dict:
    """statement_kpis as frames: annual() and free_cash_flow() read row by row."""
    fcf = free_cash_flow(balance, firm)
    years = annual(pnl, balance, firm, horizon_days, fcf)
    full = years[years["complete"]] if len(years) else years
    last = full.iloc[-1] if len(full) else None
    growth = years["revenue_growth"].dropna()
    trough = float(fcf["cumulative_fcf"].min()) if len(fcf) else 0.0
    return {
        "revenue_growth_yoy": float(growth.iloc[-1]) if len(growth) else None,
        "gross_margin_rate": None if last is None else _ratio(last["gross_profit"],
                                                              last["net_revenue"]),
        "ebitda_margin": None if last is None else _ratio(last["ebitda"], last["net_revenue"]),
        "net_income_total": float(years["net_income"].sum()) if len(years) else 0.0,
        "free_cash_flow_total": float(fcf["fcf"].sum()) if len(fcf) else 0.0,
        "payback_day": payback_day(fcf),
        "fcf_breakeven_day": breakeven_day(fcf),
        "peak_funding_need": max(-trough, 0.0),
    }


@pytest.mark.parametrize("seed", range(40))
def test_statement_kpis_equal_their_frame_twin(seed):
    ledger = _random_ledger(seed)
    horizon = float(np.random.default_rng(seed).choice([365.0, 900.0, 1460.0, 1600.0]))
    ts = pd.DataFrame(columns=["t", "firm", "produced", "inventory", "units_sold"])
    pnl, bal = build_statements(ledger, ts, horizon, 0.21, 5.0)
    for firm in ("a", "b", "c", "nobody"):
        got = statement_kpis(pnl, bal, firm, horizon)
        want = statement_kpis_twin(pnl, bal, firm, horizon)
        assert got.keys() == want.keys()
        assert all(_same(got[k], want[k]) for k in got), (firm, got, want)
