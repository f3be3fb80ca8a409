"""Agent mode: one record per customer, word of mouth through a social network.

Customers are numbered segment by segment (segment s holds a contiguous range), so a
customer's segment needs no storage. Per customer the state is the product held (int8:
-1 in the pool of potential adopters, -2 lapsed from the category, j >= 0 owns product j),
a taste multiplier deviation and a price-sensitivity multiplier (float32, drawn once).

Each step decides every customer's transition from the state at the start of the step,
with the same rules as the aggregate mode (see ``aggregate``):

- a potential adopter considers the category with probability ``1 - exp(-h dt)``,
  ``h = (p * advertising_effect + q * W_i) * attractiveness``, where ``W_i`` is the
  satisfaction-weighted share of its network neighbours owning a product (or of its
  segment, fully mixed); it then chooses by logit among the products it is aware of and
  can buy, with utility ``(1 + taste_i) * w_s . a_j - alpha_s * m_i * log(price_j)``, and
  the outside option;
- an owner churns or buys a replacement (competing risks); a churner returns to the pool
  with probability ``churn_return`` or lapses.

Randomness is a counter-based hash of (seed, step, stream, customer) (``rng``), so the
result does not depend on the thread count. Work is split into fixed chunks of customers
(never straddling segments); each chunk counts its own flows, summed afterwards in chunk
order. Word of mouth on a network is an incremental count: ``counts[i, j]`` is the number
of i's neighbours owning product j, updated only for the neighbours of customers whose
state changed (in parallel, by atomic integer adds), so a step costs O(customers + edges
of changers), not a neighbour scan per customer.

Per chunk, pass 1 (``_screen``) hashes every customer in vectorised 32-bit lanes and marks,
in one 64-bit mask per 64 customers, those whose draw falls under an upper bound of their
event probability; pass 2 (``_decide``) decides only the marked ones, exactly.
"""

from typing import NamedTuple

import numba
import numpy as np
from numba import prange
from numba.cpython.unsafe.numbers import trailing_zeros as _trailing_zeros_ir

from sim.kernel._atomic import atomic_add
from sim.kernel._numba import jit, jit_parallel
from sim.kernel.aggregate import _check_dt, _check_offer, _initial_state
from sim.kernel.choice import drivers, hazard_probabilities
from sim.kernel.network import Network
from sim.kernel.outcome import StepOutcome
from sim.kernel.params import Segments
from sim.kernel.rng import (
    STREAM_ALPHA_A,
    STREAM_ALPHA_B,
    STREAM_AWARE,
    STREAM_CHOICE,
    STREAM_FILL,
    STREAM_HOLD,
    STREAM_INITIAL,
    STREAM_TASTE_A,
    STREAM_TASTE_B,
    hash32,
    key_of,
    split_key,
    standard_normal,
    threshold32,
    uniform,
)


def _trailing_zeros_py(x):
    x = int(x)
    return (x & -x).bit_length() - 1


# With NUMBA_DISABLE_JIT=1 (coverage runs) intrinsics cannot run: use the Python twin.
trailing_zeros = _trailing_zeros_py if numba.config.DISABLE_JIT else _trailing_zeros_ir

POOL = -1
LAPSED = -2
MAX_PRODUCTS = 127  # held is int8
CHUNK_SIZE = 8192  # customers per work chunk with a network (finer load balance)
CHUNK_SIZE_MIXED = 32768  # fully mixed: less per-chunk overhead for the cheap screen
_INV32 = 1.0 / 4294967296.0
FLOW_NAMES = ("new", "units", "replacements", "churners", "returned", "lost")


