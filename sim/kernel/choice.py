"""Segment-level demand drivers: logit brand choice, advertising effect, attractiveness.

Brand choice is multinomial logit (McFadden 1974) on the mean utility
``V[s, j] = sum_k w[s, k] * a[j, k] - alpha[s] * log(price[j])`` among the products a
customer is aware of and can buy, plus an outside option of utility ``V0[s]`` where one is
configured. At segment level (aggregate mode) the customers who consider the category are
those reached (aware of at least one product they can buy, probability ``reach``), so a
product's weight in the choice is its awareness given reach, ``aware[s, j] / reach[s]``,
times ``exp(V)``. The share a segment gives it is exact when awareness is 0 or 1, or when
only one product can be bought, and a mean-field approximation of the mixture over
awareness sets otherwise. (Weighting by ``aware[s, j]`` alone would count awareness twice,
once in ``reach`` and once in the shares: with one product of awareness 0.5 and an outside
option of equal utility it gave a third of considering customers instead of a half.)

The category hazard uses three segment-level factors (Bass, Krishnan and Jain 1994,
Generalized Bass Model, with the marketing-mix effects entering multiplicatively):
- ``advertising_effect[s] = sum_j sigma[s, j] * advertising[s, j]`` with ``sigma`` the
  choice shares among products only (1 when every product has baseline advertising);
- ``attractiveness[s] = exp(beta[s] * (IV[s] - IV_ref[s]))`` with the inclusive value
  ``IV[s] = log sum_j aware[s, j] * exp(V[s, j])`` over available products, so lower prices
  and better products speed adoption of the category (1 when beta is 0);
- ``reach[s] = 1 - prod_j (1 - aware[s, j])`` over available products: the share of the
  segment aware of at least one product it can buy.
"""

import numpy as np

from sim.kernel import libm
from sim.kernel._numba import jit


@jit
def _base_utility(weights, attributes):
    """Attribute utility ``w[s] . a[j]``: (S, K) x (J, K) -> (S, J) float64."""
    out = np.empty((weights.shape[0], attributes.shape[0]))
    base_utility_into(weights, attributes, out)
    return out


@jit
def base_utility_into(weights, attributes, out):
    """``_base_utility`` written into ``out`` (S, J)."""
    s_count, k_count = weights.shape
    j_count = attributes.shape[0]
    for s in range(s_count):
        for j in range(j_count):
            acc = 0.0
            for k in range(k_count):
                acc += weights[s, k] * attributes[j, k]
            out[s, j] = acc


@jit
def _segment_drivers(base, alpha, outside_utility, beta, iv_ref, price, available, awareness,
                     advertising, shares, adv_effect, attract, reach):
    """Fill shares (S, J+1; column J is the outside option), adv_effect, attract, reach (S,).

    ``base`` (S, J) is the attribute utility of each product in each segment.
    """
    j_count = price.shape[0]
    segment_drivers_into(base, alpha, outside_utility, beta, iv_ref, price, available,
                         awareness, advertising, shares, adv_effect, attract, reach,
                         np.empty(j_count), np.empty(j_count))


@jit
def segment_drivers_into(base, alpha, outside_utility, beta, iv_ref, price, available,
                         awareness, advertising, shares, adv_effect, attract, reach,
                         log_price, v_sj):
    """``_segment_drivers`` with its work arrays given: ``log_price`` and ``v_sj`` (J,)."""
    s_count = base.shape[0]
    j_count = price.shape[0]
    for j in range(j_count):  # once per product, not twice per segment and product
        log_price[j] = np.log(price[j])
    for s in range(s_count):
        vmax = outside_utility[s]
        for j in range(j_count):
            v_sj[j] = base[s, j] - alpha[s] * log_price[j]
            if available[j] and awareness[s, j] > 0.0:
                if v_sj[j] > vmax:
                    vmax = v_sj[j]
        not_reached = 1.0
        for j in range(j_count):
            if available[j] and awareness[s, j] > 0.0:
                not_reached *= 1.0 - awareness[s, j]
        reach[s] = 1.0 - not_reached
        # Considering customers have been reached: weight by P(aware of j | reached).
        scale = 1.0 / reach[s] if reach[s] > 0.0 else 1.0
        total_products = 0.0
        total_aware = 0.0  # sum_j aware * exp(V - vmax), for the inclusive value
        for j in range(j_count):
            if available[j] and awareness[s, j] > 0.0:
                e = awareness[s, j] * np.exp(v_sj[j] - vmax)
                total_aware += e
                e *= scale
                shares[s, j] = e
                total_products += e
            else:
                shares[s, j] = 0.0
        e_out = 0.0
        if outside_utility[s] > -np.inf:
            e_out = np.exp(outside_utility[s] - vmax)
        total = total_products + e_out
        adv = 0.0
        if total_products > 0.0:
            for j in range(j_count):
                adv += shares[s, j] / total_products * advertising[s, j]
        adv_effect[s] = adv
        if total > 0.0:
            for j in range(j_count):
                shares[s, j] /= total
            shares[s, j_count] = e_out / total
        else:
            shares[s, j_count] = 1.0
        if beta[s] == 0.0:
            attract[s] = 1.0
        elif total_aware > 0.0:
            iv = np.log(total_aware) + vmax
            attract[s] = np.exp(min(beta[s] * (iv - iv_ref[s]), 50.0))
        else:
            attract[s] = 0.0


