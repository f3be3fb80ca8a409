"""The command line: ``marketsim`` (a Hydra app) and ``marketsim list``.

``marketsim [overrides]`` runs one scenario (with ``replications`` seeds), prints a KPI
table and writes the output contract into the Hydra run directory. ``marketsim -m
key=a,b seed=range(0,20)`` sweeps with the local parallel launcher (joblib's, in
``hydra_plugins/marketsim_launcher``) or, with
``hydra/launcher=ray``, on a Ray cluster; at the end a callback writes ``kpis.parquet``
(one row per job) and comparison plots at the sweep root. A failed job is recorded in its
``job.json`` and costs no other job; re-running a sweep into the same ``hydra.sweep.dir``
skips jobs whose outputs are complete.

Bad input (a misspelt key, a wrong type, an out-of-range value, an unknown scenario or
group option, a malformed override, an unwritable output directory) ends with exit status 2
and one line ``marketsim: error: ...`` naming the key and what is allowed, without a
traceback unless ``HYDRA_FULL_ERROR=1``. A single run checks all of it before Hydra creates
or writes anything in the run directory, so a bad command never touches an earlier run's
files. In a sweep, a job whose values fail the range checks is recorded as failed (the
other jobs run) and the command exits with status 1.
"""

import copy
import dataclasses
import difflib
import os
import re
import sys
import tempfile
import traceback
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
import yaml
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, ListConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import (
    ConfigAttributeError,
    ConfigKeyError,
    OmegaConfBaseException,
    ValidationError,
)

from sim.config import AppConfig, FirmConfig, MarketConfig

CONFIG_DIR = Path(__file__).parent / "configs"
KPI_TABLE = ["npv", "cumulative_revenue", "cumulative_profit", "launch_day",
             "time_to_market_days", "launch_slip_days", "final_market_share",
             "peak_market_share", "breakeven_day", "csat", "churn_rate", "cac", "ltv",
             "marketing_roi", "installed_base_final", "cash_min"]
_FAILED_JOBS: list = []
_USER_FULL_ERROR: bool | None = None  # HYDRA_FULL_ERROR as the user set it (main() forces it)
GRAMMAR_URL = "https://hydra.cc/docs/advanced/override_grammar/basic/"


class UserError(Exception):
    """Bad input: reported as one line, exit status 2."""


def register_configs() -> None:
    cs = ConfigStore.instance()
    cs.store(name="app_schema", node=AppConfig)
    cs.store(group="market", name="schema", node=MarketConfig)
    cs.store(group="firm", name="schema", node=FirmConfig)
    cs.store(group="competitor", name="schema", node=FirmConfig)


register_configs()


def _full_error() -> bool:
    if _USER_FULL_ERROR is not None:
        return _USER_FULL_ERROR
    return os.environ.get("HYDRA_FULL_ERROR") == "1"


def to_app_config(cfg: DictConfig) -> AppConfig:
    """Typed config from Hydra's; unknown keys and range errors become ``UserError``."""
    _check_known_keys(cfg)
    try:
        app = OmegaConf.to_object(cfg)
    except ValueError as e:
        raise UserError(str(e)) from None
    except OmegaConfBaseException as e:
        raise UserError(str(e).splitlines()[0]) from None
    if not isinstance(app, AppConfig):
        raise UserError(f"config did not resolve to AppConfig, got {type(app).__name__}")
    return app


def _check_known_keys(node, path: str = "") -> None:
    """Reject keys added with ``+key=...`` that no schema field takes: ``OmegaConf.to_object``
    would keep them as stray attributes, so a misspelt key would silently change nothing."""
    if isinstance(node, DictConfig):
        schema = OmegaConf.get_type(node)
        fields = ([f.name for f in dataclasses.fields(schema)]
                  if dataclasses.is_dataclass(schema) else None)
        for key in node.keys():
            sub = f"{path}.{key}" if path else str(key)
            if fields is not None and key not in fields and not (path == "" and key == "hydra"):
                raise UserError(_unknown_key_message(sub, str(key), fields))
            _check_known_keys(node._get_node(key), sub)
    elif isinstance(node, ListConfig):
        for i in range(len(node)):
            _check_known_keys(node._get_node(i), f"{path}[{i}]")


def _unknown_key_message(full_key: str, key: str, allowed) -> str:
    allowed = [str(k) for k in allowed if k != "hydra"]
    parent = full_key[: len(full_key) - len(key)].rstrip(".") or "the top level"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {full_key!r}{hint} ({parent} takes: {', '.join(allowed)})"


