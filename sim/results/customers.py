"""Customer KPIs of the focal firm from its timeseries rows: paying customers, churn of
paying customers, trial conversion, margins, lifetime value and paid attribution.

Definitions and sources: ``docs/kpis.md`` (Farris, Bendle, Pfeifer and Reibstein,
*Marketing Metrics*, ch. 5; Gupta, Lehmann and Stuart 2004, JMR 41:7-18).

The functions take the flagship's rows as NumPy columns (a dict by column name, in time
order, one row per step) and spell out the pandas operations the KPIs were first written
with (``Series.shift``, ``where``, ``clip``, ``fillna``, ``reindex``, ``sum``), element for
element: the same floats, NaN and the sign of zero included, without building frames
(``sim.results.arrays``; checked against the pandas forms in
``tests/results/test_customers_arrays.py``).
"""

import math

import numpy as np

from sim.kernel import dots, libm
from sim.results.arrays import (
    clip,
    clip_upper_to,
    fillna,
    group_sum,
    positive_or_nan,
    reindex,
    shift,
    total,
)
from sim.units import DAYS_PER_MONTH, DAYS_PER_YEAR


def paying(rows: dict, kind: str, dt) -> np.ndarray:
    """Paying customers per step: a durable's owners; a subscription's billed subscribers,
    ``revenue * DAYS_PER_MONTH / (price * dt)`` (the billing rule inverted, so trialists,
    who pay nothing, are not counted). ``dt``, here and below: the rows' step lengths
    (``sim.units.step_days``: a run's last step may be shorter), or one for all."""
    if kind != "subscription":
        return rows["installed_base"].astype(float)
    price = positive_or_nan(rows["price"])
    return fillna(rows["revenue"] * DAYS_PER_MONTH / (price * dt), 0.0)


def churn_split(on: dict, product, trial_days: float, dt):
    """``(paying_churners, trial_leavers)`` per step of the rows ``on``.

    With a free trial the market adds a trial hazard to the product's churn; the
    churners of a step are split by hazard: the base hazard ``churn_per_year +
    churn_dissatisfaction_per_year * (1 - satisfaction)`` falls on everyone, the rest on
    the trials that end; paying churners are the base part's share among the paying.
    Customers whose backorder was cancelled (they leave the base the step after, see
    ``sim/market/market.py``) are not counted as churners."""
    churners = on["churners"].astype(float)
    if "cancelled" in on:  # backorders cancelled at a step leave the base the next step:
        # buyers who never received the product are not churned customers
        churners = clip(churners - shift(on["cancelled"].astype(float), 0.0), lower=0.0)
    if product.kind != "subscription" or trial_days <= 0:
        return churners, churners * 0.0
    active = shift(on["installed_base"])
    pay = shift(on["paying"])
    sat = shift(on["satisfaction"])
    base = (product.churn_per_year
            + product.churn_dissatisfaction_per_year * (1.0 - sat)) / DAYS_PER_YEAR
    lost = clip(churners / positive_or_nan(active), upper=1.0 - 1e-12)
    hazard = -libm.log1p(-lost) / dt
    frac = fillna(clip(base / positive_or_nan(hazard), upper=1.0), 1.0)
    paying_churn = fillna(churners * frac * (pay / positive_or_nan(active)), 0.0)
    paying_churn = clip_upper_to(paying_churn, churners)
    return paying_churn, churners - paying_churn


def churn_rate(on: dict, paying_churn, dt):
    """Paying customers lost per paying-customer-year while on the market (``dt``: the
    rows' step lengths, or one for all)."""
    steps = np.asarray(dt, dtype=float)
    if steps.ndim and len(steps) and (steps == steps[0]).all():
        steps = float(steps[0])  # one length: the paying total times it (as before)
    exposure = (total(on["paying"]) * steps if np.ndim(steps) == 0
                else total(on["paying"] * steps)) / DAYS_PER_YEAR
    return total(paying_churn) / exposure if exposure > 0 else None


