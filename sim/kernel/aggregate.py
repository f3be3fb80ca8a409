"""Aggregate mode: counts per segment and product, binomial and multinomial draws.

The cost of a step grows with segments x products, not with customers. Within a step all
transitions are decided from the state at its start (each customer makes at most one
transition per step), as in the agent mode:

- Category adoption (Bass 1969; Generalized Bass Model, Bass, Krishnan and Jain 1994).
  Potential adopters of segment s consider the category with hazard
  ``h = (p * advertising_effect + q * W) * attractiveness`` per day, where
  ``W = sum_j satisfaction[j] * active[s, j] / population[s]`` is satisfaction-weighted
  word of mouth; over ``dt`` days that is probability ``1 - exp(-h dt)``, times the reach
  (the share aware of a product they can buy). Considering customers split over the
  products and the outside option by the logit shares of ``choice.segment_drivers``; the
  outside option leaves them in the pool.
- Owners churn or buy a replacement (competing risks, ``choice.hazard_probabilities``);
  a replacement is a repeat purchase of the same product and waits while it cannot be
  bought. A share ``churn_return`` of churners returns to the pool; the rest lapse.
- Stock-outs: a customer who chooses product j finds it in stock with probability
  ``fill_rate[j]``; otherwise the sale is lost (``lost``) and the customer stays in the
  pool. A replacement buyer who finds no stock waits (replacement probability times the
  fill rate).

Randomness comes only from the ``numpy.random.Generator`` the caller passes in; Numba's
Generator methods consume the bit generator exactly as NumPy's do, so a plain-Python twin
(``tests/naive.py``) calling NumPy in the same order reproduces the kernel exactly.
"""

import numpy as np

from sim.kernel._numba import jit
from sim.kernel.choice import drivers, hazard_probabilities
from sim.kernel.outcome import StepOutcome
from sim.kernel.params import Offer, Segments


@jit
def _step_aggregate(rng, dt, p, q, churn_return, shares, adv_effect, attract, reach,
                    satisfaction, p_churn, p_replace, available, fill_rate, pool, lapsed,
                    active, new_adopters, units, replacements, churners, returned, lost):
    """One aggregate step, in place on pool (S,), lapsed (S,), active (S, J); int64."""
    s_count, j_count = active.shape
    for s in range(s_count):
        owners = 0
        wom = 0.0
        for j in range(j_count):
            owners += active[s, j]
            wom += satisfaction[j] * active[s, j]
        population = pool[s] + lapsed[s] + owners
        if population > 0:
            wom /= population
        hazard = (p[s] * adv_effect[s] + q[s] * wom) * attract[s]
        prob = -np.expm1(-hazard * dt) * reach[s]
        considering = 0
        if pool[s] > 0 and prob > 0.0:
            considering = rng.binomial(pool[s], min(prob, 1.0))
        # Multinomial split of the considering customers by sequential binomials; the
        # remainder after the products chose the outside option.
        remaining = considering
        for j in range(j_count):
            new_adopters[s, j] = 0
            if remaining == 0 or shares[s, j] <= 0.0:
                continue
            tail = 0.0
            for k in range(j, j_count + 1):
                tail += shares[s, k]
            ratio = shares[s, j] / tail
            x = remaining if ratio >= 1.0 else rng.binomial(remaining, ratio)
            new_adopters[s, j] = x
            remaining -= x
        # Stock-outs: a chooser finds the product in stock with probability fill_rate;
        # the others are lost sales and stay in the pool.
        for j in range(j_count):
            x = new_adopters[s, j]
            if x > 0 and fill_rate[j] < 1.0:
                miss = rng.binomial(x, 1.0 - fill_rate[j])
                lost[s, j] = miss
                new_adopters[s, j] = x - miss
        adopted = 0
        back = 0
        for j in range(j_count):
            n = active[s, j]
            c = 0
            r = 0
            b = 0
            if n > 0 and p_churn[j] > 0.0:
                c = rng.binomial(n, p_churn[j])
            if n - c > 0 and p_replace[j] > 0.0 and available[j] and fill_rate[j] > 0.0:
                r = rng.binomial(n - c, min(p_replace[j] * fill_rate[j] / (1.0 - p_churn[j]), 1.0))
            if c > 0 and churn_return[s] > 0.0:
                b = rng.binomial(c, churn_return[s])
            churners[s, j] = c
            replacements[s, j] = r
            returned[s, j] = b
            units[s, j] = new_adopters[s, j] + r
            active[s, j] = n - c + new_adopters[s, j]
            adopted += new_adopters[s, j]
            back += b
            lapsed[s] += c - b
        pool[s] += back - adopted


