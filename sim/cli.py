"""The command line: ``marketsim`` (a Hydra app) and ``marketsim list``.

``marketsim [overrides]`` runs one scenario (with ``replications`` seeds), prints a KPI
table and writes the output contract into the Hydra run directory. ``marketsim -m
key=a,b seed=range(0,20)`` sweeps with the local parallel launcher (joblib) or, with
``hydra/launcher=ray``, on a Ray cluster; at the end a callback writes ``kpis.parquet``
(one row per job) and comparison plots at the sweep root. A failed job is recorded in its
``job.json`` and costs no other job; re-running a sweep into the same ``hydra.sweep.dir``
skips jobs whose outputs are complete.

Bad input (a misspelt key, a wrong type, an out-of-range value, an unknown scenario, a
malformed override, an unwritable output directory) ends with exit status 2 (Hydra's own
composition errors: 1) and one message naming the key, without a traceback unless
``HYDRA_FULL_ERROR=1``.
"""

import os
import sys
import traceback
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
import yaml
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import AppConfig, FirmConfig, MarketConfig

CONFIG_DIR = Path(__file__).parent / "configs"
KPI_TABLE = ["npv", "cumulative_revenue", "cumulative_profit", "launch_day",
             "time_to_market_days", "launch_slip_days", "final_market_share",
             "peak_market_share", "breakeven_day", "csat", "churn_rate", "cac", "ltv",
             "marketing_roi", "installed_base_final", "cash_min"]
_FAILED_JOBS: list = []


class UserError(Exception):
    """Bad input: reported as one line, exit status 2."""


def register_configs() -> None:
    cs = ConfigStore.instance()
    cs.store(name="app_schema", node=AppConfig)
    cs.store(group="market", name="schema", node=MarketConfig)
    cs.store(group="firm", name="schema", node=FirmConfig)
    cs.store(group="competitor", name="schema", node=FirmConfig)


register_configs()


def to_app_config(cfg: DictConfig) -> AppConfig:
    """Typed config from Hydra's; range errors become ``UserError``."""
    try:
        app = OmegaConf.to_object(cfg)
    except ValueError as e:
        raise UserError(str(e)) from None
    except OmegaConfBaseException as e:
        raise UserError(str(e).splitlines()[0]) from None
    if not isinstance(app, AppConfig):
        raise UserError(f"config did not resolve to AppConfig, got {type(app).__name__}")
    return app


