"""Years of one firm from its quarterly statements, and the KPIs read off them.

A year is four statement quarters (``sim.results.statements``: a quarter is a quarter of a
365-day year), so year ``y`` covers days ``[365 y, 365 (y + 1))``; it is *complete* when
the run's horizon reaches its end. Free cash flow is the cash-flow statement's operating
plus investing cash flow (before financing: equity, credit drawn). Definitions, formulas
and sources: docs/kpis.md ("Statements").
"""

import math

import numpy as np
import pandas as pd

from sim.results.statements import QUARTER_DAYS
from sim.units import DAYS_PER_YEAR

SUMS = ("revenue", "channel_margins", "net_revenue", "cogs", "gross_profit", "opex_total",
        "opex_research", "ebitda", "depreciation", "interest", "net_income")
ENDS = ("ledger_cash", "cash", "debt", "inventory", "fixed_assets", "paid_in_capital",
        "total_equity")


def free_cash_flow(balance: pd.DataFrame, firm: str) -> pd.DataFrame:
    """Quarterly free cash flow (operating + investing) of ``firm`` and its running sum:
    columns ``quarter``, ``start_day``, ``end_day``, ``fcf``, ``cumulative_fcf``."""
    b = balance[balance["firm"] == firm].sort_values("quarter")
    out = pd.DataFrame({"quarter": b["quarter"].to_numpy(),
                        "start_day": b["quarter"].to_numpy() * QUARTER_DAYS,
                        "end_day": b["end_day"].to_numpy(float),
                        "fcf": (b["cf_operating"] + b["cf_investing"]).to_numpy(float)})
    out["cumulative_fcf"] = out["fcf"].cumsum()
    return out


def annual(pnl: pd.DataFrame, balance: pd.DataFrame, firm: str,
           horizon_days: float, fcf: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per year of ``firm``: the income-statement lines summed over its quarters,
    the balance-sheet lines at its last quarter, free cash flow, ``complete`` and
    ``revenue_growth`` (net revenue over the year before, minus one; NaN when either year
    is incomplete or the year before sold nothing). ``fcf``: ``free_cash_flow(balance,
    firm)`` where the caller has it already."""
    p = pnl[pnl["firm"] == firm].sort_values("quarter")
    b = balance[balance["firm"] == firm].sort_values("quarter")
    if p.empty:
        return pd.DataFrame(columns=["year", "start_day", "end_day", "complete", *SUMS,
                                     *ENDS, "fcf", "cumulative_fcf", "revenue_growth"])
    year = (p["quarter"].to_numpy() // 4).astype(int)
    rows = p.assign(year=year).groupby("year")[list(SUMS)].sum()
    ends = b.assign(year=(b["quarter"].to_numpy() // 4).astype(int)).groupby("year")[
        list(ENDS)].last()
    if fcf is None:
        fcf = free_cash_flow(balance, firm)
    by_year = fcf.assign(year=year).groupby("year")["fcf"].sum()
    out = rows.join(ends).assign(fcf=by_year).reset_index()
    out["start_day"] = out["year"] * DAYS_PER_YEAR
    out["end_day"] = np.minimum((out["year"] + 1) * DAYS_PER_YEAR, horizon_days)
    out["complete"] = (out["year"] + 1) * DAYS_PER_YEAR <= horizon_days + 1e-9
    out["cumulative_fcf"] = out["fcf"].cumsum()
    prev = out["net_revenue"].shift(1)
    ok = out["complete"] & out["complete"].shift(1, fill_value=False) & (prev > 0)
    out["revenue_growth"] = np.where(ok, out["net_revenue"] / prev.where(prev > 0) - 1.0,
                                     np.nan)
    return out


def payback_day(fcf: pd.DataFrame):
    """Day on which the cumulative free cash flow, once negative, is back to zero (linear
    within the quarter that crosses); None when it never is."""
    cum = fcf["cumulative_fcf"].to_numpy()
    below = np.flatnonzero(cum < 0.0)
    if not len(below):
        return None
    after = np.flatnonzero((cum >= 0.0) & (np.arange(len(cum)) > below[0]))
    if not len(after):
        return None
    k = int(after[0])
    before = cum[k - 1]
    flow = fcf["fcf"].iloc[k]
    start, end = fcf["start_day"].iloc[k], fcf["end_day"].iloc[k]
    return float(start + (end - start) * (-before) / flow) if flow > 0 else float(end)


def breakeven_day(fcf: pd.DataFrame):
    """Cash-flow break-even: the end of the quarter at which the cumulative free cash flow
    is lowest, when later quarters raise it (free cash flow turns positive there; the
    bottom of the J-curve); None when it is lowest at the end of the run."""
    cum = fcf["cumulative_fcf"].to_numpy()
    if not len(cum):
        return None
    k = int(np.argmin(cum))
    if cum[k] >= 0.0 or not (cum[k + 1:] > cum[k]).any():
        return None
    return float(fcf["end_day"].iloc[k])


def _ratio(a: float, b: float):
    return float(a / b) if b > 0 and math.isfinite(a) else None


def statement_kpis(pnl: pd.DataFrame, balance: pd.DataFrame, firm: str,
                   horizon_days: float) -> dict:
    """The KPIs of ``firm`` read off its statements (docs/kpis.md, "Statements")."""
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
