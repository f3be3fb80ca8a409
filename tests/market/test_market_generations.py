"""Successive generations (sim/market/generations.py) unit by unit: the ownership rule, the
step probability, the closed form, the config checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.commercial import ProductConfig, generation_chains
from sim.kernel.bass import cumulative_share, norton_bass
from sim.market.generations import Chain, bass_step_probability, entry_counts, owned_table


def test_owned_generation_is_the_end_of_the_chain_of_fired_clocks():
    own = owned_table(3)
    # entry group 0 (a first-generation customer): clocks 0, 1 fired -> generation 1;
    # clocks 0 and 2 fired but not 1 -> still generation 0 (Norton-Bass: F3 F2 F1 m1)
    assert own[0, 0b011] == 1 and own[0, 0b101] == 0 and own[0, 0b111] == 2
    assert own[0, 0b110] == -1  # never adopted the first generation
    assert own[1, 0b001] == -1 and own[1, 0b010] == 1 and own[1, 0b110] == 2
    assert own[2, 0b100] == 2 and np.all(own[3] == -1)  # outside every potential


def test_step_probability_follows_the_bass_path_exactly_whatever_the_step():
    p, q = 0.03 / 365, 0.38 / 365
    for dt in (1.0, 7.0, 91.0):
        x, path = 0.0, []
        for _ in range(int(1820 / dt)):
            x = x + (1.0 - x) * bass_step_probability(x, p, q, dt)
            path.append(x)
        t = dt * np.arange(1, len(path) + 1)
        np.testing.assert_allclose(path, cumulative_share(t, p, q), rtol=1e-10, atol=1e-12)
    # without innovation the share grows logistically: x' = x e^{q dt} / (1 - x + x e^{q dt})
    g = np.exp(0.5)
    assert bass_step_probability(0.2, 0.0, 0.5, 1.0) == pytest.approx(
        (0.2 * g / (0.8 + 0.2 * g) - 0.2) / 0.8)
    assert bass_step_probability(1.0, p, q, 7.0) == 0.0


def test_norton_bass_closed_form_written_out_for_three_generations():
    p, q = 0.03, 0.4
    t = np.linspace(0.0, 12.0, 49)
    tau, m = [0.0, 3.0, 6.5], [100.0, 60.0, 40.0]

    def f(tau_k):
        return np.where(t > tau_k, cumulative_share(np.maximum(t - tau_k, 0.0), p, q), 0.0)

    f1, f2, f3 = f(tau[0]), f(tau[1]), f(tau[2])
    s1 = m[0] * f1 * (1 - f2)
    s2 = f2 * (m[1] + f1 * m[0]) * (1 - f3)
    s3 = f3 * (m[2] + f2 * (m[1] + f1 * m[0]))
    np.testing.assert_allclose(norton_bass(t, tau, m, p, q), [s1, s2, s3], rtol=1e-12)


def test_entry_groups_add_up_to_the_segment():
    counts = entry_counts([1000, 7], [0.5, 0.3, 0.2 - 1e-12])
    assert counts.sum(axis=1).tolist() == [1000, 7]
    assert counts[0].tolist() == [500, 300, 200, 0]


@settings(max_examples=25, deadline=None)
@given(k=st.integers(1, 4), mode=st.sampled_from(["aggregate", "agent"]),
       draws=st.sampled_from(["counter", "generator"]),
       sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=3),
       raw=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
       p=st.floats(0.0, 0.05), q=st.floats(0.0, 0.2), dt=st.sampled_from([1.0, 7.0, 30.0]),
       gap=st.integers(0, 20), seed=st.integers(0, 2**31))
def test_a_chain_conserves_customers_and_units(k, mode, draws, sizes, raw, p, q, dt, gap,
                                               seed):
    shares = np.array(raw[:k]) / max(1.0, sum(raw[:k]) * 1.01)
    s = len(sizes)
    chain = Chain(list(range(k)), shares, sizes, [p] * s, [q] * s, mode, seed=seed, index=0,
                  draws=draws)
    assert np.all(chain.sizes <= np.array(sizes))
    owners = np.zeros((s, k), np.int64)
    adopters = np.zeros(s, np.int64)
    for step in range(40):
        on = np.array([step >= g * gap for g in range(k)])
        new, up, lost, after = chain.step(on, np.full((s, k), 1.5), dt)
        # what each generation gained and lost is the change of its owners
        np.testing.assert_array_equal(after - owners, new + up - lost)
        # an upgrade moves a unit from an older generation to a newer one
        np.testing.assert_array_equal(up.sum(axis=1), lost.sum(axis=1))
        assert np.all(lost[:, -1] == 0) and np.all(up[:, 0] == 0)
        assert np.all(new[:, ~on] == 0) and np.all(up[:, ~on] == 0)
        owners, adopters = after, adopters + new.sum(axis=1)
        np.testing.assert_array_equal(owners.sum(axis=1), adopters)
        # customers: owners of a generation plus those still waiting are the chain's
        np.testing.assert_array_equal(owners.sum(axis=1) + chain.potential(), chain.sizes)


def _products(*spec):
    return [ProductConfig(name=n, generation_of=g, entry_share=s) for n, g, s in spec]


def test_chains_are_found_oldest_first():
    chains = generation_chains(_products(("c", "b", 0.2), ("a", None, 0.5), ("x", None, 1.0),
                                         ("b", "a", 0.3)))
    assert chains == [[1, 3, 0]]


@pytest.mark.parametrize("spec, words", [
    ((("a", None, 0.5), ("b", "z", 0.5)), ["generation_of", "'z'", "no product"]),
    ((("a", None, 0.5), ("a", None, 0.1), ("b", "a", 0.3)), ["several products"]),
    ((("a", None, 0.5), ("b", "a", 0.2), ("c", "a", 0.2)), ["one successor", "'a'"]),
    ((("a", "b", 0.5), ("b", "a", 0.2)), ["circle"]),
    ((("a", None, 0.7), ("b", "a", 0.4)), ["entry_share", "1.1"]),
])
def test_bad_generations_are_one_clear_error(spec, words):
    with pytest.raises(ValueError) as err:
        generation_chains(_products(*spec))
    for w in words:
        assert w in str(err.value)


def test_a_product_cannot_succeed_itself():
    with pytest.raises(ValueError, match=r"product.generation_of .*'a'"):
        ProductConfig(name="a", generation_of="a").check("product")


def test_a_generation_is_bought_with_its_logit_share_and_attractiveness():
    from sim.kernel import Offer, Segments
    from sim.market.generations import purchase_factors

    w, a, alpha, u0 = 1.5, [0.8, 0.5], 2.0, -9.0
    prices = [200.0, 300.0]
    seg = Segments.build(population=[100, 100], p=[0.01, 0.01], q=[0.1, 0.1],
                         attribute_weights=np.array([[w], [w]]), price_sensitivity=[alpha, alpha],
                         outside_utility=[u0, -np.inf], attractiveness_elasticity=[0.0, 0.5],
                         reference_inclusive_value=[0.0, -8.0])
    offer = Offer.build(seg, price=prices, attributes=np.array([[x] for x in a]),
                        available=[False, False], awareness=np.zeros((2, 2)),
                        advertising=np.array([[1.0, 1.3], [1.0, 2.0]]))
    for j in (0, 1):
        adv, buy = purchase_factors(seg, offer, j)
        v = w * a[j] - alpha * np.log(prices[j])
        # segment 0: logit against the outside option; segment 1: no outside option, the
        # Generalized Bass attractiveness exp(beta (inclusive value - reference))
        assert buy[0] == pytest.approx(1.0 / (1.0 + np.exp(u0 - v)), rel=1e-12)
        assert buy[1] == pytest.approx(np.exp(0.5 * (v + 8.0)), rel=1e-12)
        assert adv.tolist() == pytest.approx(offer.advertising[:, j].tolist())


def test_keyed_draws_of_a_step_are_fixed_by_their_index():
    """Aggregate mode's keyed draws (the default): draw (generation g, segment s, cell i) of a
    step is ``binomial(n, p, draw_key(step key, (g S + s) B + i))`` whatever the other
    draws gave (B: the cells one generation and segment draw), written out here for a
    first step; a generation's draws then do not shift when another's change, as the
    Generator's, drawn in turn, did."""
    from sim.kernel.binomial import binomials, draw_key
    k, sizes, dt = 2, [5000, 3000], 7.0
    shares = [0.5, 0.3]
    chain = Chain([0, 1], shares, sizes, [0.01, 0.02], [0.1, 0.2], "aggregate", seed=5,
                  index=0)
    cells0 = chain.cells.copy()
    prob = np.zeros((2, k))
    prob[:, :] = bass_step_probability(chain.fired_share(),
                                       chain.p[:, None] * 1.5 * np.ones((2, k)),
                                       chain.q[:, None] * np.ones((2, k)), dt)
    chain.step(np.array([True, True]), np.full((2, k), 1.5), dt)
    m, idx = 2**k, np.arange(2**k)
    moves = np.zeros((2, k + 1, m, m), np.int64)
    moves[:, :, idx, idx] = cells0
    step_key = int(draw_key(np.uint64(chain.key), 0))
    block = (k + 1) * m * (m // 2)
    for g in range(k):
        src = idx[(idx & (1 << g)) == 0]
        for s in range(2):
            n = moves[s][:, :, src]
            fired = binomials(n.ravel(), np.full(n.size, prob[s, g]), step_key,
                              (g * 2 + s) * block).reshape(n.shape)
            moves[s][:, :, src] -= fired
            moves[s][:, :, src | (1 << g)] += fired
    np.testing.assert_array_equal(chain.cells, moves.sum(axis=2))
