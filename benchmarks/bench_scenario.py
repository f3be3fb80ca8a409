"""Benchmark of a whole scenario run (default: the shipped baseline, aggregate mode).

    python benchmarks/bench_scenario.py --json [--scenario baseline] [--mode aggregate]
        [--runs 10] [--customers N] [--override KEY=VALUE ...] [--kpis-only]
    python benchmarks/bench_scenario.py --json --mode agent --customers 10000000 --runs 2
    python benchmarks/bench_scenario.py --json --mode agent --customers 10000000 --runs 2 \
        --override market.network.seed=1   # one network for every run, built once

In agent mode with ``market.network.seed`` fixed, the network is built in the first
(untimed) run and reused by the timed ones (``share_network_build`` about 0); with the
default null seed every run builds its own.

Prints one JSON object, every figure measured in this one process:
- seconds per run after compilation (mean and best; each timed run has its own seed), the
  first (compiling) run apart; the same in CPU seconds of this process (``cpu_s_...``:
  steadier than wall time on a shared machine; numba's threads add to it in agent mode);
- where the time goes, from timing wrappers in the same runs: the demand kernel's
  ``step``, recording (the Recorder's appends plus building the result tables and KPIs),
  in agent mode the network build and the kernel's set-up (initial states, tastes,
  neighbour counts), and the rest (the SimPy event loop and the domain processes);
- the reference: a bare SimPy loop (one process yielding timeouts) with as many events as
  a run processes (counted in the first, untimed run), best of 3; ``ratio_vs_bare_simpy``
  is seconds per run over its time;
- agent mode: the kernel's nanoseconds per customer-step in the scenario, and the same for
  ``bench_kernel.py``'s ``full`` case (1 segment x 3 products, logit with an outside
  option, tastes, churn, replacement, Watts-Strogatz network of degree 10) at the same
  number of customers, the same step length and the same number of steps, built and timed
  the same way here (``kernel_vs_full_case``: scenario over case; the target is <= 2).

``targets`` repeats issue 16's goals for the mode (aggregate: <= 0.05 s per warm run and <=
20x the bare SimPy loop; agent at 10^7 customers: <= 3 s per warm run, kernel within 2x of
the full case); ``kernel_s_per_run`` is the kernel's seconds per run in both modes.

``--kpis-only`` also times, after each run, the same seed recorded for its KPIs alone
(``run_scenario(..., kpis_only=True)``, what a compact sweep's job without
``output_tables`` runs; its ``kpis.json`` text is checked equal): ``kpis_only_...``.

``--customers N`` scales every segment's size in proportion (largest remainder), so the
segments keep their shares of the market. Writing files and plots is not included.
"""

import argparse
import json
import os
import platform
import sys
import time
from contextlib import contextmanager

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextmanager
def timed_methods(targets, bucket):
    """Wrap ``(owner, name)`` callables so that their wall time adds to ``bucket[0]``."""
    saved = []
    for owner, name in targets:
        fn = getattr(owner, name)
        saved.append((owner, name, fn))

        def wrapper(*a, _fn=fn, **k):
            t0 = time.perf_counter()
            try:
                return _fn(*a, **k)
            finally:
                bucket[0] += time.perf_counter() - t0

        setattr(owner, name, wrapper)
    try:
        yield
    finally:
        for owner, name, fn in saved:
            setattr(owner, name, fn)


def scaled_sizes(sizes, total):
    """Segment sizes scaled to sum to ``total``, in proportion (largest remainder)."""
    whole = sum(sizes)
    raw = [s * total / whole for s in sizes]
    out = [int(r) for r in raw]
    order = sorted(range(len(sizes)), key=lambda k: raw[k] - out[k], reverse=True)
    for k in order[:total - sum(out)]:
        out[k] += 1
    return out


def count_events(run):
    """SimPy events processed by ``run()`` (``Environment.step`` calls)."""
    import simpy

    count = [0]
    step = simpy.Environment.step

    def counting(self):
        count[0] += 1
        return step(self)

    simpy.Environment.step = counting
    try:
        run()
    finally:
        simpy.Environment.step = step
    return count[0]


