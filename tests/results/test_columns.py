"""sim.results.columns against pandas: a table's columns made from its rows are the arrays
its DataFrame hands out (``frame[c].to_numpy()``: the same dtype, the same values, NaN
where it has NaN), on the records of every shipped scenario and on values of every awkward
mix of types; ``sort_by`` puts the rows in ``sort_values``' order; ``Results`` builds a
table only when it is read, of the rows recorded when its results were taken."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.cli import CONFIG_DIR, compose
from sim.recorder import KPI_COLUMNS
from sim.results import Results
from sim.results.arrays import code_filter
from sim.results.columns import (
    LEDGER_COLUMNS,
    column_array,
    dict_columns,
    ledger_codes,
    ledger_columns,
    sort_by,
    table_columns,
    tuple_columns,
)
from sim.results.frames import frame_of_dicts
from sim.results.results import _Rows
from sim.scenario import build_world, run_scenario

SCENARIOS = sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))
TABLES = ("timeseries", "events", "ledger", "tasks")


def _same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _same_columns(got: dict, frame: pd.DataFrame) -> None:
    want = {c: frame[c].to_numpy() for c in frame.columns}
    assert list(got) == list(want)
    for c, w in want.items():
        g = got[c]
        assert isinstance(g, np.ndarray) and g.dtype == w.dtype, (c, g.dtype, w.dtype)
        if w.dtype == object:
            assert len(g) == len(w) and all(map(_same_value, g, w)), c
        else:  # bit for bit (-0.0 and NaN included)
            assert g.tobytes() == w.tobytes(), c


VALUES = {
    "ints": [1, 2, -4],
    "ints_and_floats": [0, 1.5, 7],
    "numpy_floats": [np.float64(1.25), 2.0],
    "numpy_ints": [np.int64(3), 4],
    "bools": [True, False],
    "bools_and_ints": [True, 2],
    "bools_and_floats": [True, 2.5],
    "nan_and_floats": [float("nan"), 1.0, -0.0],
    "none_and_floats": [None, 2.0],
    "none": [None, None],
    "strings": ["a", "b", "a"],
    "strings_and_none": ["a", None],
    "strings_and_numbers": ["a", 1.0],
    "unicode": ["", "é", "z"],
    "big_int": [2 ** 63, 1],
    "one": [1.0],
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_a_column_is_its_frames_column(name):
    values = VALUES[name]
    frame = frame_of_dicts([{"c": v} for v in values])  # the frame Results builds
    _same_columns({"c": column_array(tuple(values))}, frame)
    _same_columns({"c": column_array(tuple(values))}, pd.DataFrame({"c": values}))


def test_rows_that_make_no_columns_are_left_to_the_frame():
    assert tuple_columns([], ["a"]) is None
    assert tuple_columns([(1.0, "x"), (2.0,)], ["a", "b"]) is None  # a short row
    assert tuple_columns([(1.0, "x")], ["a", "a"]) is None  # a repeated name
    assert dict_columns([]) is None
    assert dict_columns([{"a": 1}, {"b": 2}]) is None  # other keys
    assert dict_columns([{"a": 1, "b": 2}, {"b": 3, "a": 4}]) is None  # another order
    rows = [(0.0, "us", 1), (7.0, "them", 2)]
    _same_columns(tuple_columns(rows, ["t", "firm", "n"], ("t",)),
                  pd.DataFrame(rows, columns=["t", "firm", "n"]))


def test_ledger_columns_are_the_frames_columns_with_their_codes():
    rows = [(0.0, "us", "revenue", 5.0), (7.0, "them", "capex", -2.0),
            (7.0, "us", "capex", -0.0), (14.0, "us", "salaries:" + "sales", float("nan"))]
    products = ["a", "", "b", ""]
    cols, codes = ledger_columns(rows, products)
    frame = pd.DataFrame(rows, columns=LEDGER_COLUMNS[:4])
    frame["product"] = pd.Series(products, dtype=object)
    _same_columns(cols, frame)
    for got, want in zip(codes, ledger_codes(frame), strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("rows", [
    [],
    [(0.0, "us", "revenue")],  # a short row
    [(0.0, "us", "revenue", 1.0, "x")],  # a long row
    [(0.0, "us", "revenue", 1.0, "x"), (1.0, "us", "capex")],  # 8 values in all
    [(0.0, "us", None, 1.0)],  # a missing account
    [(0.0, "us", "revenue", 1.0), (1.0, 3, "revenue", 1.0)],  # a firm not a string
    [(0.0, np.str_("us"), "revenue", 1.0)],
])
def test_ledger_rows_of_other_shapes_or_types_take_the_general_way(rows):
    assert ledger_columns(rows, [""] * len(rows)) is None


@pytest.mark.parametrize("seed", range(10))
def test_code_filter_is_isin(seed):
    rng = np.random.default_rng(seed)
    names = [f"n{k}" for k in range(int(rng.integers(0, 6)))]
    codes = rng.integers(-1, len(names), int(rng.integers(0, 50)))
    match = {n for n in names if rng.random() < 0.5}.__contains__
    want = np.isin(codes, [k for k, n in enumerate(names) if match(n)])
    got = code_filter(codes, names, match)
    assert got.dtype == bool and np.array_equal(got, want)


@pytest.mark.parametrize("seed", range(40))
def test_sort_by_is_sort_values(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    t = rng.integers(0, 8, n).astype(float)  # many ties
    t[rng.random(n) < 0.1] = np.nan
    frame = pd.DataFrame({"t": t, "row": np.arange(n), "s": [f"s{i}" for i in range(n)]})
    got = sort_by(table_columns(frame), "t")
    want = frame.sort_values("t", kind="stable")
    _same_columns(got, want)


def _records(scenario: str, kpis_only: bool, horizon: float | None = None):
    over = [f"scenario={scenario}"] + ([f"horizon_days={horizon}"] if horizon else [])
    cfg = compose(over).scenario()
    env, _, market, rec = build_world(cfg, 5, None, kpis_only)
    env.run(until=cfg.horizon_days)
    market.close()
    return rec


def _check_run(rec) -> None:
    rows = _Rows.of(rec)
    built = {}
    cols = rows.columns(built)
    # a run's rows make their columns: a frame was built only for a table without rows
    assert all(not getattr(rows, name) for name in built)
    for name in TABLES:
        frame = getattr(rows, f"{name}_frame")()
        if name == "timeseries":  # the columns the KPIs read (all of a compact run's)
            frame = frame[list(KPI_COLUMNS)]
        _same_columns(getattr(cols, name), frame)
    frame = rows.ledger_frame()
    codes = cols.codes
    assert list(codes.firms) == list(pd.unique(frame["firm"]))
    assert list(codes.accounts) == list(pd.unique(frame["account"]))
    np.testing.assert_array_equal(codes.firm, pd.factorize(frame["firm"])[0])
    np.testing.assert_array_equal(codes.account, pd.factorize(frame["account"])[0])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_runs_columns_are_its_frames_columns(scenario):
    _check_run(_records(scenario, False, 364))


@pytest.mark.parametrize("kpis_only", [False, True])
def test_a_whole_baseline_runs_columns_are_its_frames_columns(kpis_only):
    _check_run(_records("baseline", kpis_only))


def test_tables_are_built_when_read_of_the_rows_recorded_until_then():
    cfg = compose(["horizon_days=400"]).scenario()
    env, firms, market, rec = build_world(cfg, 2)
    env.run(until=200)
    res = Results.from_run(cfg, 2, rec, firms)
    assert not any(isinstance(t, pd.DataFrame) for t in res._tables.values())
    n = len(rec.ledger), len(rec.timeseries), len(rec.events), len(rec.tasks)
    env.run(until=400)  # the run records on, as a game does after its results are taken
    assert len(rec.ledger) > n[0]
    assert (len(res.ledger), len(res.timeseries), len(res.events), len(res.tasks)) == n
    assert res.ledger["t"].max() < 200 <= rec.ledger[-1][0]


def test_a_compact_run_builds_no_table():
    res = run_scenario(compose(["horizon_days=200"]).scenario(), 1, kpis_only=True)
    assert not any(isinstance(t, pd.DataFrame) for t in res._tables.values())
    assert len(res.ledger) and isinstance(res._tables["ledger"], pd.DataFrame)
