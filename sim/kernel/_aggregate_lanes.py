"""Aggregate mode, the compiled step for keyed draws (``draws="counter"`` and ``"approx"``):
``_aggregate_step.step_aggregate``'s draws, the same numbers, drawn in batches.

A keyed draw is a pure function of (step key, draw index, n, p), so the step may take
its draws in any order. ``step_aggregate`` takes them segment by segment, one at a time;
here every kind of draw of the step goes to ``_binomial_lanes.draw_lanes`` as one batch
over segments (and products), where the CPU computes many at once:

1. the considering customers of every segment (S draws) and the churners (S x J), which
   depend only on the state before the step;
2. the split of the considering customers over the products and the outside option, the
   binary tree of ``sim.kernel._aggregate_draw``: one batch per level of the tree, every
   segment's nodes of that level together (ceil(log2(J + 1)) batches); the first level
   with the churners' returns and the replacements (2 S J);
3. the stock-outs (S x J, where a fill rate is below 1), then the switching of
   ``step_aggregate`` (one at a time: its draws are few and rare);
4. every segment settled.

Each draw keeps its index (``step_aggregate``'s docstring), so the step's outcome is
bit-identical to ``step_aggregate`` with the same source
(``tests/kernel/test_kernel_aggregate_lanes.py``), and the plain-Python twin of
``tests/naive.py`` still reproduces it.

``step_lanes`` takes ``step_aggregate``'s arguments. The market calls ``step_keyed``,
which takes fewer (passing each costs about 65 ns): the work arrays of
``step_workspace``, kept from step to step, hold the segment parameters, the
min_variance, the key's source (``set_source``, ``write_key``) and every array the step
fills, the prologue's included, so a step allocates nothing.
"""

import numba
import numpy as np
from numba import types
from numba.extending import overload

from sim.kernel._aggregate_draw import node_probability, tree_nodes
from sim.kernel._aggregate_step import (
    CHURNERS,
    LOST,
    N_PROLOGUE_ARRAYS,
    N_SEG_COLUMNS,
    NEW,
    REPLACEMENTS,
    RETURNED,
    SEG_CHURN_RETURN,
    SEG_LQ_RETURN,
    considering_probability,
    prologue,
    settle,
    switch,
)
from sim.kernel._binomial_lanes import draw_lanes
from sim.kernel._numba import jit
from sim.kernel.generator import RAW64_BIT_GENERATORS, generator_handle, raw_uint64


def _lanes_source_py(source):
    if isinstance(source, tuple):
        return np.uint64(source[0]), float(source[1])
    return np.uint64(source), np.inf


def _lanes_source(source):
    return _lanes_source_py(source)


@overload(_lanes_source, jit_options={"cache": True})
def _lanes_source_overload(source):
    """``(key, min_variance)`` of a keyed source: ``(key, min_variance)`` itself for the
    approximate draws, ``(key, inf)`` for the exact ones."""
    if isinstance(source, types.BaseTuple):
        def impl(source):
            return source[0], source[1]
    else:
        def impl(source):
            return source, np.inf
    return impl


lanes_source = _lanes_source_py if numba.config.DISABLE_JIT else _lanes_source


# Rows of the step's work arrays (``step_workspace``) after ``draw_lanes``' own: float64
# p, lq, (column 0) the min_variance, the segment parameters and attribute weights (each
# flattened in a row) and the prologue's arrays, one a row
# (``prologue_arrays``); int64 n, index, drawn, the stock-outs' cells, the split's counts
# per range of choices, the split's tree (three rows of nodes and a row of the levels'
# first nodes, ``tree_nodes``; made with the workspace); uint64 the source
# (``SOURCE_COLUMNS``). A row holds the largest batch: the tree's first level with the
# returns and the replacements, S (2 J + 1) lanes
_F_P, _F_LQ, _F_MV, _F_SEG, _F_WEIGHTS, _F_PROLOGUE = 16, 17, 18, 19, 20, 21
_I_N, _I_INDEX, _I_DRAWN, _I_CELL, _I_REMAINING, _I_NODES, _I_STARTS = 11, 12, 13, 14, 15, 16, 19
K_SOURCE = 3
# the source row: a Generator's handle (``sim.kernel.generator``), whether the step's key
# is its next raw output (1) or the key written in column 5 (0), that key
SOURCE_COLUMNS = 6


