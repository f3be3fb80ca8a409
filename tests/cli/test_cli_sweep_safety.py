"""Sweeps that meet the OS and earlier sweeps (issue 14): a worker killed mid-job, stale job
directories of an earlier sweep in the same directory.

The killed-worker test runs a real ``marketsim -m`` and kills, with SIGKILL as the OOM
killer does, every process that runs job 1 (found by the pid its ``job.json`` records):
the launcher must record that job as failed with the reason, finish the others, write
``kpis.parquet`` and exit 1.
"""

import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pandas as pd
import pytest
from cli_helpers import cli_env, marketsim_command

# a job long enough (about 0.1 s) for the watcher, polling every 10 ms, to catch its
# second run as well: at 150 days a job ran in a few ms and a CI run once saw one kill
SWEEP = ["-m", "seed=0,1,2", "horizon_days=1000", "plots=false", "sweep_plot=false",
         "hydra.launcher.n_jobs=2"]


def _kill_job_whenever_it_runs(job_dir, stop, killed):
    """Kill, with SIGKILL, each process that ``job_dir/job.json`` says is running it."""
    meta = job_dir / "job.json"
    while not stop.is_set():
        try:
            job = json.loads(meta.read_text())
        except (OSError, ValueError):
            job = {}
        pid = job.get("pid")
        if job.get("status") == "running" and pid and pid not in killed:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        time.sleep(0.01)


# Hydra's run_job path (full) is the slower one; the compact path runs by default
@pytest.mark.parametrize("outputs", [pytest.param("full", marks=pytest.mark.slow), "compact"])
def test_a_killed_worker_fails_its_job_and_the_sweep_still_writes_its_table(tmp_path, outputs):
    """(With ``outputs=compact`` the jobs run on the launcher's compact path.)"""
    sweep_dir = tmp_path / "sweep"
    stop, killed = threading.Event(), []
    watcher = threading.Thread(target=_kill_job_whenever_it_runs,
                               args=(sweep_dir / "1", stop, killed), daemon=True)
    watcher.start()
    try:
        proc = subprocess.run([*marketsim_command(), *SWEEP, f"outputs={outputs}",
                               f"hydra.sweep.dir={sweep_dir}"],
                              cwd=tmp_path, env=cli_env(), capture_output=True, text=True,
                              timeout=600)
    finally:
        stop.set()
        watcher.join()
    assert len(killed) == 2, killed  # in the pool, then alone
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    table = pd.read_parquet(sweep_dir / "kpis.parquet").set_index("job")
    assert sorted(table.index) == ["0", "1", "2"]
    assert table.loc["1", "status"] == "failed"
    assert "worker process was killed" in table.loc["1", "error"]
    assert (table.loc[["0", "2"], "status"] == "ok").all()
    assert table.loc[["0", "2"], "npv"].notna().all()
    assert "job 1 failed: its worker process was killed" in proc.stderr


SHARED = ["horizon_days=60", "plots=False", "sweep_plot=False"]  # as job.json records them


def _earlier_sweep(sweep_dir, seeds):
    """An earlier sweep's complete jobs 0, 1, ... over ``seeds`` (recorded without a config
    digest, so a job with the same overrides runs again rather than being skipped)."""
    for j, seed in enumerate(seeds):
        job = sweep_dir / str(j)
        job.mkdir(parents=True)
        (job / "job.json").write_text(json.dumps({"overrides": [f"seed={seed}", *SHARED],
                                                  "status": "ok", "seed": seed}))
        (job / "kpis.json").write_text(json.dumps({"npv": 1.0}))


