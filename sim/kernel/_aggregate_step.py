"""Aggregate mode, the compiled step: drivers, owner probabilities and draws in one call.

A step used to cost far more in Python glue (the drivers and owner probabilities as
separate NumPy calls, six allocations, an outcome built from copies) than in its draws;
here one compiled call does it all and writes into one preallocated int64 buffer.

The draws come from one of two sources, chosen by the type of ``source`` (one compiled
body, two specialisations):
- a ``numpy.random.Generator``: ``source.binomial(n, p)``, in the documented order, so a
  step is bit-identical to NumPy calls in that order (``tests/naive.py``); the market
  passes it as its ``sim.kernel.generator`` handle (``step_aggregate_handle``);
- a uint64 key: ``binomial(n, p, draw_key(key, index))`` (``sim.kernel.binomial``), the
  counter-based exact sampler, where ``index = s * (5 J + 1) + slot`` numbers the draws of
  segment s: slot 0 the considering customers, 1..J the split over the choices (a binary
  tree, its node at ``mid`` slot ``mid``: ``sim.kernel._aggregate_draw``), 1 + J + j the
  stock-outs of product j, 1 + 2J + j churn, 1 + 3J + j replacement, 1 + 4J + j returns;
- a tuple ``(key, min_variance)``: the same keys and indices with the approximate sampler
  ``binomial_approx(n, p, draw_key(key, index), min_variance)`` (``draws="approx"``).

For keyed sources the market steps with ``sim.kernel._aggregate_lanes.step_keyed``, which
makes the same draws in batches (and shares ``prologue``, ``considering_probability``,
``switch`` and ``settle`` with this step); this one-at-a-time step is its reference.

Model: see ``sim.kernel.aggregate``.
"""

import numba
import numpy as np
from numba import types
from numba.extending import overload

from sim.kernel._aggregate_draw import draw, keyed, tree_split
from sim.kernel._numba import jit
from sim.kernel.binomial import log_q
from sim.kernel.choice import base_utility_into, segment_drivers_into
from sim.kernel.generator import generator_of

# Rows of the output buffer (K, S, J): flows, then the state after the step.
NEW, UNITS, REPLACEMENTS, CHURNERS, RETURNED, LOST, ACTIVE = range(7)
N_ROWS = 7
# Columns of the packed segment parameters (S, 8); the last is log_q(churn_return) (1.0
# where churn_return is 0), the logarithm the counter-based return draws share
SEG_P, SEG_Q, SEG_ALPHA, SEG_V0, SEG_BETA, SEG_IV_REF, SEG_CHURN_RETURN, SEG_LQ_RETURN = range(8)
N_SEG_COLUMNS = 8


@jit
def packed_log_q(p):
    """``log_q(p[i])`` (1.0 where p[i] <= 0), compiled as in the step: a packed column."""
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = log_q(p[i]) if p[i] > 0.0 else 1.0
    return out


def _shared_log_q_py(source, p):
    return 1.0 if isinstance(source, np.random.Generator) else float(log_q(p))


def _shared_log_q(source, p):
    return _shared_log_q_py(source, p)


@overload(_shared_log_q, jit_options={"cache": True})
def _shared_log_q_overload(source, p):
    """``log_q(p)`` for the counter-based samplers, nothing for NumPy's (a constant 1.0)."""
    if isinstance(source, types.NumPyRandomGeneratorType):
        def impl(source, p):
            return 1.0
    else:
        def impl(source, p):
            return log_q(p)
    return impl


shared_log_q = _shared_log_q_py if numba.config.DISABLE_JIT else _shared_log_q


@jit
def owner_probabilities(churn_rate, slope, replacement_rate, satisfaction, dt, p_churn,
                        p_replace):
    """``choice.hazard_probabilities`` in compiled form (same operations, same order)."""
    for j in range(churn_rate.shape[0]):
        c = churn_rate[j] + slope[j] * (1.0 - satisfaction[j])
        total = c + replacement_rate[j]
        p_event = -np.expm1(-total * dt)
        frac = c / total if total > 0.0 else 0.0
        p_churn[j] = p_event * frac
        p_replace[j] = max(p_event - p_churn[j], 0.0)