class StepPlan(NamedTuple):
    """Everything one agent step needs besides the customers' state, computed on the host.

    float64 (S,): ``prob_mixed`` (fully mixed adoption probability), ``haz_innov`` and
    ``haz_imit`` (innovation and imitation hazards per day, attractiveness included),
    ``alpha`` (price sensitivity), ``outside_utility``, ``churn_return``; int64 (S,):
    ``t_pool`` (``threshold32`` of an upper bound of the adoption probability). float64
    (J,): ``satisfaction``, ``log_price``, ``fill_rate``, ``p_churn``, ``p_replace``; bool
    (J,): ``available``. float64 (S, J): ``base`` (attribute utility), ``awareness``.
    ``t_owner``: int, threshold of an upper bound of the owner-event probability. Keys:
    ``key_lo``, ``key_hi`` (uint32 halves of the step's HOLD key), ``key_choice``,
    ``key_fill`` (uint64). ``dt`` in days.
    """

    dt: float
    prob_mixed: np.ndarray
    haz_innov: np.ndarray
    haz_imit: np.ndarray
    t_pool: np.ndarray
    t_owner: int
    satisfaction: np.ndarray
    base: np.ndarray
    alpha: np.ndarray
    log_price: np.ndarray
    available: np.ndarray
    awareness: np.ndarray
    outside_utility: np.ndarray
    key_lo: np.uint32
    key_hi: np.uint32
    key_choice: np.uint64
    key_fill: np.uint64
    fill_rate: np.ndarray
    p_churn: np.ndarray
    p_replace: np.ndarray
    churn_return: np.ndarray


@jit(inline="always")
def _flag(h, x, pool_on, pool_le, owner_on, owner_le):
    """1 when state h with draw x could have an event this step (see ``_screen``)."""
    return ((h == POOL) & pool_on & (x <= pool_le)) | ((h >= 0) & owner_on & (x <= owner_le))


@jit
def _screen(held, lo, n, key_lo, key_hi, t_pool, t_owner, masks):
    """Pass 1, vectorised: mark customers whose draw could trigger an event.

    ``t_pool`` and ``t_owner`` are integer thresholds of upper bounds on the adoption and
    owner-event probabilities (``rng.threshold32``); since each customer's event is decided
    by the same draw, screening against an upper bound and then deciding exactly (pass 2)
    gives the same result as deciding every customer exactly. Bit r of ``masks[b]`` marks
    customer ``lo + 64 b + r``. The loop over a block of 64 stays in 32-bit lanes (hash and
    comparisons: ``x < t`` is ``x <= t - 1`` for t >= 1, and nothing passes t = 0), so
    that LLVM vectorises it 16 customers wide on AVX-512; pass 2 then finds the marked
    customers with a count of trailing zeros per set bit, without a branch per customer.
    """
    pool_on = t_pool > 0
    pool_le = np.uint32(t_pool - 1) if pool_on else np.uint32(0)
    owner_on = t_owner > 0
    owner_le = np.uint32(t_owner - 1) if owner_on else np.uint32(0)
    sub = held[lo:lo + n]
    full = n // 64
    if owner_on:
        for b in range(full):
            base = b * 64
            mask = np.uint64(0)
            for r in range(64):
                f = _flag(sub[base + r], hash32(key_lo, key_hi, lo + base + r), pool_on,
                          pool_le, True, owner_le)
                mask |= np.uint64(f) << np.uint64(r)
            masks[b] = mask
    else:  # no owner can have an event (no churn, no replacement): the cheaper test
        for b in range(full):
            base = b * 64
            mask = np.uint64(0)
            for r in range(64):
                f = (sub[base + r] == POOL) & pool_on & (hash32(key_lo, key_hi, lo + base + r)
                                                          <= pool_le)
                mask |= np.uint64(f) << np.uint64(r)
            masks[b] = mask
    if full * 64 < n:  # the last, partial block
        base = full * 64
        mask = np.uint64(0)
        for r in range(n - base):
            f = _flag(sub[base + r], hash32(key_lo, key_hi, lo + base + r), pool_on, pool_le,
                      owner_on, owner_le)
            mask |= np.uint64(f) << np.uint64(r)
        masks[full] = mask