@jit
def step_workspace(seg, weights, j_count, min_variance):
    """The work arrays of ``step_keyed`` for a market of the segment parameters ``seg``
    (S, 8), ``weights`` (S, K) and J products: (float64, int64, uint64), ``draw_lanes``'
    workspace with the step's own rows; ``min_variance`` as the source's (``inf``: the
    exact draws of ``draws="counter"``), ``seg`` and ``weights`` copied in (they do not
    change during a run). The source row is zero."""
    s_count, k_count = weights.shape
    lanes = max(s_count * (2 * j_count + 1), s_count * seg.shape[1], s_count * k_count,
                SOURCE_COLUMNS)
    fw = np.empty((_F_PROLOGUE + N_PROLOGUE_ARRAYS, lanes))
    fw[_F_MV, 0] = min_variance
    fw[_F_SEG, :seg.size] = seg.ravel()
    fw[_F_WEIGHTS, :weights.size] = weights.ravel()
    kw = np.empty((4, lanes), np.uint64)
    kw[K_SOURCE, :] = 0
    iw = np.empty((_I_STARTS + 1, lanes), np.int64)
    # the split's tree: its nodes, the levels' first nodes and (after them) their number
    iw[_I_STARTS, j_count + 2] = tree_nodes(j_count + 1, iw[_I_NODES:_I_NODES + 3],
                                            iw[_I_STARTS])
    return fw, iw, kw


@jit
def step_lanes(source, dt, seg, weights, price, attributes, utility, has_utility, available,
               awareness, advertising, satisfaction, voice, churn_rate, slope,
               replacement_rate, fill_rate, pool, lapsed, active, out, after, season, switching,
               backorders):
    """``step_aggregate`` for a keyed ``source`` (a uint64 key, or ``(key,
    min_variance)``), its draws in batches (module docstring); the same arguments and
    the same outcome."""
    key, min_variance = lanes_source(source)
    fw, iw, kw = step_workspace(seg, weights, active.shape[1], min_variance)
    _step(key, min_variance, dt, seg, weights, price, attributes, utility, has_utility,
          available, awareness, advertising, satisfaction, voice, churn_rate, slope,
          replacement_rate, fill_rate, pool, lapsed, active, out, after, season, switching,
          backorders, fw, iw, kw)


@jit
def step_keyed(dt, vectors, voice, attributes, utility, available, awareness, advertising,
               pool, lapsed, active, out, after, season, switching, backorders, fw, iw, kw):
    """``step_lanes`` as the market calls it, with fewer arguments (each costs about 65 ns
    to pass): its work arrays (``step_workspace``) kept from step to step, with the
    segment parameters, the min_variance and the key's source in them; the key drawn
    here from the Generator's handle where the source row says so (``raw_uint64``: what
    ``random_raw()`` gives for those bit generators); the offer's per-product vectors as
    one (7, J) array (``Offer.PACKED_ROWS``) and ``voice``; ``utility`` with no rows where there is
    none. The same outcome as ``step_lanes`` with that key."""
    src = kw[K_SOURCE]
    key = src[5]
    if src[4] == 1:
        key = raw_uint64((src[0], src[1], src[2], src[3]))
    s_count, j_count = active.shape
    k_count = attributes.shape[1]
    seg = fw[_F_SEG, :s_count * N_SEG_COLUMNS].reshape((s_count, N_SEG_COLUMNS))
    weights = fw[_F_WEIGHTS, :s_count * k_count].reshape((s_count, k_count))
    _step(key, fw[_F_MV, 0], dt, seg, weights, vectors[0], attributes, utility,
          utility.shape[0] > 0, available, awareness, advertising, vectors[1], voice,
          vectors[3], vectors[4], vectors[5], vectors[2], pool, lapsed, active, out, after, season,
          switching, backorders, fw, iw, kw)


