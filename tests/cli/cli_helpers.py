"""Helpers for command-line tests: run ``marketsim`` as a user would, snapshot directories."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
FORKRUN = HERE / "cli_forkrun.py"


def marketsim_command() -> list[str]:
    """The console script of this environment (``python -m sim.cli`` if it is missing)."""
    script = Path(sys.executable).parent / "marketsim"
    if script.exists():
        return [str(script)]
    found = shutil.which("marketsim")
    return [found] if found else [sys.executable, "-m", "sim.cli"]


def cli_env(**extra) -> dict:
    """The environment of a user's shell: no HYDRA_FULL_ERROR, a non-interactive backend."""
    env = dict(os.environ)
    env.pop("HYDRA_FULL_ERROR", None)
    env["MPLBACKEND"] = "Agg"
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_marketsim(args, cwd, timeout=300, **env) -> subprocess.CompletedProcess:
    """``marketsim ARGS`` in ``cwd``; stdout and stderr captured as text."""
    return subprocess.run([*marketsim_command(), *map(str, args)], cwd=cwd, env=cli_env(**env),
                          capture_output=True, text=True, timeout=timeout)


def run_forked(cases, workdir: Path, timeout=600) -> list[dict]:
    """Run many command lines through ``cli_forkrun.py`` (one import, one fork per case).

    ``cases`` is a list of ``(argv, env)``; returns ``{"rc", "stdout", "stderr"}`` per case.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    spec = []
    for i, (argv, env) in enumerate(cases):
        spec.append({"argv": [str(a) for a in argv], "env": env,
                     "stdout": str(workdir / f"{i}.out"), "stderr": str(workdir / f"{i}.err")})
    path = workdir / "cases.json"
    path.write_text(json.dumps(spec))
    proc = subprocess.run([sys.executable, str(FORKRUN), str(path)], cwd=workdir,
                          env=cli_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    statuses = json.loads(Path(str(path) + ".status").read_text())
    return [{"rc": rc, "stdout": Path(c["stdout"]).read_text(),
             "stderr": Path(c["stderr"]).read_text()} for rc, c in zip(statuses, spec, strict=True)]


def snapshot(root: Path) -> dict:
    """Every file under ``root``: relative path -> (bytes, mtime_ns)."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def run_forked_timed(cases, workdir: Path, timeout: float) -> list[dict]:
    """As ``run_forked`` with a limit of ``timeout`` seconds per case (status 124 when hit)."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec = []
    for i, (argv, env) in enumerate(cases):
        spec.append({"argv": [str(a) for a in argv], "env": env, "timeout": timeout,
                     "stdout": str(workdir / f"{i}.out"), "stderr": str(workdir / f"{i}.err")})
    path = workdir / "cases.json"
    path.write_text(json.dumps(spec))
    proc = subprocess.run([sys.executable, str(FORKRUN), str(path)], cwd=workdir,
                          env=cli_env(), capture_output=True, text=True,
                          timeout=60 + timeout * len(cases))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    statuses = json.loads(Path(str(path) + ".status").read_text())
    return [{"rc": rc, "stdout": Path(c["stdout"]).read_text(),
             "stderr": Path(c["stderr"]).read_text()} for rc, c in zip(statuses, spec, strict=True)]
