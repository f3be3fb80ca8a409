"""Hydra callbacks: input checks before anything is written, the sweep's combined table."""

import copy
import os
import sys
import tempfile
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
            to_app_config(task_cfg)
            run_dir = _output_dir(config, "hydra.run.dir")
            if run_dir is not None:
                check_writable(run_dir, "hydra.run.dir")
        except UserError as e:
            report(e)

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        sweep_dir = _output_dir(config, "hydra.sweep.dir")
        try:
            if sweep_dir is not None:
                check_writable(sweep_dir, "hydra.sweep.dir")
        except UserError as e:
            report(e)


class CombineKpis(CheckInputs):
    """At the end of a multirun: ``kpis.parquet`` (one row per job) and comparison plots.

    (It is the one callback ``configs/config.yaml`` names, so it also does ``CheckInputs``.)
    """

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        from sim.results import atomic_write
        from sim.results.sweeps import combine

        sweep_dir = Path(config.hydra.sweep.dir)
        table = combine(sweep_dir)
        if table.empty:
            return
        atomic_write(sweep_dir / "kpis.parquet", lambda p: table.to_parquet(p, index=False))
        paths = []
        if config.get("sweep_plot", True):
            from sim.plots import plot_sweep  # matplotlib and seaborn take seconds to import

            paths = plot_sweep(table, sweep_dir / "plots")
        failed = table[table["status"] != "ok"]
        ctx = CONTEXT.get()
        if ctx is not None:
            ctx.failed_jobs.extend(failed["job"].tolist())
        print(f"[marketsim] {len(table)} jobs ({len(failed)} failed): "
              f"{(sweep_dir / 'kpis.parquet').resolve()}")
        for p in paths:
            print(f"[marketsim] plot: {p.resolve()}")
        for _, row in failed.iterrows():
            print(f"[marketsim] job {row['job']} failed: {row['error']}", file=sys.stderr)


