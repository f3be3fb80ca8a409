"""Customer KPIs of the focal firm from its timeseries rows: paying customers, churn of
paying customers, trial conversion, margins, lifetime value and paid attribution.

Definitions and sources: ``docs/kpis.md`` (Farris, Bendle, Pfeifer and Reibstein,
*Marketing Metrics*, ch. 5; Gupta, Lehmann and Stuart 2004, JMR 41:7-18).
"""

import math

import numpy as np
import pandas as pd

from sim.results.arrays import group_sum
from sim.units import DAYS_PER_MONTH, DAYS_PER_YEAR


def paying(rows: pd.DataFrame, kind: str, dt: float) -> pd.Series:
    """Paying customers per step: a durable's owners; a subscription's billed subscribers,
    ``revenue * DAYS_PER_MONTH / (price * dt)`` (the billing rule inverted, so trialists,
    who pay nothing, are not counted)."""
    if kind != "subscription":
        return rows["installed_base"].astype(float)
    price = rows["price"].where(rows["price"] > 0)
    return (rows["revenue"] * DAYS_PER_MONTH / (price * dt)).fillna(0.0)


def churn_split(on: pd.DataFrame, product, trial_days: float, dt: float):
    """``(paying_churners, trial_leavers)`` per step (Series on ``on``'s index).

    With a free trial the market adds a trial hazard to the product's churn; the
    churners of a step are split by hazard: the base hazard ``churn_per_year +
    churn_dissatisfaction_per_year * (1 - satisfaction)`` falls on everyone, the rest on
    the trials that end; paying churners are the base part's share among the paying.
    Customers whose backorder was cancelled (they leave the base the step after, see
    ``sim/market/market.py``) are not counted as churners."""
    churners = on["churners"].astype(float)
    if "cancelled" in on:  # backorders cancelled at a step leave the base the next step:
        # buyers who never received the product are not churned customers
        churners = (churners - on["cancelled"].astype(float).shift(1, fill_value=0.0)
                    ).clip(lower=0.0)
    if product.kind != "subscription" or trial_days <= 0:
        return churners, churners * 0.0
    active = on["installed_base"].shift(1).astype(float)
    pay = on["paying"].shift(1)
    sat = on["satisfaction"].shift(1)
    base = (product.churn_per_year
            + product.churn_dissatisfaction_per_year * (1.0 - sat)) / DAYS_PER_YEAR
    lost = (churners / active.where(active > 0)).clip(upper=1.0 - 1e-12)
    total = -np.log1p(-lost) / dt
    frac = (base / total.where(total > 0)).clip(upper=1.0).fillna(1.0)
    paying_churn = (churners * frac * (pay / active.where(active > 0))).fillna(0.0)
    paying_churn = paying_churn.clip(upper=churners)
    return paying_churn, churners - paying_churn


def churn_rate(on: pd.DataFrame, paying_churn: pd.Series, dt: float):
    """Paying customers lost per paying-customer-year while on the market."""
    exposure = float(on["paying"].sum()) * dt / DAYS_PER_YEAR
    return float(paying_churn.sum()) / exposure if exposure > 0 else None


def trial_conversion(mine: pd.DataFrame, trial_leavers: pd.Series, trial_days: float):
    """1 - trialists lost / trials ended (trials whose end falls inside the run)."""
    if trial_days <= 0 or not len(mine):
        return None
    end = float(mine.index.max())
    ended = float(mine.loc[mine.index + trial_days <= end, "new_adopters"].sum())
    if ended <= 0:
        return None
    return max(1.0 - float(trial_leavers.sum()) / ended, 0.0)


def margins(rows: pd.DataFrame, channel: pd.Series, kind: str, dt: float):
    """``(margin, volume)``: the margin net of channel margins and unit costs, and the
    units shipped (durable) or paying subscriber-months (subscription) it came from."""
    net = rows["revenue"] - channel.reindex(rows.index, fill_value=0.0)
    if kind == "subscription":
        volume = rows["paying"] * dt / DAYS_PER_MONTH
    else:
        volume = rows["units_sold"].astype(float)
    return float((net - volume * rows["unit_cost"]).sum()), float(volume.sum())


def lifetime_value(unit_margin, product, churn, rate_per_year: float):
    """Discounted margin over the expected life of a new customer (GLS 2004, continuous
    time): durables ``m (1 + rho / (c + delta))``, subscriptions ``12 m / (c + delta)``
    with ``delta = ln(1 + rate)``; ``rate = 0`` gives the undiscounted value."""
    if unit_margin is None or churn is None:
        return None
    delta = math.log1p(rate_per_year)
    if churn + delta <= 0:
        return None
    if product.kind == "subscription":
        return unit_margin * (DAYS_PER_YEAR / DAYS_PER_MONTH) / (churn + delta)
    return unit_margin * (1.0 + (1.0 / product.lifetime_years) / (churn + delta))


def paid_share(mine: pd.DataFrame, everyone: pd.DataFrame, segments) -> pd.Series:
    """Advertising's part of each step's adoption hazard for our brand,
    ``p (A - 1) / (p A + q W)`` (Generalized Bass Model, Bass, Krishnan and Jain 1994):
    ``A`` our advertising effect, ``p``, ``q`` the size-weighted Bass coefficients, ``W``
    all firms' satisfaction-weighted installed base over the market size, at the
    step's start."""
    sizes = np.array([s.size for s in segments], dtype=float)
    w = sizes / sizes.sum()
    p = float(np.dot(w, [s.p for s in segments]))
    q = float(np.dot(w, [s.q for s in segments]))
    days, talked = group_sum(everyone["t"].to_numpy(),  # as a groupby on t sums them
                             (everyone["satisfaction"] * everyone["installed_base"]).to_numpy())
    talk = pd.Series(talked, index=pd.Index(days, name="t"))
    wom = (talk / sizes.sum()).shift(1).reindex(mine.index).fillna(0.0)
    lift = (mine["advertising"] - 1.0).clip(lower=0.0)
    hazard = p * (1.0 + lift) + q * wom
    return (p * lift / hazard.where(hazard > 0)).fillna(0.0).clip(0.0, 1.0)
