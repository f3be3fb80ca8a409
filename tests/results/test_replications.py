"""The mean kpis.json of several replications (sim/results/replications.py): each KPI over
the replications' own values, never silently over a subset."""

import json
import math

import pytest

from sim.cli import compose
from sim.cli.runs import run_app
from sim.results.replications import replication_summary


def test_a_kpi_defined_in_some_replications_says_in_how_many():
    rows = [{"npv": 1.0, "breakeven_day": None, "insolvent_day": float("nan")},
            {"npv": 2.0, "breakeven_day": 700.0, "insolvent_day": None},
            {"npv": 6.0, "breakeven_day": None, "insolvent_day": None}]
    out = replication_summary(rows)
    assert out["npv"] == 3.0 and "npv_defined_in" not in out
    # the one seed's day is its mean, and the summary says it is one seed's
    assert out["breakeven_day"] == 700.0 and out["breakeven_day_defined_in"] == 1
    # defined in none: kept, as null (the key had vanished)
    assert "insolvent_day" in out and out["insolvent_day"] is None


def test_yes_no_kpis_are_the_share_where_they_hold_and_text_is_kept_where_all_agree():
    rows = [{"killed": True, "firm": "us", "mode": "aggregate"},
            {"killed": False, "firm": "us", "mode": "agent"},
            {"killed": None, "firm": "us", "mode": "agent"},
            {"killed": True, "firm": "us", "mode": "agent"}]
    out = replication_summary(rows)
    assert out["killed"] == 0.5
    assert out["firm"] == "us" and "mode" not in out


def test_the_mean_is_the_exactly_rounded_mean():
    rows = [{"x": 0.1}, {"x": 0.2}, {"x": 0.3}]
    assert replication_summary(rows)["x"] == math.fsum([0.1, 0.2, 0.3]) / 3


@pytest.mark.parametrize("outputs", ["full", "compact"])
def test_a_run_of_replications_writes_the_summary(tmp_path, outputs):
    app = compose(["horizon_days=120", "replications=2", f"outputs={outputs}"])
    kpis = run_app(app, tmp_path)
    written = json.loads((tmp_path / "kpis.json").read_text())
    assert written["replications"] == 2 and written["seed"] == app.seed
    assert written["firm"] == kpis["firm"].iloc[0]
    # a 120-day run launches nothing: the launch day is defined in no replication
    assert kpis["launch_day"].isna().all() and written["launch_day"] is None
    assert written["npv"] == pytest.approx(kpis["npv"].mean(), rel=1e-12)
    assert written["killed"] == kpis["killed"].mean()
