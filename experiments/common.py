"""Shared machinery of the experiment runners.

An experiment compares named *options* (each a set of config overrides) over several
seeds. It runs them through marketsim's own sweep machinery: every option becomes a
config file of a temporary ``experiment_option`` group, and one ``marketsim -m
+experiment_option=a,b,... seed=range(0,n)`` multirun runs every (option, seed) job with
the local parallel launcher (or Ray with ``launcher=ray``), writing ``kpis.parquet`` and
the per-job outputs. Options share seeds, so comparisons are paired (common random
numbers): "A beats B with probability x" is the share of seeds where A did better.

Command line of every runner: ``python -m experiments.NAME [quick=true] [seeds=N]
[out=DIR] [launcher=joblib|ray|basic] [jobs=N] [<experiment keys>] [<marketsim overrides>]``;
keys the runner does not know are passed to every job (e.g. ``scenario=price_war``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.plots import save, style
from sim.results import atomic_write

OPTION_GROUP = "experiment_option"


class ExperimentError(Exception):
    """Bad experiment input or a failed sweep: reported as one line, exit status 2."""


@dataclass
class Options:
    name: str
    quick: bool = False
    seeds: int = 10
    out: Path = Path(".")
    launcher: str = "joblib"
    jobs: int | None = None
    overrides: list = field(default_factory=list)  # passed to every job
    keys: dict = field(default_factory=dict)  # experiment-specific settings

    def __getitem__(self, key):
        return self.keys[key]


def _parse_value(text: str):
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_args(name: str, argv, keys: dict, quick_seeds: int = 3, seeds: int = 20) -> Options:
    """Split ``key=value`` arguments into experiment settings and job overrides.

    ``keys`` maps the runner's own keys to their defaults (their types are enforced).
    """
    opts = Options(name=name, seeds=seeds, out=Path("experiments_out") / name,
                   keys=dict(keys))
    seeds_given = False
    for arg in argv:
        if "=" not in arg or arg.startswith(("=", "-")):
            raise ExperimentError(f"arguments are key=value, got {arg!r}")
        key, value = arg.split("=", 1)
        if key == "quick":
            opts.quick = _parse_value(value) is True
        elif key == "seeds":
            opts.seeds = _positive_int(key, value)
            seeds_given = True
        elif key == "out":
            opts.out = Path(value)
        elif key == "launcher":
            if value not in ("joblib", "ray", "basic"):
                raise ExperimentError(f"launcher must be one of joblib, ray, basic; got {value!r}")
            opts.launcher = value
        elif key == "jobs":
            opts.jobs = _positive_int(key, value)
        elif key in opts.keys:
            default = opts.keys[key]
            parsed = _parse_value(value)
            if isinstance(default, bool) and not isinstance(parsed, bool):
                raise ExperimentError(f"{key} must be true or false, got {value!r}")
            if isinstance(default, (int, float)) and not isinstance(default, bool):
                if not isinstance(parsed, (int, float)) or isinstance(parsed, bool):
                    raise ExperimentError(f"{key} must be a number, got {value!r}")
                parsed = type(default)(parsed) if isinstance(default, float) else parsed
            if isinstance(default, list):
                parsed = [_parse_value(v) for v in value.strip("[]").split(",") if v]
            opts.keys[key] = parsed
        else:
            opts.overrides.append(arg)
    if opts.quick and not seeds_given:
        opts.seeds = quick_seeds
    return opts


def _positive_int(key, value):
    try:
        n = int(value)
    except ValueError:
        raise ExperimentError(f"{key} must be a whole number >= 1, got {value!r}") from None
    if n < 1:
        raise ExperimentError(f"{key} must be a whole number >= 1, got {value!r}")
    return n


def option_yaml(overrides) -> str:
    """A ``_global_`` config file applying ``overrides`` (``a.b=v`` values, ``+grp@pkg=name``
    and ``grp@pkg=name`` group choices go to its defaults list)."""
    defaults, values = [], []
    for o in overrides:
        key, value = o.split("=", 1)
        if "@" in key or key.lstrip("+") in ("market", "firm", "policy"):
            group, _, package = key.lstrip("+").partition("@")
            defaults.append(f"  - /{group}{'@' + package if package else ''}: {value}")
        else:
            values.append(f"{key}={value}")
    body = OmegaConf.to_yaml(OmegaConf.from_dotlist(values)) if values else ""
    head = "# @package _global_\n"
    if defaults:
        head += "defaults:\n" + "\n".join(defaults) + "\n  - _self_\n"
    return head + body


def run_sweep(opts: Options, options: dict, extra=(), *, seeds: int | None = None,
              seed_offset: int = 0, sweep_name: str = "sweep") -> Path:
    """Run every option for ``seeds`` (default ``opts.seeds``) seeds, numbered from
    ``seed_offset`` (fresh seeds for an out-of-sample check), into ``out/<sweep_name>``
    (one experiment may run several sweeps); returns the sweep directory."""
    if not options:
        raise ExperimentError("an experiment needs at least one option")
    n_seeds = opts.seeds if seeds is None else seeds
    out = opts.out.resolve()
    group_dir = out / "_config" / OPTION_GROUP
    group_dir.mkdir(parents=True, exist_ok=True)
    for name, ovr in options.items():
        atomic_write(group_dir / f"{name}.yaml", lambda p, o=ovr: Path(p).write_text(option_yaml(o)))
    sweep_dir = out / sweep_name
    _clear_stale(sweep_dir, len(options) * n_seeds)
    cmd = [sys.executable, "-m", "sim.cli", "-m",
           f"+{OPTION_GROUP}={','.join(options)}",
           f"seed=range({seed_offset},{seed_offset + n_seeds})",
           f"hydra.searchpath=[file://{out / '_config'}]", f"hydra.sweep.dir={sweep_dir}",
           "plots=false", "sweep_plot=false", "progress=false", *opts.overrides, *extra]
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
    if not (sweep_dir / "kpis.parquet").exists():
        raise ExperimentError(f"the sweep failed: {_last_error(proc)} (log: {log})")
    print(f"[{opts.name}] {len(options)} options x {n_seeds} seeds in "
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
        raise ExperimentError(str(e)) from None


def load_kpis(sweep_dir) -> pd.DataFrame:
    """The sweep's KPIs with ``option`` and ``seed`` columns (failed jobs dropped, reported)."""
    table = pd.read_parquet(Path(sweep_dir) / "kpis.parquet")
    failed = table[table["status"] != "ok"]
    for _, row in failed.iterrows():
        print(f"warning: job {row['job']} failed: {row['error']}", file=sys.stderr)
    ok = table[table["status"] == "ok"].copy()
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


