"""The customer KPIs' array forms (``sim.results.customers``) against the pandas forms
they replaced, kept here as twins: the same floats bit for bit (the sign of zero and NaN
included) on random flagship rows with zeros, NaN, cancelled backorders, free trials,
launch gaps and days missing from the channel margins."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.kernel import dots, libm
from sim.results import customers as cust
from sim.results.arrays import clip, group_sum
from sim.units import DAYS_PER_MONTH, DAYS_PER_YEAR

# --- the pandas twins (the functions as they were written on frames) --------------------


def paying_twin(rows, kind, dt):
    if kind != "subscription":
        return rows["installed_base"].astype(float)
    price = rows["price"].where(rows["price"] > 0)
    return (rows["revenue"] * DAYS_PER_MONTH / (price * dt)).fillna(0.0)


def churn_split_twin(on, product, trial_days, dt):
    churners = on["churners"].astype(float)
    if "cancelled" in on:
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
    total = -libm.log1p(-lost) / dt  # the C library's, as the KPI's (sim.kernel.libm)
    frac = (base / total.where(total > 0)).clip(upper=1.0).fillna(1.0)
    paying_churn = (churners * frac * (pay / active.where(active > 0))).fillna(0.0)
    paying_churn = paying_churn.clip(upper=churners)
    return paying_churn, churners - paying_churn


def churn_rate_twin(on, paying_churn, dt):
    exposure = float(on["paying"].sum()) * dt / DAYS_PER_YEAR
    return float(paying_churn.sum()) / exposure if exposure > 0 else None


def trial_conversion_twin(mine, trial_leavers, trial_days):
    if trial_days <= 0 or not len(mine):
        return None
    if "launched" in mine and not mine["launched"].any():
        return None
    # the trials that ended while the product was on the market
    end = float((mine[mine["launched"]] if "launched" in mine else mine).index.max())
    ended = float(mine.loc[mine.index + trial_days <= end, "new_adopters"].sum())
    if ended <= 0:
        return None
    return max(1.0 - float(trial_leavers.sum()) / ended, 0.0)


def margins_twin(rows, channel, kind, dt):
    net = rows["revenue"] - channel.reindex(rows.index, fill_value=0.0)
    if kind == "subscription":
        volume = rows["paying"] * dt / DAYS_PER_MONTH
    else:
        volume = rows["units_sold"].astype(float)
    return float((net - volume * rows["unit_cost"]).sum()), float(volume.sum())


def paid_share_twin(mine, everyone, segments):
    sizes = np.array([s.size for s in segments], dtype=float)
    w = sizes / sizes.sum()
    # the size-weighted means in the KPI's fixed order (sim.kernel.dots), not BLAS's
    p = dots.vecdot(w, np.array([s.p for s in segments], dtype=float))
    q = dots.vecdot(w, np.array([s.q for s in segments], dtype=float))
    days, talked = group_sum(everyone["t"].to_numpy(),
                             (everyone["satisfaction"] * everyone["installed_base"]).to_numpy())
    talk = pd.Series(talked, index=pd.Index(days, name="t"))
    wom = (talk / sizes.sum()).shift(1).reindex(mine.index).fillna(0.0)
    lift = (mine["advertising"] - 1.0).clip(lower=0.0)
    hazard = p * (1.0 + lift) + q * wom
    return (p * lift / hazard.where(hazard > 0)).fillna(0.0).clip(0.0, 1.0)


# --- comparisons ---------------------------------------------------------------------------


def same_floats(a, b) -> bool:
    """Equal bit for bit but for NaN's payload: NaN where NaN, the same sign of zero."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    ok = ~np.isnan(a)
    return bool(np.array_equal(a[ok].view(np.int64), b[ok].view(np.int64)))


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return same_floats([a], [b])


