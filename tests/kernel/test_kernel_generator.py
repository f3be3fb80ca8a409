"""A Generator's handle (``sim.kernel.generator``) draws what the Generator itself draws
in compiled code, bit for bit, and leaves it in the same state; the aggregate market's
step through the handle equals the step with the Generator passed as itself (its twin:
Numba's own unboxing), over a market's whole run, after a copy and with a new Generator."""

import copy
import pickle

import numba
import numpy as np
import pytest

from sim.kernel import AggregateMarket, aggregate
from sim.kernel._aggregate_step import step_aggregate
from sim.kernel.generator import RAW64_BIT_GENERATORS, generator_handle, generator_of, raw_uint64
from tests.kernel.kernel_markets import tiny_offer, tiny_segments

BIT_GENERATORS = [np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64,
                  np.random.MT19937]


@numba.njit
def _draws(rng, n):
    """Every kind of draw that reads the bit generator's three functions."""
    out = np.empty((n, 5))
    for i in range(n):
        out[i, 0] = rng.binomial(1 + 37 * i, 0.3)  # uint64 and double inside
        out[i, 1] = rng.random()  # next_double
        out[i, 2] = rng.integers(0, 2**40)  # next_uint64
        out[i, 3] = rng.random(dtype=np.float32)  # next_uint32
        out[i, 4] = rng.standard_normal()
    return out


@numba.njit
def _draws_of_handle(handle, n):
    return _draws(generator_of(handle), n)


def _same_state(a: np.random.Generator, b: np.random.Generator) -> bool:
    """Equal bit generator states (Philox, SFC64 and MT19937 keep arrays in theirs)."""
    def flat(state):
        if isinstance(state, dict):
            return {k: flat(v) for k, v in state.items()}
        return state.tolist() if isinstance(state, np.ndarray) else state
    return flat(a.bit_generator.state) == flat(b.bit_generator.state)


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS, ids=lambda b: b.__name__)
def test_a_handle_draws_what_its_generator_draws(bit_generator):
    twin = np.random.Generator(bit_generator(2024))
    rng = np.random.Generator(bit_generator(2024))
    want = _draws(twin, 200)
    got = _draws_of_handle(generator_handle(rng), 200)
    assert got.tobytes() == want.tobytes()
    assert _same_state(rng, twin)
    assert rng.random() == twin.random()  # and Python's draws go on from the same state


def _twin_step(market, offer, dt, rng):
    """AggregateMarket.step's compiled call with the Generator passed as itself."""
    out = np.empty((7, market.segments.n_segments, market.n_products), np.int64)
    after = np.empty((2, market.segments.n_segments), np.int64)
    utility = offer.utility
    step_aggregate(rng, dt, market._seg, market.segments.attribute_weights, offer.price,
                   offer.attributes, aggregate._NO_UTILITY if utility is None else utility,
                   utility is not None, offer.available, offer.awareness, offer.advertising,
                   offer.satisfaction, offer.voice, offer.churn_rate, offer.churn_satisfaction_slope,
                   offer.replacement_rate, offer.fill_rate, market.pool, market.lapsed,
                   market.active, out, after, float(offer.season),
                   float(offer.stockout_switching), offer.backorders)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_market_step_through_the_handle_equals_the_generator_passed_itself(seed):
    segments = tiny_segments((40_000, 25_000))
    market, twin = AggregateMarket(segments, 3), AggregateMarket(segments, 3)
    rng, twin_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    for step in range(14):  # launches, stock-outs, utilities, seasons, switching
        offer = tiny_offer(segments, step)
        got = market.step(offer, 7.0, rng)
        want = _twin_step(twin, offer, 7.0, twin_rng)
        assert np.array_equal(got.active, want[6]) and np.array_equal(got.new_adopters, want[0])
        assert np.array_equal(market.pool, twin.pool)
        assert np.array_equal(market.lapsed, twin.lapsed)
    assert _same_state(rng, twin_rng)


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))],
                         ids=["deepcopy", "pickle"])
def test_a_copied_market_reads_its_own_generators_handle(duplicate):
    """A copy never carries the handle (addresses of the original's Generator): it reads
    its Generator's on its first step, and both go on alike from equal states."""
    segments = tiny_segments((40_000, 25_000))
    market, rng = AggregateMarket(segments, 3), np.random.default_rng(5)
    for step in range(4):
        market.step(tiny_offer(segments, step), 7.0, rng)
    clone, clone_rng = duplicate(market), copy.deepcopy(rng)
    assert clone._handle is None and clone._handle_of is None
    for step in range(4, 10):
        a = market.step(tiny_offer(segments, step), 7.0, rng)
        b = clone.step(tiny_offer(segments, step), 7.0, clone_rng)
        assert np.array_equal(a.active, b.active) and np.array_equal(a.units, b.units)
    assert _same_state(rng, clone_rng)


def test_a_new_generator_is_drawn_from_not_the_last_one():
    segments = tiny_segments((40_000, 25_000))
    market, twin = AggregateMarket(segments, 3), AggregateMarket(segments, 3)
    for k, seed in enumerate((1, 2, 1)):
        rng, twin_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        offer = tiny_offer(segments, k)
        got = market.step(offer, 7.0, rng)
        want = _twin_step(twin, offer, 7.0, twin_rng)
        assert np.array_equal(got.active, want[6])
        assert _same_state(rng, twin_rng)


def test_a_handle_is_only_made_of_a_generator():
    with pytest.raises(ValueError) as err:
        generator_handle(np.random.PCG64(1))
    assert str(err.value) == "rng must be a numpy.random.Generator, got PCG64"


@numba.njit
def _raw(handle, n):
    out = np.empty(n, np.uint64)
    for i in range(n):
        out[i] = raw_uint64(handle)
    return out


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS)
def test_raw_uint64_is_random_raw_where_listed(bit_generator):
    """``raw_uint64`` on a handle gives the bit generator's ``random_raw()`` and leaves it
    in the same state, for every type of ``RAW64_BIT_GENERATORS``; MT19937's raw output
    is 32-bit, so it is not listed and its keys are drawn in Python."""
    a, b = np.random.Generator(bit_generator(11)), np.random.Generator(bit_generator(11))
    got = _raw(generator_handle(a), 50)
    want = np.array([b.bit_generator.random_raw() for _ in range(50)], np.uint64)
    listed = bit_generator in RAW64_BIT_GENERATORS
    assert listed == (bit_generator is not np.random.MT19937)
    assert np.array_equal(got, want) == listed
    if listed:
        assert a.random() == b.random()
