"""The results benchmark runs and reports its fields; speed is never asserted."""

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_results_reports_its_fields():
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_results.py"), "--json",
           "--runs", "1", "--scenarios", "bass_only"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    case = out["scenarios"]["bass_only"]
    assert case["ledger_rows"] > 0 and case["timeseries_rows"] > 0
    for key in ("wall_ms_best", "cpu_ms_best"):
        assert math.isfinite(case[key]) and case[key] > 0.0
    assert out["cpu_ms_best_sum"] == case["cpu_ms_best"]