@jit
def _decide(c, s, start, n, masks, held, taste, alpha_mult, indptr, counts, use_network,
            prob_mixed, haz_innov, haz_imit, dt, satisfaction, base, alpha, log_price,
            available, awareness, outside_utility, aware_keys, key_lo, key_hi, key_choice,
            key_fill, fill_rate, p_churn, p_replace, churn_return, new, units, repl, churn,
            back, lost, changed, changed_from):
    """Pass 2: decide the marked customers of chunk c exactly; returns how many changed
    state (listed in ``changed`` for the neighbour-count scatter; 0 without a network).

    Candidates are sparse, so their rows of ``indptr``, ``counts``, ``taste`` and
    ``alpha_mult`` are cache misses. The pass is split into short loops of independent
    loads (gather the candidates; their word of mouth and adoption test; the tastes of the
    adopters) before the long decision loop, so that the processor overlaps the misses
    instead of waiting for each in turn. Arithmetic and order are those of one loop over
    the candidates in customer order.
    """
    j_count = log_price.shape[0]
    m = 0
    for b in range(masks.shape[0]):
        mask = masks[b]
        while mask != 0:  # count the marked customers (one iteration each)
            m += 1
            mask &= mask - np.uint64(1)
    cand = np.empty(m, np.int64)
    m = 0
    for b in range(masks.shape[0]):
        mask = masks[b]
        while mask != 0:  # ... and list them, in customer order
            cand[m] = start + b * 64 + trailing_zeros(mask)
            m += 1
            mask &= mask - np.uint64(1)
    # one allocation for the per-candidate work arrays (a chunk pays for each)
    work = np.empty(4 * m + j_count)
    # the step's one draw of each candidate; adopt[k] > 0: a potential adopter considers
    # the category (u < its adoption probability)
    draw = work[:m]
    adopt = work[m:2 * m]
    adopt[:] = 0.0
    t_cand = work[2 * m:3 * m]
    a_cand = work[3 * m:4 * m]
    buf = work[4 * m:]
    for k in range(m):
        i = cand[k]
        draw[k] = np.float64(hash32(key_lo, key_hi, i)) * _INV32
    if use_network:
        for k in range(m):
            i = cand[k]
            if held[i] == POOL:
                lo = indptr[i]
                degree = indptr[i + 1] - lo
                w = 0.0
                if degree > 0:
                    for j in range(j_count):
                        w += satisfaction[j] * counts[i, j]
                    w /= degree
                adopt[k] = draw[k] < -np.expm1(-(haz_innov[s] + haz_imit[s] * w) * dt)
    else:
        for k in range(m):
            adopt[k] = held[cand[k]] == POOL and draw[k] < prob_mixed[s]
    # the adopters' own taste and price sensitivity, needed only for a draw among several
    # options (more than one product, or an outside option)
    if j_count > 1 or outside_utility[s] > -np.inf:
        for k in range(m):
            if adopt[k] > 0.0:
                t_cand[k] = taste[cand[k]]
                a_cand[k] = alpha_mult[cand[k]]
    n_ch = 0
    for k in range(m):
        i = cand[k]
        u = draw[k]
        h = held[i]
        if h == POOL:
            if adopt[k] > 0.0:
                # Logit choice among the products i is aware of and can buy, written out
                # here: an inlined helper taking the arrays would pay reference-count
                # operations on each of them per adopter, more than the choice itself.
                # buf[q] > -inf marks a considered product, then holds its utility.
                considered = 0
                last = -1
                for q in range(j_count):
                    buf[q] = -np.inf
                    if available[q]:
                        a = awareness[s, q]
                        if a >= 1.0 or (a > 0.0 and uniform(aware_keys[q], i) < a):
                            buf[q] = 0.0
                            considered += 1
                            last = q
                v0 = outside_utility[s]
                if considered == 0:
                    j = -1
                elif considered == 1 and v0 == -np.inf:
                    j = last  # a single option: no draw needed
                else:
                    a_i = alpha[s] * a_cand[k]
                    t_i = 1.0 + t_cand[k]
                    vmax = v0
                    for q in range(j_count):
                        if buf[q] > -np.inf:
                            v = t_i * base[s, q] - a_i * log_price[q]
                            buf[q] = v
                            if v > vmax:
                                vmax = v
                    total = 0.0
                    for q in range(j_count):
                        if buf[q] > -np.inf:
                            buf[q] = np.exp(buf[q] - vmax)
                            total += buf[q]
                        else:
                            buf[q] = 0.0
                    e_out = 0.0
                    if v0 > -np.inf:
                        e_out = np.exp(v0 - vmax)
                    total += e_out
                    x = uniform(key_choice, i) * total
                    acc = 0.0
                    # rounding can leave x at the very top: it belongs to the last
                    # product, unless there is an outside option
                    j = -1 if e_out > 0.0 else last
                    for q in range(j_count):
                        if buf[q] > 0.0:
                            acc += buf[q]
                            if x < acc:
                                j = q
                                break
                if j >= 0 and fill_rate[j] < 1.0 and uniform(key_fill, i) >= fill_rate[j]:
                    lost[c, j] += 1  # out of stock: a lost sale, still a potential adopter
                elif j >= 0:
                    held[i] = j
                    new[c, j] += 1
                    units[c, j] += 1
                    if use_network:  # the list feeds the neighbour-count scatter
                        changed[start + n_ch] = i
                        changed_from[start + n_ch] = POOL
                        n_ch += 1
        elif h >= 0:
            pc = p_churn[h]
            if u < pc:
                churn[c, h] += 1
                if u < pc * churn_return[s]:
                    held[i] = POOL
                    back[c, h] += 1
                else:
                    held[i] = LAPSED
                if use_network:
                    changed[start + n_ch] = i
                    changed_from[start + n_ch] = h
                    n_ch += 1
            elif u < pc + p_replace[h] * fill_rate[h] and available[h]:
                units[c, h] += 1
                repl[c, h] += 1
    return n_ch


