"""Benchmark of a whole scenario run (default: the shipped baseline, aggregate mode).

    python benchmarks/bench_scenario.py --json [--scenario baseline] [--mode aggregate]
        [--runs 10] [--override KEY=VALUE ...]

Prints one JSON object: seconds per run after compilation (mean and best), the first
(compiling) run apart, and where the time goes, measured in the same runs by timing
wrappers: the demand kernel's ``step``, recording (the Recorder's appends plus building
the result tables and KPIs), and the rest, which is the SimPy event loop and the domain
processes (firms, teams, development, marketing, pricing, production, competitors, the
market process's own bookkeeping). Writing files and plots is not included.
"""

import argparse
import json
import os
import platform
import sys
import time
from contextlib import contextmanager


@contextmanager
def timed_methods(targets, bucket):
    """Wrap ``(owner, name)`` methods so that their wall time adds to ``bucket[0]``."""
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--mode", default="aggregate", choices=["aggregate", "agent"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--override", action="append", default=[], help="extra Hydra override")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import numba
    import numpy as np

    import sim.kernel.agent as agent_mod
    import sim.kernel.aggregate as agg_mod
    import sim.results as results_mod
    from sim.cli import compose
    from sim.recorder import Recorder
    from sim.scenario import run_scenario

    cfg = compose([f"scenario={args.scenario}", f"mode={args.mode}", *args.override]).scenario()
    t0 = time.perf_counter()
    run_scenario(cfg, args.seed)
    first = time.perf_counter() - t0

    kernel, recording = [0.0], [0.0]
    kernel_targets = [(agg_mod.AggregateMarket, "step"), (agent_mod.AgentMarket, "step")]
    record_targets = [(Recorder, "row"), (Recorder, "cash"), (Recorder, "event"),
                      (Recorder, "task"), (Recorder, "segment_row"),
                      (results_mod.Results, "from_run")]
    times = []
    with timed_methods(kernel_targets, kernel), timed_methods(record_targets, recording):
        for k in range(args.runs):
            t0 = time.perf_counter()
            res = run_scenario(cfg, args.seed + 1 + k)
            times.append(time.perf_counter() - t0)
    total = float(sum(times))
    steps = len(res.timeseries["t"].unique())
    out = {
        "benchmark": "scenario",
        "scenario": args.scenario,
        "mode": args.mode,
        "firms": len(cfg.firms),
        "segments": len(cfg.market.segments),
        "customers": int(sum(s.size for s in cfg.market.segments)),
        "market_steps": steps,
        "runs": args.runs,
        "s_per_run_mean": total / args.runs,
        "s_per_run_best": min(times),
        "first_run_s": first,
        "share_kernel": kernel[0] / total,
        "share_recording": recording[0] / total,
        "share_simpy_and_processes": 1.0 - (kernel[0] + recording[0]) / total,
        "us_per_market_step": 1e6 * total / args.runs / steps,
        "numpy": np.__version__,
        "numba": numba.__version__,
        "threads": numba.get_num_threads(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>28}: {v:.4g}" if isinstance(v, float) else f"{k:>28}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
