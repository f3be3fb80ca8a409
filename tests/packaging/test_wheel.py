"""A wheel built from the repository, installed without the source tree, runs.

The wheel is built (``pip wheel --no-deps``), unpacked into a fresh directory with ``pip
install --target`` (not editable), and run from another directory with only that
directory and the test environment's third-party packages on the path: ``marketsim list``
finds the scenario library and ``marketsim`` runs the default scenario, so the Hydra
config tree (``configs/`` in the repository, ``sim.configs`` once installed) and the
package data travel with the wheel.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pip(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    built = _pip("wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(ROOT))
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{built.stderr[-3000:]}")
    wheel = next((tmp / "dist").glob("marketsim-*.whl"))
    target = tmp / "site"
    done = _pip("install", "--no-deps", "-q", "--target", str(target), str(wheel))
    assert done.returncode == 0, done.stderr[-3000:]
    return target


def _run(target: Path, code: str, cwd: Path):
    env = dict(os.environ, PYTHONPATH=str(target), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600, check=False)


def test_wheel_holds_the_config_tree_and_data(installed):
    assert (installed / "sim" / "configs" / "config.yaml").is_file()
    assert (installed / "sim" / "configs" / "scenario" / "baseline.yaml").is_file()
    assert (installed / "sim" / "data" / "analogies.csv").is_file()
    assert not (installed / "configs").exists()  # installed under sim/, not at the top


def test_installed_wheel_lists_and_runs_the_default_scenario(installed, tmp_path):
    code = ("import sim, sys; from pathlib import Path; "
            f"assert Path(sim.__file__).is_relative_to({str(installed)!r}), sim.__file__; "
            "from sim.commands import main; main(['list']); "
            "main(['horizon_days=200', 'plots=false', 'progress=false', "
            "'hydra.run.dir=run'])")
    out = _run(installed, code, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "baseline" in out.stdout and "price_war" in out.stdout
    assert "npv" in out.stdout
    assert (tmp_path / "run" / "kpis.json").is_file()
