"""Single mechanisms of the model, one at a time, in both modes where they apply."""

import numpy as np
import pytest

from sim.kernel import AgentMarket, AggregateMarket, Network, Offer, Segments, watts_strogatz

MODES = ["aggregate", "agent"]


def make(mode, segments, n_products, seed=0, **kwargs):
    if mode == "aggregate":
        market, rng = AggregateMarket(segments, n_products, **kwargs), np.random.default_rng(seed)
        return lambda offer, dt: market.step(offer, dt, rng)
    market = AgentMarket(segments, n_products, seed=seed, **kwargs)
    return market.step


@pytest.mark.parametrize("mode", MODES)
def test_no_innovation_and_no_satisfaction_means_no_adoption(mode):
    """Word of mouth is weighted by satisfaction: owners who are not satisfied recruit none."""
    seg = Segments.build(population=[5000], p=[0.0], q=[1.0])
    step = make(mode, seg, 1, initial_active=[[2500]])
    out = step(Offer.build(seg, price=[1.0], satisfaction=[0.0]), 7.0)
    assert out.new_adopters.sum() == 0
    out = step(Offer.build(seg, price=[1.0], satisfaction=[1.0]), 7.0)
    assert out.new_adopters.sum() > 2000


@pytest.mark.parametrize("mode", MODES)
def test_advertising_scales_innovation(mode):
    """First step, q = 0: new adopters are binomial(N, 1 - exp(-p * adv * dt)) (4 sigma)."""
    n, p, dt = 100_000, 0.002, 7.0
    seg = Segments.build(population=[n], p=[p], q=[0.0])
    for adv in (1.0, 3.0):
        out = make(mode, seg, 1, seed=4)(Offer.build(seg, price=[1.0], advertising=[[adv]]), dt)
        prob = -np.expm1(-p * adv * dt)
        assert abs(out.new_adopters.sum() - n * prob) < 4 * np.sqrt(n * prob * (1 - prob))


@pytest.mark.parametrize("mode", MODES)
def test_churn_return_extremes(mode):
    seg_all = Segments.build(population=[20_000], p=[0.0], q=[0.0], churn_return=[1.0])
    seg_none = Segments.build(population=[20_000], p=[0.0], q=[0.0], churn_return=[0.0])
    for seg, back in ((seg_all, True), (seg_none, False)):
        step = make(mode, seg, 1, initial_active=[[10_000]])
        out = step(Offer.build(seg, price=[1.0], churn_rate=[0.01]), 7.0)
        assert out.churners.sum() > 300
        assert (out.returned.sum() == out.churners.sum()) if back else out.returned.sum() == 0
        assert out.lapsed.sum() == (0 if back else out.churners.sum())


@pytest.mark.parametrize("mode", MODES)
def test_replacement_waits_while_unavailable(mode):
    seg = Segments.build(population=[20_000], p=[0.0], q=[0.0])
    step = make(mode, seg, 2, initial_active=[[5000, 5000]])
    offer = Offer.build(seg, price=[1.0, 1.0], available=[True, False],
                        replacement_rate=[0.01, 0.01], churn_rate=[0.001, 0.001])
    out = step(offer, 7.0)
    assert out.replacements[0, 0] > 200 and out.replacements[0, 1] == 0
    assert out.churners[0, 1] > 0  # owners of an unavailable product still churn


@pytest.mark.parametrize("mode", MODES)
def test_competing_risks_split(mode):
    """Owners: churn and replacement probabilities 1 - exp(-(c + r) dt) split c : r."""
    n, c, r, dt = 200_000, 0.01, 0.03, 7.0
    seg = Segments.build(population=[n], p=[0.0], q=[0.0])
    out = make(mode, seg, 1, seed=2, initial_active=[[n]])(
        Offer.build(seg, price=[1.0], churn_rate=[c], replacement_rate=[r]), dt)
    event = -np.expm1(-(c + r) * dt)
    for got, prob in ((out.churners.sum(), event * c / (c + r)),
                      (out.replacements.sum(), event * r / (c + r))):
        assert abs(got - n * prob) < 4 * np.sqrt(n * prob * (1 - prob))


def test_agent_awareness_grows_customer_by_customer():
    """A customer aware at awareness a stays aware at any a' > a: with every potential
    adopter considering (p dt >> 1) and a single product, adopters at 0.3 are a subset of
    adopters at 0.6 (same seed and step, so the same draws)."""
    seg = Segments.build(population=[20_000], p=[100.0], q=[0.0])
    held = {}
    for a in (0.3, 0.6):
        market = AgentMarket(seg, 1, seed=7)
        market.step(Offer.build(seg, price=[1.0], awareness=[[a]]), 1.0)
        held[a] = market.held >= 0
    assert np.all(held[0.6][held[0.3]])
    assert abs(held[0.3].mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 20_000)
    assert abs(held[0.6].mean() - 0.6) < 4 * np.sqrt(0.6 * 0.4 / 20_000)


def test_agent_word_of_mouth_travels_along_the_network():
    """p = 0 on a ring (each customer knows one neighbour each side): adoption spreads only
    from owners to their neighbours, so owners stay one contiguous arc around the seed."""
    n = 2000
    seg = Segments.build(population=[n], p=[0.0], q=[2.0])
    ring = watts_strogatz(n, 2, 0.0)
    market = AgentMarket(seg, 1, seed=1, network=ring, initial_active=[[1]])
    first = int(np.flatnonzero(market.held == 0)[0])
    offer = Offer.build(seg, price=[1.0])
    for _ in range(30):
        market.step(offer, 1.0)
        owners = np.flatnonzero(market.held == 0)
        distance = np.minimum((owners - first) % n, (first - owners) % n)
        arc = np.unique(distance)
        assert arc.max() == arc.shape[0] - 1  # no gaps: every distance up to the front
    assert 10 < owners.shape[0] < 62  # the front moves at most one customer a side a step


def test_agent_isolated_customers_hear_no_word_of_mouth():
    """Customers with no neighbours adopt only by innovation (p = 0: never)."""
    n = 1000
    seg = Segments.build(population=[n], p=[0.0], q=[5.0])
    net = watts_strogatz(n, 2, 0.0)
    half = n // 2
    keep = np.repeat(np.arange(n), np.diff(net.indptr)) < half
    keep &= net.indices < half  # customers half.. lose every edge
    indices = net.indices[keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(
        np.repeat(np.arange(n), np.diff(net.indptr))[keep], minlength=n))]).astype(np.int64)
    market = AgentMarket(seg, 1, seed=3, network=Network(indptr, indices),
                         initial_active=[[400]])
    isolated_pool = np.flatnonzero(market.held[half:] == -1) + half
    for _ in range(10):
        market.step(Offer.build(seg, price=[1.0]), 1.0)
    assert np.all(market.held[isolated_pool] == -1)
    assert np.all(market.held[:half] >= 0)  # the connected half all adopted
