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
from sim.units import DAYS_PER_YEAR, market_days, step_days

SUMS = ("revenue", "channel_margins", "net_revenue", "cogs", "gross_profit", "opex_total",
        "opex_research", "ebitda", "depreciation", "interest", "net_income")
ENDS = ("ledger_cash", "cash", "debt", "inventory", "fixed_assets", "paid_in_capital",
        "total_equity")


def free_cash_flow(balance: pd.DataFrame, firm: str) -> pd.DataFrame:
    """Quarterly free cash flow (operating + investing) of ``firm`` and its running sum:
    columns ``quarter``, ``start_day``, ``end_day``, ``fcf``, ``cumulative_fcf``."""
    b = balance[balance["firm"] == firm].sort_values("quarter", kind="stable")
    out = pd.DataFrame({"quarter": b["quarter"].to_numpy(),
                        "start_day": b["quarter"].to_numpy() * QUARTER_DAYS,
                        "end_day": b["end_day"].to_numpy(float),
                        "fcf": (b["cf_operating"] + b["cf_investing"]).to_numpy(float)})
    out["cumulative_fcf"] = out["fcf"].cumsum()
    return out


def annual(pnl: pd.DataFrame, balance: pd.DataFrame, firm: str,
           horizon_days: float, fcf: pd.DataFrame | None = None,
           dt_days=None) -> pd.DataFrame:
    """One row per year of ``firm``: the income-statement lines summed over its quarters,
    the balance-sheet lines at its last quarter, free cash flow, ``complete`` and
    ``revenue_growth`` (net revenue over the year before, minus one; NaN when either year
    is incomplete or the year before sold nothing; per day of sales where the two book
    different numbers of days, given the run's ``dt_days``: ``revenue_growth``). ``fcf``:
    ``free_cash_flow(balance, firm)`` where the caller has it already."""
    p = pnl[pnl["firm"] == firm].sort_values("quarter", kind="stable")
    b = balance[balance["firm"] == firm].sort_values("quarter", kind="stable")
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
    out["revenue_growth"] = revenue_growth(out["net_revenue"].to_numpy(float),
                                           out["year"].to_numpy(), ok.to_numpy(bool),
                                           dt_days, horizon_days)
    return out


def payback_day(fcf: pd.DataFrame):
    """Day on which the cumulative free cash flow, once negative, is back to zero (linear
    within the quarter that crosses); None when it never is."""
    return _payback(fcf["cumulative_fcf"].to_numpy(), fcf["fcf"].to_numpy(),
                    fcf["start_day"].to_numpy(), fcf["end_day"].to_numpy())


def _payback(cum, flows, starts, ends):
    below = np.flatnonzero(cum < 0.0)
    if not len(below):
        return None
    after = np.flatnonzero((cum >= 0.0) & (np.arange(len(cum)) > below[0]))
    if not len(after):
        return None
    k = int(after[0])
    before = cum[k - 1]
    flow, start, end = flows[k], starts[k], ends[k]
    return float(start + (end - start) * (-before) / flow) if flow > 0 else float(end)


def breakeven_day(fcf: pd.DataFrame):
    """Cash-flow break-even: the end of the quarter at which the cumulative free cash flow
    is lowest, when later quarters raise it (free cash flow turns positive there; the
    bottom of the J-curve); None when it is lowest at the end of the run."""
    return _breakeven(fcf["cumulative_fcf"].to_numpy(), fcf["end_day"].to_numpy())


def _breakeven(cum, ends):
    if not len(cum):
        return None
    k = int(np.argmin(cum))
    if cum[k] >= 0.0 or not (cum[k + 1:] > cum[k]).any():
        return None
    return float(ends[k])


def sales_days_by_year(years, dt_days: float, horizon_days: float) -> np.ndarray:
    """The days of market steps whose sales are booked in each of ``years`` (a step's are
    booked on its first day; ``sim.units.step_days`` gives its length). With weekly steps
    over 5 years the first year books 53 steps (371 days) and the others 52 (364); with
    ``dt_days=28`` and 1,825 days the fifth books 343 (its last step, cut at day 1,827)."""
    t = market_days(dt_days, horizon_days)
    year = np.floor(t / QUARTER_DAYS + 1e-12).astype(int) // 4
    days = np.bincount(year, weights=step_days(t, dt_days, horizon_days),
                       minlength=int(np.max(years, initial=-1)) + 1)
    years = np.asarray(years, int)
    return np.where((years >= 0) & (years < len(days)), days[np.clip(years, 0, None)], 0.0)


