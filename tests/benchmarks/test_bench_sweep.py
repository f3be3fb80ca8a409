"""The sweep benchmark's CI size runs and reports its fields; speed is never asserted.

Marked slow: a sweep start-up (Python, Hydra, two workers) and a reference in the same run
take 20-40 s on the 2-core machine.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_sweep.py"
FIELDS = ["launcher_s", "launcher_runs_per_s", "in_process_s_per_run", "in_process_runs_per_s",
          "launcher_core_s_per_run", "overhead_per_job_s", "overhead_ratio",
          "speedup_vs_one_process", "launcher_cpu_s_per_run", "overhead_cpu_per_job_s",
          "launcher_peak_rss_mb", "worker_peak_rss_mb"]


@pytest.mark.slow
def test_bench_sweep_quick_reports_rates_overhead_and_memory():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["runs"] == 8 and out["table_rows"] == 8 and out["outputs"] == "compact"
    for key in FIELDS:
        assert math.isfinite(out[key]), key
    for key in ("launcher_runs_per_s", "in_process_runs_per_s", "launcher_peak_rss_mb",
                "worker_peak_rss_mb"):
        assert out[key] > 0, key
    # the overhead is the launcher's core-seconds per run less the in-process time per run
    assert math.isclose(out["overhead_per_job_s"],
                        out["launcher_core_s_per_run"] - out["in_process_s_per_run"])


@pytest.mark.slow
def test_bench_sweep_grid_sweeps_a_plain_value():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", "--jobs", "2",
                           "--grid", "firm.pricing.list_price=200"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["jobs_over"] == "firm.pricing.list_price" and out["table_rows"] == 8
    for key in FIELDS:
        assert math.isfinite(out[key]), key


def test_the_grids_reference_sets_the_value_the_sweep_sets():
    """The in-process reference of ``--grid`` changes the typed config as the sweep's
    override does (a full composition with ``KEY=VALUE``)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_sweep
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from sim.cli import compose

    app = compose(["horizon_days=150"])
    key, first = bench_sweep.grid_of("firm.pricing.list_price=213")
    assert (key, first) == ("firm.pricing.list_price", 213)
    made = bench_sweep.with_value(app, key, float(first))
    assert made == compose(["horizon_days=150", "firm.pricing.list_price=213"])
    assert app.firm.pricing.list_price != 213.0  # the original is untouched
    with pytest.raises(SystemExit, match="KEY=START"):
        bench_sweep.grid_of("firm.pricing.list_price")
