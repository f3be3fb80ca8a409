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
