"""On a real GPU: CudaAgentMarket equals AgentMarket at 10**6 customers, state and flows.

Skipped unless a real NVIDIA GPU is in use. The default suite runs the backend on numba's
CUDA simulator, where the device code uses the CPU's libm, so equality there cannot reveal
a libdevice-vs-glibc difference in ``exp``/``expm1`` (logit and network hazard) nor a fused
multiply-add; these tests can. Run them on a GPU machine with::

    NUMBA_ENABLE_CUDASIM=0 python -m pytest -m gpu tests/kernel_cuda -q

A failure of ``test_full_state_equal_at_a_million_customers`` with the libm test passing
within its bound means a draw fell between two neighbouring doubles (see
``sim.kernel.cuda``); the step and field in the message say where.
"""

import math

import numpy as np
import pytest
from cuda_helpers import FIELDS
from kernel_markets import tiny_offer, tiny_segments

from sim.kernel import AgentMarket, watts_strogatz
from sim.kernel.rng import _uniforms, hash32, key_of, split_key

pytestmark = pytest.mark.gpu
N_CUSTOMERS = (600_000, 400_000)
STEPS = 30


@pytest.fixture(scope="module")
def gpu():
    """The device module on a real GPU, or skip."""
    pytest.importorskip("numba_cuda")
    from sim.kernel.cuda import CudaUnavailableError, load_backend

    try:
        dev = load_backend()
    except CudaUnavailableError as e:
        pytest.skip(f"no usable GPU: {e}")
    if dev.SIMULATOR:
        pytest.skip("needs a real NVIDIA GPU: NUMBA_ENABLE_CUDASIM=0 python -m pytest -m gpu "
                    "tests/kernel_cuda")
    return dev


@pytest.mark.parametrize("kind", ["fully_mixed", "small_world"])
def test_full_state_equal_at_a_million_customers(gpu, kind):
    from sim.kernel.cuda import CudaAgentMarket

    seg = tiny_segments(N_CUSTOMERS)
    n = int(seg.population.sum())
    net = None if kind == "fully_mixed" else watts_strogatz(n, 10, 0.1, seed=3)
    init = {"initial_active": np.array([[20_000, 10_000, 0], [5_000, 30_000, 2_000]]),
            "initial_lapsed": np.array([4_000, 9_000])}
    cpu = AgentMarket(seg, 3, seed=21, network=net, **init)
    dev_market = CudaAgentMarket(seg, 3, seed=21, network=net, **init)
    moved = 0
    for step in range(STEPS):
        offer = tiny_offer(seg, step)
        a, b = cpu.step(offer, 7.0), dev_market.step(offer, 7.0)
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name),
                                          err_msg=f"{name} differs at step {step}")
        moved += int(a.new_adopters.sum() + a.churners.sum())
    held_cpu, held_gpu = cpu.held, dev_market.held
    differ = np.flatnonzero(held_cpu != held_gpu)
    assert differ.size == 0, f"{differ.size} customers differ, first {differ[:10]}"
    np.testing.assert_array_equal(dev_market.counts, cpu.counts)
    assert moved > 100_000


def test_hash_and_uniform_at_a_million_indices(gpu):
    n = 1_000_000
    first = 2**31 - n - 2  # the top of the index range
    key = key_of(7, 3, 2)
    lo, hi = split_key(key)
    out_h = gpu.cuda.to_device(np.zeros(n, np.uint64))
    out_u = gpu.cuda.to_device(np.zeros(n, np.float64))
    gpu.hash_kernel[256, 256](np.uint64(lo), np.uint64(hi), np.uint64(key), np.int64(first),
                              out_h, out_u)
    np.testing.assert_array_equal(out_h.copy_to_host(), _cpu_hashes(lo, hi, first, n))
    np.testing.assert_array_equal(out_u.copy_to_host(), _uniforms(key, first, n))


def _cpu_hashes(lo, hi, first, n):
    from numba import njit

    @njit
    def hashes(lo, hi, first, n):
        out = np.empty(n, np.uint64)
        for k in range(n):
            out[k] = hash32(lo, hi, first + k)
        return out

    return hashes(lo, hi, first, n)


def test_device_libm_within_two_ulp_of_cpu(gpu, record_property):
    """exp/expm1/log on the device vs the CPU's libm, on the kernel's argument ranges (logit
    differences <= 0, hazards in (-1, 0)): at most 2 units in the last place apart (each is
    documented within 1 ulp). The share of last-bit differences is recorded, not asserted:
    it is the residual risk sim.kernel.cuda describes."""
    rng = np.random.default_rng(0)
    x = np.concatenate([-rng.exponential(3.0, 500_000), -rng.uniform(0.0, 1.0, 500_000)])
    out = [gpu.cuda.to_device(np.zeros_like(x)) for _ in range(3)]
    gpu.libm_kernel[256, 256](gpu.cuda.to_device(x), *out)
    # Python's math is the C library's libm, which Numba's CPU kernels call too (NumPy's own
    # ufuncs may use other, vectorised implementations)
    cpu = [np.array([f(v) for v in x.tolist()]) for f in
           (math.exp, math.expm1, lambda v: math.log(abs(v) + 1e-300))]
    for name, dev_out, cpu_vals in zip(("exp", "expm1", "log"), out, cpu, strict=True):
        dev_vals = dev_out.copy_to_host()
        ulps = np.abs(dev_vals.view(np.int64) - cpu_vals.view(np.int64))
        record_property(f"{name}_last_bit_differences", float(np.mean(ulps > 0)))
        assert ulps.max() <= 2, name
