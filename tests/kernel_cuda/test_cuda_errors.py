"""backend=cuda where it cannot run: one clear error naming the backend and the fix; the
NumPy 2.5 ``row_stack`` shim numba-cuda 0.30.4 needs."""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from kernel_markets import tiny_segments

import sim.kernel.cuda as kcuda

KERNEL_TESTS = pathlib.Path(__file__).resolve().parents[1] / "kernel"


@pytest.fixture
def numba_cuda_missing(monkeypatch):
    """As if numba-cuda were not installed: ``import numba_cuda`` raises ImportError."""
    monkeypatch.setattr(kcuda, "_BACKEND", None)
    monkeypatch.setitem(sys.modules, "numba_cuda", None)


def test_missing_numba_cuda(numba_cuda_missing):
    with pytest.raises(kcuda.CudaUnavailableError) as err:
        kcuda.CudaAgentMarket(tiny_segments((10, 10)), 3, seed=1)
    assert isinstance(err.value, RuntimeError)
    message = str(err.value)
    assert "backend='cuda'" in message and "numba-cuda" in message
    assert 'pip install -e ".[cuda]"' in message and "backend=cpu" in message


def test_missing_numba_cuda_through_the_scenario_engine(numba_cuda_missing):
    from sim.cli import compose
    from sim.scenario import run_scenario

    app = compose(["scenario=bass_only", "mode=agent", "backend=cuda",
                   "market.segments.0.size=100", "horizon_days=14"])
    with pytest.raises(RuntimeError, match=r"backend='cuda' needs the numba-cuda package"):
        run_scenario(app.scenario(), 0)


NO_GPU_SCRIPT = textwrap.dedent("""
    import json
    import numba.cuda
    from kernel_markets import tiny_segments
    from sim.kernel.cuda import CudaAgentMarket, CudaUnavailableError
    if numba.cuda.is_available():
        print(json.dumps({"gpu": True}))
    else:
        try:
            CudaAgentMarket(tiny_segments((10, 10)), 3, seed=1)
        except CudaUnavailableError as e:
            print(json.dumps({"gpu": False, "error": str(e)}))
""")


def test_no_gpu_and_no_simulator():
    """A fresh process with the simulator off (NUMBA_ENABLE_CUDASIM=0) and no GPU."""
    pytest.importorskip("numba_cuda")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0",
           "PYTHONPATH": os.pathsep.join([str(KERNEL_TESTS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", NO_GPU_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["gpu"]:
        pytest.skip("this machine has a GPU")
    message = result["error"]
    assert "backend='cuda' found no usable NVIDIA GPU" in message
    assert "NUMBA_ENABLE_CUDASIM=1" in message and "backend=cpu" in message
    assert "numba-cuda[cu12]" in message


def test_row_stack_shim_adds_the_alias_only_when_missing(monkeypatch):
    before = getattr(np, "row_stack", None)
    if before is not None:
        assert kcuda.ensure_row_stack() is False
        assert np.row_stack is before  # left alone
    monkeypatch.delattr(np, "row_stack", raising=False)
    assert not hasattr(np, "row_stack")
    assert kcuda.ensure_row_stack() is True
    a, b = np.arange(3), np.arange(3, 6)
    np.testing.assert_array_equal(np.row_stack((a, b)), np.vstack((a, b)))
    assert np.row_stack((a, b), dtype=np.float32).dtype == np.float32
    assert kcuda.ensure_row_stack() is False  # idempotent


SHIM_SCRIPT = textwrap.dedent("""
    import numpy as np
    vars(np).pop("row_stack", None)  # NumPy 2.5 removed the alias
    if {shim}:
        from sim.kernel.cuda import ensure_row_stack
        ensure_row_stack()
    import numba.cuda.np.arrayobj  # what numba-cuda's CUDA target imports when it starts
    print("imported")
""")


@pytest.mark.parametrize("shim", [False, True])
def test_numba_cuda_target_imports_without_numpy_row_stack(shim):
    pytest.importorskip("numba_cuda")
    done = subprocess.run([sys.executable, "-c", SHIM_SCRIPT.format(shim=shim)],
                          capture_output=True, text=True, timeout=300, check=False)
    if shim:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "imported"
    else:  # the failure the shim exists for (if numba-cuda fixes it, drop the shim)
        assert done.returncode != 0 and "row_stack" in done.stderr
