"""A sweep job is skipped as complete only when its directory holds a run of the same
overrides *and* the same config: an experiment's option file rewritten between two runs of
the same command (same overrides, another config behind them) must run again, not hand
back the old results."""

import json

from sim.cli import compose
from sim.cli.jobs import run_sweep_job


def _app(*extra):
    return compose(["horizon_days=60", "plots=false", "progress=false", *extra])


def test_same_overrides_other_config_runs_again(tmp_path, capsys):
    run_dir = tmp_path / "0"
    overrides = ["+experiment_option=a", "seed=0"]
    first = run_sweep_job(lambda: _app(), run_dir, overrides, 0)
    assert first is not None
    meta = json.loads((run_dir / "job.json").read_text())
    assert meta["status"] == "ok" and len(meta["config_sha256"]) == 64
    npv = json.loads((run_dir / "kpis.json").read_text())["npv"]

    run_sweep_job(lambda: _app(), run_dir, overrides, 0)  # same config: skipped
    assert "already complete" in capsys.readouterr().out

    run_sweep_job(lambda: _app("firm.teams.engineering.cost_per_head_per_year=200000"), run_dir, overrides, 0)
    assert "already complete" not in capsys.readouterr().out
    again = json.loads((run_dir / "job.json").read_text())
    assert again["config_sha256"] != meta["config_sha256"]
    assert json.loads((run_dir / "kpis.json").read_text())["npv"] != npv


def test_a_run_recorded_without_a_digest_is_not_taken_as_complete(tmp_path, capsys):
    run_dir = tmp_path / "0"
    overrides = ["seed=0"]
    run_sweep_job(lambda: _app(), run_dir, overrides, 0)
    meta = json.loads((run_dir / "job.json").read_text())
    del meta["config_sha256"]  # a job directory from before the digest
    (run_dir / "job.json").write_text(json.dumps(meta))
    run_sweep_job(lambda: _app(), run_dir, overrides, 0)
    assert "already complete" not in capsys.readouterr().out
    assert "config_sha256" in json.loads((run_dir / "job.json").read_text())
