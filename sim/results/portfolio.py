"""Portfolio KPIs: revenue, profit and growth per product of the focal firm's line, and each
firm's portfolio revenue and profit (formulas in ``docs/kpis.md``).

Computed from the ledger (every posting carries the product it belongs to, "" for the
firm's shared costs) and the timeseries (one row per step per product):

- ``product_revenue.<p>``: the product's revenue postings;
- ``product_profit.<p>``: the product's direct contribution, every posting of the product
  (revenue less its production, channel margins, marketing, development materials,
  capacity and stock write-offs); the firm's shared costs (salaries, research, interest)
  are not allocated to products (the contribution approach to segment reporting):
  ``shared_costs`` is their sum, so that the products' profits plus the shared result add
  up to ``cumulative_profit``;
- ``product_units.<p>``: units shipped (orders served);
- ``product_revenue_growth.<p>``: year-on-year revenue growth, revenue of the last 365
  days of the run over the 365 days before, minus 1 (None without revenue in the earlier
  year);
- ``portfolio_revenue.<f>``, ``portfolio_profit.<f>``: each firm's revenue and operating
  cash result (all postings but financing) over all its products;
- ``launch_success_rate``: of the focal firm's products with a launch target
  (``success_units`` by ``success_by_day``, a day within the run) that launched, the share
  that shipped at least that many units by that day (None when no product is judged).
"""

import numpy as np

from sim.results.arrays import LedgerCodes, code_filter, total
from sim.results.columns import ledger_codes, table_columns
from sim.units import DAYS_PER_YEAR, market_days, step_days


def _growth(t, amount, horizon: float, days: tuple):
    """The revenue booked in the last 365 days over the 365 before, minus one; per day of
    sales where the two windows book steps of different total length (``days``: theirs,
    ``_window_days``)."""
    last = total(amount[t >= horizon - DAYS_PER_YEAR])
    before = total(amount[(t >= horizon - 2 * DAYS_PER_YEAR) & (t < horizon - DAYS_PER_YEAR)])
    if not before > 0:
        return None
    d_last, d_before = days
    if d_last != d_before and d_last > 0 and d_before > 0:
        return float((last / d_last) / (before / d_before) - 1.0)
    return float(last / before - 1.0)


def _window_days(horizon: float, dt: float) -> tuple:
    """The days of sales the last 365 days and the 365 before book (a step's on its first
    day; a last step cut where the weekly costs end: ``sim.units.step_days``)."""
    grid = market_days(dt, horizon)
    days = step_days(grid, dt, horizon)
    return (days[grid >= horizon - DAYS_PER_YEAR].sum(),
            days[(grid >= horizon - 2 * DAYS_PER_YEAR) & (grid < horizon - DAYS_PER_YEAR)].sum())


def product_names(firm_cfg) -> list:
    """The firm's products in line order."""
    return [firm_cfg.product.name] + [e.product.name for e in firm_cfg.line]


def portfolio_kpis(config, timeseries, ledger, codes: LedgerCodes | None = None) -> dict:
    """The module's KPIs from the timeseries and the ledger (each a DataFrame or its
    columns); ``codes``: the ledger's ``LedgerCodes`` where the caller has them."""
    timeseries, ledger = table_columns(timeseries), table_columns(ledger)
    # the ledger's columns as arrays, each account and firm compared once as a code: the
    # rows each sum takes are those of the boolean filters on the table, in ledger order
    amount = np.asarray(ledger["amount"], float)
    t = np.asarray(ledger["t"], float)
    firms, firm_names, acc, accounts = ledger_codes(ledger) if codes is None else codes
    is_op = ~code_filter(acc, accounts, lambda a: a.startswith("financing"))
    is_revenue = acc == (list(accounts).index("revenue") if "revenue" in accounts else -2)
    firm_code = {f: k for k, f in enumerate(firm_names)}
    firm = config.firm.name
    # the focal firm's operating postings, in ledger order: their products compared as
    # strings on these rows alone (each filter below takes the same values in the same
    # order as the filter on the whole ledger, so the same sums)
    mine = np.flatnonzero(is_op & (firms == firm_code.get(firm, -2)))
    product = (np.asarray(ledger["product"], object)[mine] if "product" in ledger
               else np.full(len(mine), "", object))
    amount_mine, t_mine, revenue_mine = amount[mine], t[mine], is_revenue[mine]
    # the focal firm's timeseries rows as arrays
    has_ts = "firm" in timeseries and len(timeseries["firm"])
    ts_mine = (np.asarray(timeseries["firm"], object) == firm) if has_ts else np.zeros(0, bool)
    ts_product = np.asarray(timeseries["product"], object) if has_ts else np.zeros(0, object)
    units = timeseries["units_sold"] if has_ts else np.zeros(0)
    out = {}
    window_days = _window_days(config.horizon_days, float(config.dt_days))
    for name in product_names(config.firm):
        rows = product == name
        revenue = rows & revenue_mine
        out[f"product_revenue.{name}"] = total(amount_mine[revenue])
        out[f"product_profit.{name}"] = total(amount_mine[rows])
        out[f"product_units.{name}"] = total(units[ts_mine & (ts_product == name)])
        out[f"product_revenue_growth.{name}"] = _growth(t_mine[revenue], amount_mine[revenue],
                                                        config.horizon_days, window_days)
    out["shared_costs"] = 0.0 - total(amount_mine[product == ""])
    for f in config.firms:
        theirs = is_op & (firms == firm_code.get(f.name, -2))
        out[f"portfolio_revenue.{f.name}"] = total(amount[theirs & is_revenue])
        out[f"portfolio_profit.{f.name}"] = total(amount[theirs])
    targets = any(p.success_units is not None
                  for p in [config.firm.product] + [e.product for e in config.firm.line])
    out["launch_success_rate"] = (launch_success_rate(
        config, {c: np.asarray(timeseries[c])[ts_mine] for c in ("t", "product", "launched",
                                                                 "units_sold")})
        if targets and has_ts else None)
    return out


def launch_success_rate(config, ts):
    """Module docstring; ``ts`` is the focal firm's timeseries (a DataFrame or columns)."""
    ts = table_columns(ts)
    judged = met = 0
    for p in [config.firm.product] + [e.product for e in config.firm.line]:
        if p.success_units is None or p.success_by_day > config.horizon_days or not len(
                ts["t"]):
            continue
        rows = ts["product"] == p.name
        if not ts["launched"][rows].any():
            continue
        judged += 1
        met += total(ts["units_sold"][rows & (ts["t"] < p.success_by_day)]) >= p.success_units
    return met / judged if judged else None
