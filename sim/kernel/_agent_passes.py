"""Agent mode, the compiled per-step passes (``sim.kernel.agent.AgentMarket`` drives them).

Per chunk of customers, pass 1 (``_screen``, in ``sim.kernel._agent_screen``) hashes every
customer in vectorised 32-bit lanes and marks, in one 64-bit mask per 64 customers, those
whose draw falls under an upper bound of their event probability; pass 2 (``_decide``)
decides only the marked ones, exactly. ``_step_agents`` runs both over the chunks in
parallel; ``_scatter_changes`` moves the neighbour counts of the customers whose state
changed (atomic integer adds); ``_sum_chunks`` adds the per-chunk flows up per segment in
chunk order (model, draws: ``sim.kernel.agent``)."""

import numba
import numpy as np
from numba import prange
from numba.cpython.unsafe.numbers import trailing_zeros as _trailing_zeros_ir

from sim.kernel._agent_screen import LAPSED, POOL, _screen  # noqa: F401  (re-exported)
from sim.kernel._atomic import atomic_add
from sim.kernel._numba import jit, jit_parallel
from sim.kernel._prefetch import prefetch
from sim.kernel.rng import hash32, standard_normal, uniform


def _trailing_zeros_py(x):
    x = int(x)
    return (x & -x).bit_length() - 1


# With NUMBA_DISABLE_JIT=1 (coverage runs) intrinsics cannot run: use the Python twin.
trailing_zeros = _trailing_zeros_py if numba.config.DISABLE_JIT else _trailing_zeros_ir

MAX_PRODUCTS = 127  # held is int8
_INV32 = 1.0 / 4294967296.0
_AHEAD = 8  # prefetch distance, in candidates or changers: the fastest of 8, 16, 24


@jit(inline="always")
def _taste_of(sd, keys, i):
    """Customer i's taste deviation, float32: ``sd`` times a standard normal of the keys
    ``keys[0], keys[1]`` (0 when ``sd`` is 0); a pure function of (keys, i)."""
    if sd > 0.0:
        return np.float32(sd * standard_normal(keys[0], keys[1], i))
    return np.float32(0.0)


@jit(inline="always")
def _alpha_mult_of(sd, keys, i):
    """Customer i's price-sensitivity multiplier, float32: lognormal of mean 1 and log-sd
    ``sd`` from the ALPHA_A/ALPHA_B keys ``keys[2], keys[3]`` (1 when ``sd`` is 0)."""
    if sd > 0.0:
        z = standard_normal(keys[2], keys[3], i)
        return np.float32(np.exp(sd * z - 0.5 * sd * sd))
    return np.float32(1.0)


# index offsets of a switcher's three uniforms in the step's FILL stream (beyond any
# customer index): whether it switches, which product, whether that one is in stock
SWITCH_DRAW = 1 << 40
SWITCH_CHOICE = 2 << 40
SWITCH_FILL = 3 << 40


@jit
def _switch_choice(i, j, buf, switching, key_fill, fill_rate):
    """Stock-out switching of customer i, who chose j and found it out of stock. When it
    considered another product (a positive logit weight in ``buf``, ``exp(v - vmax)``),
    with probability ``switching`` it switches: to one of them drawn by those weights,
    bought if in stock. Returns -1 (no switch), -2 (switched, but that one was out of
    stock too: it stays in the pool) or the product bought."""
    total = 0.0
    last = -1
    for q in range(buf.shape[0]):
        if q != j and buf[q] > 0.0:
            total += buf[q]
            last = q
    if last < 0 or uniform(key_fill, i + SWITCH_DRAW) >= switching:
        return -1
    x = uniform(key_fill, i + SWITCH_CHOICE) * total
    acc = 0.0
    k = last  # rounding can leave x at the very top: it belongs to the last one
    for q in range(buf.shape[0]):
        if q != j and buf[q] > 0.0:
            acc += buf[q]
            if x < acc:
                k = q
                break
    if fill_rate[k] < 1.0 and uniform(key_fill, i + SWITCH_FILL) >= fill_rate[k]:
        return -2
    return k


