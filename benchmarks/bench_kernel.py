#!/usr/bin/env python
"""Adoption-kernel benchmark: agent-steps per second against a NumPy reference and a floor.

One run measures, in this one process: the kernel's steady-state speed, the same model in
plain NumPy (``benchmarks/numpy_reference.py``), the machine's memory bandwidth, the
kernel's compile (or cache-load) time apart from its steady state, and the time from
process start to the first kernel result. ``--json`` prints one JSON object; without it a
readable table. See ``benchmarks/README.md`` for every field.

    python benchmarks/bench_kernel.py --case bass --customers 10000000 --steps 100 --json
    python benchmarks/bench_kernel.py --case full --customers 1000000 --steps 100 --json
    python benchmarks/bench_kernel.py --mode aggregate --case full --json
    python benchmarks/bench_kernel.py --backend cuda --case full --customers 100000000 --json

``--backend cuda`` times ``sim.kernel.cuda.CudaAgentMarket`` on the GPU (agent mode only;
the NumPy reference still runs on the CPU). On numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``, no GPU) it runs but at ~1e4 customer-steps per second: use
tiny sizes there (``--customers 300 --steps 2``), and read its speeds as meaningless.

Speed is measured here, never asserted by tests.
"""

import time

_T_SCRIPT = time.perf_counter()  # before any heavy import, for first_result_s's fallback

import argparse  # noqa: E402
import atexit  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

DT = 1.0  # days: p, q and the churn rates are per-day hazards
WARMUP_CUSTOMERS = 2048
BANDWIDTH_MIB = 768  # three float64 arrays of 256 MiB, each 8x the 32 MiB L3 of the dev box
AGGREGATE_TARGET_US = 20.0
FIRST_RESULT_TARGET_S = 2.0


