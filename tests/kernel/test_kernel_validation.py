"""Bad inputs raise ValueError naming the argument."""

import numpy as np
import pytest
from kernel_markets import tiny_offer, tiny_segments

from sim.kernel import (
    AgentMarket,
    AggregateMarket,
    Network,
    Offer,
    Segments,
    bass_cdf,
    build_network,
    heavy_tailed,
    watts_strogatz,
)

GOOD_SEGMENTS = {"population": [100, 50], "p": [0.01, 0.02], "q": [0.1, 0.2]}


@pytest.mark.parametrize("change, match", [
    ({"population": [-1, 50]}, "population must be >= 0"),
    ({"population": [10.5, 50]}, "population must hold whole numbers"),
    ({"population": [[10, 50]]}, "population must be a non-empty 1-d array"),
    ({"p": [0.01, -0.02]}, "^p must be >= 0"),
    ({"q": [0.1, np.nan]}, "^q must be finite"),
    ({"p": [0.01, 0.02, 0.03]}, r"^p must have shape \(2,\)"),
    ({"churn_return": [0.5, 1.5]}, "churn_return must be <= 1"),
    ({"churn_return": [-0.1, 0.5]}, "churn_return must be >= 0"),
    ({"attribute_weights": [[1.0], [2.0], [3.0]]}, "attribute_weights must have shape"),
    ({"price_sensitivity": [1.0, -1.0]}, "price_sensitivity must be >= 0"),
    ({"outside_utility": [0.0, np.inf]}, "outside_utility must be finite or -inf"),
    ({"taste_sd": [0.1, np.inf]}, "taste_sd must be finite"),
    ({"population": [2**31, 1]}, "population must be < 2\\*\\*31"),
])
def test_bad_segments(change, match):
    with pytest.raises(ValueError, match=match):
        Segments.build(**{**GOOD_SEGMENTS, **change})


@pytest.mark.parametrize("change, match", [
    ({"price": [1.0, np.nan]}, "price must be finite"),
    ({"price": [1.0, 0.0]}, "price must be > 0"),
    ({"price": [1.0, -2.0]}, "price must be > 0"),
    ({"awareness": [[0.5, 1.2], [0.1, 0.1]]}, "awareness must be <= 1"),
    ({"awareness": [[0.5, -0.2], [0.1, 0.1]]}, "awareness must be >= 0"),
    ({"awareness": [[0.5, 0.5]]}, r"awareness must have shape \(2, 2\)"),
    ({"satisfaction": [0.5, 1.01]}, "satisfaction must be <= 1"),
    ({"satisfaction": [-0.5, 1.0]}, "satisfaction must be >= 0"),
    ({"attributes": [[1.0, 2.0], [1.0, 2.0]]}, r"attributes must have shape \(2, 1\)"),
    ({"available": [1, 0]}, "available must be boolean"),
    ({"churn_rate": [0.1, -0.1]}, "churn_rate must be >= 0"),
    ({"replacement_rate": [0.1]}, "replacement_rate must have shape"),
    ({"advertising": [[1.0, np.inf], [1.0, 1.0]]}, "advertising must be finite"),
])
def test_bad_offer(change, match):
    segments = Segments.build(**GOOD_SEGMENTS)
    with pytest.raises(ValueError, match=match):
        Offer.build(segments, **{"price": [1.0, 2.0], **change})


def _ready_offer(segments, **change):
    """An Offer of ready float64/bool arrays (the per-step fast path of ``validate``)."""
    good = Offer.build(segments, price=[1.0, 2.0], utility=np.zeros((2, 2)),
                       backorders=np.array([False, True]), season=1.0)
    values = {f: getattr(good, f) for f in good.__dataclass_fields__}
    values = {f: v.copy() if isinstance(v, np.ndarray) else v for f, v in values.items()}
    for name, (index, bad) in change.items():
        if index is None:
            values[name] = bad
        else:
            values[name][index] = bad
    return Offer(**values)


