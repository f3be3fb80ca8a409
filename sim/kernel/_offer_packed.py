"""The demand kernel's per-step offer check (``Offer.packed``, ``sim.kernel.params``).

A market builds a new ``Offer`` every step from arrays it has just made. ``packed`` takes
the seven per-product vectors stacked in one (7, J) array and tests every value against
its own lower and upper bound in one pass over all values (price in (0, inf), shares in
[0, 1], rates in [0, inf), attributes and utility finite: NaN fails every comparison); an
offer not plainly valid goes through ``Offer.build``, whose error names the field and the
value. Both set the derived ``voice``, ``satisfaction * (1 - silent)`` (``set_voice``).
"""

import math

import numpy as np

from sim.kernel._numba import jit

_TINY = float(np.nextafter(0.0, 1.0))  # x > 0 exactly when x >= _TINY
_HUGE = float(np.finfo(np.float64).max)  # x < inf exactly when x <= _HUGE


@jit
def _within(x, lo, hi):
    """Whether every value of ``x`` lies in [lo, hi] (NaN fails)."""
    for v in x.flat:
        if not (v >= lo and v <= hi):
            return False
    return True


@jit
def _in_range(vectors, attributes, awareness, advertising, utility, has_utility):
    """Whether every value is in its range: price in (0, inf), satisfaction, fill rate and
    silent share in [0, 1], rates in [0, inf), attributes finite, awareness in [0, 1],
    advertising in [0, inf), utility (where ``has_utility``) finite. One compiled pass, NaN failing every
    comparison (``tests/kernel/test_kernel_offer_packed.py`` keeps the per-value bounds of
    one NumPy comparison over all values as its twin)."""
    return (_within(vectors[0], _TINY, _HUGE) and _within(vectors[1:3], 0.0, 1.0)
            and _within(vectors[3:6], 0.0, _HUGE) and _within(vectors[6], 0.0, 1.0)
            and _within(attributes, -_HUGE, _HUGE)
            and _within(awareness, 0.0, 1.0) and _within(advertising, 0.0, _HUGE)
            and (not has_utility or _within(utility, -_HUGE, _HUGE)))


def packed(cls, segments, vectors, attributes, available, awareness, advertising,
           utility=None, season=1.0, stockout_switching=0.0, backorders=None):
    """``Offer.packed``: a validated offer (of class ``cls``) from the per-product vectors
    stacked in one float64 (7, J) array ``vectors`` (rows ``Offer.PACKED_ROWS``; the
    offer's fields are views of its rows), the other arguments as in ``Offer.build``: the
    per-step path. Every range is tested in one compiled pass over all values
    (``_in_range``); anything not plainly valid goes through ``Offer.build``, which names
    what is wrong."""
    arrays = (vectors, attributes, awareness, advertising) + (
        () if utility is None else (utility,))
    for arr in arrays:
        if type(arr) is not np.ndarray or arr.dtype != np.float64 \
                or not arr.flags.c_contiguous:
            return _unpacked(cls, segments, vectors, attributes, available, awareness,
                             advertising, utility, season, stockout_switching, backorders)
    j, s, k = vectors.shape[-1], segments.n_segments, segments.n_attributes
    shaped = (vectors.shape == (7, j) and j >= 1 and attributes.shape == (j, k)
              and awareness.shape == (s, j) and advertising.shape == (s, j)
              and (utility is None or utility.shape == (s, j))
              and type(available) is np.ndarray and available.dtype == np.bool_
              and available.shape == (j,)
              and type(backorders) is np.ndarray and backorders.dtype == np.bool_
              and backorders.shape == (j,)
              and isinstance(season, (float, int)) and 0.0 <= season < math.inf
              and isinstance(stockout_switching, (float, int))
              and 0.0 <= stockout_switching <= 1.0)
    if shaped:  # every range, NaN failing every comparison
        shaped = _in_range(vectors, attributes, awareness, advertising,
                           awareness if utility is None else utility, utility is not None)
    if not shaped:
        return _unpacked(cls, segments, vectors, attributes, available, awareness,
                         advertising, utility, season, stockout_switching, backorders)
    offer = object.__new__(cls)
    # the rows by index: 0.5 us against 0.75 for unpacking the array's iterator
    price, satisfaction, fill_rate, churn_rate, slope, replacement, silent = (
        vectors[0], vectors[1], vectors[2], vectors[3], vectors[4], vectors[5], vectors[6])
    offer.__dict__.update(
        price=price, attributes=attributes, available=available, awareness=awareness,
        advertising=advertising, satisfaction=satisfaction, churn_rate=churn_rate,
        churn_satisfaction_slope=slope, replacement_rate=replacement,
        fill_rate=fill_rate, utility=utility, season=float(season),
        stockout_switching=float(stockout_switching), backorders=backorders,
        silent=silent, _vectors=vectors, _validated_for=segments)
    set_voice(offer)
    return offer


def _unpacked(cls, segments, vectors, attributes, available, awareness, advertising,
              utility, season, stockout_switching, backorders):
    """``build`` from ``packed``'s arguments (its errors name the field)."""
    vec = np.asarray(vectors)
    if vec.ndim != 2 or vec.shape[0] != len(cls.PACKED_ROWS):
        raise ValueError(f"vectors must have shape ({len(cls.PACKED_ROWS)}, J) (rows "
                         f"{', '.join(cls.PACKED_ROWS)}), got {vec.shape}")
    return cls.build(segments, attributes=attributes, available=available,
                     awareness=awareness, advertising=advertising, utility=utility,
                     season=season, stockout_switching=stockout_switching,
                     backorders=backorders,
                     **{name: vec[r] for r, name in enumerate(cls.PACKED_ROWS)})


def pack_vectors(offer) -> None:
    """Stack a validated offer's per-product vectors (``Offer.PACKED_ROWS``) in one (7, J)
    array, ``_vectors``, and make the fields its rows: the keyed aggregate step takes them
    as one argument (``AggregateMarket.step``). ``packed`` offers have it already."""
    vectors = np.stack([getattr(offer, name) for name in offer.PACKED_ROWS])
    for r, name in enumerate(offer.PACKED_ROWS):
        object.__setattr__(offer, name, vectors[r])
    object.__setattr__(offer, "_vectors", vectors)
    set_voice(offer)


def set_voice(offer) -> None:
    """The offer's ``voice``: each product's weight in word of mouth, its satisfaction times
    the share of its owners who talk (``1 - silent``; ``satisfaction`` itself where nobody
    is silent)."""
    silent = offer.silent
    # count_nonzero: 0.2 us against 1 us for ndarray.any on a few values (NaN counts too)
    voice = (offer.satisfaction * (1.0 - silent) if np.count_nonzero(silent)
             else offer.satisfaction)
    object.__setattr__(offer, "voice", voice)
