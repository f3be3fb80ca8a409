"""KPIs of the focal firm, computed from a run's records (never from model internals).

Money KPIs (revenue, profit, NPV) are the firm's, over its whole product line; customer
KPIs (CSAT, churn, LTV, CAC, peak sales) are its first product's, but for the customer
equity of the base held at the end, which sums the line's products; market shares are the
firm's over its line; per-product and portfolio KPIs come from ``sim.results.portfolio``.
"""

import math

import numpy as np
import pandas as pd

from sim.kernel import libm
from sim.results import customers as cust
from sim.results.arrays import LedgerCodes, code_filter, group_sum, running, total
from sim.results.columns import ledger_codes, sort_by, table_columns
from sim.results.portfolio import portfolio_kpis
from sim.results.shares import shares
from sim.units import DAYS_PER_QUARTER, DAYS_PER_YEAR, step_days, steps_in

WINDOW_DAYS = DAYS_PER_QUARTER  # for "final" and "peak" shares
# the flagship's timeseries columns the customer KPIs read (``sim.results.customers``)
FLAGSHIP_COLUMNS = ("t", "units_sold", "installed_base", "satisfaction", "churners",
                    "cancelled", "new_adopters", "price", "revenue", "advertising",
                    "unit_cost", "launched", "service_level")


def _event_columns(events: dict) -> dict:
    """The events' columns the KPIs filter on, as arrays of these dtypes."""
    return {c: np.asarray(events[c], dtype) for c, dtype in
            (("t", float), ("firm", object), ("kind", object), ("product", object))}


def _hits(ev: dict, firm, kind, product=None) -> np.ndarray:
    """The rows of the firm's events of that kind (of that product, if given); ``ev``
    from ``_event_columns``."""
    hit = (ev["firm"] == firm) & (ev["kind"] == kind)
    if product is not None:  # a product line: the first product's own event
        hit &= ev["product"] == product
    return hit


def _first(ev: dict, firm, kind, product=None):
    at = np.flatnonzero(_hits(ev, firm, kind, product))
    return float(ev["t"][at[0]]) if len(at) else None


def _base_at_end(ts: dict, firm) -> float:
    """The firm's installed base at its last step, summed over its products (a firm-wide
    KPI, as the market shares beside it)."""
    ours = ts["firm"] == firm
    if not ours.any():
        return 0.0
    t = ts["t"][ours]
    return float(ts["installed_base"][ours][t == t.max()].sum())


def _chained(config, product=None) -> bool:
    """Whether ``product`` (default: the first product) is in a chain of generations
    (``generation_of``): its owners neither replace it nor churn, they leave by upgrading
    (sim.market.generations), so a customer value from replacements and churn does not
    apply to it."""
    product = config.firm.product if product is None else product
    return product.generation_of is not None or any(
        p.generation_of == product.name for f in config.firms
        for p in [f.product, *(e.product for e in getattr(f, "line", []))])


def _base_equity(product, chained: bool, mine: dict, on: dict, paying_churn, unit_margin,
                 end, r):
    """``product``'s paying customers at its last step valued as ``customers.base_equity``
    (``chained``: ``_chained(config, product)``), at the churn of the same last year with
    sales as the margin (the whole run's churn is lower where churn rises: the baseline's
    0.099 against 0.117); 0 where it is off the market at the end (killed, retired, its
    firm insolvent: its customers pay it nothing more). None for a product in a chain of
    generations (its owners neither replace nor churn: they leave by upgrading,
    sim.market.generations, so churn 0 would value replacements that never come), without
    a margin, and where no paying customer churned in that year (a perpetuity the model
    asserts, not a customer life)."""
    if chained or not len(mine["t"]):
        return None
    if "launched" in mine and not bool(mine["launched"][-1]):
        return 0.0
    last = (on["t"] > end - DAYS_PER_YEAR) & (on["t"] <= end)
    churn = cust.churn_rate({c: v[last] for c, v in on.items()}, paying_churn[last],
                            on["step_days"][last])
    if churn is None or not churn > 0.0:
        return None
    value = cust.base_equity(unit_margin, product, churn, r, float(mine["paying"][-1]))
    return None if value is None else value + 0.0  # never -0.0


def _last_year_margin(mine: dict, channel_by_t: tuple, kind: str) -> tuple:
    """(unit margin, end) of a product's rows ``mine`` (with ``paying`` and
    ``step_days``): ``end`` the last day it sold or had paying customers (not after an
    exit), the margin net of its channel margins ``channel_by_t`` (days, amounts) over the
    year up to it, per unit or paying month (``customers.margins``); None without volume."""
    t = mine["t"]
    selling = t[(mine["units_sold"] > 0) | (mine["paying"] > 0)]
    end = selling.max() if len(selling) else 0.0
    in_last_year = (t > end - DAYS_PER_YEAR) & (t <= end)
    last_year = {c: v[in_last_year] for c, v in mine.items()}
    m_year, v_year = cust.margins(last_year, *channel_by_t, kind, last_year["step_days"])
    return (m_year / v_year if v_year > 0 else None), end


