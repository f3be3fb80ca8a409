"""Brand choice: logit shares, own-price effects, and the agent kernel's empirical choices."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.kernel import AgentMarket, Offer, Segments, logit_shares, segment_drivers

utilities = hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-30.0, 30.0))
outside = st.one_of(st.just(-np.inf), st.floats(-30.0, 30.0))


@settings(max_examples=100, deadline=None)
@given(v=utilities, v0=outside)
def test_logit_shares_are_a_distribution(v, v0):
    shares = logit_shares(v, v0)
    assert shares.shape == (v.shape[0] + 1,)
    assert np.all((shares >= 0.0) & (shares <= 1.0))
    assert shares.sum() == pytest.approx(1.0, abs=1e-12)
    if v0 == -np.inf:
        assert shares[-1] == 0.0
    # the ratio of two shares is exp of the utility difference (IIA), where both are sizable
    if v.shape[0] >= 2 and min(shares[0], shares[1]) > 1e-200:
        assert math.log(shares[0] / shares[1]) == pytest.approx(v[0] - v[1], abs=1e-9)


def test_logit_shares_rejects_bad_utility():
    with pytest.raises(ValueError, match="utility"):
        logit_shares([np.nan, 1.0])
    with pytest.raises(ValueError, match="outside_utility"):
        logit_shares([1.0], np.inf)


@st.composite
def markets(draw, max_products=4):
    """One segment, J products, random weights, prices, awareness and availability."""
    j = draw(st.integers(1, max_products))
    k = draw(st.integers(1, 3))
    floats = st.floats(-3.0, 3.0)
    segments = Segments.build(
        population=[1000], p=[0.01], q=[0.1],
        attribute_weights=[draw(st.lists(floats, min_size=k, max_size=k))],
        price_sensitivity=[draw(st.floats(0.0, 5.0))],
        outside_utility=[draw(st.one_of(st.just(-np.inf), floats))],
        attractiveness_elasticity=[draw(st.floats(0.0, 2.0))],
        reference_inclusive_value=[draw(floats)],
    )
    offer = Offer.build(
        segments,
        price=draw(st.lists(st.floats(0.01, 100.0), min_size=j, max_size=j)),
        attributes=draw(hnp.arrays(np.float64, (j, k), elements=floats)),
        available=draw(hnp.arrays(np.bool_, j)),
        awareness=draw(hnp.arrays(np.float64, (1, j), elements=st.sampled_from(
            [0.0, 1e-9, 0.2, 0.5, 1.0]))),
        advertising=draw(hnp.arrays(np.float64, (1, j), elements=st.floats(0.0, 5.0))),
    )
    return segments, offer


@settings(max_examples=150, deadline=None)
@given(market=markets())
def test_segment_shares_are_a_distribution(market):
    segments, offer = market
    shares, adv, attract, reach = segment_drivers(segments, offer)
    assert np.all(np.isfinite(shares)) and np.all((shares >= 0.0) & (shares <= 1.0))
    assert shares.sum(axis=1) == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.isfinite(adv) & (adv >= 0.0))
    assert np.all(np.isfinite(attract) & (attract >= 0.0))
    assert np.all((reach >= 0.0) & (reach <= 1.0))
    can_buy = offer.available & (offer.awareness[0] > 0.0)
    assert np.all(shares[0, :-1][~can_buy] == 0.0)
    if not can_buy.any():
        assert reach[0] == 0.0 and shares[0, -1] == 1.0


@settings(max_examples=150, deadline=None)
@given(market=markets(), which=st.integers(0, 3), rise=st.floats(1e-6, 10.0))
def test_raising_own_price_never_raises_own_share(market, which, rise):
    """Own share never rises (to 1e-12, rounding) and rivals' shares never fall."""
    segments, offer = market
    assume(which < offer.n_products)
    before = segment_drivers(segments, offer)[0][0]
    price = offer.price.copy()
    price[which] *= 1.0 + rise
    dearer = dataclasses.replace(offer, price=price).validate(segments)
    after = segment_drivers(segments, dearer)[0][0]
    assert after[which] <= before[which] + 1e-12
    others = np.arange(after.shape[0]) != which
    assert np.all(after[others] >= before[others] - 1e-12)
    drop = segments.price_sensitivity[0] * np.log1p(rise)  # utility lost by the product
    if drop > 1e-6 and 1e-6 < before[which] < 1.0 - 1e-6:
        assert after[which] < before[which]


