"""Keyed draws in batches (``sim.kernel._binomial_lanes``, ``sim.kernel._aggregate_lanes``)
against the one-at-a-time draws they batch: the same numbers, bit for bit."""

import numpy as np
import pytest
from kernel_markets import tiny_offer, tiny_segments

from sim.kernel import AggregateMarket, aggregate
from sim.kernel._aggregate_lanes import step_lanes
from sim.kernel._aggregate_step import step_aggregate
from sim.kernel._binomial_lanes import draw_lanes, workspace
from sim.kernel.binomial import binomial_approx, binomial_lq, draw_key, log_q

KEY = np.uint64(0x5DEECE66D1234567)


def _draw_cases(seed, count=3000):
    """(n, p, lq): every kind of draw and its edges: n = 0 and p in {0, 1}, p above and at
    one half (the flip), means below 1 (the inversion's shortcut) and around 10 and 20
    (inversion against BTRD), variances around the approximation's threshold, large
    counts; lq shared (log_q(p)) for half of them, to be computed (1.0) for the others."""
    g = np.random.default_rng(seed)
    n = np.concatenate([g.integers(0, 40, count // 3), g.integers(0, 5000, count // 3),
                        g.integers(0, 2_000_000, count - 2 * (count // 3))])
    mean = np.exp(g.uniform(np.log(0.05), np.log(3000.0), count))
    p = np.clip(mean / np.maximum(n, 1), 0.0, 1.0)
    p[::7] = 1.0 - p[::7]
    p[::31] = 0.0
    p[::37] = 1.0
    p[::41] = 0.5
    n[::43] = 0
    g.shuffle(p)
    shared = g.random(count) < 0.5
    lq = np.where(shared, [log_q(x) if x > 0.0 else 1.0 for x in p], 1.0)
    return n.astype(np.int64), p, lq


def _one_at_a_time(n, p, lq, index, min_variance):
    keys = [np.uint64(draw_key(KEY, i)) for i in index]
    if min_variance == np.inf:
        return [binomial_lq(a, b, k, c) for a, b, c, k in zip(n, p, lq, keys, strict=True)]
    return [binomial_approx(a, b, k, min_variance, c) for a, b, c, k in zip(n, p, lq, keys, strict=True)]


@pytest.mark.parametrize("min_variance", [np.inf, 10.0, 9.0, 100.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_draw_lanes_equals_the_draws_one_at_a_time(min_variance, seed):
    n, p, lq = _draw_cases(seed)
    index = np.random.default_rng(seed + 100).permutation(n.shape[0]).astype(np.int64) * 3
    out = np.full(n.shape[0] + 5, -7, np.int64)
    draw_lanes(KEY, min_variance, n, p, lq, index, n.shape[0], out, *workspace(n.shape[0]))
    assert out[:n.shape[0]].tolist() == _one_at_a_time(n, p, lq, index, min_variance)
    assert (out[n.shape[0]:] == -7).all()  # nothing past ``count`` is written
    assert ((out[:n.shape[0]] >= 0) & (out[:n.shape[0]] <= n)).all()


def test_draw_lanes_covers_every_kind():
    """The cases reach every path: zero, all, approximate, BTRD (exact, and below a high
    threshold of the approximation), inversion (both term blocks) and its shortcut to 0."""
    n, p, lq = _draw_cases(0)
    pp = np.minimum(p, 1.0 - p)
    mean, var = n * pp, n * pp * (1.0 - pp)
    live = (n > 0) & (p > 0.0) & (p < 1.0)
    assert ((n == 0) | (p == 0.0)).any() and ((p >= 1.0) & (n > 0)).any()
    assert (live & (var >= 10.0)).sum() > 100
    assert (live & (mean >= 20.0) & (var < 100.0)).sum() > 20  # BTRD under min_variance 100
    assert (live & (mean < 1.0)).sum() > 100
    assert (live & (mean >= 6.0) & (mean < 10.0)).sum() > 20  # kmax >= 16: terms past 16
    assert (live & (mean >= 10.0) & (mean < 20.0) & (var < 10.0)).any()


def _keyed_sources(draws, seed):
    key = np.uint64(np.random.default_rng(seed).integers(0, 2**63))
    return key if draws == "counter" else (key, 10.0)


def _step(step, market, offer, source):
    out = np.empty((7, market.segments.n_segments, market.n_products), np.int64)
    after = np.empty((2, market.segments.n_segments), np.int64)
    utility = offer.utility
    step(source, 7.0, market._seg, market.segments.attribute_weights, offer.price,
         offer.attributes, aggregate._NO_UTILITY if utility is None else utility,
         utility is not None, offer.available, offer.awareness, offer.advertising,
         offer.satisfaction, offer.voice, offer.churn_rate, offer.churn_satisfaction_slope,
         offer.replacement_rate, offer.fill_rate, market.pool, market.lapsed, market.active,
         out, after, float(offer.season), float(offer.stockout_switching), offer.backorders)
    return out, after


@pytest.mark.parametrize("draws", ["counter", "approx"])
@pytest.mark.parametrize("populations", [(150, 110), (400_000, 250_000)])
def test_step_lanes_equals_step_aggregate(draws, populations):
    """Over launches, stock-outs, given utilities, seasons, switching and backorders
    (``tiny_offer``), small and large counts: the same flows and states."""
    segments = tiny_segments(populations)
    init = {"initial_active": np.array([[20, 10, 0], [5, 30, 2]]),
            "initial_lapsed": np.array([4, 9])}
    lanes = AggregateMarket(segments, 3, draws=draws, **init)
    scalar = AggregateMarket(segments, 3, draws=draws, **init)
    for step in range(16):
        offer = tiny_offer(segments, step)
        source = _keyed_sources(draws, step)
        got = _step(step_lanes, lanes, offer, source)
        want = _step(step_aggregate, scalar, offer, source)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"step {step}")
        np.testing.assert_array_equal(lanes.active, scalar.active)
    assert scalar.active.sum() > 0


@pytest.mark.parametrize("draws", ["counter", "approx"])
@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.SFC64, np.random.MT19937])
def test_the_market_steps_keyed_draws_in_lanes(draws, bit_generator):
    """``AggregateMarket.step`` with keyed draws (``step_keyed``: its work arrays kept, the
    key drawn in compiled code from the Generator's handle, or written from Python for
    MT19937's 32-bit raw output) equals ``step_aggregate`` keyed by ``random_raw()`` of an
    identical Generator, step for step; both Generators end in the same state."""
    segments = tiny_segments((40_000, 25_000))
    market = AggregateMarket(segments, 3, draws=draws)
    scalar = AggregateMarket(segments, 3, draws=draws)
    rng = np.random.Generator(bit_generator(5))
    twin = np.random.Generator(bit_generator(5))
    for step in range(14):
        offer = tiny_offer(segments, step)
        got = market.step(offer, 7.0, rng)
        key = np.uint64(twin.bit_generator.random_raw())
        out, after = _step(step_aggregate, scalar, offer, key if draws == "counter" else (key, 10.0))
        np.testing.assert_array_equal(got._buffer, out, err_msg=f"step {step}")
        np.testing.assert_array_equal(got._after, after, err_msg=f"step {step}")
    assert market.active.sum() > 0 and market.active.tolist() == scalar.active.tolist()
    assert rng.integers(0, 2**62) == twin.integers(0, 2**62)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_market_keeps_its_own_source(how):
    """A copy of a market (``copy.deepcopy``, a pickle) leaves the work arrays and their
    source row behind and makes its own on its first step: stepped with its own
    Generator it draws what the original does with an identical one, and the original
    keeps drawing from its own."""
    import copy
    import pickle

    segments = tiny_segments((40_000, 25_000))
    a = AggregateMarket(segments, 3, draws="counter")
    ref = AggregateMarket(segments, 3, draws="counter")
    rng_a, rng_ref = np.random.default_rng(1), np.random.default_rng(1)
    a.step(tiny_offer(segments, 0), 7.0, rng_a)
    ref.step(tiny_offer(segments, 0), 7.0, rng_ref)
    b = copy.deepcopy(a) if how == "deepcopy" else pickle.loads(pickle.dumps(a))
    assert b._work is None
    rng_b = copy.deepcopy(rng_a)
    got_b = b.step(tiny_offer(segments, 1), 7.0, rng_b)
    got = a.step(tiny_offer(segments, 1), 7.0, rng_a)
    want = ref.step(tiny_offer(segments, 1), 7.0, rng_ref)
    np.testing.assert_array_equal(got._buffer, want._buffer)
    np.testing.assert_array_equal(got_b._buffer, want._buffer)