def base_utility(segments, offer):
    """Attribute utility (S, J): ``offer.utility`` when given, else ``w[s] . a[j]``."""
    if offer.utility is not None:
        return offer.utility
    return _base_utility(segments.attribute_weights, offer.attributes)


def segment_drivers(segments, offer):
    """Choice shares and hazard factors of every segment for one offer.

    Parameters
    ----------
    segments : Segments
    offer : Offer

    Returns
    -------
    shares : float64 (S, J + 1)
        Share of considering customers choosing each product; column J is the outside
        option. Rows sum to one.
    advertising_effect, attractiveness, reach : float64 (S,)
    """
    _, shares, adv, attract, reach = drivers(segments, offer)
    return shares, adv, attract, reach


def drivers(segments, offer):
    """``(base, shares, advertising_effect, attractiveness, reach)`` for one offer."""
    s_count, j_count = segments.n_segments, offer.n_products
    base = base_utility(segments, offer)
    shares = np.empty((s_count, j_count + 1))
    adv = np.empty(s_count)
    attract = np.empty(s_count)
    reach = np.empty(s_count)
    _segment_drivers(base, segments.price_sensitivity, segments.outside_utility,
                     segments.attractiveness_elasticity, segments.reference_inclusive_value,
                     offer.price, offer.available, offer.awareness, offer.advertising, shares,
                     adv, attract, reach)
    return base, shares, adv, attract, reach


def logit_shares(utility, outside_utility=-np.inf):
    """Multinomial-logit shares of products with mean utilities ``utility`` (J,).

    Returns float64 (J + 1,): the products' shares and, last, the outside option's
    (0 when ``outside_utility`` is -inf). Shares are in [0, 1] and sum to one.
    """
    v = np.asarray(utility, dtype=np.float64)
    if v.ndim != 1 or v.shape[0] < 1 or not np.all(np.isfinite(v)):
        raise ValueError(f"utility must be a non-empty finite 1-d array, got {v!r}")
    if np.isnan(outside_utility) or outside_utility == np.inf:
        raise ValueError(f"outside_utility must be finite or -inf, got {outside_utility}")
    allv = np.append(v, outside_utility)
    e = libm.exp(allv - allv.max())
    return e / e.sum()


def hazard_probabilities(churn_rate, churn_satisfaction_slope, replacement_rate, satisfaction,
                         dt):
    """Per-step probabilities for an owner: churn and replacement as competing risks.

    The churn hazard is ``churn_rate + slope * (1 - satisfaction)`` per day and the
    replacement hazard ``replacement_rate``; over ``dt`` days an owner has an event with
    probability ``1 - exp(-(c + r) dt)``, split between the two in proportion to the hazards.
    Returns ``(p_churn, p_replace)``, float64 (J,) each, with ``p_churn + p_replace <= 1``.
    """
    c = churn_rate + churn_satisfaction_slope * (1.0 - satisfaction)
    total = c + replacement_rate
    p_event = -libm.expm1(-total * dt)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(total > 0.0, c / np.where(total > 0.0, total, 1.0), 0.0)
    p_churn = p_event * frac
    p_replace = np.maximum(p_event - p_churn, 0.0)
    return p_churn, p_replace
