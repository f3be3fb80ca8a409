"""The device kernels compile for a real GPU (sm_90 PTX) and keep multiplies and adds apart.

No GPU is needed, only NVIDIA's NVVM compiler library (``pip install
"numba-cuda[cu12]>=0.30,<0.31"``); skipped without it. This is what the simulator cannot
show: that numba-cuda's CUDA target types and lowers the kernels, and that no multiply
feeds an add in a form NVVM or ptxas may fuse into an FMA (numba-cuda 0.30 cannot pass
``-fma=0``). ``exp``/``expm1`` are stubbed out for the second check: libdevice's own FMAs
are its implementation, the residual risk described in ``sim.kernel.cuda``.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(r'''
    import importlib, json, re, sys, types
    sys.path.insert(0, sys.argv[1])
    from sim.kernel.cuda import ensure_row_stack
    ensure_row_stack()  # NumPy 2.5 lacks the alias numba-cuda 0.30 registers
    from numba import cuda

    def probe(a):
        a[0] = 1.0

    try:
        cuda.compile_ptx(probe, "void(float64[::1])", cc=(9, 0))
    except Exception as e:  # no libNVVM / NVRTC: nothing to compile with
        print(json.dumps({"nvvm": False, "why": str(e)[:300]}))
        raise SystemExit(0)
    import numba.cuda.dispatcher as disp

    class Device:  # compile for an H100 (sm_90) whether or not one is present
        compute_capability = (9, 0)

    disp.get_current_device = lambda: Device()
    import sim.kernel._cuda_device as dev

    STEP = ("void(int8[::1], uint64[::1], float32[::1], float32[::1], int64[::1], int64[::1], "
            "int32[:, ::1], boolean, float64[::1], int64[::1], uint64[::1], uint64[::1], "
            "int64[::1], int32[::1], int8[::1], int32[::1], int64)")
    SIGS = {"step_kernel": STEP,
            "scatter_kernel": "void(int8[::1], int64[::1], int32[::1], int32[:, ::1], "
                              "int32[::1], int8[::1], int32[::1], int64)",
            "hash_kernel": "void(uint64, uint64, uint64, int64, uint64[::1], float64[::1])",
            "libm_kernel": "void(float64[::1], float64[::1], float64[::1], float64[::1])",
            "triad_kernel": "void(float64[::1], float64[::1], float64[::1], float64)"}

    def fusable(ptx):
        """Plain (contractible) mul.f64 results that feed a plain add/sub.f64."""
        defs, hits = {}, []
        lines = [l.strip() for l in ptx.splitlines()]
        for l in lines:
            m = re.match(r"\S+\s+(%fd\d+),", l)
            if m:
                defs[m.group(1)] = l
        for l in lines:
            m = re.match(r"(add|sub)\.f64\s+%fd\d+,\s*(\S+),\s*(\S+);", l)
            if m:
                hits += [l for src in (m.group(2), m.group(3))
                         if defs.get(src.rstrip(","), "").startswith("mul.f64")]
        return hits

    out = {"nvvm": True, "compiled": []}
    for name, sig in SIGS.items():
        cuda.compile_ptx(getattr(dev, name).py_func, sig, cc=(9, 0))
        out["compiled"].append(name)

    @cuda.jit(device=True)
    def stub(x):
        return -x

    dev = importlib.reload(dev)  # fresh dispatchers: the device functions recompile
    fake_math = types.ModuleType("fake_math")  # numba resolves module attributes
    fake_math.exp, fake_math.expm1, fake_math.inf = stub, stub, float("inf")
    dev.math = fake_math
    ptx, _ = cuda.compile_ptx(dev.step_kernel.py_func, STEP, cc=(9, 0))
    out["fma"] = len(re.findall(r"\bfma\.rn\.f64\b", ptx))
    out["mul_rn"] = len(re.findall(r"\bmul\.rn\.f64\b", ptx))
    out["add_rn"] = len(re.findall(r"\badd\.rn\.f64\b", ptx))
    out["fusable"] = fusable(ptx)
    print(json.dumps(out))
''')


def test_kernels_compile_for_sm90_without_fusable_multiply_adds():
    pytest.importorskip("numba_cuda")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    res = json.loads(done.stdout.strip().splitlines()[-1])
    if not res["nvvm"]:
        pytest.skip(f"NVVM not installed (pip install \"numba-cuda[cu12]\"): {res['why']}")
    assert res["compiled"] == ["step_kernel", "scatter_kernel", "hash_kernel", "libm_kernel",
                               "triad_kernel"]
    assert res["fma"] == 0, res
    assert res["fusable"] == [], res
    # the explicit round-to-nearest operations are there (the network hazard, the
    # utilities, the replacement bound)
    assert res["mul_rn"] >= 4 and res["add_rn"] >= 4, res
