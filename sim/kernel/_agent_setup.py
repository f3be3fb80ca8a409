"""Agent mode, the compiled set-up of a market: initial states, tastes, neighbour counts.

Every draw is counter-based (``sim.kernel.rng``), so the set-up depends on the seed and
the population only, not on the thread count.
"""

import numpy as np
from numba import prange

from sim.kernel._agent_passes import LAPSED, POOL, _alpha_mult_of, _taste_of
from sim.kernel._atomic import atomic_add
from sim.kernel._numba import jit, jit_parallel
from sim.kernel.rng import uniform

_COUNT_CHUNKS = 256  # fixed chunks of customers (the counts do not depend on them)


@jit_parallel
def _neighbour_counts(held, indptr, indices, counts):
    """``counts[i, j]``: how many of i's neighbours own j (``counts`` zero on entry).

    The network is symmetric, so each owner adds one to its neighbours' counts of its
    product: work in proportion to the owners' edges, not to every edge (owners are
    usually a small share of customers at the start). Integer atomic adds: the same counts
    for any thread count or order.
    """
    n = held.shape[0]
    j_count = counts.shape[1]
    flat = counts.reshape(n * j_count)
    chunks = min(_COUNT_CHUNKS, n)
    for c in prange(chunks):
        for i in range(n * c // chunks, n * (c + 1) // chunks):
            h = held[i]
            if h >= 0:
                for e in range(indptr[i], indptr[i + 1]):
                    atomic_add(flat, np.int64(indices[e]) * j_count + h, 1)


@jit_parallel
def _draw_tastes(seg_start, taste_sd, alpha_sd, keys, taste, alpha_mult):
    """Every customer's taste deviation and price-sensitivity multiplier (float32 (N,)),
    the values the decide pass draws on demand (``_taste_of``, ``_alpha_mult_of``)."""
    for s in range(taste_sd.shape[0]):
        lo, hi = seg_start[s], seg_start[s + 1]
        ts, al = taste_sd[s], alpha_sd[s]
        for i in prange(lo, hi):
            taste[i] = _taste_of(ts, keys, i)
            alpha_mult[i] = _alpha_mult_of(al, keys, i)


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
