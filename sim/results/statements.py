"""Financial statements per firm per quarter, built from the run's ledger and timeseries.

The ledger (``sim.firm.ledger``) is a cash book: one signed posting per movement. The
statements restate it on an accrual basis as a controller would (docs/model.md 6.2):

- income statement (``pnl.parquet``): revenue, channel margins, net revenue, cost of goods
  sold, gross profit, operating expenses by function, EBITDA, depreciation, EBIT,
  interest, pretax income, tax at ``tax_rate`` with losses carried forward, net income;
- balance sheet and cash-flow statement (``balance.parquet``): cash, inventory at
  weighted-average cost written down to net realisable value (``sim.results.inventory``),
  fixed assets (capacity expansion capitalised and depreciated
  straight-line over ``depreciation_years``), debt drawn on the credit line, tax payable,
  paid-in capital, retained earnings; operating, investing and financing cash flows.

A quarter is a quarter of a 365-day year; quarter ``q`` holds the postings with
``q * Q <= t < (q + 1) * Q``. The ledger's cash may be negative (drawn on the credit
line): the balance sheet shows ``cash = max(ledger cash, 0)`` and ``debt = max(-ledger
cash, 0)``. The simulation pays no tax: tax is accrued as a liability and never paid.
"""

import math

import numpy as np
import pandas as pd

from sim.results.arrays import LedgerCodes
from sim.results.columns import ledger_codes, n_rows, table_columns
from sim.results.inventory import (
    QUARTER_DAYS,
    holds_stock,
    inventory_of,
    opening_value,
    quarter_of,
)
from sim.results.plant import depreciation, posting_lead

OPEX = ("engineering", "marketing", "sales", "support", "research", "ga")
PNL_COLUMNS = ["firm", "quarter", "start_day", "end_day", "revenue", "channel_margins",
               "net_revenue", "cogs", "gross_profit", *[f"opex_{f}" for f in OPEX],
               "opex_total", "ebitda", "depreciation", "ebit", "interest", "pretax_income",
               "tax", "net_income", "loss_carryforward"]
BALANCE_COLUMNS = ["firm", "quarter", "end_day", "cash", "inventory", "fixed_assets",
                   "total_assets", "debt", "tax_payable", "total_liabilities",
                   "paid_in_capital", "retained_earnings", "total_equity", "ledger_cash",
                   "cf_operating", "cf_investing", "cf_financing", "net_change_cash",
                   "capex", "production_cost", "inventory_units"]


def line_of(account: str) -> str:
    """The statement line of a ledger account (every account lands on exactly one)."""
    head, _, tail = account.partition(":")
    if account == "revenue":
        return "revenue"
    if head == "channel_margin":
        return "channel_margins"
    if account == "production":
        return "production"  # through inventory into cost of goods sold
    if account == "capacity":
        return "capex"
    if head == "write_off":  # disposing of a retired product's stock (sim.firm.offering)
        return "cogs_write_off"
    if account == "interest":
        return "interest"
    if head == "financing":
        return "financing"
    if account == "research":
        return "opex_research"
    if account == "development":
        return "opex_engineering"
    if head == "marketing":
        return "opex_marketing"
    if head == "salaries":
        return {"engineering": "opex_engineering", "design": "opex_engineering",
                "marketing": "opex_marketing", "sales": "opex_sales",
                "support": "opex_support", "manufacturing": "cogs_labour"}.get(tail, "opex_ga")
    return "opex_ga"  # anything the ledger adds later is general and administrative


def _tax(pretax: np.ndarray, rate: float, per_year: int = 4):
    """Tax at ``rate`` on each year's pretax income net of losses carried forward (no
    carry-back), booked year to date: a quarter's tax is the rate on the year's income so
    far, less the losses carried into the year, minus the tax booked in the year's earlier
    quarters, so a later loss in the same year reverses it (ASC 740-270-30, IAS 34.30(c):
    income tax is assessed on the annual income). The cumulative tax at a quarter is the rate
    on the larger of the cumulative pretax income there and its running maximum over the
    earlier years' ends (0 at least). ``loss_carryforward``: the losses carried if the year
    ended that quarter. Quarter by quarter, a firm that earned 1.06M in its first quarter
    and lost 33M over the run was taxed 222k it never owed (``channel_build``'s incumbent)."""
    n = len(pretax)
    tax, carried = np.zeros(n), np.zeros(n)
    nol = 0.0  # losses carried into the current year
    ytd = booked = 0.0
    for k, p in enumerate(pretax):
        if k % per_year == 0 and k > 0:  # a new year: the last one's result moves the pool
            nol = max(nol - ytd, 0.0) if ytd > 0.0 else nol - ytd
            ytd = booked = 0.0
        ytd += p
        due = rate * max(ytd - nol, 0.0)
        tax[k] = due - booked
        booked = due
        carried[k] = max(nol - ytd, 0.0) if ytd > 0.0 else nol - ytd
    return tax, carried