def _check_dt(dt):
    if not np.isfinite(dt) or dt <= 0.0:
        raise ValueError(f"dt must be a finite number of days > 0, got {dt}")
    return float(dt)


class AggregateMarket:
    """State and step of the aggregate-mode market.

    Parameters
    ----------
    segments : Segments
    n_products : int
        Number of products J (launched or not; availability is in each ``Offer``).
    initial_active : int (S, J), optional
        Owners of each product at the start (an incumbent's installed base).
    initial_lapsed : int (S,), optional
        Customers outside the category at the start.
    """

    def __init__(self, segments: Segments, n_products: int, initial_active=None,
                 initial_lapsed=None):
        if not isinstance(segments, Segments):
            raise ValueError(f"segments must be a Segments, got {type(segments).__name__}")
        segments.validate()
        if int(n_products) < 1:
            raise ValueError(f"n_products must be >= 1, got {n_products}")
        self.segments = segments
        self.n_products = int(n_products)
        j = self.n_products
        active, lapsed = _initial_state(segments, j, initial_active, initial_lapsed)
        self.active = active
        self.lapsed = lapsed
        self.pool = segments.population - lapsed - active.sum(axis=1)

    def step(self, offer: Offer, dt: float, rng: np.random.Generator) -> StepOutcome:
        """Advance the market by ``dt`` days under ``offer``; draws come from ``rng``."""
        dt = _check_dt(dt)
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        _check_offer(offer, self.segments, self.n_products)
        seg = self.segments
        s, j = seg.n_segments, self.n_products
        _, shares, adv, attract, reach = drivers(seg, offer)
        p_churn, p_replace = hazard_probabilities(
            offer.churn_rate, offer.churn_satisfaction_slope, offer.replacement_rate,
            offer.satisfaction, dt)
        flows = [np.zeros((s, j), np.int64) for _ in range(6)]
        _step_aggregate(rng, dt, seg.p, seg.q, seg.churn_return, shares, adv, attract, reach,
                        offer.satisfaction, p_churn, p_replace, offer.available,
                        offer.fill_rate, self.pool, self.lapsed, self.active, *flows)
        new, units, repl, churn, back, lost = flows
        return StepOutcome(new, units, repl, churn, back, self.active.copy(), self.pool.copy(),
                           self.lapsed.copy(), lost)


def _check_offer(offer, segments, n_products):
    if not isinstance(offer, Offer):
        raise ValueError(f"offer must be an Offer, got {type(offer).__name__}")
    if offer.n_products != n_products:
        raise ValueError(f"offer.price must have {n_products} products, got {offer.n_products}")
    if not offer.validated_for(segments):
        offer.validate(segments)


def _initial_state(segments, n_products, initial_active, initial_lapsed):
    s = segments.n_segments
    if initial_active is None:
        active = np.zeros((s, n_products), np.int64)
    else:
        active = np.asarray(initial_active)
        if active.shape != (s, n_products):
            raise ValueError(f"initial_active must have shape {(s, n_products)}, got {active.shape}")
        if not np.issubdtype(active.dtype, np.integer) or np.any(active < 0):
            raise ValueError(f"initial_active must hold counts >= 0, got {active!r}")
        active = active.astype(np.int64).copy()
    if initial_lapsed is None:
        lapsed = np.zeros(s, np.int64)
    else:
        lapsed = np.asarray(initial_lapsed)
        if lapsed.shape != (s,):
            raise ValueError(f"initial_lapsed must have shape {(s,)}, got {lapsed.shape}")
        if not np.issubdtype(lapsed.dtype, np.integer) or np.any(lapsed < 0):
            raise ValueError(f"initial_lapsed must hold counts >= 0, got {lapsed!r}")
        lapsed = lapsed.astype(np.int64).copy()
    over = active.sum(axis=1) + lapsed > segments.population
    if np.any(over):
        raise ValueError(
            "initial_active plus initial_lapsed exceed population in segment "
            f"{int(np.argmax(over))}: {int(active.sum(axis=1)[over][0] + lapsed[over][0])} > "
            f"{int(segments.population[over][0])}")
    return active, lapsed