@jit(inline="always")
def _prologue_rows(fw, s_count, j_count):
    """``prologue_arrays`` as views of rows of ``fw`` (``step_workspace``)."""
    r = _F_PROLOGUE
    return (fw[r, :s_count * (j_count + 1)].reshape((s_count, j_count + 1)),
            fw[r + 1, :s_count * j_count].reshape((s_count, j_count)),
            fw[r + 2, :s_count], fw[r + 3, :s_count], fw[r + 4, :s_count],
            fw[r + 5, :j_count], fw[r + 6, :j_count], fw[r + 7, :j_count],
            fw[r + 8, :j_count], fw[r + 9, :j_count], fw[r + 10, :j_count],
            fw[r + 11, :j_count])


@jit
def _step(key, min_variance, dt, seg, weights, price, attributes, utility, has_utility,
          available, awareness, advertising, satisfaction, voice, churn_rate, slope,
          replacement_rate, fill_rate, pool, lapsed, active, out, after, season, switching,
          backorders, fw, iw, kw):
    """The step of ``step_lanes``, in the work arrays ``fw``, ``iw``, ``kw``."""
    s_count, j_count = active.shape
    # a keyed source's shared logarithms do not depend on its type (``shared_log_q``)
    has_backorders, shares, adv, attract, reach, p_churn, p_repl, lq_churn, lq_repl = prologue(
        key, dt, seg, weights, price, attributes, utility, has_utility, available,
        awareness, advertising, satisfaction, churn_rate, slope, replacement_rate, fill_rate,
        backorders, _prologue_rows(fw, s_count, j_count))
    cells = s_count * j_count
    n, p, lq, index, drawn, cell = (iw[_I_N], fw[_F_P], fw[_F_LQ], iw[_I_INDEX], iw[_I_DRAWN],
                                    iw[_I_CELL])
    slots = 5 * j_count + 1
    new = out[NEW]
    lost = out[LOST]
    churners = out[CHURNERS]
    # 1. the considering customers (lanes 0..S-1) and the churners (S..S+cells-1)
    for s in range(s_count):
        prob = considering_probability(s, dt, seg, voice, pool, lapsed, active, adv,
                                       attract, reach, season)
        n[s] = pool[s]
        p[s] = min(prob, 1.0) if prob > 0.0 else 0.0
        lq[s] = 1.0
        index[s] = s * slots
        slot = s * slots + 1 + 2 * j_count
        for j in range(j_count):
            a = s_count + s * j_count + j
            n[a] = active[s, j]
            p[a] = p_churn[j] if p_churn[j] > 0.0 else 0.0
            lq[a] = lq_churn[j]
            index[a] = slot + j
    draw_lanes(key, min_variance, n, p, lq, index, s_count + cells, drawn, fw, iw, kw)
    for s in range(s_count):
        for j in range(j_count):
            churners[s, j] = drawn[s_count + s * j_count + j]
    # 2. their split over the products and the outside option: the tree of
    # ``sim.kernel._aggregate_draw``, each level of every segment's tree one batch; the
    # returns and the replacements (their churners drawn) go with the first level
    width = j_count + 1
    count = iw[_I_REMAINING]  # segment s's customers of the range from choice lo
    nodes = iw[_I_NODES:_I_NODES + 3]  # the tree (``tree_nodes``, made with the workspace)
    starts = iw[_I_STARTS]
    for s in range(s_count):
        for j in range(j_count):
            lost[s, j] = 0
        count[s * width] = drawn[s]
    for level in range(iw[_I_STARTS, width + 1]):  # (the number of levels)
        c = 0
        for q in range(starts[level], starts[level + 1]):
            lo, mid, hi = nodes[0, q], nodes[1, q], nodes[2, q]
            for s in range(s_count):
                n[c] = count[s * width + lo]
                p[c] = node_probability(shares, s, lo, mid, hi)
                lq[c] = 1.0
                index[c] = s * slots + mid
                c += 1
        first = c  # the tree's first level (its one node): the returns and replacements
        if level == 0:
            for s in range(s_count):
                slot = s * slots + 1 + 2 * j_count
                cr = seg[s, SEG_CHURN_RETURN]
                for j in range(j_count):
                    a = first + s * j_count + j
                    n[a] = churners[s, j]
                    p[a] = cr if cr > 0.0 else 0.0
                    lq[a] = seg[s, SEG_LQ_RETURN]
                    index[a] = slot + 2 * j_count + j
                    n[cells + a] = active[s, j] - churners[s, j]
                    p[cells + a] = p_repl[j] if p_repl[j] > 0.0 else 0.0
                    lq[cells + a] = lq_repl[j]
                    index[cells + a] = slot + j_count + j
            c += 2 * cells
        draw_lanes(key, min_variance, n, p, lq, index, c, drawn, fw, iw, kw)
        if level == 0:
            for s in range(s_count):
                for j in range(j_count):
                    a = first + s * j_count + j
                    out[RETURNED, s, j] = drawn[a]
                    out[REPLACEMENTS, s, j] = drawn[cells + a]
        c = 0
        for q in range(starts[level], starts[level + 1]):
            lo, mid = nodes[0, q], nodes[1, q]
            for s in range(s_count):
                whole = count[s * width + lo]
                count[s * width + lo] = drawn[c]
                count[s * width + mid] = whole - drawn[c]
                c += 1
    for s in range(s_count):
        for j in range(j_count):
            new[s, j] = count[s * width + j]
    # 3. stock-outs: the choosers who find no stock are lost sales (and may switch)
    c = 0
    short = False  # (a fill rate below 1: most steps of most markets have none)
    for j in range(j_count):
        short = short or fill_rate[j] < 1.0
    for s in range(s_count if short else 0):
        for j in range(j_count):
            if new[s, j] > 0 and fill_rate[j] < 1.0:
                n[c] = new[s, j]
                p[c] = 1.0 - fill_rate[j]
                lq[c] = 1.0
                index[c] = s * slots + 1 + j_count + j
                cell[c] = s * j_count + j
                c += 1
    if c > 0:
        draw_lanes(key, min_variance, n, p, lq, index, c, drawn, fw, iw, kw)
        for a in range(c):
            s, j = divmod(cell[a], j_count)
            lost[s, j] = drawn[a]
            new[s, j] -= drawn[a]
    if switching > 0.0 or has_backorders:  # one at a time, with the source's own draws
        if min_variance < np.inf:
            for s in range(s_count):
                switch((key, min_variance), s, s_count, j_count, switching, shares, fill_rate,
                       backorders, out)
        else:
            for s in range(s_count):
                switch(key, s, s_count, j_count, switching, shares, fill_rate, backorders,
                       out)
    # 4. every segment settled
    for s in range(s_count):
        settle(s, pool, lapsed, active, out, after)


def set_source(kw, rng) -> bool:
    """Point the source row of ``kw`` (``step_workspace``) at ``rng``: its handle, and
    whether ``step_keyed`` draws each step's key from it (a bit generator of
    ``RAW64_BIT_GENERATORS``, compiled code). Where not (MT19937, or no compiler), the
    caller writes each step's key, ``rng.bit_generator.random_raw()``, to column 5:
    ``write_key``. Returns which."""
    own = not numba.config.DISABLE_JIT and type(rng.bit_generator) in RAW64_BIT_GENERATORS
    row = kw[K_SOURCE]
    row[:4] = generator_handle(rng) if own else (0, 0, 0, 0)
    row[4] = own
    return own


def write_key(kw, rng) -> None:
    """This step's key, ``rng.bit_generator.random_raw()``, into the source row."""
    kw[K_SOURCE, 5] = rng.bit_generator.random_raw()
