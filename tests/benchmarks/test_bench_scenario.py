"""The scenario benchmark runs and reports its fields in both modes; speed is never
asserted (issue 16, item 5)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_scenario.py"

COMMON = ["s_per_run_mean", "s_per_run_best", "cpu_s_per_run_mean", "first_run_s",
          "simpy_events_per_run", "bare_simpy_s", "ratio_vs_bare_simpy", "us_per_event",
          "share_kernel", "kernel_s_per_run", "share_recording", "share_simpy_and_processes",
          "us_per_market_step"]
AGENT = ["share_network_build", "share_kernel_setup", "kernel_ns_per_customer_step"]


@pytest.mark.parametrize("mode, extra", [
    ("aggregate", ["--kpis-only"]),
    ("agent", ["--customers", "20000", "--no-reference"]),
])
def test_bench_scenario_reports_its_fields(mode, extra):
    cmd = [sys.executable, str(SCRIPT), "--json", "--runs", "1", "--scenario", "bass_only",
           "--mode", mode, "--override", "horizon_days=140", *extra]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["mode"] == mode and out["market_steps"] == 20
    for key in COMMON + (AGENT if mode == "agent" else []):
        assert math.isfinite(out[key]) and out[key] >= 0.0, key
    # every event of a run is at least one bare SimPy event; the shares split the run
    assert out["simpy_events_per_run"] >= out["market_steps"]
    assert 0.0 <= out["share_kernel"] <= 1.0 and 0.0 <= out["share_recording"] <= 1.0
    assert out["targets"]["s_per_run"] == (0.05 if mode == "aggregate" else 3.0)
    if "--kpis-only" in extra:  # its runs' KPIs were checked equal to the full runs'
        for key in ("kpis_only_s_per_run_mean", "kpis_only_cpu_s_per_run_best",
                    "kpis_only_cpu_ratio_vs_full"):
            assert math.isfinite(out[key]) and out[key] > 0.0, key
    else:
        assert "kpis_only_s_per_run_mean" not in out
