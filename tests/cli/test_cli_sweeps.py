"""Sweeps (``marketsim -m``) with the default local launcher (joblib): the combined table
and plot, a failed job recorded beside complete ones, and resuming an interrupted sweep.

Each sweep costs 10-20 s here, most of it starting Python, Hydra and the workers, so the
module runs three sweeps in all.
"""

import json
import math
import struct

import pandas as pd
import pytest
from cli_helpers import run_marketsim, snapshot

SWEEP = ["-m", "scenario=baseline,price_war", "seed=0,1", "horizon_days=150", "plots=false"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, path
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def job_files(sweep_dir, jobs) -> dict:
    """Each job's files with bytes and mtimes; for Hydra's own ``.hydra/*.yaml``, bytes only:
    Hydra saves them again before it calls the job, which then finds itself complete."""
    out = {}
    for j in jobs:
        files = snapshot(sweep_dir / str(j))
        out[j] = {name: (data if name.startswith(".hydra/") else (data, mtime))
                  for name, (data, mtime) in files.items()}
    return out


@pytest.fixture(scope="module")
def sweep_2x2(tmp_path_factory):
    work = tmp_path_factory.mktemp("sweep")
    sweep_dir = work / "sweep"
    proc = run_marketsim([*SWEEP, f"hydra.sweep.dir={sweep_dir}"], cwd=work)
    return work, sweep_dir, proc


def test_2x2_sweep_with_the_joblib_launcher(sweep_2x2):
    _, sweep_dir, proc = sweep_2x2
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "Joblib.Parallel" in proc.stdout  # the default launcher ran the jobs
    table = pd.read_parquet(sweep_dir / "kpis.parquet")
    assert len(table) == 4
    assert {"job", "status", "error", "override.scenario", "override.seed",
            "npv"} <= set(table.columns)
    assert (table["status"] == "ok").all()
    assert sorted(zip(table["override.scenario"], table["override.seed"], strict=True)) == [
        ("baseline", "0"), ("baseline", "1"), ("price_war", "0"), ("price_war", "1")]
    for _, row in table.iterrows():
        assert math.isfinite(row["npv"])
        job = sweep_dir / str(row["job"])
        assert json.loads((job / "kpis.json").read_text())["npv"] == row["npv"]
        meta = json.loads((job / "job.json").read_text())
        assert meta["status"] == "ok" and f"seed={row['override.seed']}" in meta["overrides"]
        assert (job / "timeseries.parquet").is_file()
    plot = sweep_dir / "plots" / "sweep_kpis.png"
    assert plot.stat().st_size > 1000
    width, height = png_size(plot)
    assert width > 100 and height > 100
    assert f"{sweep_dir / 'kpis.parquet'}" in proc.stdout
    # the answer in the terminal, as marketsim report words it: 150 days end before the
    # launch, so our NPV is the same in both scenarios on each seed
    answer = [ln for ln in proc.stdout.splitlines() if ln.startswith("[marketsim] No single")]
    assert len(answer) == 1, proc.stdout
    assert answer[0].startswith("[marketsim] No single recommendation: O")
    assert "O1 (scenario=baseline)" in answer[0] and "O2 (scenario=price_war)" in answer[0]
    assert "give the same NPV" in answer[0]
    assert "on every one of their 2 common seeds" in answer[0]
    assert f"[marketsim] the comparison in full: marketsim report {sweep_dir}" in proc.stdout


def test_resume_skips_complete_jobs_and_reruns_the_missing_one(sweep_2x2):
    """The same command into the same sweep directory, after job 2 was interrupted."""
    work, sweep_dir, proc = sweep_2x2
    assert proc.returncode == 0, proc.stderr
    original = (sweep_dir / "2" / "kpis.json").read_bytes()
    # job 2 was interrupted: started (job.json says running), never wrote kpis.json
    (sweep_dir / "2" / "kpis.json").unlink()
    meta = json.loads((sweep_dir / "2" / "job.json").read_text())
    (sweep_dir / "2" / "job.json").write_text(json.dumps({**meta, "status": "running"}))
    before = job_files(sweep_dir, [0, 1, 3])

    again = run_marketsim([*SWEEP, f"hydra.sweep.dir={sweep_dir}"], cwd=work)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stdout + again.stderr
    for j in (0, 1, 3):
        assert f"[marketsim] job {j} already complete" in again.stdout
    assert "[marketsim] job 2 already complete" not in again.stdout
    assert job_files(sweep_dir, [0, 1, 3]) == before  # not rewritten
    assert (sweep_dir / "2" / "kpis.json").read_bytes() == original  # same seed, same KPIs
    assert json.loads((sweep_dir / "2" / "job.json").read_text())["status"] == "ok"
    table = pd.read_parquet(sweep_dir / "kpis.parquet")
    assert len(table) == 4 and (table["status"] == "ok").all()
    assert table["npv"].notna().all()


def test_a_sweep_whose_every_job_has_bad_input_starts_none(sweep_2x2):
    """A value that every job shares, which the schema takes but the range check refuses:
    one line and exit status 2 before any job starts (not a failed job each), and the
    earlier sweep in that directory untouched."""
    work, sweep_dir, _ = sweep_2x2
    before = snapshot(sweep_dir)
    proc = run_marketsim([*SWEEP, "firm.marketing.budget_per_week=-5",
                          f"hydra.sweep.dir={sweep_dir}"], cwd=work)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert [ln for ln in proc.stderr.splitlines() if ln.strip()] == [
        "marketsim: error: every job of this sweep has bad input, so none of its 4 jobs was "
        "started: firm.marketing.budget_per_week must be >= 0, got -5"]
    assert "Launching jobs" not in proc.stdout
    assert snapshot(sweep_dir) == before


def test_a_failed_job_is_recorded_and_the_others_complete(tmp_path):
    """-5 passes composition (a float) and fails the range check inside job 1."""
    sweep_dir = tmp_path / "sweep"
    proc = run_marketsim(["-m", "firm.marketing.budget_per_week=60000,-5", "horizon_days=150",
                          "plots=false", f"hydra.sweep.dir={sweep_dir}"], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "job 1 failed: firm.marketing.budget_per_week must be >= 0" in proc.stderr
    table = pd.read_parquet(sweep_dir / "kpis.parquet").set_index("job")
    assert len(table) == 2
    ok, failed = table.loc["0"], table.loc["1"]
    assert ok["status"] == "ok" and math.isfinite(ok["npv"])
    assert failed["status"] == "failed"
    assert "budget_per_week must be >= 0, got -5" in failed["error"]
    assert pd.isna(failed["npv"])
    assert json.loads((sweep_dir / "0" / "kpis.json").read_text())["npv"] == ok["npv"]
    for name in ("timeseries.parquet", "events.parquet", "ledger.parquet"):
        assert (sweep_dir / "0" / name).is_file()
    meta = json.loads((sweep_dir / "1" / "job.json").read_text())
    assert meta["status"] == "failed" and "budget_per_week" in meta["error"]
    assert not (sweep_dir / "1" / "kpis.json").exists()
    assert png_size(sweep_dir / "plots" / "sweep_kpis.png")[0] > 100
