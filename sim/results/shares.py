"""Market shares of the focal firm (Farris, Bendle, Pfeifer and Reibstein, *Marketing
Metrics*, 2.1 unit and revenue share, 2.4 penetration share); ``docs/kpis.md``.

- unit share: shipments (``units_sold``, not orders) over a rolling quarter; for a
  subscription, paying subscribers (the subscriber share);
- revenue share: revenue over a rolling quarter;
- installed-base share: owners or subscribers at the last step.
"""

import math

import numpy as np
import pandas as pd

from sim.kernel.rolling import rolling_sum
from sim.results.columns import frame_of_columns, n_rows, table_columns
from sim.results.customers import paying
from sim.units import step_days


def _wide(frame: pd.DataFrame, columns: list) -> dict:
    """Each column's pivot table (t x firm, summed over a firm's products), built by one
    groupby and unstack: the same frames as ``pivot_table(..., aggfunc="sum")``."""
    wide = frame.groupby(["t", "firm"])[columns].sum().unstack("firm").fillna(0.0)
    return {c: wide[c] for c in columns}


def _grids(frame: dict, columns: list):
    """``_wide``'s tables as arrays (days x firms, the firms sorted), without groupby and
    unstack, where every (t, firm) has one row (a firm of one product) and the columns
    are float64 or int64: each value lands in its cell, as pandas' group sum of one value
    gives it (``0.0 + v`` on its compensated path, ``v`` by reduceat, which it takes when
    the rows come in (t, firm) order with no NaN), the cells without a row 0.0. Returns
    (firms, {column: array}), or None where that does not hold (the caller groups)."""
    t = np.asarray(frame["t"])
    if t.dtype.kind in "iuf" and bool(np.all(t[1:] >= t[:-1])):
        # the days in order, none NaN (a run's rows): their sorted factorization is a
        # running count of the new days (pd.factorize with sort took a tenth of a run's
        # share KPIs)
        new = np.empty(len(t), bool)
        new[:1] = True
        np.not_equal(t[1:], t[:-1], out=new[1:])
        t_codes, days = np.cumsum(new) - 1, t[new]
    else:
        t_codes, days = pd.factorize(t, sort=True)
    f_codes, firms = pd.factorize(frame["firm"], sort=True)
    cell = t_codes * len(firms) + f_codes
    # one row a cell: no cell counted twice (np.unique's sort, by counts)
    if (t_codes < 0).any() or (f_codes < 0).any() or (
            len(cell) and np.bincount(cell).max() > 1):
        return None
    kinds = {c: np.asarray(frame[c]).dtype for c in columns}
    if any(k not in (np.dtype(float), np.dtype(np.int64)) for k in kinds.values()):
        return None
    sorted_rows = bool(np.all(cell[1:] >= cell[:-1]))
    floats = [c for c in columns if kinds[c] == np.dtype(float)]
    reduceat = sorted_rows and not any(np.isnan(frame[c]).any() for c in floats)
    out = {}
    for c in columns:
        v = frame[c]
        if kinds[c] == np.dtype(float) and not reduceat:
            v = 0.0 + v
        grid = np.zeros(len(days) * len(firms))  # a rolling sum reads int64 as float64
        grid[cell] = v
        out[c] = grid.reshape(len(days), len(firms))
    return list(firms), out


def _share_of_grid(grid: np.ndarray, firms: list, firm: str, window: int) -> np.ndarray:
    """``_share`` of ``pd.DataFrame(grid, columns=firms)``, the same floats by pandas'
    operations on arrays: each firm's rolling sum (``sim.kernel.rolling``), their total as
    ``DataFrame.sum(axis=1)`` takes it (pandas 3.1 reduces the (firms x days) block along
    its first axis, or, for fewer than 6 days, the (days x firms) transpose along its
    second; NaN set to 0 in a copy), a total of 0 counted as none."""
    block = np.empty((grid.shape[1], grid.shape[0]))  # pandas' block: one row per column
    for j in range(grid.shape[1]):
        block[j] = rolling_sum(grid[:, j], window, 1)
    values, axis = (block, 0) if block.shape[1] >= 6 else (block.T, 1)
    mask = np.isnan(values)
    if mask.any():
        values = values.copy()
        np.putmask(values, mask, 0.0)
    total = values.sum(axis=axis)
    total[total == 0.0] = np.nan
    mine = block[firms.index(firm)] if firm in firms else total * 0.0
    share = mine / total
    share[np.isnan(share) & ~np.isnan(total)] = 0.0  # NaN left where nobody sold at all
    return share


def _share(wide: pd.DataFrame, firm: str, window: int) -> pd.Series:
    roll = wide.rolling(window, min_periods=1).sum()
    total = roll.sum(axis=1).replace(0.0, np.nan)
    mine = roll[firm] if firm in roll else total * 0.0
    share = mine / total
    return share.where(share.notna() | total.isna(), 0.0)  # NaN where nobody sold at all


def shares(ts, firm: str, kinds: dict, dt: float, window: int,
           horizon: float | None = None) -> dict:
    """Final and peak unit share, final revenue and installed-base share (``ts``: the
    timeseries, a DataFrame or its columns); given the run's ``horizon``, a subscription's
    paying subscribers are read with each row's step length (``sim.units.step_days``: the
    last step's may differ from ``dt``)."""
    ts = table_columns(ts)
    if not n_rows(ts):  # no rows: no share of anything
        return {"final_unit_share": math.nan, "peak_market_share": math.nan,
                "final_revenue_share": math.nan, "final_installed_base_share": math.nan}
    if kinds.get(firm) == "subscription":
        frame = frame_of_columns(ts, ["t", "firm", "units_sold", "revenue", "price",
                                      "installed_base"])
        frame["volume"] = 0.0
        for name, rows in frame.groupby("firm"):
            steps = dt if horizon is None else step_days(rows["t"].to_numpy(float), dt, horizon)
            frame.loc[rows.index, "volume"] = paying(rows, kinds.get(name, "durable"), steps)
        wide = _wide(frame, ["volume", "revenue", "installed_base"])
        unit = _share(wide["volume"], firm, 1)
    else:
        cols = ["units_sold", "revenue", "installed_base"]
        grids = _grids(ts, cols)
        if grids is not None:  # arrays all the way (the same floats)
            firms, grid = grids
            return _final(_share_of_grid(grid["units_sold"], firms, firm, window),
                          _share_of_grid(grid["revenue"], firms, firm, window),
                          _share_of_grid(grid["installed_base"], firms, firm, 1))
        wide = _wide(frame_of_columns(ts, ["t", "firm", *cols]), cols)
        unit = _share(wide["units_sold"], firm, window)
    return _final(unit.to_numpy(), _share(wide["revenue"], firm, window).to_numpy(),
                  _share(wide["installed_base"], firm, 1).to_numpy())


def _final(unit: np.ndarray, revenue: np.ndarray, base: np.ndarray) -> dict:
    """The KPIs of the share paths: NaN where nobody at all sold (owned) anything in the
    window, a share of nothing, not of 0 (``bass_only`` with no launch printed 0.000 for
    every share); the peak over the days where some firm sold."""
    def last(x):
        return float(x[-1]) if len(x) and np.isfinite(x[-1]) else math.nan

    some = np.isfinite(unit)
    return {"final_unit_share": last(unit),
            "peak_market_share": float(unit[some].max()) if some.any() else math.nan,
            "final_revenue_share": last(revenue), "final_installed_base_share": last(base)}
