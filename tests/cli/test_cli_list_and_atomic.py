"""``marketsim list`` and the atomic writes behind every output file."""

import os
from pathlib import Path

import pytest
import yaml
from cli_helpers import run_marketsim

from sim.cli import CONFIG_DIR
from sim.results import atomic_write


def test_list_prints_every_scenario_with_its_description(tmp_path):
    proc = run_marketsim(["list"], cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    files = sorted((CONFIG_DIR / "scenario").glob("*.yaml"))
    assert len(files) >= 8
    lines = proc.stdout.splitlines()
    for path in files:
        description = yaml.safe_load(path.read_text())["description"]
        assert description, path.name
        matching = [ln for ln in lines if ln.split()[:1] == [path.stem]]
        assert len(matching) == 1, path.stem
        assert matching[0].rstrip().endswith(description), matching[0]
    assert "marketsim scenario=NAME" in proc.stdout
    assert not (tmp_path / "outputs").exists()  # listing runs nothing


class Boom(RuntimeError):
    pass


def _failing_writer(p):
    with open(p, "w") as f:
        f.write("half a file")
    raise Boom("disk on fire")


def test_atomic_write_that_fails_leaves_no_file(tmp_path):
    with pytest.raises(Boom):
        atomic_write(tmp_path / "kpis.json", _failing_writer)
    assert os.listdir(tmp_path) == []  # neither the file nor a temporary one


def test_atomic_write_that_fails_leaves_the_old_file_untouched(tmp_path):
    target = tmp_path / "kpis.json"
    target.write_text('{"npv": 1.0}')
    stamp = target.stat().st_mtime_ns
    with pytest.raises(Boom):
        atomic_write(target, _failing_writer)
    assert target.read_text() == '{"npv": 1.0}'
    assert target.stat().st_mtime_ns == stamp
    assert os.listdir(tmp_path) == ["kpis.json"]


def test_atomic_write_interrupted_by_keyboard_leaves_nothing(tmp_path):
    def interrupted(p):
        with open(p, "w") as f:
            f.write("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "ledger.parquet", interrupted)
    assert os.listdir(tmp_path) == []


def test_atomic_write_replaces_an_existing_file(tmp_path):
    target = tmp_path / "kpis.json"
    target.write_text("old")
    atomic_write(target, lambda p: Path(p).write_text("new"))
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["kpis.json"]
