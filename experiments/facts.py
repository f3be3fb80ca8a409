"""The stylized facts of marketing science that ``experiments.stylized_facts`` holds the
model against: each fact's published anchor, its band (docs/model.md, "Stylized facts")
and how one seed's value is measured from paired runs.

A fact is measured per seed from runs that share the seed (common random numbers), so a
lever's effect is a paired difference; the runner reports the mean over seeds with a 90%
t-interval. ``holds`` is true when the mean lies inside the band (and, for the category
fact, the category elasticity is negative and smaller in magnitude than the brand's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.units import step_days

PRICE_STEP = 1.10  # a 10% list-price rise for the elasticities
AD_STEP = 1.10  # a 10% rise of the weekly marketing budget, for one quarter (a pulse)
FAR_PRICE = 5.0  # "several times every rival's price"
# Advertising elasticities as Sethuraman, Tellis and Briesch 2011 define them: short term,
# the sales response in the same period as the advertising change; long term, the
# cumulative response over that period and the carry-over after it (in a Koyck model,
# short-term / (1 - carry-over)). Measured by a one-quarter pulse of +10% spend in the
# mature market, a year after the planned launch (not confounded with the launch quarter).
AD_PULSE_AFTER_LAUNCH = 365.0  # days from the planned launch to the pulse
AD_PULSE_DAYS = 91.0  # the pulse, and the short-term (same-period) window: one quarter
CARRYOVER_DAYS = 365.0  # the long-term window after the pulse (Leone 1995: 6-9 months)
KRU_EXPONENT = (-0.75, -0.25)  # band of the order-of-entry exponent around -0.5


@dataclass(frozen=True)
class Fact:
    fact: str
    scenario: str
    published_value: float
    band_low: float
    band_high: float
    source: str
    sentence: str  # what the fact says, completed by the runner with the numbers


FACTS = [
    Fact("own_price_elasticity", "baseline", -2.62, -4.0, -1.0,
         "Bijmolt, van Heerde and Pieters 2005 (JMR 42:141-156), mean of 1,851 estimates; "
         "Tellis 1988 (JMR 25:331-341) -1.76",
         "A 10% rise of our list price changes our unit orders by the elasticity times 10%"),
    Fact("category_share_of_price_effect", "baseline", 0.25, 0.10, 0.50,
         "Bell, Chiang and Padmanabhan 1999 (Marketing Science 18:504-526): about a quarter "
         "of a brand's price elasticity is primary (category) demand",
         "The category's percentage fall in orders when we raise our price, as a fraction "
         "of our own (the primary-demand part of our elasticity)"),
    Fact("advertising_elasticity_short_term", "baseline", 0.12, 0.03, 0.25,
         "Sethuraman, Tellis and Briesch 2011 (JMR 48:457-471), mean short-term elasticity",
         "A 10% larger marketing budget for one quarter, a year after launch, raises our "
         "orders in that quarter"),
    Fact("advertising_elasticity_long_term", "baseline", 0.24, 0.10, 0.50,
         "Sethuraman, Tellis and Briesch 2011 (JMR 48:457-471), mean long-term elasticity",
         "The same one-quarter pulse raises our orders over that quarter and the year after "
         "it, as a fraction of the quarter's (it must also exceed the short-term elasticity: "
         "carry-over)"),
    Fact("order_of_entry_share_ratio_2", "order_of_entry", 2 ** -0.5, 2 ** KRU_EXPONENT[0],
         2 ** KRU_EXPONENT[1],
         "Kalyanaram, Robinson and Urban 1995 (Marketing Science 14:G212-G221): share of "
         "the n-th entrant / pioneer's ~ 1/sqrt(n)",
         "The second of three identical entrants, a year after the pioneer, ends with this "
         "share relative to the pioneer's"),
    Fact("order_of_entry_share_ratio_3", "order_of_entry", 3 ** -0.5, 3 ** KRU_EXPONENT[0],
         3 ** KRU_EXPONENT[1],
         "Kalyanaram, Robinson and Urban 1995 (Marketing Science 14:G212-G221): share of "
         "the n-th entrant / pioneer's ~ 1/sqrt(n)",
         "The third entrant, two years after the pioneer, ends with this share relative to "
         "the pioneer's"),
    Fact("adopters_without_paid_marketing", "baseline", math.nan, 0.10, 1.0,
         "Bass 1969 (Management Science 15:215-227): external influence p > 0 stands for all "
         "non-interpersonal sources; Sultan, Farley and Lehmann 1990 (JMR 27:70-77) find "
         "p > 0 in every category (qualitative: adoption continues)",
         "With no paid marketing at all our installed base at the horizon is this fraction "
         "of the baseline's"),
    Fact("bass_closed_form_gap", "bass_only", 0.0, 0.0, 0.02,
         "Bass 1969 (Management Science 15:215-227), closed form F(t)",
         "One product alone in one segment: the largest gap between the adopted share and "
         "the Bass closed form"),
    Fact("unserved_demand_lost", "baseline", 0.35, 0.15, 0.70,
         "Gruen, Corsten and Bharadwaj 2002 (GMA), worldwide averages as usually cited: "
         "facing a stock-out, 26% buy another brand and 9% do not buy (31% buy elsewhere, "
         "19% another item of the same brand, 15% delay)",
         "With capacity capped under demand, this share of the customers who met a stock-out "
         "(waited or switched) left us: switched to another product at once or cancelled "
         "the backorder"),
    Fact("satisfaction_change_when_waiting", "baseline", math.nan, -0.50, -0.01,
         "Anderson, Fornell and Lehmann 1994 (J. Marketing 58:53-66): satisfaction follows "
         "the experienced quality of service (qualitative: waiting lowers it)",
         "With capacity capped (and support never overloaded, in both runs), our customer "
         "satisfaction over the last year changes by"),
    Fact("share_at_far_price", "baseline", 0.0, 0.0, 0.02,
         "implied by Bijmolt et al. 2005: at elasticity -2.62 a price 5 times higher "
         "keeps 5^-2.62 = 1.5% of the share at parity",
         "Priced at 5 times the dearest rival's list price, our unit share of the category"),
]

FACT_NAMES = [f.fact for f in FACTS]


def launch_day(ts: pd.DataFrame, firm: str) -> float:
    own = ts[(ts["firm"] == firm) & ts["launched"].astype(bool)]
    return float(own["t"].min()) if len(own) else math.nan


def orders(ts: pd.DataFrame, firm: str | None = None, start: float = -math.inf,
           end: float = math.inf) -> float:
    d = ts[(ts["t"] >= start) & (ts["t"] < end)]
    if firm is not None:
        d = d[d["firm"] == firm]
    return float(d["orders"].sum())


def _log_ratio(new: float, old: float, step: float) -> float:
    if new <= 0 or old <= 0:
        return math.nan
    return math.log(new / old) / math.log(step)


def ad_pulse(start: float, horizon: float) -> tuple[float, float, float]:
    """(pulse start, pulse end, end of the carry-over window), clipped to the horizon."""
    end = min(start + AD_PULSE_DAYS, horizon)
    return start, end, min(end + CARRYOVER_DAYS, horizon)


def ad_elasticities(base: pd.DataFrame, ad: pd.DataFrame, firm: str,
                    pulse: tuple[float, float, float]) -> dict:
    """Short term: the log change of the pulse quarter's orders over log 1.1; long term: the
    orders the pulse added over its quarter and the carry-over window after it, relative to
    the quarter's baseline orders, on the same scale (Sethuraman et al. 2011's definitions)."""
    p0, p1, p2 = pulse
    same = orders(base, firm, p0, p1)
    extra = orders(ad, firm, p0, p2) - orders(base, firm, p0, p2)  # incl. the carry-over
    return {"advertising_elasticity_short_term": _log_ratio(orders(ad, firm, p0, p1), same,
                                                            AD_STEP),
            "advertising_elasticity_long_term": _log_ratio(same + extra, same, AD_STEP)}


def baseline_facts(runs: dict, firm: str, pulse: tuple[float, float, float]) -> dict:
    """One seed's values of the baseline facts; ``runs``: option -> timeseries; ``pulse``:
    the advertising pulse's (start, end, end of carry-over) days (``ad_pulse``)."""
    base = runs["base"]
    day = launch_day(base, firm)
    end = float(base["t"].max()) + 1.0
    q0 = orders(base, firm, day)
    c0 = orders(base, None, day)
    q1 = orders(runs["price_up"], firm, day)
    c1 = orders(runs["price_up"], None, day)
    own = _log_ratio(q1, q0, PRICE_STEP)
    cat = _log_ratio(c1, c0, PRICE_STEP)
    out = {"own_price_elasticity": own,
           "category_share_of_price_effect": cat / own if own and np.isfinite(own) else math.nan,
           "category_price_elasticity": cat}
    out.update(ad_elasticities(base, runs["ad_pulse"], firm, pulse))
    ib = lambda ts: float(ts[ts["firm"] == firm]["installed_base"].iloc[-1])  # noqa: E731
    out["adopters_without_paid_marketing"] = ib(runs["no_marketing"]) / max(ib(base), 1.0)
    short = runs["capacity_short"]
    own_short = short[short["firm"] == firm]
    # per stock-out encounter (Gruen et al.'s measure): of the customers who met a stock-out
    # (those who waited, backordered, and those who switched to another product at once,
    # our lost sales), the share that left us: switched, or cancelled the backorder later
    after = own_short[own_short["t"] >= day]
    met = float(after["backordered"].sum() + after["lost_sales"].sum())
    left = float(after["lost_sales"].sum() + after["cancelled"].sum())
    out["unserved_demand_lost"] = left / met if met > 0.01 * q0 else math.nan
    last = lambda ts: ts[(ts["firm"] == firm) & (ts["t"] >= end - 365.0)]  # noqa: E731
    calm, waiting = runs["ample_support"], runs["capacity_short_ample_support"]
    out["satisfaction_change_when_waiting"] = float(
        last(waiting)["satisfaction"].mean() - last(calm)["satisfaction"].mean())
    far = runs["price_far"]
    out["share_at_far_price"] = orders(far, firm, day) / max(orders(far, None, day), 1.0)
    return out