# The arrays ``prologue`` fills, in this order (``prologue_arrays``): shares (S, J + 1),
# the attribute utility (S, J), adv, attract, reach (S,), p_churn, p_replace, p_repl,
# lq_churn, lq_repl, log_price, v_sj (J,)
N_PROLOGUE_ARRAYS = 12


@jit
def prologue_arrays(s_count, j_count):
    """New arrays for ``prologue`` (``N_PROLOGUE_ARRAYS``; the step for a Generator)."""
    return (np.empty((s_count, j_count + 1)), np.empty((s_count, j_count)),
            np.empty(s_count), np.empty(s_count), np.empty(s_count), np.empty(j_count),
            np.empty(j_count), np.empty(j_count), np.empty(j_count), np.empty(j_count),
            np.empty(j_count), np.empty(j_count))


@jit
def prologue(source, dt, seg, weights, price, attributes, utility, has_utility, available,
             awareness, advertising, satisfaction, churn_rate, slope, replacement_rate,
             fill_rate, backorders, arrays):
    """What a step computes before its draws: ``(has_backorders, shares, adv, attract,
    reach, p_churn, p_repl, lq_churn, lq_repl)`` (``step_aggregate``'s arguments), in
    ``arrays`` (``prologue_arrays``; the keyed step's are rows of its work arrays)."""
    (shares, base_buffer, adv, attract, reach, p_churn, p_replace, p_repl, lq_churn, lq_repl,
     log_price, v_sj) = arrays
    j_count = price.shape[0]
    has_backorders = False
    for j in range(j_count):
        has_backorders = has_backorders or backorders[j]
    base = utility
    if not has_utility:
        base_utility_into(weights, attributes, base_buffer)
        base = base_buffer
    segment_drivers_into(base, seg[:, SEG_ALPHA], seg[:, SEG_V0], seg[:, SEG_BETA],
                         seg[:, SEG_IV_REF], price, available, awareness, advertising, shares,
                         adv, attract, reach, log_price, v_sj)
    owner_probabilities(churn_rate, slope, replacement_rate, satisfaction, dt, p_churn,
                        p_replace)
    # a replacement buyer who finds no stock waits: the replacement probability given no
    # churn, times the fill rate (0 where the product cannot be bought); the logarithms
    # the exact samplers need of the shared probabilities, once per step
    for j in range(j_count):
        p_repl[j] = 0.0
        if p_replace[j] > 0.0 and available[j] and fill_rate[j] > 0.0:
            p_repl[j] = min(p_replace[j] * fill_rate[j] / (1.0 - p_churn[j]), 1.0)
        lq_churn[j] = shared_log_q(source, p_churn[j]) if p_churn[j] > 0.0 else 1.0
        lq_repl[j] = shared_log_q(source, p_repl[j]) if p_repl[j] > 0.0 else 1.0
    return has_backorders, shares, adv, attract, reach, p_churn, p_repl, lq_churn, lq_repl


@jit(inline="always")
def considering_probability(s, dt, seg, voice, pool, lapsed, active, adv, attract,
                            reach, season):
    """The probability that a potential adopter of segment s considers the category in
    the step (the Bass hazard with word of mouth weighted by ``voice``, satisfaction times
    the share of owners who talk (``Offer.voice``), times the reach)."""
    owners = 0
    wom = 0.0
    for j in range(active.shape[1]):
        owners += active[s, j]
        wom += voice[j] * active[s, j]
    population = pool[s] + lapsed[s] + owners
    if population > 0:
        wom /= population
    hazard = (seg[s, SEG_P] * adv[s] + seg[s, SEG_Q] * wom) * attract[s] * season
    return -np.expm1(-hazard * dt) * reach[s]


@jit(inline="always")
def split_ratio(shares, s, j):
    """The share of product j among the choices from j on (the products after it and the
    outside option) in segment s: the probability of the split's draw j."""
    tail = 0.0
    for k in range(j, shares.shape[1]):
        tail += shares[s, k]
    return shares[s, j] / tail


