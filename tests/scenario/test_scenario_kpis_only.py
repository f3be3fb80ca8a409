"""``run_scenario(..., kpis_only=True)`` (a compact sweep's job that keeps no tables) skips
what only the tables read: the lifecycle phases, the timeseries' columns no KPI reads
(it keeps ``KPI_COLUMNS``) and the segments, preferences and distribution rows. The run
itself must not change: for every shipped scenario its KPIs equal a full run's to the
byte, and so do its timeseries (the columns it keeps), events and ledger but for the
lifecycle events it did not record. Its results refuse to be written or to hand out a
table they do not have."""

import pandas as pd
import pytest

from sim.cli import CONFIG_DIR, compose
from sim.recorder import KPI_COLUMNS
from sim.results.files import kpis_text, write_compact
from sim.scenario import run_scenario

SCENARIOS = sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))
AGENT = ["mode=agent", "horizon_days=400", "market.segments.0.size=60000",
         "market.segments.1.size=150000", "market.segments.2.size=80000"]


def _pair(cfg, seed=3):
    return run_scenario(cfg, seed), run_scenario(cfg, seed, kpis_only=True)


def _same_run(full, lean):
    assert kpis_text(lean.kpis) == kpis_text(full.kpis)
    assert tuple(lean.timeseries.columns) == KPI_COLUMNS
    pd.testing.assert_frame_equal(lean.timeseries, full.timeseries[list(KPI_COLUMNS)])
    life = full.events["kind"] == "lifecycle_phase"
    pd.testing.assert_frame_equal(lean.events,
                                  full.events[~life].reset_index(drop=True))
    pd.testing.assert_frame_equal(lean.ledger, full.ledger)
    pd.testing.assert_frame_equal(lean.tasks, full.tasks)
    assert lean.final_cash == full.final_cash
    pd.testing.assert_frame_equal(lean.regions, full.regions)  # region KPIs read it
    return life


def test_there_are_scenarios(shipped):
    assert len(SCENARIOS) >= 8 and sorted(shipped) == SCENARIOS


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_kpis_only_run_is_the_same_run_with_the_same_kpis(name, shipped):
    full, lean = _pair(shipped[name])
    life = _same_run(full, lean)
    if name == "baseline":  # what was skipped was there to skip
        assert life.any() and (full.timeseries["phase"] != "").all()
        assert len(full.segments) and len(full.preferences)


def test_an_agent_mode_kpis_only_run_is_the_same_run():
    _same_run(*_pair(compose(AGENT).scenario()))


def test_a_kpis_only_run_cannot_be_written_or_read_for_its_missing_tables(tmp_path):
    lean = run_scenario(compose(["horizon_days=200"]).scenario(), 1, kpis_only=True)
    for name in ("segments", "preferences", "distribution"):
        with pytest.raises(ValueError, match=f"the {name} table was not recorded"):
            getattr(lean, name)
    with pytest.raises(ValueError, match="kpis_only"):
        lean.write(tmp_path / "run")
    with pytest.raises(ValueError, match=r"output_tables=\['timeseries'\]"):
        write_compact(lean, tmp_path / "compact", ["timeseries"])
    assert not any(tmp_path.iterdir())  # nothing was written
    write_compact(lean, tmp_path / "kpis")  # the KPIs alone: what it is for
    assert sorted(p.name for p in (tmp_path / "kpis").iterdir()) == ["kpis.json"]