def entry_facts(ts: pd.DataFrame, firms: list, window_days: float = 365.0) -> dict:
    """Share ratios of the later entrants to the pioneer's, over the last ``window_days``."""
    end = float(ts["t"].max()) + 1.0
    units = [orders(ts, f, end - window_days) for f in firms]
    return {f"order_of_entry_share_ratio_{n}": units[n - 1] / units[0] if units[0] > 0 else math.nan
            for n in (2, 3)}


def bass_gap(ts: pd.DataFrame, size: int, p_year: float, q_year: float, dt: float,
             horizon: float) -> float:
    """The largest gap between the adopted share after each step and the Bass closed form
    at the step's end (its start plus its length, ``sim.units.step_days``: the last step
    ends where the weekly costs do, not a whole ``dt`` later)."""
    from sim.kernel import bass_cdf

    ib = ts["installed_base"].to_numpy() / size
    start = ts["t"].to_numpy(float)
    t = start + step_days(start, dt, horizon)
    return float(np.max(np.abs(ib - bass_cdf(t, p_year / 365.0, q_year / 365.0))))


def interval(values, level: float = 0.90) -> tuple:
    """Mean and ``level`` t-interval of the mean over seeds (NaN seeds dropped)."""
    from scipy import stats

    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if len(v) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return mean, mean - half, mean + half


def holds(fact: Fact, mean: float, extra: dict) -> bool:
    if not np.isfinite(mean) or not fact.band_low <= mean <= fact.band_high:
        return False
    if fact.fact == "category_share_of_price_effect":
        cat, own = extra.get("category_price_elasticity"), extra.get("own_price_elasticity")
        return bool(np.isfinite(cat) and cat < 0 and abs(cat) < abs(own))
    if fact.fact == "advertising_elasticity_long_term":  # carry-over: long above short
        short = extra.get("advertising_elasticity_short_term", math.nan)
        return bool(np.isfinite(short) and mean > short)
    return True


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.facts")