@pytest.mark.parametrize("outside_utility", [-np.inf, 0.5])
def test_cheaper_of_two_identical_products_takes_more(outside_utility):
    segments = Segments.build(population=[10], p=[0.01], q=[0.1], attribute_weights=[[1.0]],
                              price_sensitivity=[1.3], outside_utility=[outside_utility])
    offer = Offer.build(segments, price=[2.0, 2.5], attributes=[[1.0], [1.0]])
    shares = segment_drivers(segments, offer)[0][0]
    assert shares[0] > shares[1]
    assert shares[0] / shares[1] == pytest.approx((2.5 / 2.0) ** 1.3, rel=1e-12)
    same = Offer.build(segments, price=[2.0, 2.0], attributes=[[1.0], [1.0]])
    shares = segment_drivers(segments, same)[0][0]
    assert shares[0] == shares[1]


def first_step_choices(segments, offer, seed):
    """New adopters of a step in which every potential adopter considers (p dt >> 1)."""
    market = AgentMarket(segments, offer.n_products, seed=seed)
    return market.step(offer, 1.0).new_adopters[0]


@pytest.mark.parametrize("outside_utility", [-np.inf, 0.4])
def test_agent_choice_frequencies_match_logit_shares(outside_utility):
    n = 300_000
    segments = Segments.build(population=[n], p=[100.0], q=[0.0],
                              attribute_weights=[[1.0, 0.5]], price_sensitivity=[1.5],
                              outside_utility=[outside_utility])
    offer = Offer.build(segments, price=[1.0, 1.6, 0.7],
                        attributes=[[1.0, 0.0], [1.2, 1.0], [0.2, 0.3]])
    counts = first_step_choices(segments, offer, seed=3)
    utility = np.array([1.0, 1.2 + 0.5, 0.2 + 0.15]) - 1.5 * np.log([1.0, 1.6, 0.7])
    shares = logit_shares(utility, outside_utility)
    np.testing.assert_allclose(shares, segment_drivers(segments, offer)[0][0], rtol=1e-12)
    expected = n * shares[:3]
    sd = np.sqrt(n * shares[:3] * (1.0 - shares[:3]))
    assert np.all(np.abs(counts - expected) < 4.0 * sd), (counts, expected, sd)


def test_agent_taste_spread_gives_mixed_logit():
    """With taste and price-sensitivity spread, choice frequencies equal the mixed logit
    ``E[logit((1 + sd_t z1) w.a - alpha exp(sd_a z2 - sd_a^2 / 2) log p)]`` (Gauss-Hermite,
    40 x 40 nodes), not the logit at mean tastes."""
    n = 300_000
    sd_t, sd_a, alpha = 0.8, 0.7, 2.0
    segments = Segments.build(population=[n], p=[100.0], q=[0.0], attribute_weights=[[1.0]],
                              price_sensitivity=[alpha], outside_utility=[0.0],
                              taste_sd=[sd_t], price_sensitivity_sd=[sd_a])
    base = np.array([1.5, 0.5, 2.5])
    price = np.array([1.0, 0.5, 2.5])
    offer = Offer.build(segments, price=price, attributes=base[:, None])
    counts = first_step_choices(segments, offer, seed=8)
    x, w = np.polynomial.hermite_e.hermegauss(40)
    w = w / w.sum()
    z1, z2 = np.meshgrid(x, x, indexing="ij")
    weight = np.outer(w, w)
    util = ((1.0 + sd_t * z1)[..., None] * base
            - alpha * np.exp(sd_a * z2 - 0.5 * sd_a**2)[..., None] * np.log(price))
    e = np.exp(util - util.max(axis=-1, keepdims=True))
    e0 = np.exp(-util.max(axis=-1, keepdims=True))
    mixed = (weight[..., None] * e / (e.sum(axis=-1, keepdims=True) + e0)).sum(axis=(0, 1))
    sd = np.sqrt(n * mixed * (1.0 - mixed))
    assert np.all(np.abs(counts - n * mixed) < 4.0 * sd), (counts, n * mixed)
    at_mean = logit_shares(base - alpha * np.log(price), 0.0)[:3]
    assert np.any(np.abs(counts - n * at_mean) > 10.0 * sd)  # the spread matters here