def test_stale_job_directories_are_left_out_and_reported(tmp_path):
    """An earlier sweep over seeds 0-5 left directories 0-5; this one has seeds 0 and 1."""
    sweep_dir = tmp_path / "sweep"
    argv = ["-m", "seed=0,1", *SHARED, f"hydra.sweep.dir={sweep_dir}"]
    _earlier_sweep(sweep_dir, range(6))
    (sweep_dir / ".kpis.parquet.abcd1234.tmp").write_text("left by a killed writer")
    proc = subprocess.run([*marketsim_command(), *argv], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = pd.read_parquet(sweep_dir / "kpis.parquet")
    assert sorted(table["job"]) == ["0", "1"]
    assert sorted(table["override.seed"]) == ["0", "1"]
    assert (table["status"] == "ok").all() and (table["npv"] != 1.0).all()
    assert "ignored 4 job directories of an earlier sweep" in proc.stderr
    assert "2, 3, 4, 5" in proc.stderr
    assert not list(sweep_dir.glob(".*.tmp"))
    shutil.rmtree(sweep_dir)


def test_a_sweep_that_replaces_an_earlier_sweeps_results_says_so_first(tmp_path):
    """Jobs 0-2 of an earlier sweep over seeds 10-12 hold results; a sweep over seeds 0
    and 1 into the same directory replaces jobs 0 and 1, and says so in one line before it
    starts (it is not refused: the runners re-run into their fixed folders, and adding
    seeds to a grid renumbers its jobs)."""
    sweep_dir = tmp_path / "sweep"
    _earlier_sweep(sweep_dir, [10, 11, 12])
    proc = subprocess.run([*marketsim_command(), "-m", "seed=0,1", *SHARED,
                           f"hydra.sweep.dir={sweep_dir}"], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    said = [ln for ln in proc.stderr.splitlines() if "will be replaced" in ln]
    assert len(said) == 1 and f"hydra.sweep.dir={sweep_dir}: 2 finished jobs" in said[0]
    assert "job 0 ran seed=10" in said[0]
    table = pd.read_parquet(sweep_dir / "kpis.parquet")
    assert sorted(table["override.seed"]) == ["0", "1"] and (table["npv"] != 1.0).all()


@pytest.mark.parametrize("empty", ["seed=range(0,0)", "firm.pricing.list_price=range(300,200)"])
def test_a_sweep_with_no_jobs_is_refused_and_leaves_an_earlier_sweep_as_it_was(tmp_path,
                                                                               empty):
    """An empty range made a sweep of no jobs: it exited 0 having run nothing, and rewrote
    an earlier sweep's sweep.json and multirun.yaml beside that sweep's kpis.parquet."""
    sweep_dir = tmp_path / "sweep"
    _earlier_sweep(sweep_dir, [10, 11])
    (sweep_dir / "multirun.yaml").write_text("earlier\n")
    before = {p.relative_to(sweep_dir): p.read_bytes() for p in sweep_dir.rglob("*")
              if p.is_file()}
    proc = subprocess.run([*marketsim_command(), "-m", "seed=0,1", empty, *SHARED,
                           f"hydra.sweep.dir={sweep_dir}"], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    said = [ln for ln in proc.stderr.splitlines() if ln.startswith("marketsim: error:")]
    assert said == [f"marketsim: error: {empty} gives no values, so the sweep has no jobs; "
                    "nothing was run, and what the sweep directory held is as it was"]
    assert {p.relative_to(sweep_dir): p.read_bytes() for p in sweep_dir.rglob("*")
            if p.is_file()} == before


def test_a_failed_job_does_not_keep_an_earlier_sweeps_result_in_its_folder(tmp_path):
    """Job 0 of an earlier sweep held its kpis.json; this sweep's job 0 fails on a bad
    value: its folder had kept the earlier run's kpis.json beside the failed job.json."""
    sweep_dir = tmp_path / "sweep"
    _earlier_sweep(sweep_dir, [10, 11])
    proc = subprocess.run([*marketsim_command(), "-m",
                           "firm.marketing.budget_per_week=-5,80000", *SHARED,
                           f"hydra.sweep.dir={sweep_dir}"], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = json.loads((sweep_dir / "0" / "job.json").read_text())
    assert failed["status"] == "failed" and "budget_per_week" in failed["error"]
    assert not (sweep_dir / "0" / "kpis.json").exists()
    assert json.loads((sweep_dir / "1" / "job.json").read_text())["status"] == "ok"