@jit(inline="always")
def settle(s, pool, lapsed, active, out, after):
    """Segment s after its draws: units, owners, pool and lapsed customers."""
    adopted = 0
    back = 0
    new = out[NEW]
    for j in range(active.shape[1]):
        c = out[CHURNERS, s, j]
        b = out[RETURNED, s, j]
        out[UNITS, s, j] = new[s, j] + out[REPLACEMENTS, s, j]
        active[s, j] = active[s, j] - c + new[s, j]
        out[ACTIVE, s, j] = active[s, j]
        adopted += new[s, j]
        back += b
        lapsed[s] += c - b
    pool[s] += back - adopted
    after[0, s] = pool[s]
    after[1, s] = lapsed[s]


@jit
def switch(source, s, s_count, j_count, switching, shares, fill_rate, backorders, out):
    """Stock-out switching in segment s. Of the ``m = LOST[s, j]`` choosers who found j out
    of stock, when some other product is considered (a positive share), a binomial share
    ``switching`` buys another product at once, split over the others by their logit
    shares (sequential binomials); a switcher who finds that one out of stock too stays in
    the pool. The rest stay in the pool (a lost sale) or, where ``backorders[j]``, order j
    anyway and wait: they count as j's adopters and only the switchers as its lost sales.
    Draw indices continue after the step's others: ``S (5 J + 1) + (s J + j) (2 J + 1) +
    slot``, slot 0 the switchers, 1 + k the split to k, 1 + J + k its stock-outs."""
    new = out[NEW]
    base = s_count * (5 * j_count + 1)
    for j in range(j_count):
        m = out[LOST, s, j]
        if m == 0:
            continue
        alternatives = 0.0
        for k in range(j_count):
            if k != j:
                alternatives += shares[s, k]
        switched = 0
        if switching > 0.0 and alternatives > 0.0:
            first = base + (s * j_count + j) * (2 * j_count + 1)
            switched = draw(source, m, switching, first)
            remaining = switched
            for k in range(j_count):
                if remaining == 0:
                    break
                if k == j or shares[s, k] <= 0.0:
                    continue
                tail = 0.0
                for q in range(k, j_count):
                    if q != j:
                        tail += shares[s, q]
                ratio = shares[s, k] / tail
                x = remaining if ratio >= 1.0 else draw(source, remaining, ratio, first + 1 + k)
                remaining -= x
                if x > 0 and fill_rate[k] < 1.0:
                    x -= draw(source, x, 1.0 - fill_rate[k], first + 1 + j_count + k)
                new[s, k] += x
        if backorders[j]:
            new[s, j] += m - switched
            out[LOST, s, j] = switched