@pytest.mark.parametrize("change, match", [
    ({"price": (1, np.nan)}, "price must be finite"),
    ({"price": (0, 0.0)}, "price must be > 0"),
    ({"price": (0, np.inf)}, "price must be finite"),
    ({"awareness": ((1, 1), 1.5)}, "awareness must be <= 1"),
    ({"awareness": ((0, 1), np.nan)}, "awareness must be finite"),
    ({"satisfaction": (0, -0.1)}, "satisfaction must be >= 0"),
    ({"fill_rate": (1, 1.01)}, "fill_rate must be <= 1"),
    ({"silent": (0, 1.5)}, "silent must be <= 1"),
    ({"silent": (1, np.nan)}, "silent must be finite"),
    ({"advertising": ((1, 0), -1.0)}, "advertising must be >= 0"),
    ({"advertising": ((1, 0), np.inf)}, "advertising must be finite"),
    ({"churn_rate": (0, np.nan)}, "churn_rate must be finite"),
    ({"churn_satisfaction_slope": (1, -0.5)}, "churn_satisfaction_slope must be >= 0"),
    ({"replacement_rate": (1, np.inf)}, "replacement_rate must be finite"),
    ({"attributes": ((0, 0), np.nan)}, "attributes must be finite"),
    ({"utility": ((1, 1), -np.inf)}, "utility must be finite"),
    ({"season": (None, -1.0)}, "season must be >= 0"),
    ({"season": (None, np.nan)}, "season must be finite"),
    ({"stockout_switching": (None, 1.5)}, "stockout_switching must be <= 1"),
    ({"available": (None, np.array([1.0, 0.0]))}, "available must be boolean"),
    ({"price": (None, np.array([1.0, 2.0, 3.0]))}, "must have shape"),
])
def test_bad_offer_of_ready_arrays(change, match):
    """Offers made of arrays that already have their dtype and shape (as the market builds
    them every step) take the quick check; a bad value still gets the named error."""
    segments = Segments.build(**GOOD_SEGMENTS)
    with pytest.raises(ValueError, match=match):
        _ready_offer(segments, **change).validate(segments)


def test_quick_and_full_offer_checks_agree():
    """A good offer of ready arrays passes the quick check with the same values the full
    check leaves (dtypes, shapes, scalars as floats)."""
    segments = Segments.build(**GOOD_SEGMENTS)
    quick = _ready_offer(segments, season=(None, 2), stockout_switching=(None, 1))
    assert quick._plainly_valid(segments)
    full = _ready_offer(segments, season=(None, 2), stockout_switching=(None, 1))
    quick.validate(segments)
    full._validate(segments)
    assert quick.validated_for(segments) and full.validated_for(segments)
    for f in quick.__dataclass_fields__:
        a, b = getattr(quick, f), getattr(full, f)
        assert type(a) is type(b)
        np.testing.assert_array_equal(a, b)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape


def test_bad_step_arguments():
    seg = tiny_segments()
    offer = tiny_offer(seg)
    aggregate = AggregateMarket(seg, 3)
    agents = AgentMarket(seg, 3, seed=0)
    rng = np.random.default_rng(0)
    for dt in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="dt must be"):
            aggregate.step(offer, dt, rng)
        with pytest.raises(ValueError, match="dt must be"):
            agents.step(offer, dt)
    for bad_rng in (np.random.RandomState(0), 0, None):
        with pytest.raises(ValueError, match="rng must be a numpy.random.Generator"):
            aggregate.step(offer, 1.0, bad_rng)
    two_products = Offer.build(seg, price=[1.0, 2.0])
    with pytest.raises(ValueError, match="offer.price must have 3 products"):
        aggregate.step(two_products, 1.0, rng)
    with pytest.raises(ValueError, match="offer.price must have 3 products"):
        agents.step(two_products, 1.0)
    with pytest.raises(ValueError, match="offer must be an Offer"):
        agents.step({"price": [1.0, 1.0, 1.0]}, 1.0)


def test_unvalidated_offer_is_checked_at_step():
    """An Offer made directly (not by build or validate) is validated when it is stepped."""
    seg = tiny_segments()
    offer = Offer.build(seg, price=[1.0, 2.0, 3.0])
    bad = Offer(**{f: getattr(offer, f) for f in offer.__dataclass_fields__} | {
        "price": np.array([1.0, -2.0, 3.0])})
    with pytest.raises(ValueError, match="price must be > 0"):
        AggregateMarket(seg, 3).step(bad, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="price must be > 0"):
        AgentMarket(seg, 3, seed=0).step(bad, 1.0)


