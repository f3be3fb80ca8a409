"""Same seed, same outputs; independent random streams per component."""

import dataclasses
import json

import pandas as pd

from sim.cli import compose
from sim.scenario import run_scenario


def test_same_seed_gives_identical_output_files(tmp_path):
    cfg = dataclasses.replace(compose([]).scenario(), horizon_days=600.0)
    a = run_scenario(cfg, 11).write(tmp_path / "a")
    b = run_scenario(cfg, 11).write(tmp_path / "b")
    for name in ("timeseries", "events", "ledger", "tasks", "segments"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / f"{name}.parquet"),
                                      pd.read_parquet(b / f"{name}.parquet"))
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes()
    assert json.loads((a / "kpis.json").read_text()) == json.loads((b / "kpis.json").read_text())
    c = run_scenario(cfg, 12)
    assert not c.timeseries.equals(pd.read_parquet(a / "timeseries.parquet"))


def test_adding_a_competitor_does_not_change_our_development_draws():
    base = compose([]).scenario()
    more = compose(["+competitor@competitors.disruptor=disruptor"]).scenario()
    assert len(more.competitors) == len(base.competitors) + 1
    t_base = run_scenario(dataclasses.replace(base, horizon_days=500.0), 5).tasks
    t_more = run_scenario(dataclasses.replace(more, horizon_days=500.0), 5).tasks
    ours = [t[t.firm == "us"].reset_index(drop=True) for t in (t_base, t_more)]
    pd.testing.assert_frame_equal(*ours)
