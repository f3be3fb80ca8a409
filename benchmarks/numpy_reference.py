"""A plain vectorised NumPy implementation of the demand kernel, for the benchmark's ratio.

Same model semantics as ``sim.kernel.agent.AgentMarket`` (agent mode) and
``sim.kernel.aggregate.AggregateMarket`` (aggregate mode), written the way a competent NumPy
developer would: whole-array operations, ``numpy.random.Generator`` draws, no Numba. It is
equal to the kernel in distribution, not bitwise (the kernel draws from a counter hash).

Agent mode, per step and all from the state at the start of the step:

- every customer gets one uniform ``u``; customers with ``u`` below an upper bound of every
  event probability are the candidates (thinning: the exact decision ``u < prob_i`` can only
  be true for them, so this is exact and saves the per-customer work for the ~95% without an
  event);
- a candidate in the pool adopts the category when ``u < 1 - exp(-h dt)``,
  ``h = (p * advertising_effect + q * W_i) * attractiveness``, with ``W_i`` the
  satisfaction-weighted share of its network neighbours owning a product (from per-customer
  neighbour counts per product), or the segment's share when fully mixed; it then chooses by
  logit among the products it is aware of and can buy, plus the outside option;
- a candidate owner of j churns when ``u < p_churn[j]`` (returning to the pool when
  ``u < p_churn[j] * churn_return``, else lapsing) and buys a replacement when
  ``p_churn[j] <= u < p_churn[j] + p_replace[j]`` and j is available;
- the neighbour counts are updated afterwards with ``np.add.at`` over the edges of the
  customers whose state changed (edges gathered from the CSR arrays with ``np.repeat``).

Aggregate mode: binomial draws vectorised over segments, a multinomial split of the
considering customers over products and the outside option, binomial churn, replacement and
return, as in ``AggregateMarket``.
"""

from __future__ import annotations

import numpy as np

POOL = -1
LAPSED = -2