def trial_conversion(mine: dict, trial_leavers, trial_days: float):
    """1 - trialists lost / trials ended (trials whose end falls inside the run, while the
    product was on the market: the trialists of a withdrawn product, an insolvent firm's,
    leave uncounted as leavers, so their trials are not counted as ended either)."""
    t = mine["t"]
    if trial_days <= 0 or not len(t):
        return None
    on = np.asarray(mine["launched"], bool) if "launched" in mine else np.ones(len(t), bool)
    if not on.any():
        return None
    end = float(t[on].max())
    ended = total(mine["new_adopters"][t + trial_days <= end])
    if ended <= 0:
        return None
    return max(1.0 - total(trial_leavers) / ended, 0.0)


def margins(rows: dict, channel_days, channel, kind: str, dt, served: bool = False):
    """``(margin, volume)``: the margin net of channel margins and unit costs, and the
    units shipped (durable) or paying subscriber-months (subscription) it came from;
    ``channel`` the channel margins on ``channel_days`` (sorted), 0 on other days.
    ``served``: a subscription's serving cost on every active subscriber-month, trialists
    included, as the ledger books it (``contribution``); else on the paying ones (the unit
    margin of a paying month, which the lifetime value reads)."""
    net = rows["revenue"] - reindex(channel_days, channel, rows["t"], 0.0)
    if kind == "subscription":
        volume = rows["paying"] * dt / DAYS_PER_MONTH
        cost = (rows["installed_base"].astype(float) * dt / DAYS_PER_MONTH if served
                else volume)
    else:
        volume = cost = rows["units_sold"].astype(float)
    return total(net - cost * rows["unit_cost"]), total(volume)


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


def base_equity(unit_margin, product, churn, rate_per_year: float, customers: float):
    """What the ``customers`` held at the end of the run will still pay, discounted to
    the end, with no new customer (customer equity of the base, GLS 2004 eq. 1 for
    customers already acquired): durables ``N m rho / (c + delta)`` (their replacements;
    the first purchase is made), subscriptions ``N 12 m / (c + delta)`` (their months to
    come: with a constant churn hazard a subscriber's remaining life does not depend on
    its age). ``m``, ``c``, ``delta`` as ``lifetime_value``; a contribution margin, before
    the fixed costs (salaries, agents) that serving them would go on costing."""
    if unit_margin is None or churn is None or customers is None:
        return None
    delta = math.log1p(rate_per_year)
    if churn + delta <= 0:
        return None
    if product.kind == "subscription":
        return customers * unit_margin * (DAYS_PER_YEAR / DAYS_PER_MONTH) / (churn + delta)
    return customers * unit_margin * (1.0 / product.lifetime_years) / (churn + delta)


def paid_share(mine: dict, everyone_t, everyone_sat, everyone_base, segments) -> np.ndarray:
    """Advertising's part of each step's adoption hazard for our brand,
    ``p (A - 1) / (p A + q W)`` (Generalized Bass Model, Bass, Krishnan and Jain 1994):
    ``A`` our advertising effect, ``p``, ``q`` the size-weighted Bass coefficients, ``W``
    all firms' satisfaction-weighted installed base over the market size, at the
    step's start (every firm's rows: their days, satisfaction and installed base)."""
    sizes = np.array([s.size for s in segments], dtype=float)
    w = sizes / sizes.sum()
    p = dots.vecdot(w, np.array([s.p for s in segments], dtype=float))
    q = dots.vecdot(w, np.array([s.q for s in segments], dtype=float))
    days, talked = group_sum(everyone_t, everyone_sat * everyone_base)  # a groupby on t
    wom = fillna(reindex(days, shift(talked / sizes.sum()), mine["t"]), 0.0)
    lift = clip(mine["advertising"] - 1.0, lower=0.0)
    hazard = p * (1.0 + lift) + q * wom
    return clip(fillna(p * lift / positive_or_nan(hazard), 0.0), 0.0, 1.0)
