"""Sweep benchmark: N runs of a scenario through a launcher against the same runs in one
process, with the memory of the launching process and of its workers.

    python benchmarks/bench_sweep.py --json --runs 400            # compact outputs, joblib
    python benchmarks/bench_sweep.py --json --runs 10000
    python benchmarks/bench_sweep.py --json --quick               # CI size (a few seconds)
    python benchmarks/bench_sweep.py --json --runs 200 --outputs full
    python benchmarks/bench_sweep.py --json --runs 200 --launcher ray_local
    python benchmarks/bench_sweep.py --json --runs 200 --grid firm.pricing.list_price=150

The launcher side is one ``marketsim -m seed=range(0,N) outputs=... plots=false
sweep_plot=false progress=false``, timed end to end: start-up, the sweeper's checks, the
jobs, the combined ``kpis.parquet``. With ``--grid KEY=START`` the jobs are a grid over a
plain value instead of seeds, ``KEY=range(START,START+N)`` at the config's seed (a pricing
grid; its jobs have no seed of their own). The reference, in this process and the same
run, is the useful work of the same jobs: one composition, then for each job the
scenario's run and the same outputs (``sim.cli.run_app``; a grid's value set on the typed
config), over the first ``--reference-runs`` jobs (all of them by default up to 200)
after a warm-up run; its time per run is the in-process cost of a job. Reported:

- ``launcher_runs_per_s``; ``in_process_runs_per_s`` (one core);
- ``launcher_core_s_per_run`` = wall x workers / runs, and ``overhead_per_job_s`` = that
  minus the in-process time per run: what the launcher adds per job, start-up included,
  counting both cores as busy (so idle cores count as overhead); ``overhead_ratio`` = that
  over the in-process time per run;
- ``launcher_cpu_s_per_run``: CPU seconds of the launching process and its workers per
  run (``getrusage``), and ``overhead_cpu_per_job_s`` = that minus the in-process CPU
  seconds per run (``overhead_cpu_ratio`` over the latter): the same overhead without the
  time other programs took from the cores, so it holds on a shared machine (not with
  ``--launcher ray_local``: Ray's workers are the raylet's children, not counted here);
- ``launcher_peak_rss_mb``: peak resident memory of the launching process itself;
  ``worker_peak_rss_mb``: of its largest worker (``getrusage`` of the processes it
  reaped: with ``--launcher ray_local`` that is Ray's own daemons too, as Ray's workers are
  the raylet's children);
- ``table_rows``: rows of ``kpis.parquet`` (checked to be ``--runs``, all ``ok``).
"""

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUICK = {"runs": 8, "horizon_days": 150.0, "reference_runs": 4}

# runs the sweep, then reports the launching process's own peak RSS and its reaped
# children's (the joblib workers, shut down first so that they are reaped)
WRAPPER = """
import json, resource, sys
from sim.cli.main import main
code = 0
try:
    main(sys.argv[2:])
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else 1
finally:
    try:
        from joblib.externals.loky import get_reusable_executor
        get_reusable_executor().shutdown(wait=True)
        if "ray" in sys.modules:
            sys.modules["ray"].shutdown()
    except Exception:
        pass
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(sys.argv[1], "w") as f:
        json.dump({"self_kb": me.ru_maxrss, "children_kb": kids.ru_maxrss,
                   "self_cpu_s": me.ru_utime + me.ru_stime,
                   "children_cpu_s": kids.ru_utime + kids.ru_stime}, f)
sys.exit(code)
"""


def overrides(args) -> list:
    out = [f"scenario={args.scenario}", "plots=false", "sweep_plot=false", "progress=false"]
    if args.outputs != "full":  # (so that --outputs full also runs on code without the key)
        out.append(f"outputs={args.outputs}")
    if args.horizon_days is not None:
        out.append(f"horizon_days={args.horizon_days}")
    return out


def grid_of(spec: str) -> tuple:
    """``KEY=START`` -> (dotted key, START as an int)."""
    key, sep, start = spec.partition("=")
    try:
        first = int(start)
    except ValueError:
        first = None
    if not sep or not key or first is None:
        raise SystemExit(f"--grid must be KEY=START with a whole number START, got {spec!r}")
    return key, first


def with_value(app, dotted: str, value):
    """``app`` with the dataclass field at ``dotted`` (fields of fields) set to ``value``,
    its parents replaced in turn (each runs its checks)."""
    head, _, rest = dotted.partition(".")
    if not rest:
        return dataclasses.replace(app, **{head: value})
    return dataclasses.replace(app, **{head: with_value(getattr(app, head), rest, value)})


def jobs(args) -> list:
    """The sweep's job axis: ``seed=range(...)``, or the grid's ``KEY=range(...)``."""
    if args.grid is None:
        return [f"seed=range(0,{args.runs})"]
    key, first = grid_of(args.grid)
    return [f"{key}=range({first},{first + args.runs})"]