def segment_drivers(segments, offer):
    """NumPy twin of ``sim.kernel.choice.segment_drivers``: shares (S, J+1), adv, attract, reach."""
    w = segments.attribute_weights
    alpha = segments.price_sensitivity
    v0 = segments.outside_utility
    base = w @ offer.attributes.T  # (S, J)
    v = base - alpha[:, None] * np.log(offer.price)[None, :]
    usable = offer.available[None, :] & (offer.awareness > 0.0)
    v_use = np.where(usable, v, -np.inf)
    vmax = np.maximum(v_use.max(axis=1), v0)
    with np.errstate(invalid="ignore"):
        e = np.where(usable, offer.awareness * np.exp(v_use - vmax[:, None]), 0.0)
    total_products = e.sum(axis=1)
    e_out = np.where(v0 > -np.inf, np.exp(v0 - vmax), 0.0)
    total = total_products + e_out
    reach = 1.0 - np.prod(np.where(usable, 1.0 - offer.awareness, 1.0), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        adv = np.where(total_products > 0.0,
                       (e * offer.advertising).sum(axis=1) / np.where(total_products > 0, total_products, 1.0),
                       0.0)
        shares = np.empty((w.shape[0], e.shape[1] + 1))
        ok = total > 0.0
        shares[:, :-1] = np.where(ok[:, None], e / np.where(ok, total, 1.0)[:, None], 0.0)
        shares[:, -1] = np.where(ok, e_out / np.where(ok, total, 1.0), 1.0)
        beta = segments.attractiveness_elasticity
        iv = np.log(np.where(total_products > 0, total_products, 1.0)) + vmax
        attract = np.where(beta == 0.0, 1.0,
                           np.where(total_products > 0.0,
                                    np.exp(np.minimum(beta * (iv - segments.reference_inclusive_value), 50.0)),
                                    0.0))
    return shares, adv, attract, reach


def hazard_probabilities(offer, dt):
    """Owner event probabilities (competing risks): p_churn, p_replace (J,)."""
    c = offer.churn_rate + offer.churn_satisfaction_slope * (1.0 - offer.satisfaction)
    total = c + offer.replacement_rate
    p_event = -np.expm1(-total * dt)
    frac = np.divide(c, total, out=np.zeros_like(c), where=total > 0.0)
    p_churn = p_event * frac
    return p_churn, np.maximum(p_event - p_churn, 0.0)


def _no_stockouts(offer):
    fill = getattr(offer, "fill_rate", None)
    if fill is not None and np.any(np.asarray(fill) < 1.0):
        raise NotImplementedError("the NumPy reference does not model stock-outs (fill_rate < 1)")


class NumpyAgentMarket:
    """Agent-mode market in vectorised NumPy (equal in distribution to ``AgentMarket``).

    Parameters mirror ``AgentMarket`` (no initial installed base): ``network`` is a
    ``sim.kernel.Network`` (CSR, symmetric) or None for fully mixed word of mouth.
    """

    def __init__(self, segments, n_products, seed, network=None):
        self.segments = segments
        self.n_products = j = int(n_products)
        self.rng = np.random.default_rng(seed)
        pop = segments.population
        s = pop.shape[0]
        self.seg_start = np.zeros(s + 1, np.int64)
        np.cumsum(pop, out=self.seg_start[1:])
        n = int(self.seg_start[-1])
        self.n_customers = n
        self.held = np.full(n, POOL, np.int8)
        self.active = np.zeros((s, j), np.int64)
        seg_of = np.repeat(np.arange(s), pop)
        z = self.rng.standard_normal(n, dtype=np.float32)
        self.taste = (segments.taste_sd[seg_of] * z).astype(np.float32)
        sd = segments.price_sensitivity_sd[seg_of]
        z = self.rng.standard_normal(n, dtype=np.float32)
        self.alpha_mult = np.exp(sd * z - 0.5 * sd * sd).astype(np.float32)
        self.aware_u = None  # per-customer, per-product awareness draws, made when needed
        self.network = network
        if network is not None:
            self.indptr = network.indptr
            self.indices = network.indices
            self.degree = np.diff(network.indptr)
            self.counts = np.zeros((n, j), np.int32)  # neighbours owning each product

    def _aware(self, idx, s, offer):
        """(K, J) bool: which products customers ``idx`` of segment s know about."""
        a = offer.awareness[s]
        if np.all((a == 0.0) | (a >= 1.0)):
            return np.broadcast_to(a >= 1.0, (idx.shape[0], a.shape[0]))
        if self.aware_u is None:
            self.aware_u = self.rng.random((self.n_customers, self.n_products), dtype=np.float32)
        return self.aware_u[idx] < a[None, :]

    def _choose(self, idx, s, offer, base, log_price):
        """Logit choice of customers ``idx`` (segment s): product index, or -1 for none."""
        seg = self.segments
        k = idx.shape[0]
        if k == 0:
            return np.empty(0, np.int64)
        usable = offer.available[None, :] & self._aware(idx, s, offer)
        v = ((1.0 + self.taste[idx].astype(np.float64))[:, None] * base[s][None, :]
             - (seg.price_sensitivity[s] * self.alpha_mult[idx].astype(np.float64))[:, None]
             * log_price[None, :])
        v = np.where(usable, v, -np.inf)
        v0 = seg.outside_utility[s]
        vmax = np.maximum(v.max(axis=1), v0)
        e = np.exp(v - vmax[:, None])  # exp(-inf) = 0 for unusable products
        e_out = np.exp(v0 - vmax) if v0 > -np.inf else np.zeros(k)
        cum = np.cumsum(e, axis=1)
        total = cum[:, -1] + e_out
        r = self.rng.random(k) * total
        choice = (cum <= r[:, None]).sum(axis=1)  # J means the outside option
        choice = np.where(choice >= self.n_products, -1, choice)
        choice[~usable.any(axis=1)] = -1
        return choice

    def _edges_of(self, nodes):
        """Neighbour ids of ``nodes`` concatenated, and each entry's source position."""
        starts = self.indptr[nodes]
        deg = self.degree[nodes]
        total = int(deg.sum())
        owner = np.repeat(np.arange(nodes.shape[0]), deg)
        offsets = np.arange(total) - np.repeat(np.cumsum(deg) - deg, deg)
        return self.indices[starts[owner] + offsets], owner

    def step(self, offer, dt):
        """Advance by ``dt`` days; returns (new_adopters, churners, returned) (S, J)."""
        _no_stockouts(offer)
        seg = self.segments
        s_count, j_count = self.active.shape
        _, adv, attract, _ = segment_drivers(seg, offer)
        haz_innov = seg.p * adv * attract
        haz_imit = seg.q * attract
        p_churn, p_replace = hazard_probabilities(offer, dt)
        p_event = p_churn + p_replace
        sat = offer.satisfaction * (1.0 - offer.silent)  # Offer.voice
        base = seg.attribute_weights @ offer.attributes.T
        log_price = np.log(offer.price)
        if self.network is None:
            wom = (self.active * sat[None, :]).sum(axis=1) / np.maximum(seg.population, 1)
        else:
            wom = np.full(s_count, sat.max())  # upper bound of W_i, for thinning
        prob_bound = -np.expm1(-(haz_innov + haz_imit * wom) * dt)
        u = self.rng.random(self.n_customers, dtype=np.float32)
        held = self.held
        new = np.zeros((s_count, j_count), np.int64)
        churn = np.zeros((s_count, j_count), np.int64)
        back = np.zeros((s_count, j_count), np.int64)
        changed, changed_from = [], []
        for s in range(s_count):
            lo, hi = self.seg_start[s], self.seg_start[s + 1]
            bound = np.float32(min(max(prob_bound[s], p_event.max()) * (1 + 1e-6) + 1e-7, 1.0))
            cand = np.flatnonzero(u[lo:hi] < bound) + lo
            h = held[cand]
            uc = u[cand].astype(np.float64)
            # potential adopters
            pool = h == POOL
            pidx, up = cand[pool], uc[pool]
            if self.network is None:
                adopt = up < prob_bound[s]
            else:
                deg = self.degree[pidx]
                w = (self.counts[pidx] @ sat) / np.maximum(deg, 1)
                adopt = up < -np.expm1(-(haz_innov[s] + haz_imit[s] * w) * dt)
            aidx = pidx[adopt]
            choice = self._choose(aidx, s, offer, base, log_price)
            got = choice >= 0
            aidx, choice = aidx[got], choice[got]
            held[aidx] = choice
            new[s] = np.bincount(choice, minlength=j_count)
            changed.append(aidx)
            changed_from.append(np.full(aidx.shape[0], POOL, np.int8))
            # owners: churn (return or lapse), replacement (not a state change)
            own = h >= 0
            oidx, uo, ho = cand[own], uc[own], h[own].astype(np.int64)
            pc = p_churn[ho]
            ch = uo < pc
            cidx, cfrom = oidx[ch], ho[ch]
            ret = uo[ch] < pc[ch] * seg.churn_return[s]
            held[cidx] = np.where(ret, POOL, LAPSED)
            churn[s] = np.bincount(cfrom, minlength=j_count)
            back[s] = np.bincount(cfrom[ret], minlength=j_count)
            changed.append(cidx)
            changed_from.append(cfrom.astype(np.int8))
        if self.network is not None:
            self._update_counts(np.concatenate(changed), np.concatenate(changed_from))
        self.active += new - churn
        return new, churn, back

    def _update_counts(self, nodes, old):
        if nodes.shape[0] == 0:
            return
        now = self.held[nodes]
        nb, owner = self._edges_of(nodes)
        flat = self.counts.reshape(-1)
        j = self.n_products
        o, n_ = old[owner].astype(np.int64), now[owner].astype(np.int64)
        dec = o >= 0
        np.add.at(flat, nb[dec].astype(np.int64) * j + o[dec], -1)
        inc = n_ >= 0
        np.add.at(flat, nb[inc].astype(np.int64) * j + n_[inc], 1)


class NumpyAggregateMarket:
    """Aggregate-mode market in vectorised NumPy (equal in distribution to ``AggregateMarket``)."""

    def __init__(self, segments, n_products):
        self.segments = segments
        s = segments.n_segments
        self.active = np.zeros((s, int(n_products)), np.int64)
        self.lapsed = np.zeros(s, np.int64)
        self.pool = segments.population.copy()

    def step(self, offer, dt, rng):
        _no_stockouts(offer)
        seg = self.segments
        shares, adv, attract, reach = segment_drivers(seg, offer)
        p_churn, p_replace = hazard_probabilities(offer, dt)
        population = self.pool + self.lapsed + self.active.sum(axis=1)
        voice = offer.satisfaction * (1.0 - offer.silent)  # Offer.voice
        wom = (self.active * voice[None, :]).sum(axis=1) / np.maximum(population, 1)
        hazard = (seg.p * adv + seg.q * wom) * attract
        prob = np.minimum(-np.expm1(-hazard * dt) * reach, 1.0)
        considering = rng.binomial(self.pool, prob)
        new = rng.multinomial(considering, shares)[:, :-1]
        n = self.active
        c = rng.binomial(n, p_churn[None, :])
        cond = np.minimum(np.divide(p_replace, 1.0 - p_churn, out=np.zeros_like(p_replace),
                                    where=p_churn < 1.0), 1.0)
        r = rng.binomial(n - c, cond[None, :]) * offer.available[None, :]
        b = rng.binomial(c, seg.churn_return[:, None])
        self.active = n - c + new
        self.lapsed += (c - b).sum(axis=1)
        self.pool += b.sum(axis=1) - new.sum(axis=1)
        return new, new + r, r, c, b
