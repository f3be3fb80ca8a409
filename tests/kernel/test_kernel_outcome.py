"""StepOutcome.product_totals: the per-product sums over segments, from the aggregate
kernel's buffer in one reduction, equal to each array summed on its own (the twin), in
both modes and after the arrays are changed in place (as generations do); an aggregate
step's outcome: its fields are rows of the kernel's two buffers, made when first read."""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

from sim.kernel import AgentMarket, AggregateMarket
from sim.kernel.outcome import StepOutcome
from tests.kernel.kernel_markets import tiny_offer, tiny_segments


def twin(out: StepOutcome) -> list:
    return [[int(x) for x in a.sum(axis=0)] for a in (
        out.units, out.active, out.new_adopters, out.replacements, out.churners, out.lost)]


@pytest.mark.parametrize("kind", ["aggregate", "agent"])
def test_product_totals_equal_each_array_summed(kind):
    segments = tiny_segments((4_000, 2_500))
    market = (AggregateMarket(segments, 3) if kind == "aggregate"
              else AgentMarket(segments, 3, seed=3))
    rng = np.random.default_rng(8)
    for step in range(12):
        offer = tiny_offer(segments, step)
        out = market.step(offer, 7.0, rng) if kind == "aggregate" else market.step(offer, 7.0)
        assert ("_buffer" in out.__dict__) == (kind == "aggregate")
        assert out.product_totals() == twin(out)
        out.units[:, 1] += 5  # changed in place: the totals read the change
        out.lost[0, 2] += 1
        assert out.product_totals() == twin(out)


def test_an_outcome_built_without_a_buffer_sums_its_arrays():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    out = StepOutcome(a, a + 1, a + 2, a + 3, a * 0, a + 5, np.zeros(2, np.int64),
                      np.zeros(2, np.int64), a + 6)
    assert out.product_totals() == twin(out) == [[5, 7, 9], [13, 15, 17], [3, 5, 7],
                                                 [7, 9, 11], [9, 11, 13], [15, 17, 19]]


FIELDS = ("new_adopters", "units", "replacements", "churners", "returned", "active", "pool",
          "lapsed", "lost")


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
