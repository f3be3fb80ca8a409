"""``benchmarks/bench_kernel.py --backend cuda`` runs on the simulator with tiny sizes and
reports the benchmark's JSON contract (its speeds there are meaningless, and not checked)."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_kernel.py"
REQUIRED = ["mode", "case", "backend", "customers", "steps", "agent_steps_per_s",
            "numpy_reference_agent_steps_per_s", "ratio_vs_numpy", "memory_bandwidth_gbs",
            "floor_ns_per_agent_step", "compile_s", "first_result_s", "transfer_s", "device",
            "simulator", "numba_cuda_version", "threads_per_block", "blocks",
            "cpu_kernel_agent_steps_per_s", "ratio_vs_cpu_kernel", "cpu_equals_gpu"]


def _bench(*args):
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    return subprocess.run([sys.executable, str(SCRIPT), "--backend", "cuda", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("case", ["bass", "full"])
def test_cuda_backend_json_contract_on_the_simulator(case):
    pytest.importorskip("numba_cuda")
    done = _bench("--case", case, "--customers", "200", "--steps", "2", "--bandwidth-mib", "8",
                  "--threads", "1", "--json")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    res = json.loads(lines[0])
    for key in REQUIRED:
        assert key in res, key
    assert (res["backend"], res["mode"], res["case"]) == ("cuda", "agent", case)
    assert res["simulator"] is True and "SIMULATOR" in res["note"]
    assert "SIMULATOR" in res["memory_bandwidth_method"]
    for key in ("agent_steps_per_s", "memory_bandwidth_gbs", "floor_ns_per_agent_step"):
        assert math.isfinite(res[key]) and res[key] > 0, key
    assert res["transfer_s"] >= 0 and res["compile_s"] >= 0
    assert res["cpu_equals_gpu"] is True  # the simulator uses the CPU's libm: exact


def test_cuda_backend_refuses_aggregate_mode():
    done = _bench("--mode", "aggregate", "--json")
    assert done.returncode != 0 and done.stdout == ""
    assert "--backend cuda runs agent mode only" in done.stderr