# ----------------------------------------------------------------- comparing options


def summarise(kpis: pd.DataFrame, columns, by="option") -> pd.DataFrame:
    """Mean, 5th and 95th percentile and n of each KPI per option."""
    rows = []
    for name, grp in kpis.groupby(by, sort=False):
        row = {by: name, "n": len(grp)}
        for c in columns:
            v = pd.to_numeric(grp[c], errors="coerce").dropna()
            row[f"{c}_mean"] = float(v.mean()) if len(v) else np.nan
            row[f"{c}_p5"] = float(v.quantile(0.05)) if len(v) else np.nan
            row[f"{c}_p95"] = float(v.quantile(0.95)) if len(v) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def winner(kpis: pd.DataFrame, kpi: str, higher_is_better: bool = True, by="option") -> dict:
    """Best option by mean ``kpi``, its margin over the runner-up, and the paired
    probability (share of common seeds) that it beats the runner-up."""
    data = kpis[[by, "seed", kpi]].copy()
    data[kpi] = pd.to_numeric(data[kpi], errors="coerce")
    means = data.groupby(by, sort=False)[kpi].mean().dropna()
    if means.empty:
        return {"kpi": kpi, "winner": None}
    order = means.sort_values(ascending=not higher_is_better)
    best = order.index[0]
    result = {"kpi": kpi, "winner": best, "mean": float(order.iloc[0]),
              "higher_is_better": higher_is_better}
    if len(order) > 1:
        second = order.index[1]
        wide = data.pivot_table(index="seed", columns=by, values=kpi)
        pair = wide[[best, second]].dropna()
        better = pair[best] > pair[second] if higher_is_better else pair[best] < pair[second]
        result.update({"runner_up": second, "runner_up_mean": float(order.iloc[1]),
                       "margin": float(abs(order.iloc[0] - order.iloc[1])),
                       "p_beats_runner_up": float(better.mean()) if len(pair) else np.nan,
                       "p_ties_runner_up": float((pair[best] == pair[second]).mean())
                       if len(pair) else np.nan,
                       "paired_seeds": int(len(pair))})
    return result


