"""The regions table and the per-region KPIs of a run (docs/kpis.md, "Regions").

``regions.parquet`` (only for a market with regions; ``sim.market.regions``): one row per
market step, region and product with ``t``, ``region``, ``firm``, ``product``, ``on_sale``,
``new_adopters``, ``units`` (orders: first purchases and replacements), ``installed_base``,
``revenue`` (at the region's price level), ``unit_share`` (of the region's units that
step) and ``population`` (the region's customers).

KPIs of the focal firm per region ``R`` (keys ``region_R_...``): ``entry_day`` (first
step it sells there; NaN: never), ``revenue``, ``units``, ``unit_share`` (its share of
the region's units over the run), ``installed_base`` (at the end); of the category:
``penetration`` (owners at the end / population) and ``time_to_peak_days`` (from the
first day any product is on sale there to the peak of the category's new adopters, on a
five-step centred moving average; NaN when nothing was sold).
"""

import math

import numpy as np
import pandas as pd

REGION_COLUMNS = ["t", "region", "firm", "product", "on_sale", "new_adopters", "units",
                  "installed_base", "revenue", "unit_share", "population"]
SMOOTH_STEPS = 5


def region_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


def time_to_peak(region_rows: pd.DataFrame) -> float:
    """Days from the region's first sale-day to the peak of its category adopters."""
    on = region_rows[region_rows["on_sale"]]
    if on.empty:
        return math.nan
    start = float(on["t"].min())
    adopters = region_rows.groupby("t")["new_adopters"].sum()
    adopters = adopters[adopters.index >= start]
    if adopters.sum() <= 0:
        return math.nan
    smooth = adopters.rolling(SMOOTH_STEPS, center=True, min_periods=1).mean()
    return float(smooth.idxmax()) - start


def region_kpis(regions: pd.DataFrame, firm: str) -> dict:
    """The per-region KPIs of ``firm`` (module docstring); {} without regions."""
    out = {}
    if regions is None or regions.empty:
        return out
    last = regions["t"].max()
    for name, rows in regions.groupby("region", sort=False):
        mine = rows[rows["firm"] == firm]
        key = f"region_{name}_"
        sold = mine[mine["on_sale"]]
        total_units = float(rows["units"].sum())
        end = rows[rows["t"] == last]
        out[key + "entry_day"] = float(sold["t"].min()) if len(sold) else math.nan
        out[key + "revenue"] = float(mine["revenue"].sum())
        out[key + "units"] = float(mine["units"].sum())
        out[key + "unit_share"] = (float(mine["units"].sum()) / total_units
                                   if total_units > 0 else math.nan)
        out[key + "installed_base"] = float(end[end["firm"] == firm]["installed_base"].sum())
        pop = float(rows["population"].iloc[0])
        out[key + "penetration"] = float(end["installed_base"].sum()) / pop if pop else np.nan
        out[key + "time_to_peak_days"] = time_to_peak(rows)
    return out