def _lines(accounts: pd.Series) -> np.ndarray:
    """The statement line of each posting (``line_of`` once per distinct account)."""
    codes, names = pd.factorize(accounts)
    return np.array([line_of(a) for a in names] + [""], dtype=object)[codes]


def _serving_split(lines, led_product, ts_product, produced, inventory=None):
    """A line that mixes products that hold stock (they make units, or hold some:
    ``produced``, ``inventory``) with products that never do (a
    subscription, a digital product): the latter's ``production`` postings (serving cost)
    become ``cogs_serving``, cost of goods sold when paid, and their timeseries rows leave
    the stock pool (returns the lines and a mask of the rows kept). Pooled, a
    subscription's 20.7M of serving cost sat in a durable's 1,462 units (14,419 each).
    Any other firm is left as it is (the same arrays)."""
    keep = np.ones(len(ts_product), bool)
    if led_product is None or not len(ts_product):
        return lines, keep
    names = pd.unique(ts_product)
    if len(names) < 2:
        return lines, keep
    held = np.zeros(len(ts_product)) if inventory is None else np.asarray(inventory, float)
    stocked = [n for n in names
               if holds_stock(produced[ts_product == n], held[ts_product == n])]
    if not stocked or len(stocked) == len(names):
        return lines, keep
    serving = (lines == "production") & ~np.isin(np.asarray(led_product, object), stocked)
    if serving.any():
        lines = lines.copy()
        lines[serving] = "cogs_serving"
    return lines, np.isin(ts_product, stocked)


def firm_statements(firm: str, ledger: pd.DataFrame, ts: pd.DataFrame, n_q: int,
                    horizon: float, tax_rate: float, depreciation_years: float,
                    lead_days: dict | None = None):
    """(pnl rows, balance rows) of one firm as DataFrames."""
    p, b = _firm_columns(firm, ledger, ts, n_q, horizon, tax_rate, depreciation_years,
                         lead_days)
    head = {"firm": firm, "quarter": np.arange(n_q)}
    return (pd.DataFrame(head | p, columns=PNL_COLUMNS),
            pd.DataFrame(head | b, columns=BALANCE_COLUMNS))


def _firm_columns(firm: str, ledger: pd.DataFrame, ts: pd.DataFrame, n_q: int,
                  horizon: float, tax_rate: float, depreciation_years: float,
                  lead_days: dict | None = None):
    """(pnl columns, balance columns) of one firm: arrays of ``n_q`` quarters by name;
    ``lead_days``: ``capex_lead_days`` of the run's config."""
    led = ledger[ledger["firm"] == firm]
    lines = _lines(led["account"]) if len(led) else np.zeros(0, object)
    mine = ts[ts["firm"] == firm]
    exit_day = (_exit_day(mine["t"].to_numpy(float), mine["launched"].to_numpy(bool))
                if "launched" in mine and "t" in mine else None)
    if "product" in mine and "produced" in mine:
        lines, keep = _serving_split(lines, led["product"].to_numpy(object)
                                     if "product" in led else None,
                                     mine["product"].to_numpy(object),
                                     mine["produced"].to_numpy(float),
                                     mine["inventory"].to_numpy(float)
                                     if "inventory" in mine else None)
        mine = mine[keep] if not keep.all() else mine
    inv = [mine[c].to_numpy(float) for c in ("t", "produced", "inventory", "units_sold")]
    opening = (opening_value(*inv, mine["unit_cost"].to_numpy(float),
                             mine["product"].to_numpy(object) if "product" in mine else None)
               if "unit_cost" in mine else 0.0)
    lead = posting_lead(firm, lines, led["product"].to_numpy(object)
                         if "product" in led else None, lead_days)
    return _columns(led["t"].to_numpy(float), lines, led["amount"].to_numpy(float), inv,
                    n_q, horizon, tax_rate, depreciation_years, exit_day, opening, lead)


