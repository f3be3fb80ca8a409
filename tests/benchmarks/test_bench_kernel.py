"""The kernel benchmark runs and reports its contract's fields; speed is never asserted."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_kernel.py"

REQUIRED = [
    "mode", "case", "backend", "customers", "steps", "agent_steps_per_s",
    "numpy_reference_agent_steps_per_s", "ratio_vs_numpy", "memory_bandwidth_gbs",
    "memory_bandwidth_method", "floor_ns_per_agent_step", "bytes_per_agent_step",
    "bytes_per_agent_step_counting", "compile_s", "first_result_s", "numpy_version",
    "numba_version", "threads", "reference_agrees", "numpy_reference_customers",
    "numpy_reference_steps", "ns_per_agent_step",
]
POSITIVE = [
    "agent_steps_per_s", "numpy_reference_agent_steps_per_s", "ratio_vs_numpy",
    "memory_bandwidth_gbs", "floor_ns_per_agent_step", "bytes_per_agent_step",
    "first_result_s", "ns_per_agent_step", "time_s", "threads",
]


def _run(*extra):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    cmd = [sys.executable, str(SCRIPT), "--customers", "20000", "--steps", "5",
           "--bandwidth-mib", "96", "--json", *extra]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.parametrize("mode", ["agent", "aggregate"])
@pytest.mark.parametrize("case", ["bass", "full"])
def test_json_has_contract_fields(case, mode):
    proc = _run("--case", case, "--mode", mode, "--threads", "1")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stdout  # one JSON object, nothing else on stdout
    res = json.loads(lines[0])
    for key in REQUIRED:
        assert key in res, key
    assert (res["mode"], res["case"], res["backend"]) == (mode, case, "cpu")
    assert (res["customers"], res["steps"], res["threads"]) == (20000, 5, 1)
    for key in POSITIVE:
        assert isinstance(res[key], (int, float)) and math.isfinite(res[key]), key
        assert res[key] > 0, key
    assert math.isfinite(res["compile_s"]) and res["compile_s"] >= 0
    assert res["reference_agrees"] is True
    assert 0 < res["kernel_adopter_share_at_agreement_step"] < 1
    if mode == "aggregate":
        assert res["us_per_step"] > 0 and "not comparable" in res["note"].lower()
        if case == "full":
            assert (res["segments"], res["products"]) == (20, 10)
    elif case == "full":
        assert res["network_build_s"] > 0 and res["products"] == 3


def test_other_backend_is_refused_clearly():
    """cpu and cuda only (--backend cuda is tested in tests/kernel_cuda/)."""
    proc = subprocess.run([sys.executable, str(SCRIPT), "--backend", "tpu", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "invalid choice: 'tpu'" in proc.stderr and proc.stdout == ""


def test_readable_table():
    from benchmarks.bench_kernel import _format

    text = _format({"mode": "agent", "agent_steps_per_s": 1.5e9, "reference_agrees": True,
                    "bytes_per_agent_step_breakdown": {"state_read": 1.0}})
    assert "agent_steps_per_s" in text and "1.5e+09" in text and "state_read=1" in text
