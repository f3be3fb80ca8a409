"""Sweep benchmark: N runs of a scenario through the local launcher against the same N
configs run one after another in one process.

    python benchmarks/bench_sweep.py --json [--runs 200] [--scenario baseline] [--jobs 2]

Both sides run the scenario and write the output contract (parquet tables and kpis.json;
no plots) for each config. The in-process side composes each config with
``sim.cli.compose`` (a full Hydra composition, about 0.5 s); the launcher side is one
``marketsim -m seed=range(0,N)`` (marketsim's joblib launcher, ``--jobs`` workers), timed
end to end including start-up and the final combined table, whose workers compose the
shared structure once and copy it per job (``hydra_plugins/marketsim_launcher``), so its
overhead can come out negative. Reported: runs per second for both, and the
launcher's overhead = (launcher wall time x jobs - in-process time) / in-process time, i.e.
the extra CPU time the launcher spends per unit of useful work (0 means perfect parallel
use of the cores), plus the plain speed-up.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def in_process(runs: int, scenario: str, out: Path) -> float:
    from sim.cli import compose, run_app

    t0 = time.perf_counter()
    for seed in range(runs):
        app = compose([f"scenario={scenario}", f"seed={seed}", "plots=false", "progress=false"])
        run_app(app, out / f"{seed}")
    return time.perf_counter() - t0


def launcher(runs: int, scenario: str, out: Path, jobs: int) -> float:
    cmd = [sys.executable, "-m", "sim.cli", "-m", f"scenario={scenario}",
           f"seed=range(0,{runs})", "plots=false", "progress=false",
           f"hydra.sweep.dir={out}", f"hydra.launcher.n_jobs={jobs}"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed: {proc.stderr[-1000:]}")
    return wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # warm the numba cache and imports once, so neither side pays the compile
        in_process(1, args.scenario, tmp / "warm")
        serial = in_process(args.runs, args.scenario, tmp / "serial")
        swept = launcher(args.runs, args.scenario, tmp / "sweep", args.jobs)
    out = {
        "benchmark": "sweep",
        "scenario": args.scenario,
        "runs": args.runs,
        "jobs": args.jobs,
        "in_process_s": serial,
        "launcher_s": swept,
        "in_process_runs_per_s": args.runs / serial,
        "launcher_runs_per_s": args.runs / swept,
        "speedup": serial / swept,
        "launcher_overhead": (swept * args.jobs - serial) / serial,
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k:>22}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
