"""The demand kernel's segments from the market's config: Bass p and q per day, attribute
weights, price sensitivity, the outside option and the attractiveness reference product."""

import math

import numpy as np

from sim.config import ATTRIBUTES
from sim.kernel import Segments
from sim.units import per_year_to_per_day


def build_segments(market_cfg, preferences=None) -> Segments:
    """Kernel segments from the market config (p, q converted from per year to per day).

    ``preferences`` (``sim.market.preferences.Preferences``): where segments have ideal points, the
    attractiveness reference product is valued by the ideal-point utility at day 0.
    """
    segs = market_cfg.segments
    weights = np.array([[s.attribute_weights.get(a, 0.0) for a in ATTRIBUTES] for s in segs])
    alpha = np.array([s.price_sensitivity for s in segs])
    # reference product: attributes at the segment's expectation, at the reference price
    if preferences is not None and preferences.any_ideal:
        base = preferences.reference_utility([s.quality_expectation for s in segs])
        ref = np.array([base[k] - alpha[k] * math.log(s.reference_price)
                        for k, s in enumerate(segs)])
    else:
        ref = np.array([weights[k].sum() * s.quality_expectation - alpha[k] * math.log(s.reference_price)
                        for k, s in enumerate(segs)])
    return Segments.build(
        population=np.array([s.size for s in segs], dtype=np.int64),
        p=per_year_to_per_day(np.array([s.p for s in segs])),
        q=per_year_to_per_day(np.array([s.q for s in segs])),
        attribute_weights=weights,
        price_sensitivity=alpha,
        outside_utility=np.array([-np.inf if s.outside_utility is None else s.outside_utility
                                  for s in segs]),
        attractiveness_elasticity=np.array([s.attractiveness_elasticity for s in segs]),
        reference_inclusive_value=ref,
        churn_return=np.array([s.churn_return for s in segs]),
        taste_sd=np.array([s.taste_sd for s in segs]),
        price_sensitivity_sd=np.array([s.price_sensitivity_sd for s in segs]),
    )
