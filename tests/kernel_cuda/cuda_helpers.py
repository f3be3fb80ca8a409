"""Shared helpers of the GPU-backend tests: run both backends side by side, compare."""

import numpy as np
import pytest

FIELDS = ("new_adopters", "units", "replacements", "churners", "returned", "active", "pool",
          "lapsed", "lost")


def require_backend():
    """The device module (the simulator by default; a real GPU under NUMBA_ENABLE_CUDASIM=0),
    or skip when it cannot run here (the error paths are tested separately)."""
    pytest.importorskip("numba_cuda")
    from sim.kernel.cuda import CudaUnavailableError, load_backend

    try:
        return load_backend()
    except CudaUnavailableError as e:
        pytest.skip(str(e))


def assert_same_outcome(cpu, gpu, step):
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(gpu, name), getattr(cpu, name),
                                      err_msg=f"{name} differs at step {step}")


def run_side_by_side(cpu_market, gpu_market, offers, dt=7.0, check_state_every_step=True):
    """Step both markets through ``offers``; every outcome and (optionally) every state
    must be equal. Returns the summed flows, to check that the run exercised the model."""
    totals = dict.fromkeys(FIELDS, 0)
    for step, offer in enumerate(offers):
        cpu = cpu_market.step(offer, dt)
        gpu = gpu_market.step(offer, dt)
        assert_same_outcome(cpu, gpu, step)
        if check_state_every_step:
            np.testing.assert_array_equal(gpu_market.held, cpu_market.held,
                                          err_msg=f"held differs after step {step}")
        for name in FIELDS:
            totals[name] += int(getattr(cpu, name).sum())
    np.testing.assert_array_equal(gpu_market.held, cpu_market.held)
    np.testing.assert_array_equal(gpu_market.counts, cpu_market.counts)
    np.testing.assert_array_equal(gpu_market.taste, cpu_market.taste)
    np.testing.assert_array_equal(gpu_market.alpha_mult, cpu_market.alpha_mult)
    assert gpu_market.step_index == cpu_market.step_index
    return totals
