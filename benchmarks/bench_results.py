"""Benchmark of the end of a run: ``Results.from_run`` (tables, KPIs, statements) on
recordings of shipped scenarios, each recorded once and turned into results ``--runs``
times in this one process.

    python benchmarks/bench_results.py --json [--scenarios baseline,price_war] [--runs 10]

Prints one JSON object: per scenario the best wall and CPU milliseconds of one
``from_run`` (CPU seconds of this process: steadier than wall time on a shared machine),
their sums over the scenarios, the machine's load average and the library versions. Writing
files is not included; the tables that no KPI reads are built on first read and so are
not either.
"""

import argparse
import json
import os
import platform
import subprocess
import time


def shipped() -> list:
    out = subprocess.run(["marketsim", "list"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in out.stdout.splitlines()[1:] if line.strip()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--scenarios", default="", help="comma-separated (default: all shipped)")
    ap.add_argument("--runs", type=int, default=10, help="from_run calls per scenario")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import numpy as np
    import pandas as pd

    from sim.cli import compose
    from sim.results.results import Results
    from sim.scenario import build_world

    names = [n for n in args.scenarios.split(",") if n] or shipped()
    out = {"runs": args.runs, "seed": args.seed, "scenarios": {}}
    for name in names:
        cfg = compose([f"scenario={name}"]).scenario()
        env, firms, _, recorder = build_world(cfg, args.seed)
        env.run(until=cfg.horizon_days)
        Results.from_run(cfg, args.seed, recorder, firms)  # warm (imports, caches)
        wall, cpu = [], []
        for _ in range(args.runs):
            w0, c0 = time.perf_counter(), time.process_time()
            Results.from_run(cfg, args.seed, recorder, firms)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        out["scenarios"][name] = {"wall_ms_best": 1e3 * min(wall),
                                  "cpu_ms_best": 1e3 * min(cpu),
                                  "ledger_rows": len(recorder.ledger),
                                  "timeseries_rows": len(recorder.timeseries)}
    per = out["scenarios"].values()
    out["wall_ms_best_sum"] = sum(s["wall_ms_best"] for s in per)
    out["cpu_ms_best_sum"] = sum(s["cpu_ms_best"] for s in per)
    out["cpu_ms_best_mean"] = out["cpu_ms_best_sum"] / max(len(names), 1)
    out["load_average"] = os.getloadavg()
    out["cpu_count"] = os.cpu_count()
    out["python"] = platform.python_version()
    out["numpy"], out["pandas"] = np.__version__, pd.__version__
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for name, s in out["scenarios"].items():
            print(f"{name:24s} cpu {s['cpu_ms_best']:7.2f} ms  wall {s['wall_ms_best']:7.2f} ms")
        print(f"mean cpu {out['cpu_ms_best_mean']:.2f} ms per from_run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