def _line_equity(config, ts: dict, channel_rows: tuple, r):
    """The customer equity of the products of the firm's line after the first
    (``config.firm.line``), each valued as the first is (``_base_equity``: its own rows,
    paying customers, churn of its last year with sales, unit margin net of its own channel
    margins), summed; None where one of them has none (a line's equity is the sum of its
    products' or undefined). ``channel_rows``: the firm's channel-margin postings as
    (days, amounts, products)."""
    firm, dt, horizon = config.firm.name, config.dt_days, config.horizon_days
    days, amounts, products = channel_rows
    out = 0.0
    for entry in config.firm.line:
        product = entry.product
        rows = np.flatnonzero((ts["firm"] == firm) & (ts["product"] == product.name))
        mine = {c: ts[c][rows] for c in FLAGSHIP_COLUMNS if c in ts}
        mine["step_days"] = step_days(mine["t"], dt, horizon)
        pricing = entry.pricing if entry.pricing is not None else config.firm.pricing
        trial_days = pricing.free_trial_days if product.kind == "subscription" else 0.0
        mine["paying"] = cust.paying(mine, product.kind, mine["step_days"])
        on = ({c: v[mine["launched"].astype(bool)] for c, v in mine.items()}
              if "launched" in mine else mine)
        paying_churn, _ = cust.churn_split(on, product, trial_days, on["step_days"])
        own = products == product.name
        channel_days, channel_sums = group_sum(days[own], amounts[own])
        unit_margin, end = _last_year_margin(mine, (channel_days, 0.0 - channel_sums),
                                             product.kind)
        value = _base_equity(product, _chained(config, product), mine, on, paying_churn,
                             unit_margin, end, r)
        if value is None:
            return None
        out += value
    return out