@jit_parallel
def _step_agents(held, taste, alpha_mult, chunk_segment, chunk_start, chunk_stop,
                 indptr, counts, use_network, prob_mixed, haz_innov, haz_imit, dt,
                 t_pool, t_owner, satisfaction, base, alpha, log_price, available,
                 awareness, outside_utility, aware_keys, key_lo, key_hi, key_choice,
                 key_fill, fill_rate, p_churn, p_replace, churn_return,
                 new, units, repl, churn, back, lost, changed, changed_from, n_changed):
    """One agent step in place on ``held``; flows counted per chunk (C, J).

    A customer's one draw of the step is ``u = hash32(key, i) * 2**-32``: a potential
    adopter considers the category when ``u < prob_i``; an owner of j churns when
    ``u < p_churn[j]`` (returning when ``u < p_churn[j] * churn_return[s]``) and buys a
    replacement when ``p_churn[j] <= u < p_churn[j] + p_replace[j] * fill_rate[j]``. A
    chooser of j finds it in stock when ``uniform(key_fill, i) < fill_rate[j]``; otherwise
    the sale is lost and the customer stays in the pool.
    """
    for c in prange(chunk_segment.shape[0]):
        s = chunk_segment[c]
        start = chunk_start[c]
        n = chunk_stop[c] - start
        masks = np.empty((n + 63) // 64, np.uint64)
        _screen(held, start, n, key_lo, key_hi, t_pool[s], t_owner, masks)
        n_changed[c] = _decide(c, s, start, n, masks, held, taste, alpha_mult, indptr,
                               counts, use_network, prob_mixed, haz_innov, haz_imit, dt,
                               satisfaction, base, alpha, log_price, available, awareness,
                               outside_utility, aware_keys, key_lo, key_hi, key_choice,
                               key_fill, fill_rate, p_churn, p_replace, churn_return, new,
                               units, repl, churn, back, lost, changed, changed_from)


@jit_parallel
def _scatter_changes(chunk_start, n_changed, changed, changed_from, held, indptr, indices,
                     counts):
    """Update neighbours' owner counts for the customers whose state changed.

    Chunks run in parallel; two changers in different chunks can share a neighbour, so
    the counts move by atomic integer adds (order-independent: the same counts for any
    thread count). ``counts`` is viewed flat, (N * J,).
    """
    j_count = counts.shape[1]
    flat = counts.reshape(counts.shape[0] * j_count)
    for c in prange(chunk_start.shape[0]):
        start = chunk_start[c]
        for k in range(n_changed[c]):
            i = changed[start + k]
            old = changed_from[start + k]
            now = held[i]
            if old == now:
                continue
            for e in range(indptr[i], indptr[i + 1]):
                nb = np.int64(indices[e]) * j_count
                if old >= 0:
                    atomic_add(flat, nb + old, -1)
                if now >= 0:
                    atomic_add(flat, nb + now, 1)


@jit_parallel
def _neighbour_counts(held, indptr, indices, counts):
    for i in prange(held.shape[0]):
        for e in range(indptr[i], indptr[i + 1]):
            h = held[indices[e]]
            if h >= 0:
                counts[i, h] += 1


@jit_parallel
def _draw_tastes(seg_start, taste_sd, alpha_sd, keys, taste, alpha_mult):
    for s in range(taste_sd.shape[0]):
        lo, hi = seg_start[s], seg_start[s + 1]
        ts, al = taste_sd[s], alpha_sd[s]
        for i in prange(lo, hi):
            if ts > 0.0:
                taste[i] = ts * standard_normal(keys[0], keys[1], i)
            else:
                taste[i] = 0.0
            if al > 0.0:
                z = standard_normal(keys[2], keys[3], i)
                alpha_mult[i] = np.exp(al * z - 0.5 * al * al)
            else:
                alpha_mult[i] = 1.0


@jit
def _place_initial(seg_start, initial_active, initial_lapsed, key, held):
    """Selection sampling (Knuth's Algorithm S): exact counts at random positions.

    Customer i is selected by ``uniform(key, i)`` and, if selected, takes its state by
    ``uniform(key, N + i)`` (N customers in all), so that no draw is used twice: an index
    ``hi + i`` would reuse the selection draws of the next segment and tie the two
    segments' initial states together.
    """
    n_total = seg_start[seg_start.shape[0] - 1]
    for s in range(seg_start.shape[0] - 1):
        lo, hi = seg_start[s], seg_start[s + 1]
        need = initial_active[s].copy()
        need_lapsed = initial_lapsed[s]
        remaining_need = need.sum() + need_lapsed
        for i in range(lo, hi):
            left = hi - i
            if remaining_need > 0 and uniform(key, i) * left < remaining_need:
                # pick which state, in proportion to what is still needed
                r = uniform(key, n_total + i) * remaining_need
                acc = 0.0
                chosen = LAPSED
                for j in range(need.shape[0]):
                    acc += need[j]
                    if r < acc:
                        chosen = j
                        break
                if chosen == LAPSED:
                    need_lapsed -= 1
                else:
                    need[chosen] -= 1
                held[i] = chosen
                remaining_need -= 1
            else:
                held[i] = POOL


@jit
def _sum_chunks(chunk_segment, flows, out):
    for c in range(chunk_segment.shape[0]):
        s = chunk_segment[c]
        for j in range(flows.shape[1]):
            out[s, j] += flows[c, j]


class AgentMarket:
    """State and step of the agent-mode market.

    Parameters
    ----------
    segments : Segments
    n_products : int
    seed : int
        Root of the counter-based draws (>= 0). A step's draws depend on (seed, step,
        customer) only.
    network : Network or None
        Symmetric social network over all customers (numbered segment by segment), or
        None for a fully mixed market.
    initial_active : int (S, J), optional
    initial_lapsed : int (S,), optional
    chunk_size : int, optional
        Customers per work chunk (fixed, so results do not depend on the thread count; they
        do not depend on the chunk size either). Default ``CHUNK_SIZE`` with a network,
        ``CHUNK_SIZE_MIXED`` without (the fastest of those measured for each).
    """

    def __init__(self, segments: Segments, n_products: int, seed: int, network=None,
                 initial_active=None, initial_lapsed=None, chunk_size: int | None = None):
        if not isinstance(segments, Segments):
            raise ValueError(f"segments must be a Segments, got {type(segments).__name__}")
        segments.validate()
        n_products = int(n_products)
        if not 1 <= n_products <= MAX_PRODUCTS:
            raise ValueError(f"n_products must be in [1, {MAX_PRODUCTS}] in agent mode, "
                             f"got {n_products}")
        if int(seed) < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        if chunk_size is None:
            chunk_size = CHUNK_SIZE if network is not None else CHUNK_SIZE_MIXED
        if int(chunk_size) < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        self.segments = segments
        self.n_products = n_products
        self.seed = int(seed)
        self.step_index = 0
        s = segments.n_segments
        pop = segments.population
        self.seg_start = np.zeros(s + 1, np.int64)
        np.cumsum(pop, out=self.seg_start[1:])
        n = int(self.seg_start[-1])
        if n >= 2**31 - 1:
            raise ValueError(f"population must total < 2**31 - 1 customers in agent mode, got {n}")
        self.n_customers = n
        if network is not None:
            if not isinstance(network, Network):
                raise ValueError(f"network must be a Network or None, got {type(network).__name__}")
            network.validate(n)
        self.network = network
        active, lapsed = _initial_state(segments, n_products, initial_active, initial_lapsed)
        self.held = np.empty(n, np.int8)
        _place_initial(self.seg_start, active, lapsed, self._key(0, STREAM_INITIAL), self.held)
        self.active = active
        self.lapsed = lapsed
        self.pool = pop - lapsed - active.sum(axis=1)
        self.taste = np.empty(n, np.float32)
        self.alpha_mult = np.empty(n, np.float32)
        keys = np.array([self._key(0, k) for k in (STREAM_TASTE_A, STREAM_TASTE_B,
                                                     STREAM_ALPHA_A, STREAM_ALPHA_B)],
                        np.uint64)
        _draw_tastes(self.seg_start, segments.taste_sd, segments.price_sensitivity_sd, keys,
                     self.taste, self.alpha_mult)
        chunks = []
        for seg in range(s):
            for lo in range(int(self.seg_start[seg]), int(self.seg_start[seg + 1]), int(chunk_size)):
                chunks.append((seg, lo, min(lo + int(chunk_size), int(self.seg_start[seg + 1]))))
        arr = np.array(chunks, np.int64).reshape(-1, 3)
        self.chunk_segment = np.ascontiguousarray(arr[:, 0])
        self.chunk_start = np.ascontiguousarray(arr[:, 1])
        self.chunk_stop = np.ascontiguousarray(arr[:, 2])
        self.aware_keys = np.array([self._key(j, STREAM_AWARE) for j in range(n_products)],
                                   np.uint64)
        if network is not None:
            self.counts = np.zeros((n, n_products), np.int32)
            _neighbour_counts(self.held, network.indptr, network.indices, self.counts)
            self._indptr = network.indptr
        else:
            self.counts = np.zeros((1, n_products), np.int32)
            self._indptr = np.zeros(2, np.int64)
        self._init_backend()

    def _init_backend(self):
        """Work arrays of the per-step kernel (a GPU backend uploads the state here)."""
        n = self.n_customers if self.network is not None else 1  # only the scatter reads it
        self.changed = np.empty(n, np.int32)
        self.changed_from = np.empty(n, np.int8)

    def _key(self, step, stream):
        return key_of(self.seed, step, stream)

    def step(self, offer, dt: float) -> StepOutcome:
        """Advance all customers by ``dt`` days under ``offer``."""
        return self._record(*self._advance(self._plan(offer, dt)))

    def _plan(self, offer, dt) -> StepPlan:
        """Validate the inputs and compute the step's probabilities, thresholds and keys."""
        dt = _check_dt(dt)
        _check_offer(offer, self.segments, self.n_products)
        seg = self.segments
        base, _, adv, attract, _ = drivers(seg, offer)
        haz_innov = seg.p * adv * attract
        haz_imit = seg.q * attract
        population = np.maximum(seg.population, 1)
        wom = (self.active * offer.satisfaction[None, :]).sum(axis=1) / population
        prob_mixed = -np.expm1(-(haz_innov + haz_imit * wom) * dt)
        p_churn, p_replace = hazard_probabilities(
            offer.churn_rate, offer.churn_satisfaction_slope, offer.replacement_rate,
            offer.satisfaction, dt)
        if self.network is not None:
            # bound on word of mouth: a neighbour share of 1 at the highest satisfaction
            w_max = float(offer.satisfaction.max()) * (1.0 + 1e-9) + 1e-12
            t_pool = threshold32(-np.expm1(-(haz_innov + haz_imit * w_max) * dt) + 1e-12)
        else:
            t_pool = threshold32(prob_mixed)
        t_owner = int(threshold32((p_churn + p_replace).max()))
        t = self.step_index + 1  # step 0 keys are reserved for initial draws
        key_lo, key_hi = split_key(self._key(t, STREAM_HOLD))
        return StepPlan(dt, prob_mixed, haz_innov, haz_imit, t_pool, t_owner,
                        offer.satisfaction, base, seg.price_sensitivity, np.log(offer.price),
                        offer.available, offer.awareness, seg.outside_utility, key_lo, key_hi,
                        self._key(t, STREAM_CHOICE), self._key(t, STREAM_FILL),
                        offer.fill_rate, p_churn, p_replace, seg.churn_return)

    def _advance(self, plan: StepPlan):
        """Run the step on every customer; the flows (new, units, replacements, churners,
        returned, lost) per segment and product, int64 (S, J) each."""
        s, j = self.segments.n_segments, self.n_products
        c = self.chunk_segment.shape[0]
        flows = [np.zeros((c, j), np.int64) for _ in range(len(FLOW_NAMES))]
        n_changed = np.zeros(c, np.int64)
        _step_agents(self.held, self.taste, self.alpha_mult, self.chunk_segment,
                     self.chunk_start, self.chunk_stop, self._indptr, self.counts,
                     self.network is not None, plan.prob_mixed, plan.haz_innov,
                     plan.haz_imit, plan.dt, plan.t_pool, np.int64(plan.t_owner),
                     plan.satisfaction, plan.base, plan.alpha, plan.log_price, plan.available,
                     plan.awareness, plan.outside_utility, self.aware_keys, plan.key_lo,
                     plan.key_hi, plan.key_choice, plan.key_fill, plan.fill_rate,
                     plan.p_churn, plan.p_replace, plan.churn_return,
                     *flows, self.changed, self.changed_from, n_changed)
        if self.network is not None:
            _scatter_changes(self.chunk_start, n_changed, self.changed, self.changed_from,
                             self.held, self.network.indptr, self.network.indices, self.counts)
        per_segment = []
        for f in flows:
            out = np.zeros((s, j), np.int64)
            _sum_chunks(self.chunk_segment, f, out)
            per_segment.append(out)
        return per_segment

    def _record(self, new, units, repl, churn, back, lost) -> StepOutcome:
        """Update the segment counts with one step's flows and return its outcome."""
        self.active += new - churn
        self.pool += back.sum(axis=1) - new.sum(axis=1)
        self.lapsed += (churn - back).sum(axis=1)
        self.step_index += 1
        return StepOutcome(new, units, repl, churn, back, self.active.copy(), self.pool.copy(),
                           self.lapsed.copy(), lost)