def _exit_day(t, launched):
    """The day a firm left the market for good (insolvent, or its last product withdrawn):
    the first step after its last with a product on the market; None where it never had
    one on the market or still has one at the end."""
    if not len(t) or not launched.any():
        return None
    later = np.unique(t[t > np.max(t[launched])])
    return float(later[0]) if len(later) else None


def _columns(t, lines, amount, inv, n_q: int, horizon: float, tax_rate: float,
             depreciation_years: float, exit_day=None, opening: float = 0.0, lead=None):
    """``_firm_columns`` on one firm's postings (days, statement lines, amounts, in ledger
    order) and its timeseries columns ``inv`` (t, produced, inventory, units_sold);
    ``exit_day``: the day it left the market (``_exit_day``), when its stock is written
    down and its plant impaired to nothing; ``opening``: the value of the stock it starts
    with (``opening_value``), an asset the owners contributed in kind (paid-in capital,
    no cash: IAS 2.10 cost, ASC 505-10 contribution); ``lead``: each posting's days from
    payment to use (``capex_lead_days``; None: none), a plant being depreciated from the
    quarter after it is available for use (IAS 16.55), not after it was paid."""
    q = quarter_of(t) if len(t) else np.zeros(0, int)
    # every line's quarterly sums in one bincount (bin line x quarter; each bin adds its
    # postings in ledger order, as a bincount of the line's postings alone does)
    codes, names = pd.factorize(lines) if len(lines) else (np.zeros(0, int), [])
    row = {name: k for k, name in enumerate(names)}
    sums = np.bincount(codes * n_q + q, weights=amount,
                       minlength=len(row) * n_q).reshape(len(row), n_q) if len(row) else None

    def none() -> np.ndarray:  # a line without postings: zeros, as floats (bincount of no
        # postings gives int64 zeros, and a column that was int64 in one run and float64 in
        # another could not be read across runs: pyarrow's dataset refused it)
        return np.zeros(n_q)

    def flow(line: str) -> np.ndarray:  # money out as a positive number, money in likewise
        k = row.get(line)
        return np.abs(none() if k is None else sums[k])

    net_flow = np.bincount(q, weights=amount, minlength=n_q)[:n_q]
    ledger_cash = np.cumsum(net_flow)
    production = flow("production")
    net_revenue = flow("revenue") - flow("channel_margins")
    inv_value, inv_units, cogs_goods = inventory_of(*inv, production, n_q, net_revenue,
                                                    opening)
    capex = flow("capex")
    in_use = capex  # each quarter's capex by the quarter it is available in
    mine = codes == row["capex"] if lead is not None and "capex" in row else None
    if mine is not None and np.any(lead[mine] > 0.0):
        ready = quarter_of(t[mine] + lead[mine])
        inside = ready < n_q  # a plant arriving after the run is not depreciated in it
        in_use = np.abs(np.bincount(ready[inside], weights=amount[mine][inside],
                                    minlength=n_q)[:n_q])
    dep = depreciation(in_use, depreciation_years * 4.0)
    if exit_day is not None and quarter_of(exit_day) < n_q:
        # a firm that left the market sells nothing more: its stock's net realisable value
        # is nil (IAS 2.28-.33, written down to cost of goods sold) and its plant's
        # recoverable amount too (IAS 36, an impairment with the depreciation); non-cash,
        # so the cash flows stay the ledger's. With list_price=1 an insolvent firm carried
        # 844k of stock and 500k of plant, and an equity of +1.35M, after it had left
        k = int(quarter_of(exit_day))
        inv_value, cogs_goods, dep = inv_value.copy(), cogs_goods.copy(), dep.copy()
        cogs_goods[k] += inv_value[k]
        inv_value[k:] = 0.0
        dep[k] += float(np.sum(capex[:k + 1]) - np.sum(dep[:k + 1]))
        dep[k + 1:] = 0.0
    quarter = np.arange(n_q)
    p = {"start_day": quarter * QUARTER_DAYS,
         "end_day": np.minimum((quarter + 1) * QUARTER_DAYS, horizon),
         "revenue": flow("revenue"), "channel_margins": flow("channel_margins")}
    p["net_revenue"] = p["revenue"] - p["channel_margins"]
    p["cogs"] = cogs_goods + flow("cogs_labour") + flow("cogs_write_off")
    if "cogs_serving" in row:  # a mixed line's stockless products (_serving_split)
        p["cogs"] = p["cogs"] + flow("cogs_serving")
    p["gross_profit"] = p["net_revenue"] - p["cogs"]
    for f in OPEX:
        p[f"opex_{f}"] = flow(f"opex_{f}")
    # the functions added left to right, as a row sum over the six columns does
    total = np.zeros(n_q)
    for f in OPEX:
        total = total + p[f"opex_{f}"]
    p["opex_total"] = total
    p["ebitda"] = p["gross_profit"] - p["opex_total"]
    p["depreciation"] = dep
    p["ebit"] = p["ebitda"] - dep
    p["interest"] = flow("interest")
    p["pretax_income"] = p["ebit"] - p["interest"]
    p["tax"], p["loss_carryforward"] = _tax(p["pretax_income"], tax_rate)
    p["net_income"] = p["pretax_income"] - p["tax"]

    financing = sums[row["financing"]].copy() if "financing" in row else none()
    b = {"end_day": p["end_day"], "ledger_cash": ledger_cash,
         "cash": np.maximum(ledger_cash, 0.0), "debt": np.maximum(-ledger_cash, 0.0),
         "inventory": inv_value, "inventory_units": inv_units,
         "fixed_assets": np.cumsum(capex) - np.cumsum(dep)}
    b["total_assets"] = b["cash"] + b["inventory"] + b["fixed_assets"]
    b["tax_payable"] = np.cumsum(p["tax"])
    b["total_liabilities"] = b["debt"] + b["tax_payable"]
    b["paid_in_capital"] = np.cumsum(financing) + opening  # the opening stock: in kind
    b["retained_earnings"] = np.cumsum(p["net_income"])
    b["total_equity"] = b["paid_in_capital"] + b["retained_earnings"]
    # indirect method: net income + non-cash charges - increase in working capital
    d_inv = np.diff(inv_value, prepend=opening)  # the opening stock cost no cash
    b["cf_operating"] = p["net_income"] + dep + p["tax"] - d_inv
    b["cf_investing"] = 0.0 - capex  # no capex: 0.0, not -0.0
    b["cf_financing"] = financing + np.diff(b["debt"], prepend=0.0)
    b["net_change_cash"] = b["cf_operating"] + b["cf_investing"] + b["cf_financing"]
    b["capex"] = capex
    b["production_cost"] = production + flow("cogs_serving") if "cogs_serving" in row \
        else production
    return {c: p[c] for c in PNL_COLUMNS[2:]}, {c: b[c] for c in BALANCE_COLUMNS[2:]}


