"""The array paths of the results layer against their plain pandas twins: the same floats,
bit for bit (``==`` on every KPI, NaN and None alike), on random ledgers."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.results import shares as shares_mod
from sim.results.annual import (
    SUMS,
    _ratio,
    _year_sums,
    annual,
    breakeven_day,
    firm_statement_kpis,
    free_cash_flow,
    payback_day,
    statement_kpis,
)
from sim.results.arrays import group_sum
from sim.results.inventory import inventory_of as _inventory_of
from sim.results.inventory import quarter_of as _quarter
from sim.results.statements import (
    build_statements,
    stack,
    statement_columns,
)

ACCOUNTS = ["revenue", "channel_margin:retail", "production", "capacity", "interest",
            "financing:equity", "research", "development", "marketing:tv", "salaries:sales",
            "salaries:manufacturing", "write_off:old", "rent"]


def _random_ledger(seed: int, firms=("a", "b", "c")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    t = np.sort(rng.uniform(0.0, 1500.0, n)).round(0)
    account = rng.choice(ACCOUNTS, n)
    sign = np.where(np.isin(account, ["revenue", "financing:equity"]), 1.0, -1.0)
    amount = sign * rng.lognormal(8.0, 2.0, n)
    return pd.DataFrame({"t": t, "firm": rng.choice(list(firms), n), "account": account,
                         "amount": amount})


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or a == b


def statement_kpis_twin(pnl, balance, firm, horizon_days) -> dict:
    """statement_kpis as frames: annual() and free_cash_flow() read row by row."""
    fcf = free_cash_flow(balance, firm)
    years = annual(pnl, balance, firm, horizon_days, fcf)
    full = years[years["complete"]] if len(years) else years
    last = full.iloc[-1] if len(full) else None
    growth = years["revenue_growth"].dropna()
    return {
        "revenue_growth_yoy": float(growth.iloc[-1]) if len(growth) else None,
        "gross_margin_rate": None if last is None else _ratio(last["gross_profit"],
                                                              last["net_revenue"]),
        "ebitda_margin": None if last is None else _ratio(last["ebitda"], last["net_revenue"]),
        "net_income_total": float(years["net_income"].sum()) if len(years) else 0.0,
        "free_cash_flow_total": float(fcf["fcf"].sum()) if len(fcf) else 0.0,
        "payback_day": payback_day(fcf),
        "fcf_breakeven_day": breakeven_day(fcf),
    }


@pytest.mark.parametrize("seed", range(40))
def test_statement_kpis_equal_their_frame_twin(seed):
    ledger = _random_ledger(seed)
    horizon = float(np.random.default_rng(seed).choice([365.0, 900.0, 1460.0, 1600.0]))
    ts = pd.DataFrame(columns=["t", "firm", "produced", "inventory", "units_sold"])
    pnl, bal = build_statements(ledger, ts, horizon, 0.21, 5.0)
    for firm in ("a", "b", "c", "nobody"):
        got = statement_kpis(pnl, bal, firm, horizon)
        want = statement_kpis_twin(pnl, bal, firm, horizon)
        assert got.keys() == want.keys()
        assert all(_same(got[k], want[k]) for k in got), (firm, got, want)


def inventory_twin(firm_ts: pd.DataFrame, production: np.ndarray, n_q: int):
    """The weighted-average inventory as frames (groupby, sort_values, iloc)."""
    value, units = np.zeros(n_q), np.zeros(n_q)
    if firm_ts.empty or float(firm_ts["produced"].sum()) <= 0.0:
        return value, units, production.copy()
    if firm_ts["t"].duplicated().any():
        firm_ts = firm_ts.groupby("t", as_index=False, sort=False)[
            ["produced", "inventory", "units_sold"]].sum()
    ts = firm_ts.sort_values("t", kind="stable")
    q = _quarter(ts["t"].to_numpy())
    made = np.bincount(q, weights=ts["produced"].to_numpy(float), minlength=n_q)[:n_q]
    first = ts.iloc[0]
    u_open = float(first["inventory"] - first["produced"] + first["units_sold"])
    last_inv = ts["inventory"].groupby(q).last()
    v_open, cogs = 0.0, np.zeros(n_q)
    for k in range(n_q):
        u_close = float(last_inv.get(k, u_open))
        pool_units, pool_value = u_open + made[k], v_open + production[k]
        v_close = (pool_value * min(max(u_close, 0.0) / pool_units, 1.0)
                   if pool_units > 0.0 else 0.0)
        cogs[k] = pool_value - v_close
        value[k], units[k] = v_close, u_close
        u_open, v_open = u_close, v_close
    return value, units, cogs


@pytest.mark.parametrize("seed", range(30))
def test_inventory_equals_its_frame_twin(seed):
    rng = np.random.default_rng(seed)
    steps, products = int(rng.integers(1, 120)), int(rng.integers(1, 4))
    t = np.repeat(np.arange(steps) * 7, products)  # a product line records each day twice
    n = len(t)
    produced = rng.uniform(0.0, 500.0, n) * (rng.random() > 0.1)
    inventory = rng.uniform(0.0, 2000.0, n)
    if seed % 5 == 0:
        inventory[rng.integers(0, n)] = np.nan
    units = rng.uniform(0.0, 400.0, n)
    n_q = int(_quarter(t.max())) + 1
    production = rng.uniform(0.0, 1e5, n_q)
    frame = pd.DataFrame({"t": t, "firm": "a", "produced": produced, "inventory": inventory,
                          "units_sold": units})
    got = _inventory_of(t.astype(float), produced, inventory, units, production, n_q)
    want = inventory_twin(frame, production, n_q)
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w, equal_nan=True)


@pytest.mark.parametrize("seed", range(40))
def test_group_sum_equals_pandas_groupby_sum(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    keys = rng.integers(0, 30, n).astype(float)
    if seed % 2:  # days in recording order: the groups come sorted
        keys = np.sort(keys)
    values = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 16, n)
    if seed % 3 == 0:
        values[rng.integers(0, n)] = np.nan
    if seed % 7 == 0:
        values[rng.integers(0, n)] = np.inf
    want = pd.Series(values).groupby(keys).sum()
    got_keys, got = group_sum(keys, values)
    assert np.array_equal(got_keys, want.index.to_numpy())
    assert np.array_equal(got, want.to_numpy(), equal_nan=True)


def _random_timeseries(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    firms = [f"firm{k}" for k in rng.permutation(int(rng.integers(1, 12)))]
    steps = int(rng.integers(1, 80))
    rows = [(7 * s, f) for s in range(steps) for f in firms if rng.random() > 0.15 * (seed % 2)]
    n = len(rows)
    frame = pd.DataFrame({"t": np.array([r[0] for r in rows], np.int64),
                          "firm": [r[1] for r in rows],
                          "units_sold": rng.lognormal(3.0, 2.0, n) * (rng.random(n) > 0.2),
                          "revenue": rng.lognormal(9.0, 3.0, n),
                          "price": rng.uniform(10.0, 100.0, n),
                          "installed_base": rng.integers(0, 10**6, n)})
    if seed % 5 == 0 and n:
        frame.loc[int(rng.integers(0, n)), "revenue"] = np.nan
    return frame, firms


@pytest.mark.parametrize("seed", range(40))
def test_shares_without_groupby_equal_the_grouped_twin(seed, monkeypatch):
    ts, firms = _random_timeseries(seed)
    if not len(ts):
        return
    kinds = dict.fromkeys(firms, "durable")
    got = shares_mod.shares(ts, firms[0], kinds, 7.0, 13)
    monkeypatch.setattr(shares_mod, "_grids", lambda frame, columns: None)
    want = shares_mod.shares(ts, firms[0], kinds, 7.0, 13)
    assert all(_same_bits(got[k], want[k]) for k in want), (got, want)


@pytest.mark.parametrize("seed", range(12))
def test_shares_of_rows_out_of_order_or_doubled_equal_the_grouped_twin(seed, monkeypatch):
    """``_grids`` on rows not in day order (pandas' sorted factorization of the days) and
    on a firm with two rows a day (no grid: grouped)."""
    ts, firms = _random_timeseries(seed)
    if not len(ts):
        return
    if seed % 2:
        ts = ts.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    else:
        ts = pd.concat([ts, ts[ts["firm"] == firms[0]]], ignore_index=True)
        assert shares_mod._grids(ts, ["units_sold"]) is None
    kinds = dict.fromkeys(firms, "durable")
    got = shares_mod.shares(ts, firms[0], kinds, 7.0, 13)
    monkeypatch.setattr(shares_mod, "_grids", lambda frame, columns: None)
    want = shares_mod.shares(ts, firms[0], kinds, 7.0, 13)
    assert all(_same_bits(got[k], want[k]) for k in want), (got, want)


def _same_bits(a: float, b: float) -> bool:
    return np.float64(a).tobytes() == np.float64(b).tobytes()


@pytest.mark.parametrize("seed", range(200))
def test_share_of_a_grid_equals_pandas_share_to_the_bit(seed):
    """_share_of_grid's arrays against _share's frames (the twin: rolling, row sums and
    division by pandas) on 1-40 days and 1-13 firms (8 or more: numpy's pairwise sums
    differ from a plain loop), values with NaN, -0.0, zeros and cancelling magnitudes."""
    rng = np.random.default_rng(seed)
    days = int(rng.integers(1, 9 if seed % 2 else 41))
    n_firms = int(rng.integers(1, 14))
    if seed % 3 == 0:
        grid = rng.normal(size=(days, n_firms)) * 10.0 ** int(rng.integers(-3, 10))
    elif seed % 3 == 1:
        grid = rng.choice([0.0, -0.0, 1.0, 0.1, 0.3, 3.0, 1e16, np.nan], size=(days, n_firms))
    else:
        grid = rng.integers(0, 1000, size=(days, n_firms)).astype(float)
    firms = [f"f{k}" for k in range(n_firms)]
    firm = firms[int(rng.integers(0, n_firms))] if seed % 7 else "absent"
    window = int(rng.integers(1, 15))
    want = shares_mod._share(pd.DataFrame(grid, columns=pd.Index(firms, name="firm")),
                             firm, window).to_numpy()
    got = shares_mod._share_of_grid(grid, firms, firm, window)
    assert got.tobytes() == want.tobytes(), (got, want)


@pytest.mark.parametrize("seed", range(20))
def test_statement_kpis_from_columns_equal_those_from_the_tables(seed):
    ledger = _random_ledger(seed)
    ts = pd.DataFrame(columns=["t", "firm", "produced", "inventory", "units_sold"])
    firms, n_q, parts = statement_columns(ledger, ts, 1460.0, 0.21, 5.0)
    pnl, bal = stack(firms, n_q, parts)
    for firm, (p, b) in zip(firms, parts, strict=True):
        got = firm_statement_kpis(p, b, n_q, 1460.0)
        want = statement_kpis(pnl, bal, firm, 1460.0)
        assert got.keys() == want.keys()
        assert all(_same(got[k], want[k]) for k in got), (firm, got, want)


@pytest.mark.parametrize("seed", range(40))
def test_year_sums_on_arrays_equal_pandas_groupby_to_the_bit(seed):
    """annual._year_sums against its twin, the groupby it replaces: quarters of 1-10
    years (a last year cut short), magnitudes from cents to billions with cancelling signs
    (where the order of the adds shows), and, as pandas then takes its compensated path,
    blocks with NaN or years out of order."""
    rng = np.random.default_rng(seed)
    n_q = int(rng.integers(1, 41))
    block = rng.normal(size=(n_q, len(SUMS))) * 10.0 ** rng.integers(-2, 10, size=len(SUMS))
    block[rng.random(block.shape) < 0.2] *= -1e8
    year = (np.arange(n_q) + int(rng.integers(0, 3))) // 4
    if seed % 5 == 3:
        block[int(rng.integers(0, n_q)), int(rng.integers(0, len(SUMS)))] = np.nan
    if seed % 7 == 6:
        year = rng.permutation(year)
    want = pd.DataFrame(block, columns=list(SUMS)).groupby(year).sum()
    years, got = _year_sums(year, block)
    assert years.tobytes() == want.index.to_numpy().tobytes()
    for c in SUMS:
        assert got[c].tobytes() == want[c].to_numpy().tobytes(), c
