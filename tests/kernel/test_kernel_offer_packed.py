"""The offer's compiled range check (``_offer_packed._in_range``) decides as the per-value
bounds did: one NumPy comparison over all values concatenated, each against its own lower
and upper bound (``twin``). Random offers with values at and beyond every bound (0, -0.0,
the smallest positive double, 1 and the next double, the largest double, infinities, NaN)
in every field, with and without a utility."""

import numpy as np
import pytest

from sim.kernel._offer_packed import _in_range

TINY = float(np.nextafter(0.0, 1.0))
HUGE = float(np.finfo(np.float64).max)
EDGES = [0.0, -0.0, TINY, -TINY, 1.0, float(np.nextafter(1.0, 2.0)), HUGE, -HUGE, np.inf,
         -np.inf, np.nan, 0.5, 3.0, -2.0]


def twin(vectors, attributes, awareness, advertising, utility):
    s, j = awareness.shape
    k = attributes.shape[1]
    # price; satisfaction and fill rate; three rates; the silent share (``PACKED_ROWS``)
    lo = [TINY] * j + [0.0] * (6 * j) + [-HUGE] * (j * k) + [0.0] * (2 * s * j)
    hi = [HUGE] * j + [1.0] * (2 * j) + [HUGE] * (3 * j) + [1.0] * j + [HUGE] * (j * k) \
        + [1.0] * (s * j) + [HUGE] * (s * j)
    arrays = [vectors, attributes, awareness, advertising]
    if utility is not None:
        lo += [-HUGE] * (s * j)
        hi += [HUGE] * (s * j)
        arrays.append(utility)
    flat = np.concatenate(arrays, axis=None)
    return bool(((flat >= np.array(lo)) & (flat <= np.array(hi))).all())


def _offer(rng):
    s, j, k = (int(x) for x in rng.integers(1, 5, size=3))
    vectors = np.vstack([rng.uniform(1, 500, (1, j)), rng.uniform(0, 1, (2, j)),
                         rng.uniform(0, 0.1, (3, j)), rng.uniform(0, 1, (1, j))])
    attributes = rng.normal(0, 3, (j, k))
    awareness = rng.uniform(0, 1, (s, j))
    advertising = rng.uniform(1, 3, (s, j))
    utility = rng.normal(0, 2, (s, j)) if rng.uniform() < 0.5 else None
    arrays = [vectors, attributes, awareness, advertising] + (
        [] if utility is None else [utility])
    for _ in range(int(rng.integers(0, 3))):  # set one value of one field to an edge
        arr = arrays[int(rng.integers(len(arrays)))]
        arr.flat[int(rng.integers(arr.size))] = EDGES[int(rng.integers(len(EDGES)))]
    return vectors, attributes, awareness, advertising, utility


@pytest.mark.parametrize("seed", range(20))
def test_the_compiled_check_decides_as_the_per_value_bounds(seed):
    rng = np.random.default_rng(seed)
    outcomes = set()
    for _ in range(200):
        vectors, attributes, awareness, advertising, utility = _offer(rng)
        want = twin(vectors, attributes, awareness, advertising, utility)
        got = _in_range(vectors, attributes, awareness, advertising,
                        awareness if utility is None else utility, utility is not None)
        assert got == want
        outcomes.add(want)
    assert outcomes == {True, False}


def test_a_validated_offer_keeps_its_vectors_as_one_array():
    """``Offer.build`` (and so ``validate``) and ``Offer.packed`` both leave ``_vectors``, the
    seven per-product vectors in ``PACKED_ROWS`` order, whose rows are the fields themselves
    (the keyed aggregate step passes it as one argument)."""
    from sim.kernel import Offer
    from tests.kernel.kernel_markets import tiny_offer, tiny_segments

    segments = tiny_segments()
    built = tiny_offer(segments, 8)  # owners silent: voice differs from satisfaction
    packed = Offer.packed(segments, built._vectors.copy(), built.attributes, built.available,
                          built.awareness, built.advertising, built.utility, built.season,
                          built.stockout_switching, built.backorders)
    for offer in (built, packed):
        assert offer._vectors.shape == (7, 3)
        np.testing.assert_array_equal(offer.voice, built.satisfaction * (1.0 - built.silent))
        for r, name in enumerate(Offer.PACKED_ROWS):
            field = getattr(offer, name)
            assert np.shares_memory(field, offer._vectors[r])
            np.testing.assert_array_equal(field, getattr(built, name))