def _none_if_nan(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def cannibalisation(config, timeseries) -> dict:
    """Successive generations (``generation_of``): units of older generations given up for
    newer ones, and the share of the newer generations' adoptions that came from them
    (``timeseries``: a DataFrame or its columns)."""
    products = [p for f in config.firms
                for p in [f.product] + [e.product for e in getattr(f, "line", [])]]
    later = [p.name for p in products if p.generation_of is not None]
    ts = table_columns(timeseries)
    if not later or "upgraders" not in ts:
        return {"cannibalisation_rate": None, "cannibalised_units": None}
    new = np.isin(ts["product"], later)  # the rows of the later generations, as a filter
    adoptions = total(ts["new_adopters"][new] + ts["upgraders"][new])
    upgraders = total(ts["upgraders"][new])
    return {"cannibalisation_rate": upgraders / adoptions if adoptions > 0 else None,
            "cannibalised_units": total(ts["cannibalised"])}


def compute_kpis(config, timeseries, events, ledger, codes: LedgerCodes | None = None) -> dict:
    """The focal firm's KPIs from the run's tables, each a DataFrame or its columns
    (``sim.results.columns``); ``codes``: the ledger's ``LedgerCodes`` where the caller
    has them."""
    timeseries, events, ledger = map(table_columns, (timeseries, events, ledger))
    firm = config.firm.name
    dt = config.dt_days
    r = config.discount_rate_per_year
    # the ledger's columns as arrays; the focal firm's postings (led) and those but
    # financing (ops) as row numbers in ledger order: the rows the table's filters take
    t_all = np.asarray(ledger["t"], float)
    amount_all = np.asarray(ledger["amount"], float)
    codes = ledger_codes(ledger) if codes is None else codes
    firms, firm_names, acc_all, accounts = codes
    financing = np.array([a.startswith("financing") for a in accounts] + [False])[acc_all]
    is_mine = firms == (list(firm_names).index(firm) if firm in firm_names else -2)
    led_rows = np.flatnonzero(is_mine)
    ops_rows = np.flatnonzero(is_mine & ~financing)
    acc, amount, t_ops = acc_all[ops_rows], amount_all[ops_rows], t_all[ops_rows]

    def booked(match) -> float:  # nansum: as Series.sum
        return float(np.nansum(amount[code_filter(acc, accounts, match)]))

    revenue = booked(lambda a: a == "revenue")
    production = 0.0 - booked(lambda a: a == "production")
    marketing = 0.0 - booked(lambda a: a.startswith("marketing"))
    channel = 0.0 - booked(lambda a: a.startswith("channel_margin"))
    profit = float(np.nansum(amount))
    npv = float(np.nansum(amount * libm.power(1.0 + r, -t_ops / DAYS_PER_YEAR)))

    first = config.firm.product.name
    ev = _event_columns(events)
    launch = _first(ev, firm, "launch", first)
    started = _first(ev, firm, "project_started", first)
    dev_cfg = config.firm.development
    # a plan counted from the start is known once the project started
    planned = (dev_cfg.planned_launch_day if dev_cfg.planned_after_start_days is None
               else None if started is None else dev_cfg.plan_for(started))
    ts = sort_by(timeseries, "t")  # as sort_values("t", kind="stable")
    flagship = (ts["firm"] == firm) & (ts["product"] == config.firm.product.name)
    # the flagship's rows as columns, in time order (one row per step)
    rows = np.flatnonzero(flagship)
    mine = {c: ts[c][rows] for c in FLAGSHIP_COLUMNS if c in ts}
    t_mine = mine["t"]
    w = steps_in(WINDOW_DAYS, dt)
    kinds = {c.name: c.product.kind for c in config.competitors.values()}
    kinds[firm] = config.firm.product.kind
    share = shares(ts, firm, kinds, dt, w, config.horizon_days)
    # each row's step length: dt_days, the last step's cut or lengthened where the weekly
    # costs end (sim.units.step_days); a shorter step's units scaled to a full step's rate
    mine["step_days"] = step_days(t_mine, dt, config.horizon_days)
    units = mine["units_sold"]
    if (mine["step_days"] != dt).any():
        units = units * (dt / mine["step_days"])
    smooth_units = pd.Series(units, index=t_mine).rolling(w, min_periods=1).mean()
    peak_day = float(smooth_units.idxmax()) if len(smooth_units) and smooth_units.max() > 0 else None

    days, by_day = group_sum(t_ops, amount)
    by_day = running(by_day)
    # the most cash the plan consumes before it pays back: the lowest running sum of the
    # operating and investing postings, a day's netted (the statements' quarter ends
    # missed a low between them: subscription_trial 8,169,887 against 8,179,182)
    trough = float(np.nanmin(by_day)) if len(by_day) else 0.0
    peak_funding_need = -trough if trough < 0.0 else 0.0  # never -0.0
    breakeven = None
    negative = np.flatnonzero(by_day < 0.0)
    if launch is not None and len(negative):  # back to 0 or more after having been negative
        hit = np.flatnonzero((days >= launch) & (by_day >= 0.0)
                             & (np.arange(len(days)) > negative[0]))
        if len(hit):
            breakeven = float(days[hit[0]])

    product = config.firm.product
    trial_days = config.firm.pricing.free_trial_days if product.kind == "subscription" else 0.0
    mine["paying"] = cust.paying(mine, product.kind, mine["step_days"])
    on = ({c: v[mine["launched"].astype(bool)] for c, v in mine.items()}
          if "launched" in mine else mine)
    base = on["installed_base"]
    # the share of tickets answered at the last step on the market (sim.firm.support)
    service_final = float(on["service_level"][-1]) if len(base) and "service_level" in on \
        else None
    csat = float(np.average(on["satisfaction"], weights=base)) if total(base) > 0 else None
    paying_churn, trial_leavers = cust.churn_split(on, product, trial_days, on["step_days"])
    churn_rate = cust.churn_rate(on, paying_churn, on["step_days"])
    new = total(mine["new_adopters"])
    gross = revenue - production - channel  # channels' margins come off the revenue
    sales = 0.0 - booked(lambda a: a == "salaries:sales")
    paid = total(mine["new_adopters"] * cust.paid_share(
        mine, ts["t"], ts["satisfaction"], ts["installed_base"], config.market.segments))
    # the first product's acquisition spend (its customer KPIs are the first product's):
    # with a line, its own marketing postings and the sales team's cost in proportion to
    # its share of the line's new customers (the whole firm's spend over the first
    # product's customers made CAC about 1.6 times too high in product_line)
    own_marketing, own_sales = marketing, sales
    if config.firm.line:
        products = np.asarray(ledger["product"], object)[ops_rows]
        is_marketing = code_filter(acc, accounts, lambda a: a.startswith("marketing"))
        own_marketing = 0.0 - float(np.nansum(amount[is_marketing & (products == first)]))
        line_new = total(ts["new_adopters"][ts["firm"] == firm])
        own_sales = sales * new / line_new if line_new > 0 else 0.0
    acquisition = own_marketing + own_sales
    cac = acquisition / paid if paid > 0 else None
    cac_blended = acquisition / new if new > 0 else None
    every_channel = code_filter(acc, accounts, lambda a: a.startswith("channel_margin"))
    is_channel = every_channel
    if config.firm.line:  # the first product's own channel margins (its customer KPIs'):
        # the whole line's made hub_pro's contribution -13.7M instead of +0.2M
        is_channel = every_channel & (products == first)
    channel_days, channel_sums = group_sum(t_ops[is_channel], amount[is_channel])
    channel_by_t = (channel_days, 0.0 - channel_sums)
    unit_margin, end = _last_year_margin(mine, channel_by_t, product.kind)
    # none in a chain of generations: norton_bass's gen1 read 369 a customer from
    # replacements its owners never make (they leave by upgrading)
    chained = _chained(config)
    ltv = None if chained else cust.lifetime_value(unit_margin, product, churn_rate, r)
    ltv_undiscounted = (None if chained
                        else cust.lifetime_value(unit_margin, product, churn_rate, 0.0))
    equity = _base_equity(product, chained, mine, on, paying_churn, unit_margin, end, r)
    if config.firm.line and equity is not None:  # and the line's other products' customers
        line = _line_equity(config, ts, (t_ops[every_channel], amount[every_channel],
                                         products[every_channel]), r)
        equity = None if line is None else equity + line
    contribution = cust.margins(mine, *channel_by_t, product.kind, mine["step_days"],
                                served=True)[0]
    # only the margin of the customers that marketing brought is credited to it
    credited = contribution * paid / new if new > 0 else 0.0
    roi = (credited - own_marketing) / own_marketing if own_marketing > 0 else None
    led_amount = amount_all[led_rows]
    cash = float(np.nansum(led_amount))
    # by day, a day's rows in the ledger's order (stable: the same order on every CPU)
    cash_path = running(led_amount[np.argsort(t_all[led_rows], kind="stable")])
    return {
        "firm": firm,
        "npv": npv,
        "cumulative_revenue": revenue,
        "cumulative_profit": profit,
        "gross_margin": gross,
        "launch_day": launch,
        "time_to_market_days": None if launch is None or started is None else launch - started,
        # against the plan of a development project: none for a product on the market from
        # the start (``launched``), which was never planned
        "launch_slip_days": (None if launch is None or planned is None
                             or config.firm.launched else launch - planned),
        # the first day one of its products' pre-launch campaigns stopped for a launch
        # that slipped past its plan (sim.firm.marketing: ``during_slip: pause``); None
        # where none did
        "prelaunch_paused_day": _first(ev, firm, "prelaunch_paused"),
        # None where nobody sold anything: a share of nothing (sim.results.shares)
        "final_market_share": _none_if_nan(share["final_unit_share"]),
        **{k: _none_if_nan(v) for k, v in share.items()},
        "trial_conversion": _none_if_nan(cust.trial_conversion(mine, trial_leavers, trial_days)),
        "peak_sales_day": peak_day,
        "breakeven_day": breakeven,
        "peak_funding_need": peak_funding_need,
        "csat": _none_if_nan(csat),
        "service_level_final": _none_if_nan(service_final),
        "churn_rate": _none_if_nan(churn_rate),
        "cac": _none_if_nan(cac),
        "cac_blended": _none_if_nan(cac_blended),
        "paid_customers": paid,
        "sales_cost": sales,
        "ltv": _none_if_nan(ltv),
        "ltv_to_cac": _none_if_nan(ltv / cac if ltv is not None and cac else None),
        "ltv_undiscounted": _none_if_nan(ltv_undiscounted),
        "customer_equity_final": _none_if_nan(equity),
        # the run's NPV plus that equity discounted from the horizon: what NPV alone leaves
        # out of the customers won (not future customers, not the fixed costs)
        "npv_with_customer_equity": (None if equity is None or not math.isfinite(equity)
                                     else float(npv + equity * libm.power(
                                         1.0 + r, -config.horizon_days / DAYS_PER_YEAR))),
        "unit_margin": _none_if_nan(unit_margin),
        "marketing_roi": _none_if_nan(roi),
        "marketing_spend": marketing,
        "channel_margin": channel,
        "contribution": contribution,
        "new_customers": new,
        "installed_base_final": _base_at_end(ts, firm),
        "cash_final": cash,
        "cash_min": (float(np.nanmin(cash_path)) if len(cash_path) and not np.isnan(
            cash_path).all() else (math.nan if len(cash_path) else cash)),
        "cash_exhausted": bool(_hits(ev, firm, "cash_exhausted").any()),
        "cash_exhausted_day": _first(ev, firm, "cash_exhausted"),
        "insolvent_day": _first(ev, firm, "insolvent"),
        "killed": bool(_hits(ev, firm, "project_killed", first).any()),
        **cannibalisation(config, timeseries),
        **portfolio_kpis(config, timeseries, ledger, codes),
    }