def revenue_growth(revenue: np.ndarray, years, ok: np.ndarray, dt_days=None,
                   horizon_days: float = 0.0) -> np.ndarray:
    """Each year's net revenue over the year before's, minus one, where ``ok`` (NaN
    elsewhere). Given ``dt_days``, two years that book sales for different numbers of days
    (``sales_days_by_year``) are compared per day of sales: the fifth year at
    ``dt_days=28`` books 343 days against 364, which made its growth 6 points too low."""
    prev = np.concatenate([[np.nan], revenue[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = revenue / np.where(prev > 0, prev, np.nan)
        if dt_days is not None and len(revenue):
            days = sales_days_by_year(years, dt_days, horizon_days)
            before = np.concatenate([[np.nan], days[:-1]])
            per_day = (revenue / days) / (np.where(prev > 0, prev, np.nan) / before)
            ratio = np.where((days != before) & (days > 0) & (before > 0), per_day, ratio)
        return np.where(ok, ratio - 1.0, np.nan)


def _ratio(a: float, b: float):
    return float(a / b) if b > 0 and math.isfinite(a) else None


def _accumulate(x: np.ndarray) -> np.ndarray:
    """``Series.cumsum()``: NaN kept in place and skipped in the running sum."""
    nan = np.isnan(x)
    out = np.cumsum(np.where(nan, 0.0, x))
    out[nan] = np.nan
    return out


def statement_kpis(pnl: pd.DataFrame, balance: pd.DataFrame, firm: str,
                   horizon_days: float, dt_days=None) -> dict:
    """The KPIs of ``firm`` read off its statements (docs/kpis.md, "Statements"): the
    numbers ``annual`` and ``free_cash_flow`` give, computed on the firm's columns as
    arrays (each year's sums as pandas' groupby sums them, each total as Series.sum)."""
    p_rows = np.flatnonzero(pnl["firm"].to_numpy(object) == firm)
    b_rows = np.flatnonzero(balance["firm"].to_numpy(object) == firm)
    p_rows = p_rows[np.argsort(pnl["quarter"].to_numpy()[p_rows], kind="stable")]
    b_rows = b_rows[np.argsort(balance["quarter"].to_numpy()[b_rows], kind="stable")]
    return _kpis(pnl["quarter"].to_numpy()[p_rows], pnl[list(SUMS)].to_numpy(float)[p_rows],
                 balance["quarter"].to_numpy()[b_rows],
                 *(balance[c].to_numpy(float)[b_rows]
                   for c in ("cf_operating", "cf_investing", "end_day")), horizon_days,
                 dt_days)


def firm_statement_kpis(pnl: dict, balance: dict, n_q: int, horizon_days: float,
                        dt_days=None) -> dict:
    """``statement_kpis`` of one firm from its statement columns (``pnl``, ``balance``:
    arrays of ``n_q`` quarters by name, ``sim.results.statements.statement_columns``)."""
    quarter = np.arange(n_q)
    return _kpis(quarter, np.column_stack([pnl[c] for c in SUMS]).astype(float),
                 quarter, *(np.asarray(balance[c], float)
                            for c in ("cf_operating", "cf_investing", "end_day")),
                 horizon_days, dt_days)


def tax_present_value(tax, end_day, rate_per_year: float) -> float:
    """The tax the statements accrue (``tax``: each quarter's, at ``tax_rate`` with losses
    carried forward), as if paid at each quarter's end (``end_day``; estimated payments,
    IRC 6655), discounted to day 0 at ``rate_per_year`` as ``npv`` discounts its postings.
    ``npv`` minus it is ``npv_after_tax``."""
    tax = np.nan_to_num(np.asarray(tax, float))
    return float(np.sum(tax * (1.0 + rate_per_year) ** (-np.asarray(end_day, float)
                                                         / DAYS_PER_YEAR)))


def _year_sums(year: np.ndarray, sums_block: np.ndarray) -> tuple:
    """(the years in order, {SUMS line: its sum per year}): ``pd.DataFrame(sums_block,
    columns=SUMS).groupby(year).sum()``. Where the years come in order and no value is
    NaN (a run's quarters always do), as pandas 3.1 sums them then: ``np.add.reduceat``
    over each year's quarters of the block the frame holds (lines x quarters, C order);
    otherwise by pandas itself. ``tests/results/test_fast_paths.py`` keeps the groupby as
    the twin."""
    block = np.ascontiguousarray(np.asarray(sums_block, float).T)  # the frame's block
    if len(year) and bool(np.all(year[1:] >= year[:-1])) and not np.isnan(block).any():
        starts = np.flatnonzero(np.r_[True, year[1:] != year[:-1]])
        totals = np.add.reduceat(block, starts, axis=1)
        return year[starts], dict(zip(SUMS, totals, strict=True))
    sums = pd.DataFrame(sums_block, columns=list(SUMS)).groupby(year).sum()
    return sums.index.to_numpy(), {c: sums[c].to_numpy() for c in SUMS}


def _kpis(p_quarter, sums_block, b_quarter, cf_operating, cf_investing, end,
          horizon_days: float, dt_days=None) -> dict:
    """The statement KPIs from one firm's quarters in order: its income-statement SUMS
    columns as one block (quarters x lines) and its cash flows; ``dt_days``: the run's
    (``revenue_growth``)."""
    fcf = cf_operating + cf_investing
    cum = _accumulate(fcf)
    start = b_quarter * QUARTER_DAYS
    out = {"revenue_growth_yoy": None, "gross_margin_rate": None, "ebitda_margin": None,
           "net_income_total": 0.0}
    if len(p_quarter):
        year = (p_quarter // 4).astype(int)
        # the year sums as annual() takes them: one groupby of the SUMS block (pandas
        # picks its summation, compensated or not, from the block as it does there)
        years, sums = _year_sums(year, sums_block)
        complete = (years + 1) * DAYS_PER_YEAR <= horizon_days + 1e-9
        revenue = sums["net_revenue"]
        prev = np.concatenate([[np.nan], revenue[:-1]])
        ok = complete & np.concatenate([[False], complete[:-1]]) & (prev > 0)
        growth = revenue_growth(revenue, years, ok, dt_days, horizon_days)
        growth = growth[~np.isnan(growth)]
        full = np.flatnonzero(complete)
        if len(growth):
            out["revenue_growth_yoy"] = float(growth[-1])
        if len(full):
            k = full[-1]
            out["gross_margin_rate"] = _ratio(sums["gross_profit"][k], revenue[k])
            out["ebitda_margin"] = _ratio(sums["ebitda"][k], revenue[k])
        out["net_income_total"] = float(np.nansum(sums["net_income"]))
    out.update({
        "free_cash_flow_total": float(np.nansum(fcf)) if len(fcf) else 0.0,
        "payback_day": _payback(cum, fcf, start, end),
        "fcf_breakeven_day": _breakeven(cum, end),
    })
    return out
