"""CudaAgentMarket equals AgentMarket exactly: every StepOutcome field, the final state.

Runs on numba's CUDA simulator (a few hundred customers: it advances ~5e3 customer-steps
per second). The markets reach every branch of the decision: churn with return and lapse,
replacement, fill rates below one (lost sales), an outside option, partial awareness,
taste and price-sensitivity spread, a product launched mid-run, the utility override.
"""

import naive
import numpy as np
import pytest
from cuda_helpers import require_backend, run_side_by_side
from kernel_markets import tiny_offer, tiny_segments

from sim.kernel import AgentMarket, Offer, Segments, heavy_tailed, watts_strogatz
from sim.kernel.rng import _hash32_py, key_of, split_key

STEPS = 12
INITIAL = {"initial_active": np.array([[20, 10, 0], [5, 30, 2]]),
           "initial_lapsed": np.array([4, 9])}


@pytest.fixture(scope="module")
def dev():
    return require_backend()


def _pair(seg, n_products, seed, network=None, cpu_chunk=64, **kwargs):
    from sim.kernel.cuda import CudaAgentMarket

    init = {k: kwargs.pop(k) for k in ("initial_active", "initial_lapsed") if k in kwargs}
    cpu = AgentMarket(seg, n_products, seed=seed, network=network, chunk_size=cpu_chunk, **init)
    gpu = CudaAgentMarket(seg, n_products, seed=seed, network=network, **init, **kwargs)
    return cpu, gpu


def _network(kind, n, seed):
    return {"fully_mixed": None,
            "small_world": watts_strogatz(n, 6, 0.2, seed=seed),
            "heavy_tailed": heavy_tailed(n, 5.0, 2.5, seed=seed)}[kind]


@pytest.mark.parametrize("kind,seed", [("fully_mixed", 1), ("fully_mixed", 99),
                                       ("small_world", 1), ("small_world", 99),
                                       ("heavy_tailed", 7)])
def test_same_outcomes_and_state_as_cpu(dev, kind, seed):
    seg = tiny_segments()
    n = int(seg.population.sum())
    cpu, gpu = _pair(seg, 3, seed, network=_network(kind, n, seed), **INITIAL)
    totals = run_side_by_side(cpu, gpu, [tiny_offer(seg, step) for step in range(STEPS)])
    # the run exercised the model, not an empty market
    for name in ("new_adopters", "replacements", "churners", "returned", "lost"):
        assert totals[name] > 0, name
    assert cpu.lapsed.sum() > INITIAL["initial_lapsed"].sum()


def four_segments():
    """Four segments, one of them empty (the device's segment search must skip it)."""
    return Segments.build(
        population=[90, 0, 70, 60],
        p=[0.01, 0.02, 0.004, 0.02],
        q=[0.1, 0.1, 0.2, 0.05],
        attribute_weights=[[1.0, 0.2], [0.5, 0.5], [0.2, 1.0], [0.8, 0.8]],
        price_sensitivity=[1.0, 1.0, 2.5, 0.5],
        outside_utility=[0.0, 0.0, -np.inf, 0.5],
        attractiveness_elasticity=[0.3, 0.0, 0.0, 0.5],
        reference_inclusive_value=[0.5, 0.0, 0.0, 1.0],
        churn_return=[0.5, 0.5, 1.0, 0.0],
        taste_sd=[0.5, 0.0, 0.2, 0.0],
        price_sensitivity_sd=[0.3, 0.0, 0.0, 0.6],
    )


def four_segment_offer(seg, step):
    grow = min(1.0, 0.3 + 0.1 * step)
    return Offer.build(
        seg, price=[1.1, 0.9, 1.5],
        attributes=[[1.0, 0.3], [0.4, 1.0], [1.2, 1.2]],
        available=[True, step % 4 != 2, True],  # product 1 out of stock now and then
        awareness=np.array([[grow, 0.5, 1.0], [1.0, 1.0, 1.0], [0.4, grow, 0.0],
                            [1.0, 0.7 * grow, grow]]),
        advertising=np.full((4, 3), 1.2),
        satisfaction=[0.9, 0.5, 0.7],
        churn_rate=[0.004, 0.01, 0.002],
        churn_satisfaction_slope=[0.0, 0.02, 0.01],
        replacement_rate=[0.02, 0.0, 0.01],
        fill_rate=[0.5, 1.0, 0.8] if step >= 4 else None,
    )


def test_four_segments_with_an_empty_one(dev):
    seg = four_segments()
    net = watts_strogatz(220, 4, 0.3, seed=3)
    init = {"initial_active": np.array([[10, 5, 5], [0, 0, 0], [3, 8, 0], [6, 6, 6]]),
            "initial_lapsed": np.array([2, 0, 1, 3])}
    cpu, gpu = _pair(seg, 3, 11, network=net, **init)
    totals = run_side_by_side(cpu, gpu, [four_segment_offer(seg, step) for step in range(10)])
    assert totals["new_adopters"] > 0 and totals["churners"] > 0
    assert cpu.active[1].sum() == 0 and cpu.pool[1] == 0  # the empty segment stays empty