def fmt(v, kpi: str = "") -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if "share" in kpi:
        return f"{100 * v:.1f}%"
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.2f}M"
    if abs(v) >= 1e3:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def winner_sentence(w: dict, label: str | None = None, unit: str = "") -> str:
    label = label or w["kpi"]
    if w.get("winner") is None:
        return f"No option has a value for {label}."
    direction = "highest" if w["higher_is_better"] else "lowest"
    text = f"**{w['winner']}** has the {direction} mean {label} ({fmt(w['mean'], w['kpi'])}{unit})"
    if "runner_up" in w:
        text += (f", {fmt(w['margin'], w['kpi'])}{unit} {'more' if w['higher_is_better'] else 'less'} "
                 f"than the runner-up **{w['runner_up']}** ({fmt(w['runner_up_mean'], w['kpi'])}{unit}); "
                 f"it does better in {100 * w['p_beats_runner_up']:.0f}% "
                 + (f"and ties in {100 * w['p_ties_runner_up']:.0f}% "
                    if w.get("p_ties_runner_up", 0) > 0 else "")
                 + f"of the {w['paired_seeds']} paired seeds")
    return text + "."


def paired_difference(kpis: pd.DataFrame, kpi: str, option, reference,
                      higher_is_better: bool = True, by: str = "option") -> dict:
    """Mean paired difference ``option - reference`` of ``kpi`` over their common seeds and
    the share of those seeds where ``option`` does better."""
    wide = kpis.assign(**{kpi: pd.to_numeric(kpis[kpi], errors="coerce")}).pivot_table(
        index="seed", columns=by, values=kpi)
    if option not in wide or reference not in wide:
        return {"diff": np.nan, "p_better": np.nan, "n": 0}
    pair = wide[[option, reference]].dropna()
    diff = pair[option] - pair[reference]
    better = diff > 0 if higher_is_better else diff < 0
    return {"diff": float(diff.mean()) if len(pair) else np.nan,
            "p_better": float(better.mean()) if len(pair) else np.nan, "n": int(len(pair))}


def summary_table(summary: pd.DataFrame, specs, by: str = "option") -> str:
    """A markdown table of ``mean [p5, p95]`` per option; ``specs``: ``(kpi, header)``."""
    specs = [(k, h) for k, h in specs if f"{k}_mean" in summary]
    lines = ["| " + " | ".join([by] + [h for _, h in specs]) + " |",
             "|" + "---|" * (len(specs) + 1)]
    for _, row in summary.iterrows():
        cells = [str(row[by])]
        for k, _ in specs:
            cells.append(f"{fmt(row[f'{k}_mean'], k)} [{fmt(row[f'{k}_p5'], k)}, "
                         f"{fmt(row[f'{k}_p95'], k)}]")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------- writing results


def write_summary(out: Path, summary: pd.DataFrame) -> Path:
    path = Path(out) / "summary.csv"
    atomic_write(path, lambda p: summary.to_csv(p, index=False))
    return path


def write_report(out: Path, title: str, question: str, sections, opts: Options,
                 seconds: float, raw: str | None = None) -> Path:
    """``report.md``: the question, computed sentences, embedded plots, how it was run
    (``raw`` describes where the raw runs are when they are not one ``sweep/``)."""
    lines = [f"# {title}", "", f"*Question:* {question}", ""]
    for heading, paragraphs, images in sections:
        if heading:
            lines += [f"## {heading}", ""]
        for p in paragraphs:
            lines += [p, ""]
        for img in images:
            lines += [f"![{Path(img).stem}]({Path(img).relative_to(out).as_posix()})", ""]
    lines += ["## How this was run", "",
              f"`python -m experiments.{opts.name} " + " ".join(
                  [f"quick={str(opts.quick).lower()}", f"seeds={opts.seeds}"]
                  + [f"{k}={_key_text(v)}" for k, v in opts.keys.items()] + opts.overrides) + "`",
              "", f"{opts.seeds} seeds per option, paired across options (common random "
              f"numbers); intervals are 5th-95th percentiles over seeds. Wall time "
              f"{seconds:.0f} s. Raw runs: "
              + (raw or "`sweep/` (one job directory per option and seed, `sweep/kpis.parquet`)")
              + ".", ""]
    path = Path(out) / "report.md"
    atomic_write(path, lambda p: Path(p).write_text("\n".join(lines)))
    return path


