"""Aggregate mode, the compiled step with its segments on Numba's threads (keyed draws).

A segment's flows read only what the step's prologue computed once and their own rows
(``_aggregate_step._segment_flows``), and a keyed draw is a pure function of its key and
index: with the counter-based samplers (``draws="counter"`` or ``"approx"``) the segments
can run at once, in any order, and give the same bits as one after another
(``tests/kernel/test_kernel_aggregate_parallel.py``). A Generator's draws are one stream
in a fixed order: never here (``AggregateMarket`` calls this only with a keyed source).

Worth it only where a step has enough draws to share: ``PARALLEL_MIN_CELLS`` segments x
products and more than one thread (``NUMBA_NUM_THREADS``; a sweep's workers get one each,
as joblib's loky sets it to the cores over the workers). A parallel region costs about
1.4 us to start here. Measured on the benchmark's 20 x 10 step, 2 threads, compiled call
alone: 19-20 us against 26-27 us serial with ``draws="approx"``, 32 against 50 with
``"counter"`` (``benchmarks/bench_kernel.py --mode aggregate``).
"""

from numba import prange

from sim.kernel._aggregate_step import (
    SEG_ALPHA,
    SEG_BETA,
    SEG_IV_REF,
    SEG_V0,
    _prologue,
    _segment_flows,
    any_true,
)
from sim.kernel._numba import jit_parallel
from sim.kernel.choice import _driver_row

# below this many segments x products a step's draws do not pay for waking the threads
PARALLEL_MIN_CELLS = 64


@jit_parallel
def step_aggregate_parallel(source, dt, seg, weights, price, attributes, utility, has_utility,
                            available, awareness, advertising, satisfaction, churn_rate, slope,
                            replacement_rate, fill_rate, pool, lapsed, active, out, after,
                            season, switching, backorders, chunks):
    """``_aggregate_step.step_aggregate`` (same arguments, same results) with the
    segments cut into ``chunks`` contiguous runs, one an iteration of a ``prange``: each
    run computes its segments' drivers, then their draws and flows. ``source`` must be
    keyed (a uint64 key, or the tuple ``(key, min_variance)``). Any ``chunks`` >= 1 gives
    the same bits; the market passes its thread count."""
    s_count = active.shape[0]
    (base, log_price, shares, adv, attract, reach, v_sj, p_churn, p_repl, lq_churn,
     lq_repl) = _prologue(source, dt, weights, price, attributes, utility, has_utility,
                          available, satisfaction, churn_rate, slope, replacement_rate,
                          fill_rate, s_count)
    has_backorders = any_true(backorders)
    alpha, v0, beta, iv_ref = (seg[:, SEG_ALPHA], seg[:, SEG_V0], seg[:, SEG_BETA],
                               seg[:, SEG_IV_REF])
    chunks = max(min(chunks, s_count), 1)
    for c in prange(chunks):  # contiguous runs of segments, one a thread
        lo, hi = c * s_count // chunks, (c + 1) * s_count // chunks
        for s in range(lo, hi):
            _driver_row(s, base, alpha, v0, beta, iv_ref, log_price, available, awareness,
                        advertising, shares, adv, attract, reach, v_sj[s])
        _segment_flows(source, lo, hi, dt, seg, shares, adv, attract, reach, p_churn, p_repl,
                       lq_churn, lq_repl, available, satisfaction, fill_rate, pool, lapsed,
                       active, out, after, season, switching, backorders, has_backorders)