def _stacked(firms: list, n_q: int, parts: list, columns: list) -> pd.DataFrame:
    """The firms' columns one above the other in one table: the table ``pd.concat`` of
    each firm's own table gives (numpy's type promotion, as concat's), built once."""
    head = {"firm": [f for f in firms for _ in range(n_q)],
            "quarter": np.tile(np.arange(n_q), len(firms))}
    return pd.DataFrame(head | {c: np.concatenate([part[c] for part in parts])
                                for c in columns[2:]}, columns=columns)


def build_statements(ledger: pd.DataFrame, timeseries: pd.DataFrame, horizon: float,
                     tax_rate: float, depreciation_years: float,
                     lead_days: dict | None = None):
    """(pnl, balance) DataFrames for every firm in the ledger or the timeseries;
    ``lead_days``: ``capex_lead_days`` of the run's config (None: plant in use when
    paid)."""
    return stack(*statement_columns(ledger, timeseries, horizon, tax_rate,
                                    depreciation_years, lead_days=lead_days))


def stack(firms: list, n_q: int, parts: list):
    """(pnl, balance) DataFrames from ``statement_columns``' firms, quarters and parts."""
    if not parts:
        return pd.DataFrame(columns=PNL_COLUMNS), pd.DataFrame(columns=BALANCE_COLUMNS)
    return (_stacked(firms, n_q, [a for a, _ in parts], PNL_COLUMNS),
            _stacked(firms, n_q, [b for _, b in parts], BALANCE_COLUMNS))


def statement_columns(ledger: pd.DataFrame, timeseries: pd.DataFrame, horizon: float,
                      tax_rate: float, depreciation_years: float,
                      led_codes: LedgerCodes | None = None, lead_days: dict | None = None):
    """(firms, quarters, parts): every firm in the ledger or the timeseries, the number of
    quarters, and each firm's (pnl columns, balance columns) as arrays by name;
    ``led_codes``: the ledger's ``ledger_codes`` where the caller has them."""
    firms, n_q, part = statement_parts(ledger, timeseries, horizon, tax_rate,
                                       depreciation_years, led_codes, lead_days)
    return firms, n_q, [part(k) for k in range(len(firms))]


