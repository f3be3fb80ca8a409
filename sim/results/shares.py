"""Market shares of the focal firm (Farris, Bendle, Pfeifer and Reibstein, *Marketing
Metrics*, 2.1 unit and revenue share, 2.4 penetration share); ``docs/kpis.md``.

- unit share: shipments (``units_sold``, not orders) over a rolling quarter; for a
  subscription, paying subscribers (the subscriber share);
- revenue share: revenue over a rolling quarter;
- installed-base share: owners or subscribers at the last step.
"""

import numpy as np
import pandas as pd

from sim.results.customers import paying


def _wide(frame: pd.DataFrame, columns: list) -> dict:
    """Each column's pivot table (t x firm, summed over a firm's products), built by one
    groupby and unstack: the same frames as ``pivot_table(..., aggfunc="sum")``."""
    wide = frame.groupby(["t", "firm"])[columns].sum().unstack("firm").fillna(0.0)
    return {c: wide[c] for c in columns}


def _share(wide: pd.DataFrame, firm: str, window: int) -> pd.Series:
    roll = wide.rolling(window, min_periods=1).sum()
    total = roll.sum(axis=1).replace(0.0, np.nan)
    mine = roll[firm] if firm in roll else total * 0.0
    return (mine / total).fillna(0.0)


def shares(ts: pd.DataFrame, firm: str, kinds: dict, dt: float, window: int) -> dict:
    """Final and peak unit share, final revenue and installed-base share."""
    if not len(ts):
        return {"final_unit_share": 0.0, "peak_market_share": 0.0,
                "final_revenue_share": 0.0, "final_installed_base_share": 0.0}
    frame = ts[["t", "firm", "units_sold", "revenue", "price", "installed_base"]].copy()
    if kinds.get(firm) == "subscription":
        frame["volume"] = 0.0
        for name, rows in frame.groupby("firm"):
            frame.loc[rows.index, "volume"] = paying(rows, kinds.get(name, "durable"), dt)
        wide = _wide(frame, ["volume", "revenue", "installed_base"])
        unit = _share(wide["volume"], firm, 1)
    else:
        wide = _wide(frame, ["units_sold", "revenue", "installed_base"])
        unit = _share(wide["units_sold"], firm, window)
    revenue = _share(wide["revenue"], firm, window)
    base = _share(wide["installed_base"], firm, 1)
    return {"final_unit_share": float(unit.iloc[-1]), "peak_market_share": float(unit.max()),
            "final_revenue_share": float(revenue.iloc[-1]),
            "final_installed_base_share": float(base.iloc[-1])}