def _process_age():
    """Seconds since this process started (Linux /proc, 10 ms resolution), and the origin."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime, in ticks
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start, "process start (/proc/self/stat)"
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _T_SCRIPT, "script start (no /proc)"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--case", choices=("bass", "full"), default="bass")
    ap.add_argument("--mode", choices=("agent", "aggregate"), default="agent")
    ap.add_argument("--customers", type=int, default=None,
                    help="total customers (default 1e6 agent, 1e7 aggregate)")
    ap.add_argument("--steps", type=int, default=None,
                    help="steps of dt = 1 day (default 100 agent, 2000 aggregate)")
    ap.add_argument("--threads", type=int, default=None, help="numba.set_num_threads")
    ap.add_argument("--p", type=float, default=0.003, help="innovation hazard per day")
    ap.add_argument("--q", type=float, default=0.05, help="imitation hazard per day")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs; the best is reported")
    ap.add_argument("--backend", choices=("cpu", "cuda"), default="cpu",
                    help="cuda: sim.kernel.cuda.CudaAgentMarket on the GPU (agent mode; "
                         "numba-cuda, a GPU or NUMBA_ENABLE_CUDASIM=1)")
    ap.add_argument("--reference-customers", type=int, default=None,
                    help="customers of the NumPy reference run (default: same as --customers)")
    ap.add_argument("--reference-steps", type=int, default=None,
                    help="steps of the NumPy reference run (default: same as --steps)")
    ap.add_argument("--bandwidth-mib", type=int, default=BANDWIDTH_MIB,
                    help="total size of the three bandwidth-test arrays (keep far above the "
                         "last-level cache)")
    ap.add_argument("--cold-cache", action="store_true",
                    help="compile into an empty NUMBA_CACHE_DIR, so compile_s is a cold compile")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if args.backend == "cuda" and args.mode != "agent":
        ap.error("--backend cuda runs agent mode only (the aggregate step is a few "
                 "microseconds of serial work: it stays on the CPU)")
    if args.customers is None:
        args.customers = 1_000_000 if args.mode == "agent" else 10_000_000
    if args.steps is None:
        args.steps = 100 if args.mode == "agent" else 2000
    if args.reference_customers is None:
        args.reference_customers = args.customers
    if args.reference_steps is None:
        args.reference_steps = args.steps
    min_customers = 20 if args.mode == "aggregate" and args.case == "full" else 12
    for name in ("customers", "reference_customers"):
        if getattr(args, name) < min_customers:
            ap.error(f"--{name.replace('_', '-')} must be >= {min_customers}")
    for name in ("steps", "reference_steps", "repeat"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.reference_steps > args.steps:
        ap.error("--reference-steps must be <= --steps (agreement compares the same step)")
    if args.bandwidth_mib < 1:
        ap.error("--bandwidth-mib must be >= 1")
    if args.threads is not None and args.threads < 1:
        ap.error("--threads must be >= 1")
    if args.p < 0 or args.q < 0 or args.seed < 0:
        ap.error("--p, --q and --seed must be >= 0")
    return args


# --------------------------------------------------------------------------- cases

def build_case(case, mode, customers, p, q):
    """(segments, offer, n_products, description) of a named case."""
    import numpy as np

    from sim.kernel import Offer, Segments

    if case == "bass":
        seg = Segments.build(population=[customers], p=[p], q=[q])
        offer = Offer.build(seg, price=[1.0])
        return seg, offer, 1, "1 segment x 1 product, fully mixed, no churn, price 1, awareness 1"
    if mode == "agent":
        seg = Segments.build(
            population=[customers], p=[p], q=[q],
            attribute_weights=[[1.0, 0.5]], price_sensitivity=[1.5], outside_utility=[0.0],
            churn_return=[0.5], taste_sd=[0.3], price_sensitivity_sd=[0.25])
        offer = Offer.build(
            seg, price=[1.2, 1.0, 0.7],
            attributes=[[1.0, 0.2], [0.6, 0.8], [0.3, 0.3]],
            awareness=[[1.0, 1.0, 0.6]],
            satisfaction=[0.8, 0.8, 0.8], churn_rate=[0.002] * 3,
            churn_satisfaction_slope=[0.01] * 3, replacement_rate=[0.001] * 3)
        return seg, offer, 3, ("1 segment x 3 products, logit with outside option, awareness "
                               "(1, 1, 0.6), churn 0.002/day + 0.01/day per unit "
                               "dissatisfaction at satisfaction 0.8, churn_return 0.5, "
                               "replacement 0.001/day, taste_sd 0.3, price_sensitivity_sd "
                               "0.25, Watts-Strogatz network (mean degree 10, rewire 0.1)")
    # aggregate, full: 20 segments x 10 products, fixed pseudo-random parameters
    s_count, j_count, k_count = 20, 10, 3
    g = np.random.default_rng(20240)
    pop = np.full(s_count, customers // s_count, np.int64)
    pop[: customers % s_count] += 1
    seg = Segments.build(
        population=pop, p=p * g.uniform(0.5, 1.5, s_count), q=q * g.uniform(0.5, 1.5, s_count),
        attribute_weights=g.uniform(0.0, 1.0, (s_count, k_count)),
        price_sensitivity=g.uniform(0.5, 2.5, s_count), outside_utility=np.zeros(s_count),
        attractiveness_elasticity=np.full(s_count, 0.2),
        reference_inclusive_value=np.full(s_count, 2.0),
        churn_return=np.full(s_count, 0.5))
    offer = Offer.build(
        seg, price=g.uniform(0.5, 2.0, j_count), attributes=g.uniform(0.0, 1.0, (j_count, k_count)),
        awareness=g.uniform(0.5, 1.0, (s_count, j_count)),
        advertising=g.uniform(0.8, 1.2, (s_count, j_count)),
        satisfaction=g.uniform(0.7, 0.9, j_count), churn_rate=np.full(j_count, 0.002),
        churn_satisfaction_slope=np.full(j_count, 0.01),
        replacement_rate=np.full(j_count, 0.001))
    return seg, offer, j_count, ("20 segments x 10 products, logit with outside option, "
                                 "awareness 0.5-1, advertising, attractiveness 0.2, churn, "
                                 "churn_return 0.5, replacement")


def build_network(case, customers, seed):
    from sim.kernel import watts_strogatz

    if case != "full":
        return None
    return watts_strogatz(customers, 10, 0.1, seed)


# --------------------------------------------------------------------------- timed runs

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


def run_aggregate_kernel(seg, offer, j_count, steps, seed):
    import numpy as np

    from sim.kernel import AggregateMarket

    market = AggregateMarket(seg, j_count)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(steps):
        out = market.step(offer, DT, rng)
    elapsed = time.perf_counter() - t0
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
AGGREGATE_PARTS = ("_step_aggregate", "_segment_drivers", "drivers", "hazard_probabilities",
                   "_check_offer")


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


# --------------------------------------------------------------------------- bandwidth

def _triad_kernel():
    import numba

    @numba.njit(parallel=True, cache=True, fastmath=False)
    def triad(a, b, c, scalar):
        for i in numba.prange(a.shape[0]):
            a[i] = b[i] + scalar * c[i]

    return triad


def memory_bandwidth(total_mib=BANDWIDTH_MIB, trials=5):
    """STREAM-like triad ``a = b + s*c`` (numba prange, all kernel threads) and a NumPy copy
    ``b -> a`` (one thread) over three float64 arrays of ``total_mib / 3`` MiB each, far larger
    than the last-level cache; best of ``trials`` each, in GB/s, and the MiB of one array.
    Bytes counted as STREAM does: 24 B per triad element, 16 B per copied element (the
    write-allocate read is not counted)."""
    import numpy as np

    n = max(int(total_mib) * 2**20 // 24, 1)
    triad = _triad_kernel()
    a = np.zeros(n)
    b = np.full(n, 1.0)
    c = np.full(n, 2.0)
    triad(a, b, c, 3.0)
    best_triad = math.inf
    for _ in range(trials):
        t0 = time.perf_counter()
        triad(a, b, c, 3.0)
        best_triad = min(best_triad, time.perf_counter() - t0)
    best_copy = math.inf
    for _ in range(trials):
        t0 = time.perf_counter()
        np.copyto(a, b)
        best_copy = min(best_copy, time.perf_counter() - t0)
    return 24.0 * n / best_triad / 1e9, 16.0 * n / best_copy / 1e9, 8 * n / 2**20


def gpu_memory_bandwidth(total_mib=BANDWIDTH_MIB, trials=5):
    """The same STREAM-like triad on the GPU (numba-cuda kernel over three float64 device
    arrays of ``total_mib / 3`` MiB each, best of ``trials``): GB/s, method, MiB per array.
    On the simulator the arrays are 4096 elements and the number is meaningless."""
    import numpy as np

    from sim.kernel.cuda import load_backend

    dev = load_backend()
    cuda = dev.cuda
    n = 4096 if dev.SIMULATOR else max(int(total_mib) * 2**20 // 24, 1)
    triad = dev.triad_kernel

    a = cuda.to_device(np.zeros(n))
    b = cuda.to_device(np.full(n, 1.0))
    c = cuda.to_device(np.full(n, 2.0))
    grid = (2, 8) if dev.SIMULATOR else (min((n + 255) // 256, 65535), 256)
    triad[grid](a, b, c, 3.0)
    cuda.synchronize()
    best = math.inf
    for _ in range(trials):
        t0 = time.perf_counter()
        triad[grid](a, b, c, 3.0)
        cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    method = (f"STREAM-like triad a = b + s*c on the GPU (numba-cuda kernel, float64 device "
              f"arrays of {8 * n / 2**20:.3g} MiB each, best of {trials}, 24 B per element; "
              "write-allocate not counted)")
    if dev.SIMULATOR:
        method += "; CUDA SIMULATOR: not a hardware measurement"
    return 24.0 * n / best / 1e9, method, 8 * n / 2**20


# --------------------------------------------------------------------------- bytes model

def agent_bytes_per_agent_step(seg, offer, j_count, network, steps, flows):
    """Compulsory bytes per agent-step, counted from the timed run's own flows.

    - state read: every customer's state (int8) is read once per step: 1 B;
    - state write: 1 B per customer whose state changed (adopters, churners);
    - choice: 8 B per adopter (its float32 taste and price-sensitivity multipliers), when
      a draw among several options is needed (several products or an outside option; with
      a single option nothing of the customer's own is read);
    - network only: each pool customer whose draw falls below the step's upper bound of its
      adoption probability must read its neighbour counts (J int32) and row bounds
      (2 int64): 4 J + 16 B; each customer whose state changed reads its row bounds (16 B)
      and its neighbour ids (4 B each) and updates one int32 count per neighbour per
      product it left or joined (read + write: 8 B).
    Cache-line granularity, write-allocate and the work arrays of the implementation are
    not counted: this is a lower bound of the traffic, so the floor is a lower bound of time.
    """
    import numpy as np

    from sim.kernel import segment_drivers

    n = int(seg.population.sum())
    agent_steps = n * steps
    parts = {"state_read": 1.0 * agent_steps,
             "state_write": 1.0 * flows["changers"].sum(),
             "choice": 8.0 * flows["adopters"].sum()
             if j_count > 1 or np.any(np.isfinite(seg.outside_utility)) else 0.0}
    if network is not None:
        _, adv, attract, _ = segment_drivers(seg, offer)
        w_max = float(offer.satisfaction.max())
        bound = -np.expm1(-(seg.p * adv * attract + seg.q * attract * w_max) * DT)
        candidates = float((flows["pool_start"] * bound[None, :]).sum())
        mean_degree = network.indices.shape[0] / n
        parts["network_wom_read"] = (4.0 * j_count + 16.0) * candidates
        # a change touches one count per neighbour: a switch between products is not a
        # single-step transition (churn goes to the pool or lapses)
        parts["network_scatter"] = (16.0 + mean_degree * (4.0 + 8.0)) * flows["changers"].sum()
    per = {k: v / agent_steps for k, v in parts.items()}
    return sum(per.values()), per


def aggregate_bytes_per_step(seg, j_count):
    """Bytes one aggregate step must touch: per (segment, product) the owners (int64 read
    and write), five int64 flows written, the choice share read, and per-product
    probabilities; per segment p, q, churn_return, drivers, pool and lapsed (read + write)."""
    s = seg.n_segments
    return float(s * j_count * (16 + 40 + 8) + s * 8 + j_count * 32 + s * (6 * 8 + 2 * 16))


# --------------------------------------------------------------------------- main

def agreement(a, n_a, b, n_b):
    """Whether two final adopter shares agree: within 3% relative or 4 binomial sd."""
    sd = math.sqrt(max(a * (1 - a), 0.0) / n_a + max(b * (1 - b), 0.0) / n_b)
    tol = max(0.03 * max(a, b), 4.0 * sd, 1e-6)
    return abs(a - b) <= tol, tol


def run(args):
    import numba
    import numpy as np

    import sim.kernel  # noqa: F401  (import time is part of time to first result)

    t_import = time.perf_counter()
    if args.threads is not None:
        numba.set_num_threads(args.threads)
    load_start = _load_average()
    ticks_start = _cpu_ticks()
    res = {"mode": args.mode, "case": args.case, "backend": args.backend,
           "customers": args.customers, "steps": args.steps, "dt_days": DT,
           "p": args.p, "q": args.q, "seed": args.seed, "repeat": args.repeat}

    # -- warm-up on a tiny copy of the case: its first call is the process's first kernel
    #    result (compile or cache load); a second identical call is the steady state
    warmup = WARMUP_CUSTOMERS
    if args.backend == "cuda":
        from sim.kernel.cuda import device_description, load_backend

        if load_backend().SIMULATOR:  # ~1e4 customer-steps per second: keep it short
            warmup = min(WARMUP_CUSTOMERS, args.customers)
        from importlib.metadata import version

        res["device"] = device_description()
        res["simulator"] = load_backend().SIMULATOR
        res["numba_cuda_version"] = version("numba-cuda")

    def tiny_run():
        t0 = time.perf_counter()
        tiny = build_case(args.case, args.mode, warmup, args.p, args.q)
        seg, offer, j_count = tiny[:3]
        if args.mode == "agent":
            net = build_network(args.case, warmup, args.seed)
            run_agent_kernel(seg, offer, j_count, net, 1, args.seed, args.backend)
        else:
            run_aggregate_kernel(seg, offer, j_count, 1, args.seed)
        return time.perf_counter() - t0

    t_first = tiny_run()
    first_result_s, origin = _process_age()
    t_second = tiny_run()
    res.update({
        "compile_s": max(t_first - t_second, 0.0),
        "compile_method": (f"first call of a {warmup}-customer warm-up of this case "
                           f"({'build, network, one step' if args.mode == 'agent' else 'build, one step'}) "
                           "minus an identical second call"),
        "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR") or "next to the modules (__pycache__)",
        "cold_cache": bool(args.cold_cache),
        "first_result_s": first_result_s,
        "first_result_from": origin,
        "first_result_target_s": FIRST_RESULT_TARGET_S,
        "import_s": t_import - _T_SCRIPT,
    })

    seg, offer, j_count, description = build_case(args.case, args.mode, args.customers,
                                                  args.p, args.q)
    res.update({"segments": seg.n_segments, "products": j_count, "description": description})
    n = args.customers
    n_ref = args.reference_customers if args.mode == "agent" else n
    if args.mode == "agent":
        t0 = time.perf_counter()
        network = build_network(args.case, n, args.seed)
        if network is not None:
            res["network_build_s"] = time.perf_counter() - t0
            res["network"] = "watts_strogatz(N, 10, 0.1, seed)"
            res["network_mean_degree"] = network.indices.shape[0] / n
        # the NumPy reference: same case (possibly smaller), same process
        if n_ref == n:
            seg_ref, net_ref = seg, network
        else:
            seg_ref = build_case(args.case, args.mode, n_ref, args.p, args.q)[0]
            net_ref = build_network(args.case, n_ref, args.seed)
        best, flows, ref_best, ref_share = math.inf, None, math.inf, None
        for _ in range(args.repeat):  # interleaved, so both see the same machine
            elapsed, f = run_agent_kernel(seg, offer, j_count, network, args.steps, args.seed,
                                          args.backend)
            if elapsed < best:
                best, flows = elapsed, f
            elapsed, share = run_agent_reference(seg_ref, offer, j_count, net_ref,
                                                 args.reference_steps, args.seed)
            if elapsed < ref_best:
                ref_best, ref_share = elapsed, share
        kernel_share = float(flows["share"][args.reference_steps - 1])
        ref_final = float(ref_share[-1])
        bytes_per, breakdown = agent_bytes_per_agent_step(seg, offer, j_count, network,
                                                          args.steps, flows)
        res["bytes_per_agent_step_breakdown"] = breakdown
        parts = time_breakdown(
            "sim.kernel.agent", AGENT_PARTS,
            lambda: run_agent_kernel(seg, offer, j_count, network, args.steps, args.seed)[0],
            args.steps)
        res["time_breakdown_ms_per_step"] = {k: v * 1e3 for k, v in parts.items()}
        res["bytes_per_agent_step_counting"] = (
            "compulsory bytes from this run's flows: 1 B state read per customer-step, 1 B "
            "state write per change, 8 B taste per adopter facing several options; with a "
            "network 4J+16 B per pool customer under the adoption bound (neighbour counts, "
            "row bounds) and "
            "16 + degree*12 B per change (row bounds, neighbour ids, one int32 "
            "read+write per neighbour). Lower bound: no cache-line rounding, no "
            "write-allocate, no implementation work arrays")
        res["final_adopter_share"] = float(flows["share"][-1])
        if args.case == "bass" and args.p > 0:
            from sim.kernel import bass_discrete

            res["bass_discrete_share"] = float(bass_discrete(args.steps, args.p, args.q, DT)[-1])
        ns_note = "agent-step = one customer advanced one step"
        if args.backend == "cuda":
            res["transfer_s"] = flows["transfer_s"]
            res["transfer_method"] = (
                "upload of the state (held, tastes, neighbour counts, CSR network) when the "
                "market is built, apart from time_s; each timed step also uploads its "
                "parameters and downloads its flow counters (inside time_s)")
            res["threads_per_block"], res["blocks"] = flows["launch"]
            if res["simulator"]:
                ns_note += ("; CUDA SIMULATOR (NUMBA_ENABLE_CUDASIM=1): the kernel runs as "
                            "Python threads, speeds are meaningless")
    else:
        best, ref_best, ref_final = math.inf, math.inf, None
        for _ in range(args.repeat):  # interleaved, so both see the same machine
            elapsed, kernel_share = run_aggregate_kernel(seg, offer, j_count, args.steps, args.seed)
            best = min(best, elapsed)
            elapsed, share = run_aggregate_reference(seg, offer, j_count, args.reference_steps,
                                                     args.seed)
            if elapsed < ref_best:
                ref_best, ref_final = elapsed, float(share)
        kernel_share = float(kernel_share)
        res["final_adopter_share"] = kernel_share
        if args.reference_steps != args.steps:  # compare at the same step
            kernel_share = float(run_aggregate_kernel(seg, offer, j_count, args.reference_steps,
                                                      args.seed)[1])
        us = best / args.steps * 1e6
        res["us_per_step"] = us
        res["us_per_step_target"] = AGGREGATE_TARGET_US
        res["meets_us_target"] = us < AGGREGATE_TARGET_US
        parts = time_breakdown(
            "sim.kernel.aggregate", AGGREGATE_PARTS,
            lambda: run_aggregate_kernel(seg, offer, j_count, args.steps, args.seed)[0],
            args.steps)
        res["time_breakdown_us_per_step"] = {k: v * 1e6 for k, v in parts.items()}
        res["kernel_only_us_per_step"] = parts.get("_step_aggregate", 0.0) * 1e6 or None
        res["generator_call_overhead_us"] = generator_call_overhead_us()
        res["numpy_reference_us_per_step"] = ref_best / args.reference_steps * 1e6
        per_step = aggregate_bytes_per_step(seg, j_count)
        bytes_per = per_step / n
        res["bytes_per_step"] = per_step
        res["bytes_per_agent_step_counting"] = (
            "bytes one step must touch (counts and flows per segment x product, int64; "
            "shares and rates) divided by customers; the step's cost does not grow with "
            "customers")
        ns_note = ("aggregate mode: agent_steps_per_s = customers*steps/time is NOT comparable "
                   "with agent mode (the step costs segments x products, not customers)")

    ok, tol = agreement(kernel_share, n, ref_final, n_ref)
    steps_ref = args.reference_steps
    kernel_rate = n * args.steps / best
    ref_rate = n_ref * steps_ref / ref_best
    if args.backend == "cuda":  # the GPU's memory bounds the GPU kernel
        bw, bw_method, _ = gpu_memory_bandwidth(args.bandwidth_mib)
        bw_triad, bw_copy = bw, None
    else:
        bw_triad, bw_copy, bw_mib = memory_bandwidth(args.bandwidth_mib)
        # the higher of the two measurements: the floor must be a lower bound of time, and
        # on a shared machine a parallel region can be slowed by a descheduled thread
        if bw_triad >= bw_copy:
            bw, bw_method = bw_triad, (
                f"STREAM-like triad a = b + s*c, numba prange on {numba.get_num_threads()} "
                f"threads, 24 B per element")
        else:
            bw, bw_method = bw_copy, "np.copyto on one thread, 16 B per element"
        bw_method += (f" (the higher of a numba prange triad and a NumPy copy over float64 "
                      f"arrays of {bw_mib:.0f} MiB, best of 5 each; write-allocate not counted)")
    floor_ns = bytes_per / (bw * 1e9) * 1e9
    ns = best / (n * args.steps) * 1e9
    res.update({
        "threads": numba.get_num_threads(),
        "load_average_1m_start": load_start,
        "load_average_1m_end": _load_average(),
        "cpu_steal_fraction": _steal_fraction(ticks_start, _cpu_ticks()),
        "time_s": best,
        "agent_steps_per_s": kernel_rate,
        "ns_per_agent_step": ns,
        "numpy_reference_agent_steps_per_s": ref_rate,
        "numpy_reference_customers": n_ref,
        "numpy_reference_steps": steps_ref,
        "numpy_reference_time_s": ref_best,
        "numpy_reference_threads": 1,
        "ratio_vs_numpy": kernel_rate / ref_rate,
        "reference_agrees": bool(ok),
        "agreement_step": steps_ref,
        "kernel_adopter_share_at_agreement_step": kernel_share,
        "reference_adopter_share": ref_final,
        "agreement_tolerance": tol,
        "memory_bandwidth_gbs": bw,
        "memory_bandwidth_method": bw_method,
        "triad_bandwidth_gbs": bw_triad,
        "numpy_copy_bandwidth_gbs": bw_copy,
        "bytes_per_agent_step": bytes_per,
        "floor_ns_per_agent_step": floor_ns,
        "floor_fraction": floor_ns / ns,
        "note": ns_note,
        "numpy_version": np.__version__,
        "numba_version": numba.__version__,
        "python_version": platform.python_version(),
        "threading_layer": _threading_layer(numba),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        **_source_version(),
    })
    return res


def _cpu_ticks():
    """(steal, total) jiffies of all CPUs from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return values[7], sum(values[:8])  # user..steal; guest time is inside user
    except (OSError, ValueError, IndexError):
        return None


def _source_version():
    """Commit of the checkout and whether sim/ has uncommitted changes (what was measured)."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                              capture_output=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sim"], cwd=root,
                               text=True, capture_output=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "sim_uncommitted_changes": None}
    return {"git_commit": head or None, "sim_uncommitted_changes": bool(dirty)}


def _load_average():
    """1-minute load average of the machine (other processes compete for the cores)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def _steal_fraction(start, end):
    """Share of CPU time the hypervisor gave to other guests during the run."""
    if start is None or end is None or end[1] <= start[1]:
        return None
    return (end[0] - start[0]) / (end[1] - start[1])


def _threading_layer(numba):
    try:
        return numba.threading_layer()
    except ValueError:
        return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _format(res):
    order = ["mode", "case", "backend", "customers", "steps", "segments", "products", "threads",
             "time_s", "agent_steps_per_s", "ns_per_agent_step", "us_per_step",
             "us_per_step_target", "meets_us_target", "kernel_only_us_per_step",
             "generator_call_overhead_us", "time_breakdown_us_per_step",
             "time_breakdown_ms_per_step",
             "numpy_reference_agent_steps_per_s", "numpy_reference_customers",
             "numpy_reference_steps", "ratio_vs_numpy", "reference_agrees",
             "kernel_adopter_share_at_agreement_step", "reference_adopter_share",
             "memory_bandwidth_gbs", "triad_bandwidth_gbs", "numpy_copy_bandwidth_gbs",
             "bytes_per_agent_step",
             "floor_ns_per_agent_step", "floor_fraction", "compile_s", "first_result_s",
             "network_build_s", "final_adopter_share", "bass_discrete_share"]
    keys = [k for k in order if k in res] + sorted(k for k in res if k not in order)
    width = max(len(k) for k in keys)
    lines = []
    for k in keys:
        v = res[k]
        if isinstance(v, float):
            v = f"{v:.4g}"
        elif isinstance(v, dict):
            v = ", ".join(f"{a}={b:.4g}" for a, b in v.items())
        lines.append(f"{k:<{width}}  {v}")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.cold_cache:  # must be set before numba is imported
        cache = tempfile.mkdtemp(prefix="bench-numba-cache-")
        os.environ["NUMBA_CACHE_DIR"] = cache
        atexit.register(shutil.rmtree, cache, ignore_errors=True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:  # `python benchmarks/bench_kernel.py` from a plain checkout
        sys.path.insert(0, root)
    res = run(args)
    if args.json:
        print(json.dumps(res, allow_nan=False))
    else:
        print(_format(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