@pytest.mark.parametrize("threads,blocks", [(1, 1), (32, 3)])
def test_any_launch_configuration(dev, threads, blocks):
    """Integer atomics make the result independent of the grid and of thread order."""
    seg = tiny_segments((90, 70))
    net = watts_strogatz(160, 6, 0.2, seed=4)
    init = {"initial_active": np.array([[10, 5, 0], [3, 15, 1]]),
            "initial_lapsed": np.array([2, 4])}
    cpu, gpu = _pair(seg, 3, 4, network=net, threads_per_block=threads, blocks=blocks, **init)
    assert (gpu.threads_per_block, gpu.blocks) == (threads, blocks)
    run_side_by_side(cpu, gpu, [tiny_offer(seg, step) for step in range(8)],
                     check_state_every_step=False)


def test_global_counters_when_shared_memory_is_too_small(dev, monkeypatch):
    """More segment x product counters than the per-block shared buffer holds: the kernel
    counts straight into global memory (the simulator reads the capacity at run time)."""
    if not dev.SIMULATOR:  # a GPU kernel freezes the capacity when (and where) it compiles
        pytest.skip("patches a constant only the simulator reads at run time")
    monkeypatch.setattr(dev, "SHARED_COUNTERS", 6)
    seg = tiny_segments((80, 60))
    init = {"initial_active": np.array([[10, 5, 0], [3, 15, 1]]),
            "initial_lapsed": np.array([2, 4])}
    cpu, gpu = _pair(seg, 3, 8, network=watts_strogatz(140, 4, 0.1, seed=8), **init)
    totals = run_side_by_side(cpu, gpu, [tiny_offer(seg, step) for step in range(8)],
                              check_state_every_step=False)
    assert totals["new_adopters"] > 0


def test_hash32_and_uniform_bit_identical(dev):
    """The device twins of rng.hash32 and rng.uniform, at edge and random indices."""
    keys = [key_of(0, 0, 1), key_of(2**40 + 3, 17, 3), np.uint64(2**64 - 1), np.uint64(0)]
    for first in (0, 2**31 - 200, 123_456_789):
        for key in keys:
            lo, hi = split_key(key)
            d_h = dev.cuda.to_device(np.zeros(64, np.uint64))
            d_u = dev.cuda.to_device(np.zeros(64, np.float64))
            with _quiet():
                dev.hash_kernel[2, 8](np.uint64(lo), np.uint64(hi), np.uint64(key),
                                      np.int64(first), d_h, d_u)
            out_h, out_u = d_h.copy_to_host(), d_u.copy_to_host()
            expect_h = [int(_hash32_py(lo, hi, first + k)) for k in range(64)]
            assert out_h.tolist() == expect_h
            expect_u = [naive.uniform(int(key), first + k) for k in range(64)]
            assert out_u.tolist() == expect_u


def _quiet():
    from sim.kernel.cuda import _simulator_quiet

    return _simulator_quiet(True)


def test_state_lives_on_the_device(dev):
    from sim.kernel.cuda import CudaAgentMarket

    seg = tiny_segments((40, 30))
    gpu = CudaAgentMarket(seg, 3, seed=2, network=watts_strogatz(70, 4, 0.1, seed=2))
    cpu = AgentMarket(seg, 3, seed=2, network=watts_strogatz(70, 4, 0.1, seed=2))
    assert gpu._held is None and gpu._counts is None  # no stale host copies
    held = gpu.held
    held[:] = 0  # a copy: writing to it does not touch the device state
    np.testing.assert_array_equal(gpu.held, cpu.held)
    np.testing.assert_array_equal(gpu.counts, cpu.counts)
    assert gpu.transfer_s >= 0.0


def test_empty_market(dev):
    from sim.kernel.cuda import CudaAgentMarket

    seg = Segments.build(population=[0], p=[0.01], q=[0.1])
    out = CudaAgentMarket(seg, 1, seed=1).step(Offer.build(seg, price=[1.0]), 7.0)
    assert out.population().tolist() == [0] and out.new_adopters.sum() == 0


@pytest.mark.parametrize("name,value", [("threads_per_block", 0), ("blocks", -1)])
def test_bad_launch_configuration(dev, name, value):
    from sim.kernel.cuda import CudaAgentMarket

    with pytest.raises(ValueError, match=name):
        CudaAgentMarket(tiny_segments((10, 10)), 3, seed=1, **{name: value})


def test_invalid_inputs_rejected_like_cpu(dev):
    from sim.kernel.cuda import CudaAgentMarket

    with pytest.raises(ValueError, match="n_products"):
        CudaAgentMarket(tiny_segments((10, 10)), 128, seed=1)
    gpu = CudaAgentMarket(tiny_segments((10, 10)), 3, seed=1)
    with pytest.raises(ValueError, match="dt"):
        gpu.step(tiny_offer(tiny_segments((10, 10)), 0), -1.0)
