"""The command line: ``marketsim`` (a Hydra app), ``marketsim list``, ``marketsim studio``.

``marketsim [overrides]`` runs one scenario (with ``replications`` seeds), prints a KPI
table and writes the output contract into the Hydra run directory. ``marketsim -m
key=a,b seed=range(0,20)`` sweeps with the local parallel launcher (joblib's, in
``hydra_plugins/marketsim_launcher``) or, with ``hydra/launcher=ray_local``, on Ray; at the
end a callback writes ``kpis.parquet`` (one row per job) and comparison plots at the sweep
root. A failed job is recorded in its ``job.json`` and costs no other job; re-running a
sweep into the same ``hydra.sweep.dir`` skips jobs whose outputs are complete.

Bad input (a misspelt key, a wrong type, an out-of-range value, an unknown scenario or
group option, a malformed override, an unwritable output directory) ends with exit status 2
and one line ``marketsim: error: ...`` naming the key and what is allowed, without a
traceback unless ``HYDRA_FULL_ERROR=1``. A single run checks all of it before Hydra creates
or writes anything in the run directory, so a bad command never touches an earlier run's
files. In a sweep, a job whose values fail the range checks is recorded as failed (the
other jobs run) and the command exits with status 1.
"""

import contextlib
import os
import shutil
import signal
import sys
import traceback
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from sim.cli import messages
from sim.cli.callbacks import check_writable
from sim.cli.compose import check_choices, check_overrides, scenarios, to_app_config
from sim.cli.jobs import run_sweep_job
from sim.cli.messages import (
    CONTEXT,
    RunContext,
    UserError,
    explain_compose_error,
    one_line,
    report,
)
from sim.cli.runs import run_app
from sim.cli.table import format_table
from sim.config.store import register_configs
from sim.errors import MarketsimError


@hydra.main(version_base="1.3", config_path="pkg://sim.configs", config_name="config")
def hydra_main(cfg: DictConfig) -> dict | None:
    """One run, or one job of a sweep; a job returns its ``job_result`` (its record and
    KPIs, as its files hold them), which the launcher streams into the combined table."""
    from sim.results.sweeps import write_json

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        def make_app():
            check_choices(hc.runtime.choices, hc.searchpath)
            return to_app_config(cfg)

        return run_sweep_job(make_app, run_dir, list(hc.overrides.task), hc.job.num)
    try:
        check_writable(run_dir, "hydra.run.dir")
        check_choices(hc.runtime.choices, hc.searchpath)
        app = to_app_config(cfg)
        kpis = run_app(app, run_dir, progress=app.progress)
    except Exception as e:  # noqa: BLE001 - reported in one line, recorded for a crash
        message = str(e) if isinstance(e, MarketsimError) else f"{type(e).__name__}: {e}"
        message = one_line(message)
        record = {"overrides": list(hc.overrides.task), "status": "failed", "error": message,
                  "traceback": traceback.format_exc()}
        if isinstance(e, MarketsimError):
            report(message)
        if messages.full_error():
            raise
        # a crash, not bad input: its record goes only into this run's own directory
        write_json(run_dir / "error.json", record)
        print(f"marketsim: error: the run failed: {message} (traceback: "
              f"{run_dir / 'error.json'})", file=sys.stderr)
        raise SystemExit(1) from None
    ctx = messages.CONTEXT.get()  # via the module: a ContextVar does not pickle
    if ctx is not None and ctx.replace is not None and ctx.replace[0] == run_dir:
        run_dir = replace_run(*ctx.replace)
    print(f"\nScenario '{app.name}' ({app.mode} mode, {app.replications} replication"
          f"{'s' if app.replications > 1 else ''}, seed {app.seed}): KPIs of firm '{app.firm.name}'")
    print(run_context(app, [o for o in hc.overrides.task if not o.startswith("scenario=")]))
    print(format_table(kpis, app.currency))
    print(f"\nOutputs: {run_dir.resolve()}")
    return None


def run_context(app, changes) -> str:
    """What the table's figures are over: the horizon, NPV's rate and what it leaves out,
    what "-" means, and the changes from the scenario (a strategist read an NPV without
    the horizon or the rate, and "Scenario 'baseline'" over a run of changed levers)."""
    days = app.horizon_days
    lines = [f"Over {days:,.0f} days ({days / 365:.1f} years); NPV discounts the run's cash "
             f"flows at {100 * app.discount_rate_per_year:.4g}% a year and counts nothing after "
             "the horizon (npv_with_customer_equity adds what the customers held at its end "
             "will still pay: their margin, discounted, without new customers or any cost "
             "after the horizon); '-': not reached or not defined within the run (e.g. never broke "
             "even)."]
    if changes:
        lines.append("Changed from the scenario: " + " ".join(changes))
    return "\n".join(lines)


def replace_run(staging: Path, final: Path) -> Path:
    """Put a successful run, made in ``staging``, in place of the earlier run in ``final``."""
    old = final.parent / f".{final.name}.replaced-{os.getpid()}"
    os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def list_scenarios() -> None:
    items = scenarios()
    width = max(len(k) for k in items)
    print("Scenarios (run one with: marketsim scenario=NAME):")
    for name, desc in items.items():
        print(f"  {name:<{width}}  {desc}")