def _rows(seed: int, kind: str):
    """A flagship's rows (time-indexed frame and the same columns as arrays) and every
    firm's rows, with zeros, NaN, -0.0, negative margins and gaps."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    t = np.arange(n) * 7.0 + float(rng.integers(0, 3)) * 7.0
    units = rng.choice([0.0, -0.0, 1.5, 40.0, np.nan], n, p=[0.2, 0.05, 0.3, 0.4, 0.05])
    frame = pd.DataFrame({
        "t": t,
        "units_sold": units,
        "installed_base": rng.choice([0, 3, 250, 9000], n),
        "satisfaction": rng.choice([0.0, 0.4, 0.83, np.nan], n, p=[0.1, 0.4, 0.45, 0.05]),
        "churners": rng.choice([0, 1, 7, 300], n),
        "cancelled": rng.choice([0, 2, 500], n, p=[0.7, 0.2, 0.1]),
        "new_adopters": rng.choice([0, 5, 120], n),
        "price": rng.choice([0.0, 9.0, 29.5, 250.0], n),
        "revenue": rng.choice([0.0, -0.0, 100.0, 2.5e5, np.nan], n, p=[.2, .05, .3, .4, .05]),
        "advertising": rng.choice([0.7, 1.0, 1.3, 2.8, np.nan], n, p=[.1, .3, .3, .25, .05]),
        "unit_cost": rng.choice([0.0, 55.0, 120.25], n),
        "launched": rng.random(n) < 0.85,
    })
    if rng.random() < 0.4:
        frame = frame.drop(columns=["cancelled"])
    frame["paying"] = paying_twin(frame, kind, 7.0)
    k = int(rng.integers(1, 4))  # other firms' rows on the same days (some days missing)
    others = pd.DataFrame({"t": np.repeat(t, k), "satisfaction": rng.random(n * k),
                           "installed_base": rng.integers(0, 5000, n * k)})
    everyone = pd.concat([frame[["t", "satisfaction", "installed_base"]], others])
    everyone = everyone.sort_values("t", kind="stable")
    everyone = everyone[rng.random(len(everyone)) < 0.9]
    mine = frame.set_index("t")
    arrays = {c: frame[c].to_numpy() for c in frame.columns}
    return mine, arrays, everyone


PRODUCTS = {
    "durable": SimpleNamespace(kind="durable", lifetime_years=4.0, churn_per_year=0.05,
                               churn_dissatisfaction_per_year=0.2),
    "subscription": SimpleNamespace(kind="subscription", lifetime_years=1.0,
                                    churn_per_year=0.3, churn_dissatisfaction_per_year=0.9),
}


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("kind", ["durable", "subscription"])
def test_customer_kpis_equal_their_pandas_twins(seed, kind):
    mine, arrays, everyone = _rows(seed, kind)
    product = PRODUCTS[kind]
    dt = 7.0
    assert same_floats(cust.paying(arrays, kind, dt), paying_twin(mine, kind, dt))
    launched = arrays["launched"]
    on_frame = mine[mine["launched"]]
    on = {c: v[launched] for c, v in arrays.items()}
    for trial_days in (0.0, 14.0, 30.0):
        churn, leavers = cust.churn_split(on, product, trial_days, dt)
        churn_t, leavers_t = churn_split_twin(on_frame, product, trial_days, dt)
        assert same_floats(churn, churn_t) and same_floats(leavers, leavers_t), trial_days
        assert same(cust.churn_rate(on, churn, dt), churn_rate_twin(on_frame, churn_t, dt))
        assert same(cust.trial_conversion(arrays, leavers, trial_days),
                    trial_conversion_twin(mine, leavers_t, trial_days))
    segments = [SimpleNamespace(size=3e5, p=0.05, q=0.45), SimpleNamespace(size=1.2e6, p=0.02,
                                                                          q=0.4)]
    share = cust.paid_share(arrays, everyone["t"].to_numpy(),
                            everyone["satisfaction"].to_numpy(),
                            everyone["installed_base"].to_numpy(), segments)
    assert same_floats(share, paid_share_twin(mine, everyone, segments))
    rng = np.random.default_rng(seed + 1000)
    days = np.unique(rng.choice(arrays["t"], min(len(arrays["t"]), 9))) if len(arrays["t"]) \
        else np.zeros(0)
    values = rng.choice([0.0, -0.0, 12.5, np.nan], len(days))
    channel = pd.Series(values, index=pd.Index(days, name="t"))
    for rows in (mine, mine[mine.index > mine.index.max() - 200.0] if len(mine) else mine):
        cols = {c: rows[c].to_numpy() for c in rows.columns}
        cols["t"] = rows.index.to_numpy()
        got = cust.margins(cols, days, values, kind, dt)
        want = margins_twin(rows, channel, kind, dt)
        assert same(got[0], want[0]) and same(got[1], want[1])


def test_the_comparison_sees_the_sign_of_zero_and_nan():
    assert not same_floats([0.0], [-0.0])
    assert not same_floats([np.nan], [0.0])
    assert same_floats([np.nan, -0.0], [np.nan, -0.0])
    assert same(None, None) and not same(None, 0.0)
    assert math.isnan(clip(np.array([np.nan]), lower=0.0)[0])
