"""sim.results.frames against pandas: the same frame (columns, dtypes, every value) as
``pd.DataFrame(rows)``, on a run's own records and on rows of every awkward mix of types."""

import numpy as np
import pandas as pd
import pytest

from sim.cli import compose
from sim.results.frames import frame_of_dicts, frame_of_tuples
from sim.scenario import build_world


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert [repr(d) for d in got.dtypes] == [repr(d) for d in want.dtypes]
    pd.testing.assert_frame_equal(got, want, check_exact=True)


DICT_ROWS = {
    "ints": [{"a": 1, "b": 2}, {"a": 3, "b": -4}],
    "ints_and_floats": [{"t": 0, "x": 1.5}, {"t": 7.0, "x": 2}],
    "numpy_floats": [{"x": np.float64(1.25)}, {"x": 2.0}],
    "numpy_ints": [{"x": np.int64(3)}, {"x": 4}],
    "bools": [{"on": True}, {"on": False}],
    "bools_and_ints": [{"on": True}, {"on": 2}],
    "bools_and_floats": [{"on": True}, {"on": 2.5}],
    "nan_and_none": [{"x": float("nan"), "y": None}, {"x": 1.0, "y": 2.0}],
    "strings": [{"s": "a", "n": 1}, {"s": "b", "n": 2}],
    "strings_and_none": [{"s": "a"}, {"s": None}],
    "strings_and_numbers": [{"s": "a"}, {"s": 1.0}],
    "empty_strings": [{"s": ""}, {"s": "é"}],
    "big_int": [{"x": 2 ** 63}, {"x": 1}],
    "keys_differ": [{"a": 1, "b": 2.0}, {"b": 3.0, "c": "z"}],
    "keys_reordered": [{"a": 1, "b": 2.0}, {"b": 3.0, "a": 4}],
    "one_row": [{"a": 1.0, "s": "x", "on": False}],
    "empty": [],
}


@pytest.mark.parametrize("name", sorted(DICT_ROWS))
def test_dicts_as_pandas(name):
    rows = DICT_ROWS[name]
    _same(frame_of_dicts(rows), pd.DataFrame(rows))


def test_tuples_as_pandas():
    cols = ["t", "firm", "account", "amount"]
    rows = [(0.0, "us", "revenue", 10.5), (7.0, "them", "production", -3.0),
            (14.0, "us", "financing:equity", float("nan"))]
    _same(frame_of_tuples(rows, cols, ("t", "amount")), pd.DataFrame(rows, columns=cols))
    _same(frame_of_tuples(rows, cols), pd.DataFrame(rows, columns=cols))
    for odd in ([], [(0.0, "us", "revenue")], [(0.0, "us", "revenue", 1.0, 5)]):
        try:
            want = pd.DataFrame(odd, columns=cols)
        except ValueError:  # rows of another length: pandas' own error
            with pytest.raises(ValueError):
                frame_of_tuples(odd, cols)
        else:
            _same(frame_of_tuples(odd, cols), want)
    mixed = [(1, "a", None, True), (2.5, "b", "c", False)]
    _same(frame_of_tuples(mixed, cols), pd.DataFrame(mixed, columns=cols))


@pytest.mark.parametrize("scenario", ["baseline", "subscription_trial", "global_rollout"])
def test_run_records_as_pandas(scenario):
    cfg = compose([f"scenario={scenario}", "horizon_days=364"]).scenario()
    env, _, _, rec = build_world(cfg, 0)
    env.run(until=cfg.horizon_days)
    cols = list(rec.timeseries_columns)
    _same(frame_of_tuples(rec.timeseries, cols), pd.DataFrame(rec.timeseries, columns=cols))
    _same(frame_of_dicts(rec.timeseries_dicts()), pd.DataFrame(rec.timeseries_dicts()))
    _same(frame_of_dicts(rec.tasks), pd.DataFrame(rec.tasks))
    cols = ["t", "firm", "account", "amount"]
    _same(frame_of_tuples(rec.ledger, cols, ("t", "amount")), pd.DataFrame(rec.ledger, columns=cols))
    cols = ["t", "firm", "product", "kind", "detail"]
    _same(frame_of_tuples(rec.events, cols, ("t",)), pd.DataFrame(rec.events, columns=cols))
