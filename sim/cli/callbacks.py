"""Hydra callbacks: input checks before anything is written, the sweep's combined table."""

import copy
import os
import sys
import tempfile
import time
from pathlib import Path

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from sim.cli.compose import check_choices, to_app_config
from sim.cli.messages import CONTEXT, UserError, report


def check_writable(run_dir: Path, key: str = "hydra.run.dir") -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write_test.", dir=run_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise UserError(f"{key}: cannot write to {run_dir} ({e.strerror}); set {key} to a "
                        f"writable directory, e.g. {key}=outputs/my_run") from None


def _output_dir(config: DictConfig, key: str) -> Path | None:
    try:
        return Path(str(OmegaConf.select(config, key)))
    except Exception:  # noqa: BLE001 - an interpolation only Hydra's job runtime resolves
        return None


def check_cuda() -> None:
    """``backend=cuda`` must find numba-cuda and a GPU (or the simulator) before anything
    is written: the run would otherwise fail after Hydra wrote its files."""
    from sim.kernel.cuda import load_backend

    load_backend()  # raises CudaUnavailableError, a MarketsimError, with the reason


def sweep_temporary_files(directory: Path, depth: int = 0) -> None:
    """Remove the temporary files a killed writer left (``atomic_write``'s
    ``.NAME.XXXX.tmp``) in ``directory`` and, to ``depth``, its subdirectories."""
    from sim.results.sweeps import remove_temporary_files

    remove_temporary_files(directory, depth)


def holds_a_run(run_dir: Path) -> bool:
    """True when ``run_dir`` already holds files (an earlier run's)."""
    return run_dir.is_dir() and any(run_dir.iterdir())


def _user_set(config: DictConfig, key: str) -> bool:
    return any(str(o).split("=", 1)[0].lstrip("+") == key
               for o in config.hydra.overrides.hydra)


def fresh_run_dir(config: DictConfig, run_dir: Path) -> None:
    """Point ``hydra.run.dir`` at a directory of its own when ``run_dir`` holds an earlier
    run, so that nothing this run writes (Hydra's ``.hydra/``, its log, a crash's record)
    touches that run. The default, time-stamped directory gets a suffix (two runs in one
    second); a directory the user named is replaced only if the run succeeds (``main``
    swaps the staging directory in)."""
    sweep_temporary_files(run_dir)
    if not holds_a_run(run_dir):
        return
    if _user_set(config, "hydra.run.dir"):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        new = run_dir.parent / f"{run_dir.name}.attempt-{stamp}-{os.getpid()}"
        ctx = CONTEXT.get()
        if ctx is not None:
            ctx.replace = (new, run_dir)
    else:
        k = 1
        while (new := run_dir.parent / f"{run_dir.name}_{k}").exists():
            k += 1
    check_writable(new, "hydra.run.dir")
    with read_write(config.hydra), open_dict(config.hydra):
        config.hydra.run.dir = str(new)


class CheckInputs(Callback):
    """Checks that run before Hydra creates or writes anything in an output directory.

    A single run's whole config (group options, unknown keys, ranges) and its run directory;
    a sweep's directory (each job's values are checked in the job, which records a failure).
    Hydra turns a callback's exceptions into warnings, so a failure exits here (status 2).
    """

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        try:
            check_choices(config.hydra.runtime.choices, config.hydra.searchpath)
            task_cfg = copy.deepcopy(config)
            with read_write(task_cfg), open_dict(task_cfg):
                del task_cfg["hydra"]
            app = to_app_config(task_cfg)
            if app.backend == "cuda":
                check_cuda()
            run_dir = _output_dir(config, "hydra.run.dir")
            if run_dir is not None:
                check_writable(run_dir, "hydra.run.dir")
                fresh_run_dir(config, run_dir)
        except UserError as e:
            report(e)

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        sweep_dir = _output_dir(config, "hydra.sweep.dir")
        try:
            if sweep_dir is not None:
                check_writable(sweep_dir, "hydra.sweep.dir")
        except UserError as e:
            report(e)
        # the sweeper (hydra_plugins.marketsim_sweeper) checks every job's overrides, then
        # takes the directory's lock, before it writes multirun.yaml


