"""KPIs of the focal firm, computed from a run's records (never from model internals)."""

import math

import numpy as np
import pandas as pd

from sim.units import DAYS_PER_QUARTER, DAYS_PER_YEAR, steps_in

WINDOW_DAYS = DAYS_PER_QUARTER  # for "final" and "peak" shares
MAX_LIFETIME_YEARS = 10.0


def _first(events, firm, kind):
    hit = events[(events["firm"] == firm) & (events["kind"] == kind)]
    return float(hit["t"].iloc[0]) if len(hit) else None


def _none_if_nan(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def compute_kpis(config, timeseries: pd.DataFrame, events: pd.DataFrame,
                 ledger: pd.DataFrame) -> dict:
    firm = config.firm.name
    dt = config.dt_days
    r = config.discount_rate_per_year
    led = ledger[ledger["firm"] == firm]
    ops = led[~led["account"].str.startswith("financing")]
    revenue = float(ops.loc[ops["account"] == "revenue", "amount"].sum())
    production = 0.0 - float(ops.loc[ops["account"] == "production", "amount"].sum())
    marketing = 0.0 - float(ops.loc[ops["account"].str.startswith("marketing"), "amount"].sum())
    channel = 0.0 - float(ops.loc[ops["account"].str.startswith("channel_margin"), "amount"].sum())
    profit = float(ops["amount"].sum())
    npv = float((ops["amount"] * (1.0 + r) ** (-ops["t"] / DAYS_PER_YEAR)).sum())

    launch = _first(events, firm, "launch")
    started = _first(events, firm, "project_started")
    planned = config.firm.development.planned_launch_day
    ts = timeseries.sort_values("t")
    mine = ts[ts["firm"] == firm].set_index("t")
    totals = ts.groupby("t")["orders"].sum()
    w = steps_in(WINDOW_DAYS, dt)
    roll_mine = mine["orders"].rolling(w, min_periods=1).sum()
    roll_all = totals.rolling(w, min_periods=1).sum()
    share = (roll_mine / roll_all.replace(0.0, np.nan)).fillna(0.0)
    final_share = float(share.iloc[-1]) if len(share) else 0.0
    peak_share = float(share.max()) if len(share) else 0.0
    smooth_units = mine["units_sold"].rolling(w, min_periods=1).mean()
    peak_day = float(smooth_units.idxmax()) if len(smooth_units) and smooth_units.max() > 0 else None

    by_day = ops.groupby("t")["amount"].sum().sort_index().cumsum()
    breakeven = None
    if launch is not None:
        after = by_day[by_day.index >= launch]
        neg_before = (by_day < 0).any()
        hit = after[after >= 0.0]
        if neg_before and len(hit):
            breakeven = float(hit.index[0])

    on = mine[mine["launched"]] if "launched" in mine else mine
    base = on["installed_base"]
    csat = float(np.average(on["satisfaction"], weights=base)) if base.sum() > 0 else None
    years_on = len(on) * dt / DAYS_PER_YEAR
    mean_base = float(base.mean()) if len(base) else 0.0
    churners = float(on["churners"].sum())
    churn_rate = churners / mean_base / years_on if mean_base > 0 and years_on > 0 else None
    new = float(mine["new_adopters"].sum())
    gross = revenue - production - channel  # channels' margins come off the revenue
    cac = marketing / new if new > 0 else None
    ltv = None
    if mean_base > 0 and years_on > 0:
        per_customer_year = gross / years_on / mean_base
        life = min(1.0 / churn_rate, MAX_LIFETIME_YEARS) if churn_rate else MAX_LIFETIME_YEARS
        ltv = per_customer_year * life
    roi = (gross - marketing) / marketing if marketing > 0 else None
    cash = float(led["amount"].sum())
    cash_path = led.sort_values("t")["amount"].cumsum()
    return {
        "firm": firm,
        "npv": npv,
        "cumulative_revenue": revenue,
        "cumulative_profit": profit,
        "gross_margin": gross,
        "launch_day": launch,
        "time_to_market_days": None if launch is None or started is None else launch - started,
        "launch_slip_days": None if launch is None else launch - planned,
        "final_market_share": final_share,
        "peak_market_share": peak_share,
        "peak_sales_day": peak_day,
        "breakeven_day": breakeven,
        "csat": _none_if_nan(csat),
        "churn_rate": _none_if_nan(churn_rate),
        "cac": _none_if_nan(cac),
        "ltv": _none_if_nan(ltv),
        "marketing_roi": _none_if_nan(roi),
        "marketing_spend": marketing,
        "channel_margin": channel,
        "new_customers": new,
        "installed_base_final": float(mine["installed_base"].iloc[-1]) if len(mine) else 0.0,
        "cash_final": cash,
        "cash_min": float(cash_path.min()) if len(cash_path) else cash,
        "cash_exhausted": bool(((events["firm"] == firm) & (events["kind"] == "cash_exhausted")).any()),
        "killed": bool(((events["firm"] == firm) & (events["kind"] == "project_killed")).any()),
    }