def _key_text(value) -> str:
    """A key's value as the command line takes it (lists without spaces)."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def figure_path(out: Path, name: str) -> Path:
    return Path(out) / "plots" / f"{name}.png"


# ----------------------------------------------------------------- shared figures


def kpi_distributions(kpis: pd.DataFrame, specs, order, title: str, by: str = "option"):
    """One panel per KPI: a box per option (5-95% whiskers), seeds as dots, the mean as a
    diamond. ``specs``: ``(column, axis label with unit, scale)``; returns the figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import PercentFormatter

    specs = [s for s in specs if s[0] in kpis and pd.to_numeric(kpis[s[0]], errors="coerce").notna().any()]
    width = max(3.6, 0.75 * len(order) + 1.6)
    fig, axes = plt.subplots(1, len(specs), figsize=(width * len(specs), 4.6), squeeze=False)
    palette = dict(zip(order, sns.color_palette(n_colors=len(order)), strict=False))
    for ax, (col, label, scale) in zip(axes[0], specs, strict=True):
        data = kpis[[by, col]].copy()
        data[col] = pd.to_numeric(data[col], errors="coerce") * scale
        sns.boxplot(data=data, x=by, y=col, order=order, hue=by, hue_order=order,
                    palette=palette, whis=(5, 95), showfliers=False, legend=False, ax=ax,
                    boxprops={"alpha": 0.45})
        sns.stripplot(data=data, x=by, y=col, order=order, color="0.25", size=3, alpha=0.6,
                      ax=ax)
        means = data.groupby(by)[col].mean().reindex(order)
        ax.scatter(range(len(order)), means.to_numpy(), marker="D", color="black", s=28,
                   zorder=5, label="mean")
        ax.set(title=label.split(" (")[0], xlabel="", ylabel=label)
        if "share" in col and scale == 1:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.tick_params(axis="x", rotation=30 if len(order) > 2 else 0)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right" if len(order) > 2 else "center")
    axes[0][0].legend(loc="best", fontsize="small")
    fig.suptitle(title)
    return fig


def over_time(ts: pd.DataFrame, panels, order, title: str, by: str = "option",
              markers=()):
    """Lines over days with 90% bands across seeds (median line), one panel per
    ``(column, axis label with unit, scale)``; ``markers``: ``(day, label)`` vertical lines."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import PercentFormatter

    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.4), squeeze=False)
    for k, (ax, (col, label, scale)) in enumerate(zip(axes[0], panels, strict=True)):
        data = ts[[by, "seed", "t", col]].copy()
        data[col] = pd.to_numeric(data[col], errors="coerce") * scale
        sns.lineplot(data=data, x="t", y=col, hue=by, hue_order=order, estimator="median",
                     errorbar=("pi", 90), ax=ax, legend=k == len(panels) - 1)
        for i, (day, text) in enumerate(markers):  # labels staggered so they never overlap
            ax.axvline(day, color="0.3", ls=":", lw=1)
            ax.text(day, 0.98 - 0.07 * i, f" {text}", transform=ax.get_xaxis_transform(),
                    va="top", fontsize="small", color="0.3",
                    bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 1})
        ax.set(title=label.split(" (")[0], xlabel="day", ylabel=label)
        if "share" in col and scale == 1:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    leg = axes[0][-1].get_legend()
    if leg is not None:
        sns.move_legend(axes[0][-1], "upper left", bbox_to_anchor=(1.01, 1.0), title=by,
                        frameon=False)
    fig.suptitle(title)
    return fig


def main_wrapper(run, name: str):
    """Console behaviour shared by runners: one-line errors, exit status 2."""
    def main(argv=None):
        argv = sys.argv[1:] if argv is None else argv
        try:
            style()
            out = run(argv)
        except ExperimentError as e:
            print(f"experiments.{name}: error: {e}", file=sys.stderr)
            return 2
        print(f"[{name}] report: {out / 'report.md'}")
        return 0
    return main


__all__ = ["ExperimentError", "Options", "base_config", "figure_path", "fmt", "kpi_distributions",
           "load_kpis", "load_timeseries", "main_wrapper", "over_time", "paired_difference", "parse_args",
           "run_sweep", "save", "summarise", "summary_table", "winner", "winner_sentence",
           "write_report", "write_summary"]