def bare_simpy_s(events, trials=3):
    """Best wall time of a bare SimPy loop processing ``events`` events: one process
    yielding ``events - 1`` timeouts (its start is an event too)."""
    import simpy

    def loop(env, n):
        for _ in range(n):
            yield env.timeout(1.0)

    best = float("inf")
    for _ in range(trials):
        env = simpy.Environment()
        env.process(loop(env, max(events - 1, 0)))
        t0 = time.perf_counter()
        env.run()
        best = min(best, time.perf_counter() - t0)
    return best


def full_case_ns(customers, dt, steps, seed):
    """ns per customer-step of the ``full`` agent case (bench_kernel) at this size and step
    length: network and market built untimed, ``steps`` steps timed."""
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)
    try:
        from benchmarks.kernel.cases import build_case
    except ImportError:  # before the benchmark's split into benchmarks/kernel/
        from benchmarks.bench_kernel import build_case
    from sim.kernel import AgentMarket, watts_strogatz

    seg, offer, j_count, _ = build_case("full", "agent", customers, 0.003, 0.05)
    network = watts_strogatz(customers, 10, 0.1, seed)
    market = AgentMarket(seg, j_count, seed=seed, network=network)
    t0 = time.perf_counter()
    for _ in range(steps):
        market.step(offer, dt)
    return (time.perf_counter() - t0) / (customers * steps) * 1e9


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--mode", default="aggregate", choices=["aggregate", "agent"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--customers", type=int, default=None,
                    help="total customers (segment sizes scaled in proportion)")
    ap.add_argument("--override", action="append", default=[], help="extra Hydra override")
    ap.add_argument("--no-reference", action="store_true",
                    help="agent mode: skip the full-case kernel reference run")
    ap.add_argument("--kpis-only", action="store_true",
                    help="also time each run recorded for its KPIs alone (run_scenario(..., "
                         "kpis_only=True): a compact sweep's job without output_tables), "
                         "interleaved with the full runs, same seeds")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error(f"--runs must be >= 1, got {args.runs}")
    if args.customers is not None and args.customers < 1:
        ap.error(f"--customers must be >= 1, got {args.customers}")

    import numba
    import numpy as np

    import sim.kernel.agent as agent_mod
    import sim.kernel.aggregate as agg_mod
    import sim.market.market as market_mod
    import sim.results as results_mod
    from sim.cli import compose
    from sim.recorder import Recorder
    from sim.results.files import kpis_text
    from sim.scenario import run_scenario

    overrides = [f"scenario={args.scenario}", f"mode={args.mode}", *args.override]
    if args.customers is not None:
        base = compose(overrides).scenario()
        sizes = scaled_sizes([s.size for s in base.market.segments], args.customers)
        overrides += [f"market.segments.{k}.size={n}" for k, n in enumerate(sizes)]
    cfg = compose(overrides).scenario()
    timing = {}

    def first_run():
        t0 = time.perf_counter()
        run_scenario(cfg, args.seed)
        timing["first"] = time.perf_counter() - t0

    # the compiling run also counts the events (a counter on ~3,000 calls: microseconds)
    events = count_events(first_run)
    first = timing["first"]

    kernel, recording, network, setup = [0.0], [0.0], [0.0], [0.0]
    kernel_targets = [(agg_mod.AggregateMarket, "step"), (agent_mod.AgentMarket, "step")]
    record_targets = [(Recorder, "row"), (Recorder, "cash"), (Recorder, "event"),
                      (Recorder, "task"), (Recorder, "segment_block"),
                      (results_mod.Results, "from_run")]
    # the set-up passes as AgentMarket calls them (names in sim.kernel.agent)
    setup_targets = [(agent_mod, "_place_initial"), (agent_mod, "_draw_tastes"),
                     (agent_mod, "_neighbour_counts")]
    times, cpu = [], []
    lean_times, lean_cpu = [], []
    buckets = (kernel, recording, network, setup)
    with timed_methods(kernel_targets, kernel), timed_methods(record_targets, recording), \
            timed_methods([(market_mod, "build_network")], network), \
            timed_methods(setup_targets, setup):
        for k in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            res = run_scenario(cfg, args.seed + 1 + k)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            if args.kpis_only:  # the same seed, recorded for its KPIs alone
                shares = [b[0] for b in buckets]  # the shares are the full runs'
                t0, c0 = time.perf_counter(), time.process_time()
                lean = run_scenario(cfg, args.seed + 1 + k, kpis_only=True)
                lean_times.append(time.perf_counter() - t0)
                lean_cpu.append(time.process_time() - c0)
                for b, v in zip(buckets, shares, strict=True):
                    b[0] = v
                if kpis_text(lean.kpis) != kpis_text(res.kpis):
                    raise SystemExit(f"seed {args.seed + 1 + k}: kpis_only changed the KPIs")
    total = float(sum(times))
    steps = len(res.timeseries["t"].unique())
    customers = int(sum(s.size for s in cfg.market.segments))
    bare = bare_simpy_s(events)
    per_run = total / args.runs
    out = {
        "benchmark": "scenario",
        "scenario": args.scenario,
        "mode": args.mode,
        "firms": len(cfg.firms),
        "segments": len(cfg.market.segments),
        "customers": customers,
        "market_steps": steps,
        "dt_days": float(cfg.dt_days),
        "runs": args.runs,
        "s_per_run_mean": per_run,
        "s_per_run_best": min(times),
        "cpu_s_per_run_mean": float(sum(cpu)) / args.runs,
        "cpu_s_per_run_best": min(cpu),
        "first_run_s": first,
        "simpy_events_per_run": events,
        "simpy_events_counted_in": f"the first (untimed) run, seed {args.seed}",
        "bare_simpy_s": bare,
        "bare_simpy_method": ("one SimPy process yielding env.timeout(1) events - 1 times "
                              "(the same number of processed events as a run), best of 3"),
        "ratio_vs_bare_simpy": per_run / bare,
        "targets": ({"s_per_run": 0.05, "ratio_vs_bare_simpy": 20.0} if args.mode == "aggregate"
                    else {"s_per_run": 3.0, "kernel_vs_full_case": 2.0}),
        "us_per_event": 1e6 * per_run / events,
        "share_kernel": kernel[0] / total,
        "kernel_s_per_run": kernel[0] / args.runs,
        "share_recording": recording[0] / total,
        "share_simpy_and_processes": 1.0 - (kernel[0] + recording[0] + network[0] + setup[0]) / total,
        "us_per_market_step": 1e6 * per_run / steps,
        "numpy": np.__version__,
        "numba": numba.__version__,
        "threads": numba.get_num_threads(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    if args.kpis_only:
        out.update({
            "kpis_only_s_per_run_mean": float(sum(lean_times)) / args.runs,
            "kpis_only_s_per_run_best": min(lean_times),
            "kpis_only_cpu_s_per_run_mean": float(sum(lean_cpu)) / args.runs,
            "kpis_only_cpu_s_per_run_best": min(lean_cpu),
            "kpis_only_cpu_ratio_vs_full": float(sum(lean_cpu)) / float(sum(cpu)),
            "kpis_only_method": ("run_scenario(..., kpis_only=True) after each full run, "
                                 "same seed (its kpis.json text checked equal); the shares "
                                 "above are the full runs'"),
        })
    if args.mode == "agent":
        kernel_ns = kernel[0] / args.runs / (customers * steps) * 1e9
        out.update({
            "share_network_build": network[0] / total,
            "share_kernel_setup": setup[0] / total,
            "kernel_ns_per_customer_step": kernel_ns,
            "network": cfg.market.network.kind,
            "network_seed": cfg.market.network.seed,
        })
        if not args.no_reference:
            ref = full_case_ns(customers, float(cfg.dt_days), steps, args.seed)
            out.update({
                "full_case_ns_per_customer_step": ref,
                "full_case_method": ("bench_kernel's full case (1 segment x 3 products, "
                                     "Watts-Strogatz degree 10) at the same customers, "
                                     "dt and steps; build untimed"),
                "kernel_vs_full_case": kernel_ns / ref,
                "kernel_vs_full_case_target": 2.0,
            })
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>32}: {v:.4g}" if isinstance(v, float) else f"{k:>32}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