def in_process(args, runs: int, out: Path) -> tuple:
    """(wall seconds, CPU seconds) for the first ``runs`` jobs of one composed config
    (seeds, or the grid's values), run and written in this process."""
    from sim.cli import compose, run_app

    app = compose(overrides(args))
    run_app(dataclasses.replace(app, seed=10**6), out / "warm")  # compile cache, imports
    if args.grid is None:
        configs = [dataclasses.replace(app, seed=k) for k in range(runs)]
    else:  # the value as the config types it (a float key takes 200 as 200.0)
        key, first = grid_of(args.grid)
        kind = type(_get(app, key))
        configs = [with_value(app, key, kind(first + k)) for k in range(runs)]
    t0, c0 = time.perf_counter(), time.process_time()
    for k, cfg in enumerate(configs):
        run_app(cfg, out / str(k))
    return time.perf_counter() - t0, time.process_time() - c0


def _get(app, dotted: str):
    for name in dotted.split("."):
        app = getattr(app, name)
    return app


def launcher(args, out: Path) -> tuple:
    """(wall seconds, the sweep's getrusage: the launching process's and its reaped
    children's peak RSS in kB and CPU seconds)."""
    usage = out.parent / "rusage.json"
    cmd = [sys.executable, "-c", WRAPPER, str(usage), "-m", *overrides(args), *jobs(args),
           f"hydra.sweep.dir={out}"]
    if args.launcher == "ray_local":
        cmd.append("hydra/launcher=ray_local")
    else:
        cmd.append(f"hydra.launcher.n_jobs={args.jobs}")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, json.loads(usage.read_text())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--quick", action="store_true",
                    help=f"CI size: {QUICK['runs']} runs of {QUICK['horizon_days']:.0f} days")
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--horizon-days", type=float, default=None)
    ap.add_argument("--outputs", choices=("compact", "full"), default="compact")
    ap.add_argument("--launcher", choices=("joblib", "ray_local"), default="joblib")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--reference-runs", type=int, default=None,
                    help="in-process reference runs (default: --runs, at most 200)")
    ap.add_argument("--grid", default=None, metavar="KEY=START",
                    help="sweep KEY=range(START,START+runs) instead of seeds")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.grid is not None:
        grid_of(args.grid)
    if args.quick:
        args.runs, args.horizon_days = QUICK["runs"], QUICK["horizon_days"]
        args.reference_runs = args.reference_runs or QUICK["reference_runs"]
    ref_runs = min(args.runs, args.reference_runs or 200)
    workers = args.jobs if args.launcher == "joblib" else (os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        serial, serial_cpu = in_process(args, ref_runs, tmp / "serial")
        wall, usage = launcher(args, tmp / "sweep")
        import pandas as pd

        table = pd.read_parquet(tmp / "sweep" / "kpis.parquet", columns=["status"])
        if len(table) != args.runs or not (table["status"] == "ok").all():
            raise SystemExit(f"the sweep's table has {len(table)} rows, "
                             f"{int((table['status'] != 'ok').sum())} not ok")
    per_run = serial / ref_runs
    cpu_per_run = serial_cpu / ref_runs
    core_per_run = wall * workers / args.runs
    sweep_cpu_per_run = (usage["self_cpu_s"] + usage["children_cpu_s"]) / args.runs
    import numba
    import numpy

    out = {
        "benchmark": "sweep",
        "scenario": args.scenario,
        "horizon_days": args.horizon_days,
        "outputs": args.outputs,
        "launcher": args.launcher,
        "jobs_over": "seed" if args.grid is None else grid_of(args.grid)[0],
        "runs": args.runs,
        "jobs": workers,
        "launcher_s": wall,
        "launcher_runs_per_s": args.runs / wall,
        "reference_runs": ref_runs,
        "in_process_s_per_run": per_run,
        "in_process_runs_per_s": 1.0 / per_run,
        "launcher_core_s_per_run": core_per_run,
        "overhead_per_job_s": core_per_run - per_run,
        "overhead_ratio": (core_per_run - per_run) / per_run,
        "speedup_vs_one_process": per_run * args.runs / wall,
        "in_process_cpu_s_per_run": cpu_per_run,
        "launcher_cpu_s_per_run": sweep_cpu_per_run,
        "launching_process_cpu_s": usage["self_cpu_s"],
        "overhead_cpu_per_job_s": sweep_cpu_per_run - cpu_per_run,
        "overhead_cpu_ratio": (sweep_cpu_per_run - cpu_per_run) / cpu_per_run,
        "launcher_peak_rss_mb": usage["self_kb"] / 1024,
        "worker_peak_rss_mb": usage["children_kb"] / 1024,
        "table_rows": len(table),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy_version": numpy.__version__,
        "numba_version": numba.__version__,
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k:>24}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
