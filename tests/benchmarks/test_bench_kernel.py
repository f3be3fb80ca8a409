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


# the full case reports every field the bass case does and more; bass runs with -m slow
@pytest.mark.parametrize("mode", ["agent", "aggregate"])
@pytest.mark.parametrize("case", [pytest.param("bass", marks=pytest.mark.slow), "full"])
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
        # the three draw paths, timed in the same run; us_per_step is --draws' (approx)
        assert res["draws"] == "approx"
        for key in ("us_per_step_by_draws", "cpu_us_per_step_by_draws"):
            assert set(res[key]) == {"generator", "counter", "approx"}
            assert all(v > 0 for v in res[key].values())
        assert res["us_per_step"] == res["us_per_step_by_draws"]["approx"]
        assert res["approx_speedup_vs_counter"] == pytest.approx(
            res["us_per_step_by_draws"]["counter"] / res["us_per_step"])
    elif case == "full":
        assert res["network_build_s"] > 0 and res["products"] == 3


def test_aggregate_case_takes_segments_and_products():
    proc = _run("--case", "full", "--mode", "aggregate", "--segments", "4", "--products", "3")
    res = json.loads(proc.stdout)
    assert (res["segments"], res["products"]) == (4, 3)
    assert res["description"].startswith("4 segments x 3 products")
    bad = subprocess.run([sys.executable, str(SCRIPT), "--mode", "agent", "--segments", "4"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0
    assert "--segments and --products size the aggregate full case only" in bad.stderr


def test_other_backend_is_refused_clearly():
    """cpu and cuda only (--backend cuda is tested in tests/kernel_cuda/)."""
    proc = subprocess.run([sys.executable, str(SCRIPT), "--backend", "tpu", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "invalid choice: 'tpu'" in proc.stderr and proc.stdout == ""


def test_readable_table():
    from benchmarks.kernel.cli import format_table

    text = format_table({"mode": "agent", "agent_steps_per_s": 1.5e9, "reference_agrees": True,
                    "bytes_per_agent_step_breakdown": {"state_read": 1.0}})
    assert "agent_steps_per_s" in text and "1.5e+09" in text and "state_read=1" in text


def test_named_sizes_set_defaults_and_explicit_values_win():
    from benchmarks.kernel.cases import SIZES
    from benchmarks.kernel.cli import parse_args

    # large is the default and keeps the sizes the README's figures were measured at
    assert SIZES["large"] == {"agent": (1_000_000, 100), "aggregate": (10_000_000, 2000)}
    for mode in ("agent", "aggregate"):
        args = parse_args(["--mode", mode])
        assert (args.size, args.customers, args.steps) == ("large", *SIZES["large"][mode])
        args = parse_args(["--mode", mode, "--size", "small"])
        assert (args.size, args.customers, args.steps) == ("small", *SIZES["small"][mode])
        assert (args.reference_customers, args.reference_steps) == SIZES["small"][mode]
    args = parse_args(["--size", "small", "--customers", "5000"])
    assert (args.size, args.customers, args.steps) == ("custom", 5000, SIZES["small"]["agent"][1])


def test_small_is_smaller_than_large():
    from benchmarks.kernel.cases import SIZES

    for mode in ("agent", "aggregate"):
        small, large = SIZES["small"][mode], SIZES["large"][mode]
        assert small[0] * small[1] < large[0] * large[1]


def test_the_package_imports_no_numba_before_cold_cache_is_set():
    """--cold-cache sets NUMBA_CACHE_DIR after parsing: numba must not be loaded by then."""
    code = ("import sys; import benchmarks.bench_kernel; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'numpy', 'sim')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_agreement_tolerance_is_the_larger_of_3_percent_and_4_sd():
    from benchmarks.kernel.timing import agreement

    # two shares of 0.5 on 100 customers each: sd = sqrt(2 * 0.25 / 100) = 0.0707
    ok, tol = agreement(0.5, 100, 0.5, 100)
    assert ok and tol == pytest.approx(4 * math.sqrt(0.005))
    # on 10^8 customers the binomial sd is tiny: 3% of the larger share wins
    ok, tol = agreement(0.40, 10**8, 0.42, 10**8)
    assert tol == pytest.approx(0.03 * 0.42) and not ok


def test_floor_model_counts_bytes_by_hand():
    import numpy as np

    from benchmarks.kernel.cases import build_case
    from benchmarks.kernel.floor import agent_bytes_per_agent_step, aggregate_bytes_per_step

    # bass: one product, no outside option, no network -> 1 B read per customer-step and
    # 1 B written per change, no choice bytes
    seg, offer, j_count, _ = build_case("bass", "agent", 1000, 0.003, 0.05)
    flows = {"changers": np.array([10.0, 30.0]), "adopters": np.array([10.0, 30.0])}
    total, parts = agent_bytes_per_agent_step(seg, offer, j_count, None, 2, flows)
    assert parts == {"state_read": 1.0, "state_write": 40.0 / 2000, "choice": 0.0}
    assert total == pytest.approx(1.02)
    # full aggregate: 20 segments x 10 products
    seg, _, j_count, _ = build_case("full", "aggregate", 1000, 0.003, 0.05)
    assert aggregate_bytes_per_step(seg, j_count) == 20 * 10 * 64 + 20 * 8 + 10 * 32 + 20 * 80