@jit
def _decide(c, s, start, n, masks, held, taste_sd, alpha_sd, taste_keys, indptr, counts,
            use_network, prob_mixed, haz_innov, haz_imit, dt, voice, base, alpha, log_price,
            available, awareness, outside_utility, aware_keys, key_lo, key_hi, key_choice,
            key_fill, fill_rate, p_churn, p_replace, churn_return, switching, backorders,
            new, units, repl, churn, back, lost, changed, changed_from):
    """Pass 2: decide the marked customers of chunk c exactly; returns how many changed
    state (listed in ``changed`` for the neighbour-count scatter; 0 without a network).

    Candidates are sparse, so their rows of ``indptr`` and ``counts`` are cache misses. The
    pass is split into short loops of independent loads (gather the candidates; their word
    of mouth, prefetched ahead; the adoption test; the adopters' tastes, drawn on demand by
    ``_taste_of`` and ``_alpha_mult_of``) before the long decision loop, so that the
    processor overlaps the misses instead of waiting for each in turn. Arithmetic and
    order are those of one loop over the candidates in customer order.
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
        # word of mouth and adoption test of the potential adopters; their indptr and
        # counts rows are cache misses, started _AHEAD candidates ahead
        flat = counts.reshape(counts.shape[0] * j_count)
        for k in range(min(_AHEAD, m)):
            prefetch(indptr, cand[k])
            prefetch(flat, cand[k] * j_count)
        for k in range(m):
            if k + _AHEAD < m:
                prefetch(indptr, cand[k + _AHEAD])
                prefetch(flat, cand[k + _AHEAD] * j_count)
            i = cand[k]
            if held[i] == POOL:
                lo = indptr[i]
                degree = indptr[i + 1] - lo
                w = 0.0
                if degree > 0:
                    for j in range(j_count):
                        w += voice[j] * counts[i, j]
                    w /= degree
                adopt[k] = draw[k] < -np.expm1(-(haz_innov[s] + haz_imit[s] * w) * dt)
    else:
        for k in range(m):
            adopt[k] = held[cand[k]] == POOL and draw[k] < prob_mixed[s]
    # the adopters' own taste and price sensitivity, needed only for a draw among several
    # options (more than one product, or an outside option): drawn here, for the few
    # adopters, rather than stored for every customer
    if j_count > 1 or outside_utility[s] > -np.inf:
        for k in range(m):
            if adopt[k] > 0.0:
                t_cand[k] = _taste_of(taste_sd[s], taste_keys, cand[k])
                a_cand[k] = _alpha_mult_of(alpha_sd[s], taste_keys, cand[k])
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
                    # out of stock: it switches to another product at once, waits for j
                    # (backorders) or stays a potential adopter (a lost sale)
                    r = -1
                    if switching > 0.0 and considered > 1:
                        r = _switch_choice(i, j, buf, switching, key_fill, fill_rate)
                    if r != -1 or not backorders[j]:
                        lost[c, j] += 1
                        j = r if r >= 0 else -1
                if j >= 0:
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
def _step_agents(held, taste_sd, alpha_sd, taste_keys, chunk_segment, chunk_start,
                 chunk_stop, indptr, counts, use_network, prob_mixed, haz_innov, haz_imit, dt,
                 t_pool, t_owner, voice, base, alpha, log_price, available,
                 awareness, outside_utility, aware_keys, key_lo, key_hi, key_choice,
                 key_fill, fill_rate, p_churn, p_replace, churn_return, switching,
                 backorders, new, units, repl, churn, back, lost, changed, changed_from,
                 n_changed):
    """One agent step in place on ``held``; flows counted per chunk (C, J).

    A customer's one draw of the step is ``u = hash32(key, i) * 2**-32``: a potential
    adopter considers the category when ``u < prob_i``; an owner of j churns when
    ``u < p_churn[j]`` (returning when ``u < p_churn[j] * churn_return[s]``) and buys a
    replacement when ``p_churn[j] <= u < p_churn[j] + p_replace[j] * fill_rate[j]``. A
    chooser of j finds it in stock when ``uniform(key_fill, i) < fill_rate[j]``; otherwise
    the sale is lost and the customer stays in the pool, unless it switches
    (``_switch_choice``) or the product takes backorders (it adopts and waits).
    """
    for c in prange(chunk_segment.shape[0]):
        s = chunk_segment[c]
        start = chunk_start[c]
        n = chunk_stop[c] - start
        masks = np.empty((n + 63) // 64, np.uint64)
        _screen(held, start, n, key_lo, key_hi, t_pool[s], t_owner, masks)
        n_changed[c] = _decide(c, s, start, n, masks, held, taste_sd, alpha_sd, taste_keys,
                               indptr, counts, use_network, prob_mixed, haz_innov, haz_imit, dt,
                               voice, base, alpha, log_price, available, awareness,
                               outside_utility, aware_keys, key_lo, key_hi, key_choice,
                               key_fill, fill_rate, p_churn, p_replace, churn_return,
                               switching, backorders, new, units, repl, churn, back, lost,
                               changed, changed_from)


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
        m = n_changed[c]
        for k in range(min(_AHEAD, m)):
            prefetch(indptr, changed[start + k])
        for k in range(m):
            # start the changers' cache misses ahead (indptr, then their rows)
            if k + _AHEAD < m:
                prefetch(indptr, changed[start + k + _AHEAD])
            if k + _AHEAD // 2 < m:
                ahead = changed[start + k + _AHEAD // 2]
                prefetch(indices, indptr[ahead])
                prefetch(flat, np.int64(ahead) * j_count)
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


@jit
def _sum_chunks(chunk_segment, flows, out):
    for c in range(chunk_segment.shape[0]):
        s = chunk_segment[c]
        for j in range(flows.shape[1]):
            out[s, j] += flows[c, j]

