"""The timing harness: timed step loops of the kernel and of its NumPy reference, the
per-function breakdown of a step, the cost of passing a Generator to compiled code, and
the agreement check that keeps the reference honest.

Every run builds its market untimed and times only the ``steps`` calls of ``step()``.
"""

import math
import time

from benchmarks.kernel.cases import DT


def run_agent_kernel(seg, offer, j_count, network, steps, seed, backend="cpu"):
    """Build an AgentMarket (untimed; on the cuda backend this includes the upload of the
    state, ``flows["transfer_s"]``) and time ``steps`` steps; curve and flows per step."""
    import numpy as np

    if backend == "cuda":
        from sim.kernel.cuda import CudaAgentMarket as AgentMarket
    else:
        from sim.kernel import AgentMarket

    n = int(seg.population.sum())
    market = AgentMarket(seg, j_count, seed=seed, network=network)
    share = np.empty(steps)
    pool_start = np.empty((steps, seg.n_segments))
    changers = np.empty(steps)
    adopters = np.empty(steps)
    pool = market.pool.copy()
    t0 = time.perf_counter()
    for k in range(steps):
        out = market.step(offer, DT)
        pool_start[k] = pool
        pool = out.pool
        adopters[k] = out.new_adopters.sum()
        changers[k] = adopters[k] + out.churners.sum()
        share[k] = out.active.sum() / n
    elapsed = time.perf_counter() - t0
    return elapsed, {"share": share, "pool_start": pool_start, "changers": changers,
                     "adopters": adopters, "transfer_s": getattr(market, "transfer_s", None),
                     "launch": (getattr(market, "threads_per_block", None),
                                getattr(market, "blocks", None))}


def run_agent_reference(seg, offer, j_count, network, steps, seed):
    import numpy as np

    from benchmarks.numpy_reference import NumpyAgentMarket

    n = int(seg.population.sum())
    market = NumpyAgentMarket(seg, j_count, seed=seed, network=network)
    share = np.empty(steps)
    t0 = time.perf_counter()
    for k in range(steps):
        market.step(offer, DT)
        share[k] = market.active.sum() / n
    return time.perf_counter() - t0, share


def run_aggregate_kernel(seg, offer, j_count, steps, seed, draws="generator",
                         clock=time.perf_counter):
    """Seconds of ``steps`` aggregate steps by ``clock`` (``time.thread_time`` for the CPU
    time, which a busy machine inflates less than the wall) and the final adopter share."""
    import numpy as np

    from sim.kernel import AggregateMarket

    market = AggregateMarket(seg, j_count, draws=draws)
    rng = np.random.default_rng(seed)
    t0 = clock()
    for _ in range(steps):
        out = market.step(offer, DT, rng)
    elapsed = clock() - t0
    return elapsed, out.active.sum() / seg.population.sum()


def run_aggregate_reference(seg, offer, j_count, steps, seed):
    import numpy as np

    from benchmarks.numpy_reference import NumpyAggregateMarket

    market = NumpyAggregateMarket(seg, j_count)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(steps):
        market.step(offer, DT, rng)
    return time.perf_counter() - t0, market.active.sum() / seg.population.sum()


AGENT_PARTS = ("_step_agents", "_scatter_changes", "_sum_chunks")
AGGREGATE_PARTS = ("_step_aggregate", "_step_aggregate_handle", "_step_keyed", "_segment_drivers",
                   "drivers", "hazard_probabilities", "_check_offer")


def time_breakdown(module_name, names, run_steps, steps):
    """Seconds per step spent in the named module-level functions of ``module_name`` while
    ``run_steps()`` runs (it returns the wall time of its step loop, construction excluded),
    found by wrapping them for the duration of that extra run; ``rest`` is the Python and
    NumPy glue of ``step()``. Names the module lacks are skipped, so the breakdown survives
    refactoring of the kernel's private functions."""
    import importlib

    module = importlib.import_module(module_name)
    spent, originals = {}, {}

    def wrap(name, fn):
        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t0
        return timed

    for name in names:
        fn = getattr(module, name, None)
        if callable(fn):
            originals[name] = fn
            spent[name] = 0.0
            setattr(module, name, wrap(name, fn))
    try:
        total = run_steps()
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)
    out = {name: v / steps for name, v in spent.items() if v > 0.0}
    out["rest"] = max(total - sum(spent.values()), 0.0) / steps
    out["total"] = total / steps
    return out


def generator_call_overhead_us(calls=20000):
    """Microseconds a call of a compiled function costs when one argument is a NumPy
    Generator, minus the same call with a float: Numba types and unboxes the Generator
    (ctypes look-ups) on every call."""
    import numba
    import numpy as np

    @numba.njit(cache=True)
    def with_rng(rng, x):
        return x

    @numba.njit(cache=True)
    def without_rng(x):
        return x

    rng = np.random.default_rng(0)
    with_rng(rng, 1.0)
    without_rng(1.0)
    best = []
    for fn, args in ((with_rng, (rng, 1.0)), (without_rng, (1.0,))):
        b = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(calls):
                fn(*args)
            b = min(b, (time.perf_counter() - t0) / calls)
        best.append(b)
    return (best[0] - best[1]) * 1e6



def agreement(a, n_a, b, n_b):
    """Whether two final adopter shares agree: within 3% relative or 4 binomial sd."""
    sd = math.sqrt(max(a * (1 - a), 0.0) / n_a + max(b * (1 - b), 0.0) / n_b)
    tol = max(0.03 * max(a, b), 4.0 * sd, 1e-6)
    return abs(a - b) <= tol, tol
