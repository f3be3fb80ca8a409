"""A board scorecard per year from a run directory, in the four perspectives of the
balanced scorecard (Kaplan and Norton 1992, "The Balanced Scorecard: Measures that Drive
Performance", Harvard Business Review 70(1): 71-79): financial, customer, internal
process, learning and growth.

Everything is read from the run's files (``config.json``, ``pnl.parquet``,
``balance.parquet``, ``timeseries.parquet``, ``events.parquet``, ``ledger.parquet``,
``kpis.json``), for the focal firm. ``year_scorecard`` gives one row per measure with a
column per year (``Y1`` covers days 0-365) and a ``run`` column (the run's total, last
value or KPI). ``find_runs`` lists the runs under a path: one run, a run of several
replications (``rep_000``...) or a sweep (job directories with ``job.json``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from sim.errors import MarketsimError
from sim.kernel import libm
from sim.results import customers as cust
from sim.results.annual import annual, free_cash_flow
from sim.units import DAYS_PER_MONTH, DAYS_PER_YEAR, step_days

TABLES = ("pnl", "balance", "timeseries", "events", "ledger")

# (perspective, key, label, unit); units: money, pct, count, ratio, day
MEASURES = [
    ("financial", "revenue", "revenue (net of channel margins)", "money"),
    ("financial", "revenue_growth", "revenue growth, year on year", "pct"),
    ("financial", "gross_margin", "gross margin", "pct"),
    ("financial", "ebitda_margin", "EBITDA margin", "pct"),
    ("financial", "net_income", "net income", "money"),
    ("financial", "cash", "cash at year end (net of credit drawn)", "money"),
    ("financial", "npv", "NPV to date (operating cash flow, discounted)", "money"),
    ("financial", "cumulative_fcf", "cumulative free cash flow", "money"),
    ("financial", "payback_day", "payback day (cumulative free cash flow back to 0)", "day"),
    ("customer", "unit_share", "unit share (subscribers for subscriptions)", "pct"),
    ("customer", "installed_base", "installed base at year end", "count"),
    ("customer", "csat", "CSAT (0-1, base-weighted)", "ratio"),
    ("customer", "churn", "churn of paying customers per customer-year", "pct"),
    ("customer", "cac_blended", "blended CAC (marketing + sales per new customer)", "money"),
    ("customer", "ltv_to_cac", "LTV / CAC (paid-attributed)", "ratio"),
    ("process", "fill_rate", "fill rate (units shipped / ordered)", "pct"),
    ("process", "backorders", "backorders at year end", "count"),
    ("process", "lost_orders", "orders lost (stock-outs, cancelled backorders)", "count"),
    ("process", "time_to_market", "time to launch (days from project start)", "day"),
    ("process", "gates_passed", "gates passed", "count"),
    ("process", "gates_failed", "gates recycled or killed", "count"),
    ("process", "cost_per_unit", "cost per unit sold (per subscriber-month for a "
                                 "subscription)", "money"),
    ("learning", "studies", "research studies completed", "count"),
    ("learning", "releases", "product releases", "count"),
    ("learning", "team_size", "team size at year end (heads)", "count"),
    ("learning", "hires", "people hired", "count"),
]
PERSPECTIVES = {"financial": "Financial", "customer": "Customer",
                "process": "Internal process", "learning": "Learning and growth"}


@dataclass
class Run:
    path: Path
    config: dict
    kpis: dict
    pnl: pd.DataFrame
    balance: pd.DataFrame
    timeseries: pd.DataFrame
    events: pd.DataFrame
    ledger: pd.DataFrame

    @property
    def firm(self) -> str:
        return self.config["firm"]["name"]

    @property
    def currency(self) -> str:
        return self.config.get("currency", "currency units")


def is_run_dir(path) -> bool:
    p = Path(path)
    return (p / "kpis.json").is_file() and (p / "config.json").is_file() and all(
        (p / f"{t}.parquet").is_file() for t in TABLES)


def load_run(path) -> Run:
    p = Path(path)
    if not is_run_dir(p):
        missing = [n for n in ("kpis.json", "config.json", *[f"{t}.parquet" for t in TABLES])
                   if not (p / n).is_file()]
        raise MarketsimError(f"{p} is not a marketsim run directory (missing "
                             f"{', '.join(missing)})")
    tables = {t: pd.read_parquet(p / f"{t}.parquet") for t in TABLES}
    return Run(p, json.loads((p / "config.json").read_text()),
               json.loads((p / "kpis.json").read_text()), **tables)


def _replications(path: Path) -> list[Path]:
    """The complete run directories ``rep_NNN`` of a run of several replications."""
    return sorted(d for d in path.glob("rep_*") if re.fullmatch(r"rep_\d+", d.name)
                  and is_run_dir(d))


def find_runs(path) -> list[tuple[str, int, Path]]:
    """``(option, seed, run_dir)`` of every complete run under ``path``: the run itself,
    its replications, or a sweep's successful jobs and their replications (option: the
    job's overrides without the seed and the number of replications). Raises
    ``MarketsimError`` when there is none."""
    p = Path(path)
    if not p.is_dir():
        raise MarketsimError(f"marketsim report needs a run or sweep directory, got {str(p)!r} "
                             "(no such directory)")
    if is_run_dir(p):
        return [(p.name, int(json.loads((p / "kpis.json").read_text()).get("seed", 0)), p)]
    runs = []
    for d in _replications(p):
        runs.append((p.name, int(json.loads((d / "kpis.json").read_text()).get("seed", 0)), d))
    jobs = []
    for meta in sorted(p.glob("*/job.json"), key=lambda m: (len(m.parent.name), m.parent.name)):
        job = json.loads(meta.read_text())
        if job.get("status") != "ok":
            continue
        over = [o for o in job.get("overrides", []) if o.split("=", 1)[0].lstrip("+~")
                not in ("seed", "replications")]
        if is_run_dir(meta.parent):
            jobs.append((over, int(job.get("seed", 0)), meta.parent))
        for d in _replications(meta.parent):  # a job of several replications: each a seed
            jobs.append((over, int(json.loads((d / "kpis.json").read_text()).get("seed", 0)),
                         d))
    shared = set.intersection(*[set(o) for o, _, _ in jobs]) if len(jobs) > 1 else set()
    for over, seed, d in jobs:  # an option is named by what sets it apart
        runs.append((", ".join(o for o in over if o not in shared) or "default", seed, d))
    if not runs:
        raise MarketsimError(f"{str(p)!r} is neither a marketsim run directory (kpis.json, "
                             "config.json and the run's tables) nor a sweep or replications "
                             "directory holding complete runs")
    return runs


def _year_of(t, n_years: int) -> np.ndarray:
    return np.clip(np.floor(np.asarray(t, float) / DAYS_PER_YEAR + 1e-12).astype(int), 0,
                   max(n_years - 1, 0))


def _ns(d):
    return SimpleNamespace(**{k: _ns(v) if isinstance(v, dict) else v for k, v in d.items()})


def _per_year(values: pd.Series, years: np.ndarray, n: int, how: str = "sum") -> np.ndarray:
    s = pd.Series(np.asarray(values, float)).groupby(years).agg(how)
    return s.reindex(range(n)).to_numpy(float)


def _count_events(ev: pd.DataFrame, kinds, n: int, amount: bool = False) -> np.ndarray:
    hit = ev[ev["kind"].isin(kinds)]
    if amount:  # "team +n": the number
        vals = hit["detail"].map(lambda s: int(m.group(1)) if (m := re.search(r"\+(\d+)", s))
                                 else 0)
    else:
        vals = pd.Series(1.0, index=hit.index)
    out = _per_year(vals, _year_of(hit["t"], n), n)
    return np.nan_to_num(out)


def _team_size(run: Run, n: int) -> np.ndarray:
    """Heads at each year's last payroll: a week's salary posting over a head's weekly
    cost (``sim.firm.teams``: headcount x cost per head x 7 / 365)."""
    led = run.ledger[(run.ledger["firm"] == run.firm)
                     & run.ledger["account"].str.startswith("salaries:")]
    heads = np.zeros(n)
    for team, cfg in run.config["firm"]["teams"].items():
        rows = led[led["account"] == f"salaries:{team}"]
        weekly = cfg["cost_per_head_per_year"] * 7.0 / DAYS_PER_YEAR
        if rows.empty or weekly <= 0:
            continue
        last = rows.groupby(_year_of(rows["t"], n))["amount"].last()
        heads += np.round(-last.reindex(range(n)).fillna(0.0).to_numpy() / weekly)
    return heads


_PAYING_COLUMNS = ("revenue", "price", "installed_base")  # what customers.paying reads


def _shares(run: Run, years: np.ndarray, n: int) -> np.ndarray:
    """Our units shipped over all firms' in the year (durables); our paying subscribers
    over all firms' at the year's last step (subscriptions)."""
    ts, cfg = run.timeseries, run.config
    kinds = {c["name"]: c["product"]["kind"] for c in cfg.get("competitors", {}).values()}
    kinds[run.firm] = cfg["firm"]["product"]["kind"]
    dt = cfg["dt_days"]
    if kinds[run.firm] != "subscription":
        ours = _per_year(ts["units_sold"].where(ts["firm"] == run.firm, 0.0), years, n)
        total = _per_year(ts["units_sold"], years, n)
        return np.where(total > 0, ours / np.where(total > 0, total, 1.0), np.nan)
    horizon = float(cfg["horizon_days"])
    pay = pd.concat([  # each firm's paying customers, its rows' step lengths (step_days)
        pd.Series(cust.paying({c: g[c].to_numpy() for c in _PAYING_COLUMNS},
                              kinds.get(f, "durable"),
                              step_days(g["t"].to_numpy(float), dt, horizon)), index=g.index)
        for f, g in ts.groupby("firm", sort=False)]).reindex(ts.index)
    last_t = ts.groupby(years)["t"].transform("max").to_numpy()
    at_end = ts["t"].to_numpy() == last_t
    ours = _per_year(pay.where((ts["firm"] == run.firm) & at_end, 0.0), years, n)
    total = _per_year(pay.where(at_end, 0.0), years, n)
    return np.where(total > 0, ours / np.where(total > 0, total, 1.0), np.nan)


def _run_ratio(numerator, revenue) -> float | None:
    """A margin over the whole run: the years' sum over their net revenue (None: the run
    booked no positive net revenue)."""
    total = float(np.nansum(np.asarray(revenue, float)))
    return float(np.nansum(np.asarray(numerator, float))) / total if total > 0 else None


def year_scorecard(run: Run) -> pd.DataFrame:
    """Rows: ``MEASURES`` (columns perspective, key, measure, unit); a column per year
    (``Y1``...) and ``run``."""
    cfg, k, firm = run.config, run.kpis, run.firm
    horizon, dt = float(cfg["horizon_days"]), float(cfg["dt_days"])
    yrs = annual(run.pnl, run.balance, firm, horizon, dt_days=dt)
    n = len(yrs)
    ts_all = run.timeseries
    ts_all = ts_all.assign(_y=_year_of(ts_all["t"], n))
    mine = ts_all[ts_all["firm"] == firm].sort_values("t", kind="stable")
    y = mine["_y"].to_numpy()
    product = _ns(cfg["firm"]["product"])
    kind = product.kind
    ev = run.events[run.events["firm"] == firm]
    led = run.ledger[run.ledger["firm"] == firm]
    ops = led[~led["account"].str.startswith("financing")]
    r = float(cfg.get("discount_rate_per_year", 0.0))
    npv = np.cumsum(np.nan_to_num(_per_year(
        ops["amount"] * libm.power(1.0 + r, -ops["t"] / DAYS_PER_YEAR), _year_of(ops["t"], n), n)))
    nr = yrs["net_revenue"].to_numpy(float)
    safe = np.where(nr > 0, nr, np.nan)
    fcf = free_cash_flow(run.balance, firm)

    on = mine[mine["launched"]] if "launched" in mine else mine
    yo = on["_y"].to_numpy()
    base = on["installed_base"].astype(float)
    csat = (_per_year(on["satisfaction"] * base, yo, n) / _per_year(base, yo, n))
    # the customer functions take NumPy columns (sim.results.customers), each row's step
    # length (sim.units.step_days: the last step's may differ from dt_days)
    dt_on = step_days(on["t"].to_numpy(float), dt, horizon)
    cols = {c: on[c].to_numpy() for c in (*_PAYING_COLUMNS, "churners", "satisfaction",
                                          "cancelled") if c in on}
    pay = cols["paying"] = cust.paying(cols, kind, dt_on)
    trial = cfg["firm"]["pricing"].get("free_trial_days", 0.0) if kind == "subscription" else 0.0
    paying_churn, _ = cust.churn_split(cols, product, trial, dt_on)
    exposure = _per_year(pay * dt_on / DAYS_PER_YEAR, yo, n)
    churn = _per_year(paying_churn, yo, n) / np.where(exposure > 0, exposure, np.nan)
    acq = ops[ops["account"].str.startswith("marketing") | (ops["account"] == "salaries:sales")]
    spend = -_per_year(acq["amount"], _year_of(acq["t"], n), n)
    new = _per_year(mine["new_adopters"], y, n)
    orders = _per_year(mine["orders"], y, n)
    shipped = _per_year(mine["units_sold"], y, n)
    if kind == "subscription":
        dt_mine = step_days(mine["t"].to_numpy(float), dt, horizon)
        paying = cust.paying({c: mine[c].to_numpy() for c in _PAYING_COLUMNS}, kind, dt_mine)
        volume = _per_year(paying * dt_mine / DAYS_PER_MONTH, y, n)
    else:
        volume = shipped
    lost = _per_year(mine["lost_sales"] + mine.get("cancelled", 0.0), y, n)
    launch = k.get("time_to_market_days")
    launch_year = _year_of([k["launch_day"]], n)[0] if k.get("launch_day") is not None else -1

    rows = {
        "revenue": (nr, np.nansum(nr)),
        "revenue_growth": (yrs["revenue_growth"].to_numpy(float), k.get("revenue_growth_yoy")),
        # the run's margins are the run's totals over its net revenue (the KPIs of the
        # same names are the last complete year's: beside the run's revenue they read as
        # the run's, EBITDA +0.8% on a run that lost 82%)
        "gross_margin": (yrs["gross_profit"].to_numpy(float) / safe,
                         _run_ratio(yrs["gross_profit"], nr)),
        "ebitda_margin": (yrs["ebitda"].to_numpy(float) / safe, _run_ratio(yrs["ebitda"], nr)),
        "net_income": (yrs["net_income"].to_numpy(float), float(yrs["net_income"].sum())),
        "cash": (yrs["ledger_cash"].to_numpy(float), k.get("cash_final")),
        "npv": (npv, k.get("npv")),
        "cumulative_fcf": (yrs["cumulative_fcf"].to_numpy(float),
                           float(fcf["fcf"].sum()) if len(fcf) else 0.0),
        "payback_day": (np.full(n, np.nan), k.get("payback_day")),
        "unit_share": (_shares(run, ts_all["_y"].to_numpy(), n), k.get("final_market_share")),
        # the year's last step, summed over our products (as installed_base_final)
        "installed_base": (_per_year(mine["installed_base"].where(
            mine["t"] == mine.groupby("_y")["t"].transform("max"), 0), y, n),
                           k.get("installed_base_final")),
        "csat": (csat, k.get("csat")),
        "churn": (churn, k.get("churn_rate")),
        "cac_blended": (spend / np.where(new > 0, new, np.nan), k.get("cac_blended")),
        "ltv_to_cac": (np.full(n, np.nan), k.get("ltv_to_cac")),
        "fill_rate": (shipped / np.where(orders > 0, orders, np.nan),
                      shipped.sum() / orders.sum() if orders.sum() > 0 else None),
        "backorders": (_per_year(mine["backlog"], y, n, "last"),
                       float(mine["backlog"].iloc[-1]) if len(mine) else None),
        "lost_orders": (lost, np.nansum(lost)),
        "time_to_market": (np.where(np.arange(n) == launch_year,
                                    launch if launch is not None else np.nan, np.nan), launch),
        "gates_passed": (_count_events(ev, ["gate_go"], n), None),
        "gates_failed": (_count_events(ev, ["gate_recycle", "gate_kill", "project_killed"], n),
                         None),
        "cost_per_unit": (yrs["cogs"].to_numpy(float) / np.where(volume > 0, volume, np.nan),
                          None),
        "studies": (_count_events(ev, ["research_result"], n), None),
        "releases": (_count_events(ev, ["release"], n), None),
        "team_size": (_team_size(run, n), None),
        "hires": (_count_events(ev, ["hired"], n, amount=True), None),
    }
    for key in ("gates_passed", "gates_failed", "studies", "releases", "hires"):
        rows[key] = (rows[key][0], float(np.nansum(rows[key][0])))
    rows["team_size"] = (rows["team_size"][0],
                         float(rows["team_size"][0][-1]) if n else None)
    vol = volume.sum()
    rows["cost_per_unit"] = (rows["cost_per_unit"][0],
                             float(yrs["cogs"].sum() / vol) if vol > 0 else None)
    out = []
    for persp, key, label, unit in MEASURES:
        per_year, total = rows[key]
        if key == "cost_per_unit":  # a subscription's unit is a subscriber-month
            label = ("cost per subscriber-month" if kind == "subscription"
                     else "cost per unit sold")
        row = {"perspective": persp, "key": key, "measure": label, "unit": unit}
        row.update({f"Y{i + 1}": float(v) for i, v in enumerate(np.asarray(per_year, float))})
        row["run"] = np.nan if total is None else float(total)
        out.append(row)
    return pd.DataFrame(out)
