"""Conservation at every step, in both modes, and Hypothesis property tests over random
valid markets: no negative counts, nothing created or lost, finite drivers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from kernel_markets import tiny_offer, tiny_segments

from sim.kernel import (
    AgentMarket,
    AggregateMarket,
    Offer,
    Segments,
    heavy_tailed,
    segment_drivers,
    watts_strogatz,
)
from sim.kernel.agent import LAPSED, POOL


def check_step(out, before, population):
    """Flows and state of one step against the state ``before`` it (active, pool, lapsed)."""
    active0, pool0, lapsed0 = before
    for name in ("new_adopters", "units", "replacements", "churners", "returned", "active",
                 "pool", "lapsed"):
        arr = getattr(out, name)
        assert arr.dtype == np.int64 and np.all(arr >= 0), name
    np.testing.assert_array_equal(out.pool + out.lapsed + out.active.sum(axis=1), population)
    np.testing.assert_array_equal(out.population(), population)
    np.testing.assert_array_equal(out.units, out.new_adopters + out.replacements)
    np.testing.assert_array_equal(out.active - active0, out.new_adopters - out.churners)
    np.testing.assert_array_equal(out.pool - pool0,
                                  out.returned.sum(axis=1) - out.new_adopters.sum(axis=1))
    np.testing.assert_array_equal(out.lapsed - lapsed0, (out.churners - out.returned).sum(axis=1))
    assert np.all(out.returned <= out.churners)
    assert np.all(out.churners + out.replacements <= active0)  # one event per owner per step
    assert np.all(out.new_adopters.sum(axis=1) <= pool0)


def check_agent_records(market):
    """The per-customer records agree with the counts (and with neighbour counts)."""
    for s in range(market.segments.n_segments):
        held = market.held[market.seg_start[s]:market.seg_start[s + 1]]
        assert np.sum(held == POOL) == market.pool[s]
        assert np.sum(held == LAPSED) == market.lapsed[s]
        np.testing.assert_array_equal(
            np.bincount(held[held >= 0], minlength=market.n_products), market.active[s])
    if market.network is not None:
        net = market.network
        rows = np.repeat(np.arange(net.n_nodes), np.diff(net.indptr))
        owner = market.held[net.indices]
        fresh = np.zeros_like(market.counts)
        np.add.at(fresh, (rows[owner >= 0], owner[owner >= 0]), 1)
        np.testing.assert_array_equal(market.counts, fresh)


def run_checked(market, offers, dt, rng=None):
    population = market.segments.population
    for offer in offers:
        before = (market.active.copy(), market.pool.copy(), market.lapsed.copy())
        out = market.step(offer, dt) if rng is None else market.step(offer, dt, rng)
        check_step(out, before, population)
        np.testing.assert_array_equal(out.active, market.active)
        if isinstance(market, AgentMarket):
            check_agent_records(market)


INITIAL = {"initial_active": np.array([[30, 10, 0], [5, 20, 2]]),
           "initial_lapsed": np.array([4, 9])}


@pytest.mark.parametrize("mode", ["aggregate", "fully_mixed", "small_world", "heavy_tailed"])
def test_conservation_every_step(mode):
    seg = tiny_segments((1500, 1100))
    offers = [tiny_offer(seg, step) for step in range(20)]
    n = int(seg.population.sum())
    if mode == "aggregate":
        market = AggregateMarket(seg, 3, **INITIAL)
        run_checked(market, offers, 7.0, np.random.default_rng(1))
    else:
        network = {"fully_mixed": None, "small_world": watts_strogatz(n, 8, 0.1, seed=2),
                   "heavy_tailed": heavy_tailed(n, 6.0, 2.3, seed=2)}[mode]
        market = AgentMarket(seg, 3, seed=4, network=network, chunk_size=100, **INITIAL)
        check_agent_records(market)
        run_checked(market, offers, 7.0)
    assert market.lapsed.sum() > INITIAL["initial_lapsed"].sum()  # churn really happened


# ------------------------------------------------------------------- property tests

unit = st.floats(0.0, 1.0)


@st.composite
def random_markets(draw):
    """A small valid market: segments, products, per-step offers, dt and initial state."""
    s = draw(st.integers(1, 3))
    j = draw(st.integers(1, 4))
    k = draw(st.integers(1, 2))
    pop = draw(hnp.arrays(np.int64, s, elements=st.integers(0, 120)))
    floats = st.floats(-3.0, 3.0)
    segments = Segments.build(
        population=pop,
        p=draw(hnp.arrays(np.float64, s, elements=st.floats(0.0, 0.5))),
        q=draw(hnp.arrays(np.float64, s, elements=st.floats(0.0, 2.0))),
        attribute_weights=draw(hnp.arrays(np.float64, (s, k), elements=floats)),
        price_sensitivity=draw(hnp.arrays(np.float64, s, elements=st.floats(0.0, 4.0))),
        outside_utility=draw(hnp.arrays(np.float64, s, elements=st.one_of(
            st.just(-np.inf), floats))),
        attractiveness_elasticity=draw(hnp.arrays(np.float64, s, elements=st.floats(0.0, 2.0))),
        reference_inclusive_value=draw(hnp.arrays(np.float64, s, elements=floats)),
        churn_return=draw(hnp.arrays(np.float64, s, elements=unit)),
        taste_sd=draw(hnp.arrays(np.float64, s, elements=st.floats(0.0, 1.0))),
        price_sensitivity_sd=draw(hnp.arrays(np.float64, s, elements=st.floats(0.0, 1.0))),
    )
    offers = []
    for _ in range(draw(st.integers(1, 4))):
        offers.append(Offer.build(
            segments,
            price=draw(hnp.arrays(np.float64, j, elements=st.floats(0.01, 50.0))),
            attributes=draw(hnp.arrays(np.float64, (j, k), elements=floats)),
            available=draw(hnp.arrays(np.bool_, j)),
            awareness=draw(hnp.arrays(np.float64, (s, j), elements=unit)),
            advertising=draw(hnp.arrays(np.float64, (s, j), elements=st.floats(0.0, 5.0))),
            satisfaction=draw(hnp.arrays(np.float64, j, elements=unit)),
            churn_rate=draw(hnp.arrays(np.float64, j, elements=st.floats(0.0, 0.5))),
            churn_satisfaction_slope=draw(hnp.arrays(np.float64, j, elements=st.floats(0.0, 1.0))),
            replacement_rate=draw(hnp.arrays(np.float64, j, elements=st.floats(0.0, 0.5))),
        ))
    active = np.zeros((s, j), np.int64)
    lapsed = np.zeros(s, np.int64)
    for seg in range(s):
        left = int(pop[seg])
        for jj in range(j):
            active[seg, jj] = draw(st.integers(0, left))
            left -= int(active[seg, jj])
        lapsed[seg] = draw(st.integers(0, left))
    dt = draw(st.floats(0.1, 30.0))
    return segments, offers, dt, {"initial_active": active, "initial_lapsed": lapsed}


@settings(max_examples=40, deadline=None)
@given(market=random_markets(), seed=st.integers(0, 2**32))
def test_aggregate_properties(market, seed):
    segments, offers, dt, initial = market
    for offer in offers:
        for arr in segment_drivers(segments, offer):
            assert np.all(np.isfinite(arr))
    run_checked(AggregateMarket(segments, offers[0].n_products, **initial), offers * 2, dt,
                np.random.default_rng(seed))


@settings(max_examples=40, deadline=None)
@given(market=random_markets(), seed=st.integers(0, 2**40), network=st.booleans(),
       chunk=st.sampled_from([1, 7, 64, 8192]))
def test_agent_properties(market, seed, network, chunk):
    segments, offers, dt, initial = market
    n = int(segments.population.sum())
    net = watts_strogatz(n, 2, 0.3, seed=seed) if network and n >= 3 else None
    agents = AgentMarket(segments, offers[0].n_products, seed=seed, network=net,
                         chunk_size=chunk, **initial)
    np.testing.assert_array_equal(agents.active, initial["initial_active"])
    np.testing.assert_array_equal(agents.lapsed, initial["initial_lapsed"])
    check_agent_records(agents)
    assert np.all(np.isfinite(agents.taste)) and np.all(agents.alpha_mult > 0.0)
    run_checked(agents, offers * 2, dt)
