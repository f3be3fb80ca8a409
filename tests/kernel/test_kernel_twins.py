"""The kernel against its slow plain-Python twins (tests/naive.py): exact agreement."""

import naive
import numpy as np
import pytest
from kernel_markets import tiny_offer, tiny_segments

from sim.kernel import AgentMarket, AggregateMarket, heavy_tailed, segment_drivers, watts_strogatz
from sim.kernel.choice import hazard_probabilities
from sim.kernel.network import from_edges

FIELDS = ("new_adopters", "units", "replacements", "churners", "returned", "active", "pool",
          "lapsed", "lost")
STEPS = 12
DT = 7.0


def assert_same_outcome(kernel, twin, step):
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(kernel, name), twin[name],
                                      err_msg=f"{name} differs at step {step}")


def test_drivers_match_twin():
    seg = tiny_segments()
    for step in (0, 3, 8):
        offer = tiny_offer(seg, step)
        shares, adv, attract, reach = segment_drivers(seg, offer)
        for s, (t_shares, t_adv, t_attract, t_reach) in enumerate(naive.drivers(seg, offer)):
            np.testing.assert_allclose(shares[s], t_shares, rtol=1e-13, atol=1e-15)
            assert adv[s] == pytest.approx(t_adv, rel=1e-13)
            assert attract[s] == pytest.approx(t_attract, rel=1e-12)
            assert reach[s] == pytest.approx(t_reach, rel=1e-14)


def test_owner_probabilities_match_twin():
    seg = tiny_segments()
    offer = tiny_offer(seg, 4)
    p_churn, p_replace = hazard_probabilities(offer.churn_rate, offer.churn_satisfaction_slope,
                                              offer.replacement_rate, offer.satisfaction, DT)
    twin = naive.owner_probabilities(offer, DT)
    np.testing.assert_allclose(p_churn, [c for c, _ in twin], rtol=1e-14)
    np.testing.assert_allclose(p_replace, [r for _, r in twin], rtol=1e-14)


@pytest.mark.parametrize("seed", [0, 7, 123])
@pytest.mark.parametrize("initial", [False, True])
@pytest.mark.parametrize("draws", ["generator", "counter"])
def test_aggregate_step_equals_twin(seed, initial, draws):
    seg = tiny_segments()
    init = {}
    if initial:
        init = {"initial_active": np.array([[20, 10, 0], [5, 30, 2]]),
                "initial_lapsed": np.array([4, 9])}
    market = AggregateMarket(seg, 3, draws=draws, **init)
    twin = naive.NaiveAggregate(seg, 3, draws=draws, **init)
    rng_kernel = np.random.default_rng(seed)
    rng_twin = np.random.default_rng(seed)
    moved = 0
    for step in range(STEPS):
        offer = tiny_offer(seg, step)
        out = market.step(offer, DT, rng_kernel)
        assert_same_outcome(out, twin.step(offer, DT, rng_twin), step)
        moved += int(out.new_adopters.sum() + out.churners.sum() + out.replacements.sum())
    # both consumed the bit generator identically, and the market actually moved
    assert rng_kernel.bit_generator.state == rng_twin.bit_generator.state
    assert moved > 50


def _agent_pair(seed, network=None, initial=False):
    seg = tiny_segments()
    init = {}
    if initial:
        init = {"initial_active": np.array([[20, 10, 0], [5, 30, 2]]),
                "initial_lapsed": np.array([4, 9])}
    market = AgentMarket(seg, 3, seed=seed, network=network, chunk_size=64, **init)
    twin = naive.NaiveAgents(seg, 3, seed=seed, network=network, **init)
    return seg, market, twin


@pytest.mark.parametrize("seed", [0, 5, 2**40 + 3])
@pytest.mark.parametrize("initial", [False, True])
def test_agent_initial_state_equals_twin(seed, initial):
    seg, market, twin = _agent_pair(seed, initial=initial)
    np.testing.assert_array_equal(market.held, np.array(twin.held, np.int8))
    np.testing.assert_array_equal(market.taste, np.array(twin.taste, np.float32))
    np.testing.assert_array_equal(market.alpha_mult, np.array(twin.alpha_mult, np.float32))
    active, pool, lapsed = twin.counts()
    np.testing.assert_array_equal(market.active, active)
    np.testing.assert_array_equal(market.pool, pool)
    np.testing.assert_array_equal(market.lapsed, lapsed)


