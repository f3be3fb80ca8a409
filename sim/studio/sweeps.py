"""Sweeps from the page: ``marketsim -m`` launched as a detached process.

The sweep runs in its own session (``start_new_session``), with its output in
``WORKSPACE/sweeps/ID/sweep.log``, so neither a closed browser tab nor a restarted studio
stops it. Progress is read from the jobs' ``job.json`` files, the end from the process and
the sweep's ``kpis.parquet`` (written by the CLI's callback, with the sweep plot).
"""

import itertools
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sim.cli import UserError
from sim.studio.runs import Workspace, composed, now

_PROCESSES: dict[str, subprocess.Popen] = {}  # launched by this server: poll() reaps them


def marketsim_command() -> list[str]:
    """The ``marketsim`` command as this interpreter runs it (``sim.commands`` is what the
    console script calls; run as a module, the working directory's packages, such as the
    repository's Hydra plugins under an editable install, are importable as for
    ``python -m pytest``)."""
    return [sys.executable, "-m", "sim.commands"]


def sweep_overrides(base, axes: dict) -> list[str]:
    """``marketsim -m`` arguments: the base overrides and one ``key=a,b,...`` per axis."""
    out = list(base)
    for key, values in axes.items():
        out.append(f"{key}={','.join(str(v) for v in values)}")
    return out


def check_sweep(base, axes: dict) -> int:
    """Compose every point (bad input: ``UserError`` with the CLI's message); returns the
    number of jobs."""
    if not axes:
        raise UserError("choose at least one lever to sweep")
    for key, values in axes.items():
        if not values:
            raise UserError(f"{key}: give at least one value to sweep")
    keys = list(axes)
    points = list(itertools.product(*(axes[k] for k in keys)))
    for point in points:
        composed([*base, *(f"{k}={v}" for k, v in zip(keys, point, strict=True))])
    return len(points)


def launch_sweep(ws: Workspace, base, axes: dict, label: str = "") -> dict:
    jobs = check_sweep(base, axes)
    sweep_id, sweep_dir = ws.new_dir("sweeps")
    args = ["-m", *sweep_overrides(base, axes), f"hydra.sweep.dir={sweep_dir}"]
    command = " ".join(shlex.quote(w) for w in ["marketsim", *args])
    log = open(sweep_dir / "sweep.log", "wb")  # noqa: SIM115 - the child keeps it
    env = {**os.environ, "MPLBACKEND": "Agg"}
    # the studio's own working directory: the sweep's outputs go by absolute path anyway,
    # and the command then runs where the user would type it
    proc = subprocess.Popen([*marketsim_command(), *args], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env=env)
    log.close()
    _PROCESSES[sweep_id] = proc
    info = {"id": sweep_id, "kind": "sweep", "created": now(), "label": label or command,
            "overrides": sweep_overrides(base, axes), "command": command,
            "path": str(sweep_dir), "status": "running", "error": None, "pid": proc.pid,
            "jobs": jobs, "axes": {k: [str(v) for v in vs] for k, vs in axes.items()}}
    return ws.record(info)


def _alive(info: dict) -> bool:
    proc = _PROCESSES.get(info["id"])
    if proc is not None:
        return proc.poll() is None
    pid = info.get("pid")
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, TypeError):
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def status(ws: Workspace, info: dict) -> dict:
    """Jobs done so far, whether it still runs; at the end the entry is updated."""
    sweep_dir = Path(info["path"])
    done = failed = 0
    for job in sweep_dir.glob("*/job.json"):
        text = job.read_text(errors="replace")
        done += '"ok"' in text
        failed += '"failed"' in text
    alive = _alive(info)
    table = sweep_dir / "kpis.parquet"
    out = {"jobs": info.get("jobs", 0), "done": done, "failed": failed, "running": alive,
           "finished": not alive}
    if not alive and info.get("status") == "running":
        info = dict(info)
        if table.exists() and failed == 0:
            info["status"] = "ok"
        else:
            info["status"] = "failed"
            info["error"] = _last_error(sweep_dir)
        ws.record(info)
    out["status"] = info.get("status")
    return out


def _last_error(sweep_dir: Path) -> str:
    try:
        lines = (sweep_dir / "sweep.log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return "the sweep ended without output"
    errors = [ln for ln in lines if "error" in ln.lower() or "failed" in ln.lower()]
    return (errors or lines or ["the sweep ended without output"])[-1]


def table(info: dict) -> pd.DataFrame:
    path = Path(info["path"]) / "kpis.parquet"
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def plots(info: dict) -> list[Path]:
    return sorted((Path(info["path"]) / "plots").glob("*.png"))


def answer(info: dict) -> list[str]:
    """The finished sweep's answer, as ``marketsim report`` gives it: the option with the
    highest mean NPV, its paired comparison with the runner-up, and a warning where it is
    an end of a numeric grid (``sim.results.sweep_report``); [] without complete jobs."""
    from sim.errors import MarketsimError
    from sim.results.assumptions import currency_of
    from sim.results.sweep_report import (
        lost_options,
        sweep_answer,
        sweep_config,
        sweep_options,
    )

    frame = table(info)
    if frame.empty:
        return []
    try:
        _, data, options, label = sweep_options(frame, Path(info["path"]))
    except MarketsimError:
        return []
    cfg = sweep_config(Path(info["path"]))
    return sweep_answer(data, options, label, currency_of(cfg) if cfg else "currency units",
                        lost_options(frame))

