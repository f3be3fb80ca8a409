"""Running an experiment's options through marketsim's own sweep machinery.

Every option becomes a config file of a temporary ``experiment_option`` group, and one
``marketsim -m +experiment_option=a,b,... seed=range(0,n)`` multirun runs every (option,
seed) job with the local parallel launcher (or Ray with ``launcher=ray``), writing
``kpis.parquet`` and the per-job outputs. Options share seeds, so comparisons are paired
(common random numbers).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from experiments.options import ExperimentError, Options, mark_out
from sim.results import atomic_write

OPTION_GROUP = "experiment_option"

GROUPS = ("scenario", "policy", "market", "firm")  # chosen by name, not values (option_yaml)


def option_yaml(overrides) -> str:
    """A ``_global_`` config file applying ``overrides`` (``a.b=v`` values, ``+grp@pkg=name``
    and ``grp@pkg=name`` group choices go to its defaults list)."""
    defaults, values = [], []
    for o in overrides:
        key, value = o.split("=", 1)
        if "@" in key or key.lstrip("+") in GROUPS:
            group, _, package = key.lstrip("+").partition("@")
            defaults.append(f"  - /{group}{'@' + package if package else ''}: {value}")
        else:
            values.append(f"{key}={value}")
    body = OmegaConf.to_yaml(OmegaConf.from_dotlist(values)) if values else ""
    head = "# @package _global_\n"
    if defaults:
        head += "defaults:\n" + "\n".join(defaults) + "\n  - _self_\n"
    return head + body


def _value_key(override: str) -> str | None:
    """The key of a plain ``a.b=v`` value override; None for group choices, ``+``/``~``
    forms and Hydra's own keys."""
    key, sep, _ = override.partition("=")
    if (not sep or not key or key[:1] in "+~" or "@" in key or "/" in key
            or key in GROUPS or key.startswith("hydra.")):
        return None
    return key


def options_over_user(options: dict, overrides) -> tuple[dict, list]:
    """(options, the user's overrides left on the command line): a user's value override
    of a key that an option sets goes into the options that do not set it, and the
    options that do keep theirs. On the command line it would win over every option's
    file: ``market.analogy=corn`` undid the sensitivity's ``market.analogy=null``, whose
    scaled Bass p then never reached a run (a tornado bar of width 0)."""
    set_by_options = {k for ovr in options.values() for o in ovr
                      if (k := _value_key(o)) is not None}
    for o in overrides:  # a value every option replaces would be ignored without a word
        if _value_key(o) is not None and all(
                _value_key(o) in {_value_key(x) for x in ovr} for ovr in options.values()):
            raise ExperimentError(f"{o}: every option of this runner sets "
                                  f"{_value_key(o)}, so this value would be ignored; leave it "
                                  "out")
    moved = [o for o in overrides if _value_key(o) in set_by_options]
    if not moved:
        return options, list(overrides)
    out = {}
    for name, ovr in options.items():
        own = {_value_key(o) for o in ovr}
        out[name] = [*(o for o in moved if _value_key(o) not in own), *ovr]
    return out, [o for o in overrides if o not in moved]


def run_sweep(opts: Options, options: dict, extra=(), *, seeds: int | None = None,
              seed_offset: int = 0, sweep_name: str = "sweep") -> Path:
    """Run every option for ``seeds`` (default ``opts.seeds``) seeds, numbered from
    ``seed_offset`` (fresh seeds for an out-of-sample check), into ``out/<sweep_name>``
    (one experiment may run several sweeps); returns the sweep directory."""
    if not options:
        raise ExperimentError("an experiment needs at least one option")
    n_seeds = opts.seeds if seeds is None else seeds
    options, user = options_over_user(options, opts.overrides)  # before anything is written
    mark_out(opts)
    out = opts.out.resolve()
    group_dir = out / "_config" / OPTION_GROUP
    group_dir.mkdir(parents=True, exist_ok=True)
    for name, ovr in options.items():
        atomic_write(group_dir / f"{name}.yaml", lambda p, o=ovr: Path(p).write_text(option_yaml(o)))
    sweep_dir = out / sweep_name
    _clear_stale(sweep_dir, len(options) * n_seeds)
    # the runner's option group joins the user's search path (a fitted market, say)
    paths = [f"file://{out / '_config'}"]
    rest = []
    for o in user:
        key, _, value = o.partition("=")
        if key.lstrip("+") == "hydra.searchpath" and value.startswith("[") and value.endswith("]"):
            paths += [v.strip() for v in value[1:-1].split(",") if v.strip()]
        else:
            rest.append(o)
    cmd = [sys.executable, "-m", "sim.cli", "-m",
           f"+{OPTION_GROUP}={','.join(options)}",
           f"seed=range({seed_offset},{seed_offset + n_seeds})",
           f"hydra.searchpath=[{','.join(paths)}]", f"hydra.sweep.dir={sweep_dir}",
           "plots=false", "sweep_plot=false", "progress=false", *rest, *extra]
    if not any(o.lstrip("+").startswith("hydra.output_subdir=") for o in [*rest, *extra]):
        # no .hydra/ copies of each job's config: config.json holds it, job.json its
        # overrides (Hydra's three YAML files cost about 0.08 s a job: 32 jobs 13.1 -> 10.6 s)
        cmd.append("hydra.output_subdir=null")
    if opts.launcher == "ray":
        cmd.append("hydra/launcher=ray_local")
    elif opts.launcher == "basic":
        cmd.append("hydra/launcher=basic")
    if opts.jobs and opts.launcher == "joblib":
        cmd.append(f"hydra.launcher.n_jobs={opts.jobs}")
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log = out / f"{sweep_name}.log"
    log.write_text(" ".join(cmd) + "\n\n" + proc.stdout + proc.stderr)
    for line in proc.stderr.splitlines():  # said on the console too, not only in the log
        if "will be replaced by this sweep's" in line:
            print(f"[{opts.name}] {line.removeprefix('[marketsim] ')}", file=sys.stderr)
    if not (sweep_dir / "kpis.parquet").exists():
        raise ExperimentError(f"the sweep failed: {_last_error(proc)} (log: {log})",
                              code=2 if proc.returncode == 2 else 1)
    print(f"[{opts.name}] {len(options)} option{'s' * (len(options) != 1)} x {n_seeds} "
          f"seed{'s' * (n_seeds != 1)} in "
          f"{time.perf_counter() - started:.1f} s -> {sweep_dir}")
    return sweep_dir