@pytest.mark.parametrize("seed", [1, 99])
@pytest.mark.parametrize("kind", ["fully_mixed", "small_world", "heavy_tailed"])
def test_agent_step_equals_twin(seed, kind):
    n = sum(tiny_segments().population)
    network = {"fully_mixed": None,
               "small_world": watts_strogatz(n, 6, 0.2, seed=seed),
               "heavy_tailed": heavy_tailed(n, 5.0, 2.5, seed=seed)}[kind]
    seg, market, twin = _agent_pair(seed, network=network, initial=True)
    moved = 0
    for step in range(STEPS):
        offer = tiny_offer(seg, step)
        out = market.step(offer, DT)
        assert_same_outcome(out, twin.step(offer, DT), step)
        np.testing.assert_array_equal(market.held, np.array(twin.held, np.int8))
        moved += int(out.new_adopters.sum() + out.churners.sum() + out.replacements.sum())
    assert moved > 50
    if network is not None:
        # the incrementally updated neighbour counts equal a fresh count
        fresh = np.zeros_like(market.counts)
        for i in range(n):
            for k in network.indices[network.indptr[i]:network.indptr[i + 1]]:
                if market.held[k] >= 0:
                    fresh[i, market.held[k]] += 1
        np.testing.assert_array_equal(market.counts, fresh)


def test_agent_twin_exercises_every_path():
    """The tiny market reaches every branch the twin compares: outside option, returns,
    lapses, replacements, tastes, partial awareness."""
    seg, market, twin = _agent_pair(3, initial=True)
    totals = dict.fromkeys(FIELDS, 0)
    for step in range(STEPS):
        out = twin.step(tiny_offer(seg, step), DT)
        for name in ("new_adopters", "replacements", "churners", "returned"):
            totals[name] += int(out[name].sum())
        totals["lapsed"] = int(out["lapsed"].sum())
    assert all(totals[k] > 0 for k in ("new_adopters", "replacements", "churners", "returned"))
    assert totals["lapsed"] > 13  # more than the initially lapsed
    assert np.std(twin.taste[:150]) > 0.1 and np.std(twin.alpha_mult[150:]) > 0.1


@pytest.mark.parametrize("seed", [0, 11])
@pytest.mark.parametrize("rewire", [0.0, 0.1, 1.0])
def test_watts_strogatz_equals_twin(seed, rewire):
    n = 501
    net = watts_strogatz(n, 8, rewire, seed=seed)
    indptr, indices = naive.csr_from_edges(n, naive.watts_strogatz_edges(n, 8, rewire, seed))
    np.testing.assert_array_equal(net.indptr, indptr)
    np.testing.assert_array_equal(net.indices, indices)


@pytest.mark.parametrize("seed", [0, 4])
@pytest.mark.parametrize("exponent", [2.2, 3.0])
def test_heavy_tailed_equals_twin(seed, exponent):
    n = 3000
    net = heavy_tailed(n, 6.0, exponent, seed=seed)
    indptr, indices = naive.csr_from_edges(n, naive.chung_lu_edges(n, 6.0, exponent, seed))
    np.testing.assert_array_equal(net.indptr, indptr)
    np.testing.assert_array_equal(net.indices, indices)


def test_from_edges_equals_twin_across_buckets():
    """More than 2**16 customers: several buckets of the parallel CSR build."""
    rng = np.random.default_rng(5)
    n = 150_000
    src = rng.integers(0, n, 40_000).astype(np.int32)
    dst = rng.integers(0, n, 40_000).astype(np.int32)
    src[:5] = dst[:5]  # self-loops
    src[5:10], dst[5:10] = dst[10:15], src[10:15]  # repeats, reversed
    src[15:20] = -1  # dropped
    net = from_edges(n, src, dst)
    keep = src >= 0
    indptr, indices = naive.csr_from_edges(n, zip(src[keep].tolist(), dst[keep].tolist(),
                                                  strict=True))
    np.testing.assert_array_equal(net.indptr, indptr)
    np.testing.assert_array_equal(net.indices, indices)