_EXPECTED = [
    (r"converted to Integer", "a whole number"),
    (r"converted to Float", "a number"),
    (r"valid bool|converted to Boolean", "true or false"),
    (r"Cannot convert '\w+' to string", "a single text value"),
]


def explain_compose_error(e: Exception) -> str:
    """One line for a Hydra/OmegaConf composition error: the key and what is allowed."""
    if isinstance(e, MissingConfigException) and e.options is not None:
        group, _, name = (e.missing_cfg_file or "").rpartition("/")
        options = [o for o in e.options if o != "schema"]
        hint = " (`marketsim list` describes them)" if group == "scenario" else ""
        return f"{group}={name}: no such {group}; choose one of {', '.join(options)}{hint}"
    cause = e if isinstance(e, OmegaConfBaseException) else e.__cause__
    if isinstance(cause, OmegaConfBaseException) and cause.full_key:
        key, parent = cause.full_key, cause.parent_node
        if isinstance(cause, (ConfigKeyError, ConfigAttributeError)) and parent is not None:
            return _unknown_key_message(key, str(cause.key), list(parent.keys()))
        msg = cause.msg.splitlines()[0] if cause.msg else ""
        if isinstance(cause, ValidationError):
            if (isinstance(parent, ListConfig) and isinstance(cause.key, int)
                    and cause.key >= len(parent)):
                return (f"{key}: no such item; {key.rsplit('[', 1)[0]} has {len(parent)} "
                        f"(indices 0 to {len(parent) - 1})")
            if msg.startswith("Invalid type assigned") and "is not a subclass of" in msg:
                return (f"{key} is a group of settings, not a single value: set one of its "
                        f"keys, e.g. {key}.KEY=VALUE (`marketsim --cfg job` shows them)")
            for pattern, expected in _EXPECTED:
                if re.search(pattern, msg):
                    return f"{key} must be {expected}, got {cause.value!r}"
        return f"{key}: {msg}"
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Config search path", "provider=",
                                                        "Set the environment", "See https"))]
    return " ".join(lines)


def check_overrides(overrides) -> None:
    """Parse each override alone, so that a malformed one is named in the message."""
    parser = OverridesParser.create()
    for text in overrides:
        try:
            parsed = parser.parse_override(text)
        except HydraException as e:
            reason = str(e).splitlines()[0]
            raise UserError(f"malformed override {text!r}: {reason}; write key=value, e.g. "
                            f"seed=3 or 'key=[a,b]' (grammar: {GRAMMAR_URL})") from None
        if not parsed.key_or_group:
            raise UserError(f"malformed override {text!r}: no key before '='; write "
                            "key=value, e.g. seed=3")


def check_choices(choices, searchpath=()) -> None:
    """Every chosen config-group option must exist. Hydra skips a missing *optional* one
    (``policy``) silently, so ``policy=qualty_first`` would run without any policy.
    ``searchpath`` is ``hydra.searchpath`` (e.g. a ``marketsim-fit`` output directory)."""
    from hydra.core.global_hydra import GlobalHydra

    hydra_now = GlobalHydra.instance()
    loader = hydra_now.config_loader() if hydra_now.is_initialized() else None
    extra_dirs = [Path(sp[len("file://"):]) for sp in (searchpath or [])
                  if str(sp).startswith("file://")]
    for group, name in dict(choices).items():
        if name is None or group.startswith("hydra"):
            continue
        label = group.split("@")[0]
        if loader is not None:  # the whole search path, ``--config-dir`` additions included
            options = _group_options(loader, label)
        else:
            options = sorted(p.stem for p in (CONFIG_DIR / label).glob("*.yaml"))
        options += sorted(p.stem for d in extra_dirs for p in (d / label).glob("*.yaml"))
        if options and name not in options:
            raise UserError(f"{group}={name}: no such {label}; choose one of "
                            f"{', '.join(options)}")


_GROUP_OPTIONS: dict = {}


def _group_options(loader, label: str) -> list:
    """A group's options on the loader's search path, listed once per process and search
    path: Hydra re-reads every source on each listing (about 0.2 s), and a sweep in one
    process checks every job."""
    key = (label, tuple((e.provider, e.path) for e in loader.get_search_path().get_path()))
    if key not in _GROUP_OPTIONS:
        _GROUP_OPTIONS[key] = [o for o in loader.get_group_options(label) if o != "schema"]
    return list(_GROUP_OPTIONS[key])