def _last_error(proc) -> str:
    """The most telling line of a failed sweep's output: its last error line (not the
    warnings printed at shutdown), else its last line."""
    lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines() if ln.strip()]
    for line in reversed(lines):
        if line.startswith("marketsim: error:") or (
                ("Error" in line.split(":")[0] or "Exception" in line.split(":")[0])
                and not line.startswith(("File ", "warnings.warn"))):
            return line
    return lines[-1] if lines else "no output"


def _clear_stale(sweep_dir: Path, n_jobs: int) -> None:
    """Forget what an earlier, different sweep left in ``sweep_dir``: its combined table and
    job directories beyond this sweep's ``n_jobs`` (the rest resume or re-run by Hydra's
    job check)."""
    if not sweep_dir.is_dir():
        return
    (sweep_dir / "kpis.parquet").unlink(missing_ok=True)
    for job in sweep_dir.iterdir():
        if job.is_dir() and job.name.isdigit() and int(job.name) >= n_jobs:
            shutil.rmtree(job)


def base_config(opts: Options, extra=()):
    """The typed config (``sim.config.AppConfig``) every job starts from: the runner's
    ``opts.overrides`` plus ``extra``, composed in-process (to read defaults such as the
    planned launch day or the task list that options scale)."""
    from sim.cli import UserError, compose

    try:
        return compose([*opts.overrides, *extra])
    except UserError as e:
        message = str(e)
        if "add --multirun" in message:  # Hydra's hint, which a runner does not take
            key = message.split("'")[1] if message.count("'") >= 2 else "the value"
            message = (f"{key}: a runner runs its own options and takes one value per "
                       "setting (a list is key=[a,b]); to sweep values of your own, use "
                       "marketsim -m KEY=a,b")
        raise ExperimentError(message) from None


def load_kpis(sweep_dir) -> pd.DataFrame:
    """The sweep's KPIs with ``option`` and ``seed`` columns (failed jobs dropped, reported).

    Raises ``ExperimentError`` (exit status 1) when every job failed: there is nothing to
    compare.
    """
    table = pd.read_parquet(Path(sweep_dir) / "kpis.parquet")
    failed = table[table["status"] != "ok"]
    for _, row in failed.iterrows():
        print(f"warning: job {row['job']} failed: {row['error']}", file=sys.stderr)
    ok = table[table["status"] == "ok"].copy()
    if ok.empty:
        first = failed["error"].iloc[0] if len(failed) else "no jobs"
        raise ExperimentError(f"all {len(table)} jobs of the sweep failed (first: {first}); "
                              f"see {Path(sweep_dir)}", code=1)
    ok["option"] = ok[f"override.{OPTION_GROUP}"]
    ok["seed"] = ok["seed"].astype(int)
    return ok


def load_timeseries(sweep_dir, firm: str | None = None, table: str = "timeseries") -> pd.DataFrame:
    """All jobs' timeseries (or another per-job ``table``: ``events``, ``ledger``, ``tasks``)
    with ``option`` and ``seed`` columns (optionally one firm)."""
    frames = []
    for meta in Path(sweep_dir).glob("*/job.json"):
        job = json.loads(meta.read_text())
        if job.get("status") != "ok":
            continue
        ts = pd.read_parquet(meta.parent / f"{table}.parquet")
        if firm is not None:
            ts = ts[ts["firm"] == firm]
        over = dict(o.lstrip("+").split("=", 1) for o in job["overrides"] if "=" in o)
        ts = ts.assign(option=over.get(OPTION_GROUP), seed=int(job.get("seed", 0)))
        frames.append(ts)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.sweep")