RAY_LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def _ray_on_loopback(args):
    """With ``hydra/launcher=ray_local`` (a Ray instance of this machine only), make Ray
    take 127.0.0.1 as the node's address, so that the GCS server, the raylet, the
    dashboard agent and the workers listen on loopback only: Ray does this when its
    multi-node mode is off (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, read when ``ray`` is
    imported, and at ``ray.init``). Not when the user attaches to a cluster
    (``hydra.launcher.ray.init.address=...``). Returns ``(previous value,)`` or None."""
    if not any(a.lstrip("+").startswith("hydra/launcher=ray_local") for a in args):
        return None
    if any(a.lstrip("+").startswith("hydra.launcher.ray.init.address=") for a in args):
        return None
    saved = (os.environ.get(RAY_LOOPBACK_ENV),)
    os.environ[RAY_LOOPBACK_ENV] = "0"
    if "ray._private.ray_constants" in sys.modules:  # imported before main(): too late
        sys.modules["ray._private.ray_constants"].ENABLE_RAY_CLUSTER = False
    return saved


# The command-line options that bring a config tree of the user's own (which could set
# ``hydra.mode``), as Hydra's argument parser spells them.
_OWN_CONFIG_OPTIONS = ("--config-dir", "-cd", "--config-path", "-cp", "--config-name", "-cn")


def mode_probe_needed(args) -> bool:
    """Whether Hydra must compose the config once just to read ``hydra.mode``.

    Hydra's ``_run_hydra`` calls ``Hydra.get_mode``, which composes the whole config (about
    0.8 s) only to read ``hydra.mode`` and then composes it again to run. No shipped config
    sets ``hydra.mode`` (tests/cli/test_cli_startup.py checks every scenario), so the probe
    answers None, and ``-m`` alone decides, unless the command line names ``hydra.mode``
    or brings its own config tree."""
    for arg in args:
        if "hydra.mode" in arg:
            return True
        if arg.split("=")[0] in _OWN_CONFIG_OPTIONS:
            return True
    return False


@contextlib.contextmanager
def _without_mode_probe(args):
    """Within the block, ``Hydra.get_mode`` answers None without composing, where
    ``mode_probe_needed(args)`` says the answer is None anyway."""
    from hydra._internal.hydra import Hydra

    if mode_probe_needed(args):
        yield
        return
    probe = Hydra.get_mode
    Hydra.get_mode = lambda self, config_name, overrides: None
    try:
        yield
    finally:
        Hydra.get_mode = probe


def _restore_env(key, value):
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


def _exit_on_sigterm():
    """SIGTERM (``kill``, a scheduler's stop) raises ``SystemExit`` in the main thread, so
    that ``atomic_write`` and the context managers clean up their temporary files as on
    Ctrl-C; returns the handler it replaced (None where it could not set one)."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)

    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        return None


def main(argv=None) -> None:
    """Console entry point (``argv`` defaults to ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("MPLBACKEND", "Agg")  # figures go to files
    if args[:1] == ["list"]:
        if args[1:] == ["analogies"]:
            from sim.analogies import list_analogies

            list_analogies()
        elif args[1:]:
            report(f"marketsim list takes nothing or 'analogies', got {' '.join(args[1:])!r}")
        else:
            list_scenarios()
        return
    from hydra._internal.utils import get_args_parser  # the parser hydra.main uses

    context = RunContext(full_error=os.environ.get("HYDRA_FULL_ERROR") == "1")
    token = CONTEXT.set(context)
    # Hydra prints its composition errors over several lines (or as a traceback); let them
    # reach this function whole, to report them in one line naming the key.
    saved = os.environ.get("HYDRA_FULL_ERROR")
    saved_argv = sys.argv
    saved_term = _exit_on_sigterm()
    saved_ray = _ray_on_loopback(args)
    try:
        try:
            check_overrides(get_args_parser().parse_known_args(args)[0].overrides)
        except UserError as e:
            report(e)
        register_configs()
        os.environ["HYDRA_FULL_ERROR"] = "1"
        sys.argv = [saved_argv[0] if saved_argv else "marketsim", *args]
        try:
            with _without_mode_probe(args):
                hydra_main()
        except (HydraException, OmegaConfBaseException) as e:
            if context.full_error:
                raise
            report(explain_compose_error(e))
        except MarketsimError as e:  # e.g. the sweep directory's lock
            report(e)
    finally:
        for held in context.held:
            held.close()
        if saved_term is not None:
            signal.signal(signal.SIGTERM, saved_term)
        sys.argv = saved_argv
        if saved_ray is not None:
            _restore_env(RAY_LOOPBACK_ENV, saved_ray[0])
        if saved is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = saved
        CONTEXT.reset(token)
    if context.failed_jobs:
        sys.exit(1)


if __name__ == "__main__":
    main()