def compose(overrides=()) -> AppConfig:
    """The typed config for ``overrides`` (for tests, benchmarks and experiments).

    Bad input raises ``UserError`` with the same one-line message as the command line.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    overrides = list(overrides)
    check_overrides(overrides)
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = hydra_compose("config", overrides=overrides, return_hydra_config=True)
            check_choices(cfg.hydra.runtime.choices, cfg.hydra.searchpath)
    except (HydraException, OmegaConfBaseException) as e:
        if _full_error():
            raise
        raise UserError(explain_compose_error(e)) from None
    with read_write(cfg), open_dict(cfg):
        del cfg["hydra"]
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


def _check_writable(run_dir: Path, key: str = "hydra.run.dir") -> None:
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


def _report(message) -> None:
    """One line on stderr and exit status 2 (with the traceback too under HYDRA_FULL_ERROR=1)."""
    if _full_error() and sys.exc_info()[0] is not None:
        traceback.print_exc()
    print(f"marketsim: error: {message}", file=sys.stderr)
    raise SystemExit(2)


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
        _check_writable(run_dir, "hydra.sweep.dir" if multirun else "hydra.run.dir")
        check_choices(hc.runtime.choices, hc.searchpath)
        app = to_app_config(cfg)
        if multirun:
            write_json(run_dir / "job.json", {"overrides": overrides, "status": "running",
                                              "seed": app.seed})
        kpis = run_app(app, run_dir, progress=app.progress and not multirun)
    except Exception as e:  # noqa: BLE001 - a job reports its own failure
        if type(e).__name__ == "CudaUnavailableError":  # bad input too: backend=cuda here
            e = UserError(str(e))
        message = str(e) if isinstance(e, UserError) else f"{type(e).__name__}: {e}"
        if multirun:
            if run_dir.exists():
                write_json(run_dir / "job.json", {"overrides": overrides, "status": "failed",
                                                  "error": message,
                                                  "traceback": traceback.format_exc()})
            print(f"[marketsim] job {hc.job.num} failed: {message}", file=sys.stderr)
            return
        if isinstance(e, UserError):
            _report(message)
        raise
    if multirun:
        write_json(run_dir / "job.json", {"overrides": overrides, "status": "ok",
                                          "seed": app.seed})
        return
    print(f"\nScenario '{app.name}' ({app.mode} mode, {app.replications} replication"
          f"{'s' if app.replications > 1 else ''}, seed {app.seed}): KPIs of firm '{app.firm.name}'")
    print(format_table(kpis))
    print(f"\nOutputs: {run_dir.resolve()}")


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
                _check_writable(run_dir, "hydra.run.dir")
        except UserError as e:
            _report(e)

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        sweep_dir = _output_dir(config, "hydra.sweep.dir")
        try:
            if sweep_dir is not None:
                _check_writable(sweep_dir, "hydra.sweep.dir")
        except UserError as e:
            _report(e)


class CombineKpis(CheckInputs):
    """At the end of a multirun: ``kpis.parquet`` (one row per job) and comparison plots.

    (It is the one callback ``configs/config.yaml`` names, so it also does ``CheckInputs``.)
    """

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        from sim.results import atomic_write
        from sim.sweeps import combine

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
    global _USER_FULL_ERROR
    args = sys.argv[1:]
    if args[:1] == ["list"]:
        if len(args) > 1 and args[1] == "analogies":
            from sim.analogies import list_analogies

            list_analogies()
        else:
            list_scenarios()
        return
    from hydra._internal.utils import get_args_parser  # the parser hydra.main uses

    _USER_FULL_ERROR = os.environ.get("HYDRA_FULL_ERROR") == "1"
    try:
        check_overrides(get_args_parser().parse_known_args(args)[0].overrides)
    except UserError as e:
        _report(e)
    # Hydra prints its composition errors over several lines (or as a traceback); let them
    # reach this function whole, to report them in one line naming the key.
    saved = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        hydra_main()
    except (HydraException, OmegaConfBaseException) as e:
        if _USER_FULL_ERROR:
            raise
        _report(explain_compose_error(e))
    finally:
        if saved is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = saved
    if _FAILED_JOBS:
        sys.exit(1)


if __name__ == "__main__":
    main()
