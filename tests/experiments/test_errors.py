"""Bad experiment input ends with exit status 2 and one line naming the problem, before
anything runs or is written."""

import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize(("runner", "arg", "words"), [
    ("launch_timing", "seeds=0", "seeds must be a whole number >= 1"),
    ("pricing", "launcher=slurm", "launcher must be one of joblib, ray, basic"),
])
def test_command_line_exits_2_with_one_line(runner, arg, words, tmp_path):
    proc = subprocess.run([sys.executable, "-m", f"experiments.{runner}", arg,
                           f"out={tmp_path}"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"experiments.{runner}: error: ") and words in lines[0]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("runner", "arg", "words"), [
    ("team_size", "headcounts=[0,4]", "headcounts must be whole numbers >= 1"),
    ("marketing_mix", "notakey", "arguments are key=value"),
    ("sensitivity", "inputs=[market_p,nonsense]", "inputs must be among"),
    ("policy_search", "trials=zero", "trials must be a number"),
    ("pricing", "rivals=[incumbent,monopolist]", "rivals must be among"),
    ("launch_timing", "entry_day=-5", "entry_day must be >= 0"),
])
def test_runner_returns_2_with_one_line(runner, arg, words, tmp_path, capsys):
    module = importlib.import_module(f"experiments.{runner}")
    assert module.main([arg, f"out={tmp_path}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"experiments.{runner}: error: ")
    assert words in err[0]
    assert not list(tmp_path.iterdir())