def statement_parts(ledger, timeseries, horizon: float, tax_rate: float,
                    depreciation_years: float, led_codes: LedgerCodes | None = None,
                    lead_days: dict | None = None):
    """``statement_columns`` with each firm's part computed when asked: (firms, quarters,
    ``part``), ``part(k)`` the (pnl columns, balance columns) of ``firms[k]`` (a run's
    KPIs read the focal firm's alone); the ledger and the timeseries each a DataFrame or
    its columns (``sim.results.columns``); ``lead_days``: ``capex_lead_days``."""
    ledger, timeseries = table_columns(ledger), table_columns(timeseries)
    led_codes = ledger_codes(ledger) if led_codes is None else led_codes
    ts_firms = pd.unique(timeseries["firm"]) if "firm" in timeseries else []
    firms = list(dict.fromkeys([*ts_firms, *led_codes.firms]))
    n_q = max(int(math.ceil(horizon / QUARTER_DAYS - 1e-12)), 1)
    for table in (ledger, timeseries):
        if n_rows(table):  # the last day's quarter (Series.max: NaN skipped)
            n_q = max(n_q, int(quarter_of(np.nanmax(table["t"]))) + 1)
    # only the columns the statements read, as arrays; each firm's rows taken by its code
    # (the rows, in the order, that a filter of the table on the firm takes)
    firm_codes = {f: k for k, f in enumerate(firms)}

    def codes(table: dict) -> np.ndarray:
        if not n_rows(table) or "firm" not in table:
            return np.zeros(0, int)
        keys, names = pd.factorize(table["firm"])
        return np.array([firm_codes.get(n, -1) for n in names] + [-1], int)[keys]

    n_led = n_rows(ledger)
    led_firm = (np.array([firm_codes.get(n, -1) for n in led_codes.firms] + [-1],
                         int)[led_codes.firm] if n_led else np.zeros(0, int))
    led_t = np.asarray(ledger["t"], float) if n_led else np.zeros(0)
    led_amount = np.asarray(ledger["amount"], float) if n_led else np.zeros(0)
    led_lines = (np.array([line_of(a) for a in led_codes.accounts] + [""],
                          dtype=object)[led_codes.account] if n_led
                 else np.zeros(0, object))
    has_ts = n_rows(timeseries) and all(c in timeseries for c in (
        "t", "produced", "inventory", "units_sold"))
    ts_firm = codes(timeseries) if has_ts else np.zeros(0, int)
    ts_cols = [np.asarray(timeseries[c], float) if has_ts else np.zeros(0)
               for c in ("t", "produced", "inventory", "units_sold")]
    ts_cost = (np.asarray(timeseries["unit_cost"], float)
               if has_ts and "unit_cost" in timeseries else None)
    ts_product = (np.asarray(timeseries["product"], object) if has_ts and "product" in timeseries
                  else None)
    ts_launched = (np.asarray(timeseries["launched"], bool) if has_ts and "launched" in timeseries
                   else None)
    led_product = (np.asarray(ledger["product"], object) if n_led and "product" in ledger
                   else None)

    def part(k: int):
        rows = np.flatnonzero(led_firm == k)
        ts_rows = np.flatnonzero(ts_firm == k)
        exit_day = (None if ts_launched is None
                    else _exit_day(ts_cols[0][ts_rows], ts_launched[ts_rows]))
        lines = led_lines[rows]
        if ts_product is not None:
            lines, keep = _serving_split(lines, None if led_product is None
                                         else led_product[rows], ts_product[ts_rows],
                                         ts_cols[1][ts_rows], ts_cols[2][ts_rows])
            ts_rows = ts_rows[keep]
        inv = [c[ts_rows] for c in ts_cols]
        opening = (0.0 if ts_cost is None else opening_value(
            *inv, ts_cost[ts_rows], None if ts_product is None else ts_product[ts_rows]))
        lead = posting_lead(firms[k], lines, None if led_product is None
                             else led_product[rows], lead_days)
        return _columns(led_t[rows], lines, led_amount[rows], inv, n_q, horizon, tax_rate,
                        depreciation_years, exit_day, opening, lead)
    return firms, n_q, part