def compose(overrides=()) -> AppConfig:
    """The typed config for ``overrides`` (for tests, benchmarks and experiments)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=list(overrides))
    return to_app_config(cfg)


def scenarios() -> dict:
    """Scenario name -> one-line description, from the shipped scenario configs."""
    out = {}
    for path in sorted((CONFIG_DIR / "scenario").glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        out[path.stem] = data.get("description", "")
    return out


def format_table(kpis: pd.DataFrame) -> str:
    """KPI table: the value for one replication, else mean and 90% interval."""
    cols = [c for c in KPI_TABLE if c in kpis.columns]
    lines = []
    if len(kpis) == 1:
        lines.append(f"{'kpi':<22}{'value':>16}")
        for c in cols:
            lines.append(f"{c:<22}{_fmt(kpis[c].iloc[0]):>16}")
    else:
        lines.append(f"{'kpi':<22}{'mean':>16}{'p5':>16}{'p95':>16}{'n':>5}")
        for c in cols:
            v = pd.to_numeric(kpis[c], errors="coerce").dropna()
            if len(v) == 0:
                lines.append(f"{c:<22}{'-':>16}{'-':>16}{'-':>16}{0:>5}")
                continue
            lines.append(f"{c:<22}{_fmt(v.mean()):>16}{_fmt(v.quantile(0.05)):>16}"
                         f"{_fmt(v.quantile(0.95)):>16}{len(v):>5}")
    return "\n".join(lines)


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    v = float(v)
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    if abs(v) < 10 and v != round(v):
        return f"{v:.3f}"
    return f"{v:,.1f}"


def run_app(app: AppConfig, run_dir: Path, progress: bool = False) -> pd.DataFrame:
    """Run ``app.replications`` seeds of the scenario into ``run_dir``; returns the KPIs."""
    from tqdm import tqdm

    from sim.results import atomic_write
    from sim.scenario import run_scenario

    scenario = app.scenario()
    reps = app.replications
    rows = []
    steps = int(np.ceil(scenario.horizon_days / scenario.dt_days))
    bar = tqdm(total=reps * steps, disable=None if progress else True, unit="step", leave=False,
               desc=scenario.name, file=sys.stderr)
    try:
        for k in range(reps):
            seed = app.seed + k
            res = run_scenario(scenario, seed, on_step=lambda t: bar.update(1))
            out = run_dir if reps == 1 else run_dir / f"rep_{k:03d}"
            res.write(out, plots=app.plots)
            rows.append(res.kpis)
    finally:
        bar.close()
    kpis = pd.DataFrame(rows)
    if reps > 1:
        atomic_write(run_dir / "kpis_replications.parquet",
                     lambda p: kpis.to_parquet(p, index=False))
        from sim.results import clean_json
        from sim.sweeps import write_json

        summary = {c: float(pd.to_numeric(kpis[c], errors="coerce").mean())
                   for c in kpis.columns if pd.api.types.is_numeric_dtype(kpis[c])}
        summary.update({"replications": reps, "seed": app.seed, "scenario": scenario.name})
        write_json(run_dir / "kpis.json", clean_json(summary))
    return kpis


def _check_writable(run_dir: Path) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write_test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise UserError(f"hydra.run.dir: cannot write to {run_dir}: {e.strerror}") from None


@hydra.main(version_base="1.3", config_path="configs", config_name="config")
def hydra_main(cfg: DictConfig) -> None:
    from sim.sweeps import job_is_complete, write_json

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    overrides = list(hc.overrides.task)
    multirun = hc.mode == RunMode.MULTIRUN
    if multirun and job_is_complete(run_dir, overrides):
        print(f"[marketsim] job {hc.job.num} already complete in {run_dir}: skipped")
        return
    try:
        _check_writable(run_dir)
        app = to_app_config(cfg)
        if multirun:
            write_json(run_dir / "job.json", {"overrides": overrides, "status": "running",
                                              "seed": app.seed})
        kpis = run_app(app, run_dir, progress=app.progress and not multirun)
    except Exception as e:  # noqa: BLE001 - a job reports its own failure
        message = str(e) if isinstance(e, UserError) else f"{type(e).__name__}: {e}"
        if multirun:
            if run_dir.exists():
                write_json(run_dir / "job.json", {"overrides": overrides, "status": "failed",
                                                  "error": message,
                                                  "traceback": traceback.format_exc()})
            print(f"[marketsim] job {hc.job.num} failed: {message}", file=sys.stderr)
            return
        if isinstance(e, UserError) and not os.environ.get("HYDRA_FULL_ERROR"):
            print(f"marketsim: error: {message}", file=sys.stderr)
            sys.exit(2)
        raise
    if multirun:
        write_json(run_dir / "job.json", {"overrides": overrides, "status": "ok",
                                          "seed": app.seed})
        return
    print(f"\nScenario '{app.name}' ({app.mode} mode, {app.replications} replication"
          f"{'s' if app.replications > 1 else ''}, seed {app.seed}): KPIs of firm '{app.firm.name}'")
    print(format_table(kpis))
    print(f"\nOutputs: {run_dir.resolve()}")


class CombineKpis(Callback):
    """At the end of a multirun: ``kpis.parquet`` (one row per job) and comparison plots."""

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        from sim.plots import plot_sweep
        from sim.results import atomic_write
        from sim.sweeps import combine

        sweep_dir = Path(config.hydra.sweep.dir)
        table = combine(sweep_dir)
        if table.empty:
            return
        atomic_write(sweep_dir / "kpis.parquet", lambda p: table.to_parquet(p, index=False))
        paths = plot_sweep(table, sweep_dir / "plots")
        failed = table[table["status"] != "ok"]
        _FAILED_JOBS.extend(failed["job"].tolist())
        print(f"[marketsim] {len(table)} jobs ({len(failed)} failed): "
              f"{(sweep_dir / 'kpis.parquet').resolve()}")
        for p in paths:
            print(f"[marketsim] plot: {p.resolve()}")
        for _, row in failed.iterrows():
            print(f"[marketsim] job {row['job']} failed: {row['error']}", file=sys.stderr)


def list_scenarios() -> None:
    items = scenarios()
    width = max(len(k) for k in items)
    print("Scenarios (run one with: marketsim scenario=NAME):")
    for name, desc in items.items():
        print(f"  {name:<{width}}  {desc}")


def main() -> None:
    """Console entry point."""
    args = sys.argv[1:]
    if args[:1] == ["list"]:
        if len(args) > 1 and args[1] == "analogies":
            from sim.analogies import list_analogies

            list_analogies()
        else:
            list_scenarios()
        return
    hydra_main()
    if _FAILED_JOBS:
        sys.exit(1)


if __name__ == "__main__":
    main()