def test_bad_market_construction():
    seg = tiny_segments()
    n = int(seg.population.sum())
    with pytest.raises(ValueError, match="segments must be a Segments"):
        AggregateMarket({"population": [1]}, 3)
    with pytest.raises(ValueError, match="n_products must be >= 1"):
        AggregateMarket(seg, 0)
    with pytest.raises(ValueError, match="n_products must be in"):
        AgentMarket(seg, 128, seed=0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        AgentMarket(seg, 3, seed=-1)
    with pytest.raises(ValueError, match="chunk_size must be >= 1"):
        AgentMarket(seg, 3, seed=0, chunk_size=0)
    with pytest.raises(ValueError, match=f"network must have {n} nodes"):
        AgentMarket(seg, 3, seed=0, network=watts_strogatz(n + 1, 4, 0.1))
    with pytest.raises(ValueError, match="network must be a Network"):
        AgentMarket(seg, 3, seed=0, network=np.eye(n))
    with pytest.raises(ValueError, match="initial_active must have shape"):
        AggregateMarket(seg, 3, initial_active=np.zeros((2, 2), np.int64))
    with pytest.raises(ValueError, match="initial_active must hold counts >= 0"):
        AgentMarket(seg, 3, seed=0, initial_active=[[-1, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="initial_lapsed must hold counts"):
        AggregateMarket(seg, 3, initial_lapsed=[0.5, 1.0])
    with pytest.raises(ValueError, match="exceed population in segment 1"):
        AgentMarket(seg, 3, seed=0, initial_active=[[0, 0, 0], [100, 10, 0]],
                    initial_lapsed=[0, 1])


def test_bad_networks():
    with pytest.raises(ValueError, match="n_nodes must be"):
        watts_strogatz(1, 2, 0.1)
    with pytest.raises(ValueError, match="mean_degree must be an even integer"):
        watts_strogatz(100, 5, 0.1)
    with pytest.raises(ValueError, match="mean_degree must be in"):
        heavy_tailed(100, 100.0)
    with pytest.raises(ValueError, match="rewire must be in"):
        watts_strogatz(100, 4, 1.5)
    with pytest.raises(ValueError, match="exponent must be > 2"):
        heavy_tailed(100, 4.0, exponent=2.0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        heavy_tailed(100, 4.0, seed=-3)
    with pytest.raises(ValueError, match="network kind"):
        build_network("scale_free", 100)
    good = watts_strogatz(10, 2, 0.0)
    with pytest.raises(ValueError, match="network.indices must be a 1-d int32"):
        Network(good.indptr, good.indices.astype(np.int64)).validate()
    with pytest.raises(ValueError, match="network.indices must lie in"):
        Network(good.indptr, good.indices + 5).validate()
    with pytest.raises(ValueError, match="network.indptr must"):
        Network(good.indptr[::-1].copy(), good.indices).validate()


def test_bad_bass_arguments():
    with pytest.raises(ValueError, match="^p must"):
        bass_cdf(1.0, 0.0, 0.1)
    with pytest.raises(ValueError, match="^q must"):
        bass_cdf(1.0, 0.01, -0.1)


def _packed_args(segments, **change):
    """``Offer.packed``'s arguments from a good offer's ready arrays, with ``change``
    applied as in ``_ready_offer``."""
    good = _ready_offer(segments, **change)
    return dict(vectors=np.array([np.asarray(getattr(good, r), float)
                                  if np.shape(getattr(good, r)) == (2,) else np.zeros(2)
                                  for r in Offer.PACKED_ROWS]),
                attributes=good.attributes, available=good.available,
                awareness=good.awareness, advertising=good.advertising,
                utility=good.utility, season=good.season,
                stockout_switching=good.stockout_switching, backorders=good.backorders)


@pytest.mark.parametrize("change, match", [
    (c, m) for c, m in [
        ({"price": (1, np.nan)}, "price must be finite"),
        ({"price": (0, 0.0)}, "price must be > 0"),
        ({"price": (0, -1e-300)}, "price must be > 0"),
        ({"price": (0, np.inf)}, "price must be finite"),
        ({"awareness": ((1, 1), 1.5)}, "awareness must be <= 1"),
        ({"awareness": ((0, 1), -1e-12)}, "awareness must be >= 0"),
        ({"awareness": ((0, 1), np.nan)}, "awareness must be finite"),
        ({"satisfaction": (0, -0.1)}, "satisfaction must be >= 0"),
        ({"satisfaction": (1, 1.0 + 1e-15)}, "satisfaction must be <= 1"),
        ({"fill_rate": (1, 1.01)}, "fill_rate must be <= 1"),
        ({"fill_rate": (0, np.nan)}, "fill_rate must be finite"),
        ({"silent": (1, -1e-12)}, "silent must be >= 0"),
        ({"silent": (0, 1.0 + 1e-15)}, "silent must be <= 1"),
        ({"advertising": ((1, 0), -1.0)}, "advertising must be >= 0"),
        ({"advertising": ((1, 0), np.inf)}, "advertising must be finite"),
        ({"churn_rate": (0, np.nan)}, "churn_rate must be finite"),
        ({"churn_rate": (1, -1e-300)}, "churn_rate must be >= 0"),
        ({"churn_satisfaction_slope": (1, -0.5)}, "churn_satisfaction_slope must be >= 0"),
        ({"replacement_rate": (1, np.inf)}, "replacement_rate must be finite"),
        ({"attributes": ((0, 0), np.nan)}, "attributes must be finite"),
        ({"attributes": ((1, 0), -np.inf)}, "attributes must be finite"),
        ({"utility": ((1, 1), -np.inf)}, "utility must be finite"),
        ({"season": (None, -1.0)}, "season must be >= 0"),
        ({"season": (None, np.nan)}, "season must be finite"),
        ({"stockout_switching": (None, 1.5)}, "stockout_switching must be <= 1"),
        ({"available": (None, np.array([1.0, 0.0]))}, "available must be boolean"),
        ({"backorders": (None, np.array([1, 0]))}, "backorders must be boolean"),
        ({"attributes": (None, np.zeros((2, 3)))}, r"attributes must have shape \(2, 1\)"),
        ({"awareness": (None, np.ones((3, 2)))}, r"awareness must have shape \(2, 2\)"),
    ]
])
def test_packed_offer_names_what_is_wrong(change, match):
    """The market's per-step path (one pass against per-value bounds) refuses every value
    the full check refuses, with the full check's message."""
    segments = Segments.build(**GOOD_SEGMENTS)
    with pytest.raises(ValueError, match=match):
        Offer.packed(segments, **_packed_args(segments, **change))


@pytest.mark.parametrize("change", [
    {},
    {"price": (0, 5e-324)},                        # the smallest positive price
    {"price": (1, 1.7e308)},
    {"awareness": ((0, 0), 0.0)}, {"awareness": ((1, 1), 1.0)},
    {"satisfaction": (0, 0.0)}, {"fill_rate": (1, 1.0)}, {"silent": (1, 1.0)},
    {"churn_rate": (0, 0.0)}, {"advertising": ((1, 1), 1e300)},
    {"attributes": ((1, 0), -1e308)}, {"utility": (None, None)},
    {"season": (None, 0)}, {"stockout_switching": (None, 1)},
])
def test_packed_offer_equals_the_built_one(change, monkeypatch):
    """Values at the bounds pass the quick path (the full check is not called) and the
    offer holds what ``build`` makes of the same inputs, dtypes and shapes included."""
    segments = Segments.build(**GOOD_SEGMENTS)
    args = _packed_args(segments, **change)
    built = Offer.build(segments, **{r: args["vectors"][i]
                                     for i, r in enumerate(Offer.PACKED_ROWS)},
                        **{k: v for k, v in args.items() if k != "vectors"})
    calls = []
    monkeypatch.setattr(Offer, "build", lambda *a, **k: calls.append(1))
    packed = Offer.packed(segments, **args)
    assert not calls and packed.validated_for(segments)
    for f in built.__dataclass_fields__:
        a, b = getattr(packed, f), getattr(built, f)
        assert type(a) is type(b), f
        np.testing.assert_array_equal(a, b)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape and a.flags.c_contiguous


def test_packed_offer_of_wrong_vectors():
    segments = Segments.build(**GOOD_SEGMENTS)
    args = _packed_args(segments)
    args["vectors"] = np.ones((6, 2))
    with pytest.raises(ValueError, match=r"vectors must have shape \(7, J\)"):
        Offer.packed(segments, **args)
    args["vectors"] = np.ones((7, 2), np.float32)  # converted by the full path
    assert Offer.packed(segments, **args).price.dtype == np.float64
