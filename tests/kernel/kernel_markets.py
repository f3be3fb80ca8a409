"""Small markets shared by the kernel tests (built from ``Segments.build``/``Offer.build``)."""

import numpy as np

from sim.kernel import Offer, Segments


def tiny_segments(populations=(150, 110)):
    """Two segments, two attributes; outside option, churn return, tastes, GBM elasticity."""
    return Segments.build(
        population=list(populations),
        p=[0.004, 0.003],
        q=[0.06, 0.08],
        attribute_weights=[[1.0, 0.4], [0.3, 1.2]],
        price_sensitivity=[1.5, 2.5],
        outside_utility=[0.2, -0.4],
        attractiveness_elasticity=[0.3, 0.0],
        reference_inclusive_value=[0.5, 0.0],
        churn_return=[0.4, 0.7],
        taste_sd=[0.3, 0.0],
        price_sensitivity_sd=[0.2, 0.4],
    )


def tiny_offer(segments, step=0, awareness=None):
    """Three products; the third launches at step 3; awareness grows with ``step``.

    Product 0 is a durable with replacement, product 1 a subscription with churn driven by
    dissatisfaction, product 2 both. Products 0 and 2 run short of stock in steps 5-8
    (fill rates below one); from step 9 the attribute utility is given directly (as
    drifting ideal points would), replacing ``weights . attributes``; from step 10 demand
    is seasonal (the category hazard scaled by 1.7, 0.6, 1.0, ...); from step 6 half of
    the stocked-out choosers switch to another product at once, and from step 7 product 0
    takes backorders (its other stocked-out choosers wait) and from step 8 a share of
    its owners wait for their unit and do not talk yet (``silent``).
    """
    s = segments.n_segments
    if awareness is None:
        grow = min(1.0, 0.35 + 0.08 * step)
        awareness = np.array([[grow, 0.9, 0.5 * grow], [0.6, grow, 0.7]])[:s]
    return Offer.build(
        segments,
        price=[1.0 - 0.01 * step, 1.3, 0.8],
        attributes=[[1.0, 0.5], [1.4, 0.2], [0.6, 1.1]],
        available=[True, True, step >= 3],
        awareness=awareness,
        advertising=np.array([[1.5, 1.0, 2.0], [1.0, 1.2, 0.8]])[:s],
        satisfaction=[0.8, 0.6, 0.9],
        churn_rate=[0.002, 0.004, 0.001],
        churn_satisfaction_slope=[0.0, 0.02, 0.01],
        replacement_rate=[0.01, 0.0, 0.005],
        fill_rate=[0.6, 1.0, 0.3] if 5 <= step <= 8 else None,
        utility=(np.array([[1.1, 1.3, 0.4], [0.2, 0.7, 1.5]])[:s] if step >= 9 else None),
        season=(1.0, 1.7, 0.6)[step % 3] if step >= 10 else 1.0,
        stockout_switching=0.5 if step >= 6 else 0.0,
        backorders=[step >= 7, False, False],
        silent=[0.3, 0.0, 0.0] if step >= 8 else None,
    )


def mixed_market(populations=(20000, 15000), awareness=1.0, taste_sd=0.0, outside=(0.0, -0.5)):
    """Three products, churn, replacement and an outside option; for mode comparisons."""
    segments = Segments.build(
        population=list(populations),
        p=[0.004, 0.006],
        q=[0.08, 0.05],
        attribute_weights=[[1.0, 0.5], [0.4, 1.0]],
        price_sensitivity=[1.2, 2.0],
        outside_utility=list(outside),
        attractiveness_elasticity=[0.2, 0.0],
        reference_inclusive_value=[1.0, 0.0],
        churn_return=[0.5, 0.3],
        taste_sd=[taste_sd, taste_sd],
    )
    offer = Offer.build(
        segments,
        price=[1.0, 1.4, 0.8],
        attributes=[[1.0, 0.6], [1.5, 0.8], [0.5, 0.9]],
        awareness=np.full((2, 3), awareness),
        advertising=[[1.5, 1.0, 1.0], [1.0, 1.3, 1.0]],
        satisfaction=[0.9, 0.7, 0.8],
        churn_rate=[0.003, 0.002, 0.004],
        churn_satisfaction_slope=[0.01, 0.01, 0.0],
        replacement_rate=[0.004, 0.0, 0.006],
    )
    return segments, offer