@jit
def step_aggregate(source, dt, seg, weights, price, attributes, utility, has_utility,
                   available, awareness, advertising, satisfaction, voice, churn_rate, slope,
                   replacement_rate, fill_rate, pool, lapsed, active, out, after, season,
                   switching, backorders):
    """One aggregate step in place on pool (S,), lapsed (S,), active (S, J), int64.

    ``seg`` float64 (S, 8): p, q (per day), price sensitivity, outside utility,
    attractiveness elasticity, reference inclusive value, churn_return and its
    ``log_q`` (``packed_log_q``). ``season``
    multiplies every segment's category hazard (demand seasonality); ``switching`` is the
    share of stocked-out choosers who buy another product at once, and ``backorders``
    (bool (J,)) marks products whose other stocked-out choosers wait (``switch``).
    ``weights`` (S, K); offer arrays as in ``params.Offer`` (``utility`` read when ``has_utility``).
    Writes the flows and the owners after the step into ``out`` int64 (7, S, J) (rows
    ``NEW`` .. ``ACTIVE``) and the pool and lapsed after it into ``after`` int64 (2, S).
    """
    s_count, j_count = active.shape
    has_backorders, shares, adv, attract, reach, p_churn, p_repl, lq_churn, lq_repl = prologue(
        source, dt, seg, weights, price, attributes, utility, has_utility, available,
        awareness, advertising, satisfaction, churn_rate, slope, replacement_rate, fill_rate,
        backorders, prologue_arrays(s_count, j_count))
    slots = 5 * j_count + 1
    new = out[NEW]
    for s in range(s_count):
        first = s * slots
        prob = considering_probability(s, dt, seg, voice, pool, lapsed, active, adv,
                                       attract, reach, season)
        considering = 0
        if pool[s] > 0 and prob > 0.0:
            considering = draw(source, pool[s], min(prob, 1.0), first)
        # Multinomial split of the considering customers: by sequential binomials (the
        # remainder after the products chose the outside option), or for keyed draws by
        # a binary tree over the choices (``sim.kernel._aggregate_draw``)
        for j in range(j_count):
            new[s, j] = 0
            out[LOST, s, j] = 0
        if keyed(source):
            tree_split(source, s, first, considering, shares, new)
        else:
            remaining = considering
            for j in range(j_count):
                if remaining == 0 or shares[s, j] <= 0.0:
                    continue
                ratio = split_ratio(shares, s, j)
                x = remaining if ratio >= 1.0 else draw(source, remaining, ratio, first + 1 + j)
                new[s, j] = x
                remaining -= x
        # Stock-outs: a chooser finds the product in stock with probability fill_rate;
        # the others are lost sales and stay in the pool.
        for j in range(j_count):
            x = new[s, j]
            if x > 0 and fill_rate[j] < 1.0:
                miss = draw(source, x, 1.0 - fill_rate[j], first + 1 + j_count + j)
                out[LOST, s, j] = miss
                new[s, j] = x - miss
        if switching > 0.0 or has_backorders:
            switch(source, s, s_count, j_count, switching, shares, fill_rate, backorders,
                    out)
        cr = seg[s, SEG_CHURN_RETURN]
        lq_cr = seg[s, SEG_LQ_RETURN]
        slot = first + 1 + 2 * j_count  # churn, then replacement, then returns
        if keyed(source):
            # keyed draws do not depend on their order: one loop per kind, so the draws of
            # a loop are independent of each other (the CPU overlaps them)
            for j in range(j_count):
                n = active[s, j]
                c = 0
                if n > 0 and p_churn[j] > 0.0:
                    c = draw(source, n, p_churn[j], slot + j, lq_churn[j])
                out[CHURNERS, s, j] = c
            for j in range(j_count):
                c = out[CHURNERS, s, j]
                b = 0
                if c > 0 and cr > 0.0:
                    b = draw(source, c, cr, slot + 2 * j_count + j, lq_cr)
                out[RETURNED, s, j] = b
            for j in range(j_count):
                n = active[s, j] - out[CHURNERS, s, j]
                r = 0
                if n > 0 and p_repl[j] > 0.0:
                    r = draw(source, n, p_repl[j], slot + j_count + j, lq_repl[j])
                out[REPLACEMENTS, s, j] = r
        else:  # the Generator's draws in their documented order: churn, replacement, return
            for j in range(j_count):
                n = active[s, j]
                c = 0
                r = 0
                b = 0
                if n > 0 and p_churn[j] > 0.0:
                    c = draw(source, n, p_churn[j], slot + j)
                if n - c > 0 and p_repl[j] > 0.0:
                    r = draw(source, n - c, p_repl[j], slot + j_count + j)
                if c > 0 and cr > 0.0:
                    b = draw(source, c, cr, slot + 2 * j_count + j)
                out[CHURNERS, s, j] = c
                out[REPLACEMENTS, s, j] = r
                out[RETURNED, s, j] = b
        settle(s, pool, lapsed, active, out, after)


@jit
def step_aggregate_handle(handle, dt, seg, weights, price, attributes, utility, has_utility,
                          available, awareness, advertising, satisfaction, voice, churn_rate,
                          slope, replacement_rate, fill_rate, pool, lapsed, active, out, after,
                          season, switching, backorders):
    """``step_aggregate`` with a Generator's ``sim.kernel.generator`` handle for the
    Generator itself: the same draws, without Numba unboxing the Generator on every call
    (inside a default run the market's step took 47-48 us with it, 20-21 us without)."""
    step_aggregate(generator_of(handle), dt, seg, weights, price, attributes, utility,
                   has_utility, available, awareness, advertising, satisfaction, voice,
                   churn_rate, slope, replacement_rate, fill_rate, pool, lapsed, active, out,
                   after, season, switching, backorders)