class CombineKpis(CheckInputs):
    """At the end of a multirun: ``kpis.parquet`` (one row per job) and comparison plots.

    (It is the one callback ``configs/config.yaml`` names, so it also does ``CheckInputs``.)
    """

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        from sim.results.sweep_table import SPOOL, write_table

        sweep_dir = Path(config.hydra.sweep.dir)
        summary = write_table(sweep_dir)
        ignored = summary.get("ignored", [])
        if ignored:
            print(f"[marketsim] ignored {len(ignored)} job director"
                  f"{'y' if len(ignored) == 1 else 'ies'} of an earlier sweep in {sweep_dir} "
                  f"(not in this sweep's table): {', '.join(ignored)}", file=sys.stderr)
        (sweep_dir / SPOOL).unlink(missing_ok=True)
        if not summary["rows"]:
            return
        paths = []
        if config.get("sweep_plot", True):
            paths = _plot(sweep_dir, summary["columns"], str(config.get("currency") or "USD"))
        failed = summary["failed"]
        ctx = CONTEXT.get()
        if ctx is not None:
            ctx.failed_jobs.extend(job for job, _ in failed)
        print(f"[marketsim] {summary['rows']} jobs ({len(failed)} failed): "
              f"{(sweep_dir / 'kpis.parquet').resolve()}")
        for p in paths:
            print(f"[marketsim] plot: {p.resolve()}")
        for line in answer_lines(sweep_dir, str(config.get("currency") or "USD")):
            print(line)
        for line in failure_lines(failed):
            print(line, file=sys.stderr)


def answer_lines(sweep_dir: Path, currency: str) -> list:
    """The sweep's answer in the terminal, as ``marketsim report`` words it (the
    recommendation, the options not separated from it, the edge of the grid; for seeds of
    one configuration their spread), and where the full page is; [] without complete
    jobs."""
    import pandas as pd

    from sim.errors import MarketsimError
    from sim.results.sweep_report import lost_options, sweep_answer, sweep_options

    table = pd.read_parquet(sweep_dir / "kpis.parquet")
    try:
        _, data, options, label = sweep_options(table, sweep_dir)
    except MarketsimError:
        return []
    lines = [f"[marketsim] {text.replace('**', '')}"
             for text in sweep_answer(data, options, label, currency, lost_options(table))]
    return lines + [f"[marketsim] the comparison in full: marketsim report {sweep_dir}"]


SHOWN_ERRORS = 10  # distinct errors listed at the end of a sweep
SHOWN_JOBS = 5  # job numbers named per error


def failure_lines(failed: list) -> list:
    """The end of a sweep's report of its failed jobs (``[(job, error)]``): one line per
    distinct error, naming its jobs (at most ``SHOWN_JOBS`` of them), for at most
    ``SHOWN_ERRORS`` errors; every job's error is in the table's ``error`` column."""
    by_error: dict = {}
    for job, error in failed:
        by_error.setdefault(error, []).append(str(job))
    lines = []
    for error, jobs in list(by_error.items())[:SHOWN_ERRORS]:
        if len(jobs) == 1:
            lines.append(f"[marketsim] job {jobs[0]} failed: {error}")
            continue
        more = len(jobs) - SHOWN_JOBS
        named = ", ".join(jobs[:SHOWN_JOBS]) + (f" and {more} more" if more > 0 else "")
        lines.append(f"[marketsim] {len(jobs)} jobs failed ({named}): {error}")
    others = len(by_error) - SHOWN_ERRORS
    if others > 0:
        lines.append(f"[marketsim] and {others} other error{'s' if others > 1 else ''}: "
                     "every failed job's error is in the error column of kpis.parquet")
    return lines


def _plot(sweep_dir: Path, columns: list, currency: str) -> list:
    """The sweep's comparison plots, from the columns of ``kpis.parquet`` they use."""
    import pandas as pd

    from sim.plots import plot_sweep  # matplotlib and seaborn take seconds to import
    from sim.plots.sweep import SWEEP_KPIS

    kpis = {k for k, _ in SWEEP_KPIS}
    used = [c for c in columns if c == "status" or c.startswith("override.") or c in kpis]
    table = pd.read_parquet(sweep_dir / "kpis.parquet", columns=used)
    return plot_sweep(table, sweep_dir / "plots", currency=currency)
