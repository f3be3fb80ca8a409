"""A firm's stock through its quarters: weighted-average cost, written down to net
realisable value (``sim.results.statements`` builds the statements on it).

One pool for all the firm's products (one average cost). A quarter's closing stock is
valued at the pool's average cost (opening value plus the quarter's production over
opening units plus units made), and no higher than its net realisable value: the
quarter's net revenue per unit sold (after the channels' margins, at the prices the firm
got) times the units in stock, where it sold any (ASC 330-10-35-1B, "lower of cost and
net realisable value", ASU 2015-11; IAS 2.9). The write-down is cost of goods sold in that
quarter and the written-down value is the pool's cost from then on: US GAAP does not
reverse it (ASC 330-10-35-14; IAS 2.33 would). No shipped scenario sells below its average
cost (no change there); priced at 165 against a unit cost of 170 at launch, the baseline's
stock used to stay at cost while its units sold at a loss.
"""

import math

import numpy as np
import pandas as pd

from sim.units import DAYS_PER_YEAR

QUARTER_DAYS = DAYS_PER_YEAR / 4.0


def quarter_of(t) -> np.ndarray:
    return np.floor(np.asarray(t, dtype=float) / QUARTER_DAYS + 1e-12).astype(int)


def holds_stock(produced, inventory) -> bool:
    """Whether a product's rows (its ``produced`` and ``inventory`` columns) show it holding
    stock: it made a unit or held one. One that never does (digital, a subscription)
    sells without stock."""
    return bool(np.nansum(produced) > 0.0 or np.nanmax(np.nan_to_num(inventory), initial=0.0)
                > 0.0)


def opening_value(t, produced, inventory, units_sold, unit_cost, product=None) -> float:
    """The value of the stock a firm starts the run with (``production.initial_inventory``)
    at each product's first recorded unit cost (after its first step's output, so with
    that output's experience: the earliest cost the run records; the first finite one
    where that is missing). Valued at nothing, an incumbent's opening stock made its first
    quarter's gross margin 70%. Columns as ``inventory_of``'s; ``product``: each row's
    product (None: one product). Only a product that holds stock has any: one that never
    makes a unit nor holds one (digital, a subscription) sells without stock, and its first
    step's sales are no opening stock (a product that starts with stock, never makes a unit
    and sells it all in its first step is taken for one of those)."""
    t = np.asarray(t, float)
    if not len(t):
        return 0.0
    names = [None] if product is None else list(pd.unique(np.asarray(product, object)))
    value = 0.0
    for name in names:
        rows = (np.arange(len(t)) if name is None
                else np.flatnonzero(np.asarray(product, object) == name))
        if not holds_stock(produced[rows], inventory[rows]):
            continue  # sells without stock
        order = rows[np.argsort(t[rows], kind="stable")]  # its steps, the first first
        first = order[0]
        units = float(inventory[first] - produced[first] + units_sold[first])
        costs = np.asarray(unit_cost, float)[order]
        finite = costs[np.isfinite(costs)]
        cost = float(finite[0]) if len(finite) else np.nan
        if units > 0.0 and np.isfinite(units) and np.isfinite(cost) and cost > 0.0:
            value += units * cost
    return value


def inventory_of(t, produced, inventory, units_sold, production: np.ndarray, n_q: int,
                 net_revenue=None, v_open: float = 0.0):
    """(value, units, cost of goods sold) of the firm's stock at each quarter's end, from its
    timeseries columns (float arrays in recording order) and each quarter's ``production``
    spend; ``net_revenue`` (each quarter's revenue less channel margins) sets the net
    realisable value, none given: stock at cost; ``v_open``: the opening stock's value
    (``opening_value``). A firm that never produces (digital,
    subscriptions) holds no inventory: its production postings (serving cost) are cost of
    goods sold when paid."""
    value = np.zeros(n_q)
    units = np.zeros(n_q)
    if not len(t) or float(np.nansum(produced)) <= 0.0 and not v_open > 0.0:
        return value, units, production.copy()
    if len(np.unique(t)) < len(t):  # a product line: the firm's stock is its products'
        firm_ts = pd.DataFrame({"t": t, "produced": produced, "inventory": inventory,
                                "units_sold": units_sold}).groupby(
            "t", as_index=False, sort=False)[["produced", "inventory", "units_sold"]].sum()
        t, produced, inventory, units_sold = (firm_ts[c].to_numpy(float) for c in (
            "t", "produced", "inventory", "units_sold"))
    order = np.argsort(t, kind="stable")  # the days are distinct here
    produced, inventory, units_sold = produced[order], inventory[order], units_sold[order]
    q = quarter_of(t[order])
    made = np.bincount(q, weights=produced, minlength=n_q)[:n_q]
    nrv = np.full(n_q, np.nan)  # net realisable value per unit, where the quarter sold any
    if net_revenue is not None:
        sold = np.bincount(q, weights=np.nan_to_num(units_sold), minlength=n_q)[:n_q]
        net = np.asarray(net_revenue, float)[:n_q]
        np.divide(np.maximum(net, 0.0), sold, out=nrv, where=sold > 0.0)
    u_open = float(inventory[0] - produced[0] + units_sold[0])
    # each quarter's last inventory that is not NaN (groupby(q).last()); q is sorted, so
    # a quarter's last is where the next known row's quarter differs
    known = np.flatnonzero(~np.isnan(inventory))
    q_known = q[known]
    last = known[np.flatnonzero(np.append(q_known[1:] != q_known[:-1], True))] \
        if len(known) else known
    last_inv = dict(zip(q[last].tolist(), inventory[last].tolist(), strict=True))
    v_open = float(v_open)  # the opening stock (initial_inventory), at cost
    cogs = np.zeros(n_q)
    # the quarters' sums as Python floats (the same doubles; a loop's arithmetic on NumPy
    # scalars costs several times more)
    made, production, nrv = made.tolist(), np.asarray(production).tolist(), nrv.tolist()
    for k in range(n_q):
        u_close = float(last_inv.get(k, u_open))
        pool_units = u_open + made[k]
        pool_value = v_open + production[k]
        v_close = (pool_value * min(max(u_close, 0.0) / pool_units, 1.0)
                   if pool_units > 0.0 else 0.0)
        if math.isfinite(nrv[k]) and u_close > 0.0:  # lower of cost and net realisable value
            v_close = min(v_close, u_close * nrv[k])
        cogs[k] = pool_value - v_close
        value[k], units[k] = v_close, u_close
        u_open, v_open = u_close, v_close
    return value, units, cogs
