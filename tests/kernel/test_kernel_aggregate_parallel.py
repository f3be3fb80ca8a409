"""Aggregate mode's keyed draws with the segments on Numba's threads
(``sim.kernel._aggregate_parallel``) give the serial step's results to the bit, however the
segments are cut into runs; the market takes that path only for keyed draws on a step of
``PARALLEL_MIN_CELLS`` or more; its outcome's fields are rows of the kernel's buffers."""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

from sim.kernel import AggregateMarket, Offer, Segments
from sim.kernel._aggregate_parallel import PARALLEL_MIN_CELLS, step_aggregate_parallel
from sim.kernel._aggregate_step import step_aggregate
from tests.kernel.kernel_markets import tiny_offer, tiny_segments

S, J, K = 9, 8, 3
FIELDS = ("new_adopters", "units", "replacements", "churners", "returned", "active", "pool",
          "lapsed", "lost")


def segments():
    g = np.random.default_rng(11)
    return Segments.build(
        population=g.integers(20_000, 400_000, S), p=g.uniform(0.001, 0.01, S),
        q=g.uniform(0.02, 0.2, S), attribute_weights=g.uniform(0.0, 1.0, (S, K)),
        price_sensitivity=g.uniform(0.5, 2.5, S), outside_utility=g.uniform(-1.0, 1.0, S),
        attractiveness_elasticity=np.where(np.arange(S) % 3 == 0, 0.0, 0.3),
        reference_inclusive_value=np.full(S, 1.0), churn_return=g.uniform(0.0, 0.8, S))


def offer(seg, step):
    """Every branch of a step in turn: a product launching late, stock-outs with switching
    and backorders, a given utility, seasonal demand."""
    g = np.random.default_rng(100 + step)
    short = step % 4 in (1, 2)
    return Offer.build(
        seg, price=g.uniform(0.5, 2.0, J), attributes=g.uniform(0.0, 1.0, (J, K)),
        available=np.arange(J) != J - 1 if step < 3 else None,
        awareness=g.uniform(0.0, 1.0, (S, J)), advertising=g.uniform(0.5, 1.5, (S, J)),
        satisfaction=g.uniform(0.5, 0.95, J), churn_rate=g.uniform(0.0, 0.01, J),
        churn_satisfaction_slope=g.uniform(0.0, 0.02, J),
        replacement_rate=g.uniform(0.0, 0.01, J),
        fill_rate=np.where(np.arange(J) % 3 == 0, 0.4, 1.0) if short else None,
        utility=g.normal(0.0, 1.0, (S, J)) if step % 5 == 4 else None,
        season=(1.0, 1.6, 0.7)[step % 3], stockout_switching=0.5 if step % 4 == 2 else 0.0,
        backorders=np.arange(J) % 3 == 0 if step % 4 == 1 else None)


def run(market, steps=10, seed=4):
    rng = np.random.default_rng(seed)
    seg = market.segments
    return [market.step(offer(seg, t), 7.0, rng) for t in range(steps)]


@pytest.mark.parametrize("draws", ["counter", "approx"])
def test_the_market_runs_its_segments_at_once_and_gets_the_serial_bits(draws):
    seg = segments()
    at_once = AggregateMarket(seg, J, draws=draws)
    assert S * J >= PARALLEL_MIN_CELLS and at_once._threads >= 1
    at_once._threads = 3  # three runs of segments, whatever this machine's threads
    serial = AggregateMarket(seg, J, draws=draws)
    serial._threads = 1
    moved = 0
    for t, (a, b) in enumerate(zip(run(at_once), run(serial), strict=True)):
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name),
                                          err_msg=f"{name} differs at step {t}")
        moved += int(a.new_adopters.sum() + a.churners.sum() + a.lost.sum())
    assert moved > 10_000


@pytest.mark.parametrize("chunks", [1, 2, 4, S, 3 * S])
@pytest.mark.parametrize("draws", ["counter", "approx"])
def test_any_cut_into_runs_gives_the_same_bits(chunks, draws):
    seg = segments()
    market = AggregateMarket(seg, J, draws=draws)
    rng = np.random.default_rng(9)
    for t in range(6):  # the state of a market that has moved
        market.step(offer(seg, t), 7.0, rng)
    for t in (1, 2, 4):
        o = offer(seg, t)
        key = np.uint64(rng.bit_generator.random_raw())
        source = key if draws == "counter" else (key, 10.0)
        results = []
        for f, extra in ((step_aggregate, ()), (step_aggregate_parallel, (chunks,))):
            pool, lapsed, active = market.pool.copy(), market.lapsed.copy(), market.active.copy()
            out, after = np.empty((7, S, J), np.int64), np.empty((2, S), np.int64)
            f(source, 7.0, market._seg, seg.attribute_weights, o.price, o.attributes,
              market._no_utility if o.utility is None else o.utility, o.utility is not None,
              o.available, o.awareness, o.advertising, o.satisfaction, o.churn_rate,
              o.churn_satisfaction_slope, o.replacement_rate, o.fill_rate, pool, lapsed,
              active, out, after, float(o.season), float(o.stockout_switching),
              o.backorders, *extra)
            results.append((out, after, pool, lapsed, active))
        for a, b in zip(*results, strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_generator_or_a_small_step_stays_serial():
    assert AggregateMarket(segments(), J, draws="generator")._threads >= 1
    small = AggregateMarket(tiny_segments(), 3, draws="approx")
    assert 2 * 3 < PARALLEL_MIN_CELLS and small._threads == 1


def test_the_outcome_is_rows_of_the_buffers_made_when_read():
    seg = tiny_segments((4_000, 2_500))
    market = AggregateMarket(seg, 3, draws="counter")
    rng = np.random.default_rng(2)
    for t in range(8):
        out = market.step(tiny_offer(seg, t), 7.0, rng)
    buffer, after = out.__dict__["_buffer"], out.__dict__["_after"]
    assert "active" not in out.__dict__  # not made until read
    rows = dict(zip(("new_adopters", "units", "replacements", "churners", "returned",
                     "lost", "active"), buffer, strict=True))
    rows.update(pool=after[0], lapsed=after[1])
    for name, row in rows.items():
        value = getattr(out, name)
        assert np.shares_memory(value, row) and np.array_equal(value, row)
        assert getattr(out, name) is value  # kept once made
    np.testing.assert_array_equal(out.active, market.active)
    np.testing.assert_array_equal(out.pool, market.pool)
    assert [f.name for f in dataclasses.fields(out)] == list(FIELDS)
    for other in (copy.deepcopy(out), pickle.loads(pickle.dumps(out))):
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(other, name), getattr(out, name))
    assert out.product_totals() == [[int(x) for x in a.sum(axis=0)] for a in (
        out.units, out.active, out.new_adopters, out.replacements, out.churners, out.lost)]
