"""Every module of ``experiments`` is either a runner (``experiments.RUNNERS``, run by
``python -m experiments.NAME``) or a part of them, which, run that way, says so and exits 2
(``python -m experiments.uncertainty`` had exited 0 having done nothing)."""

import subprocess
import sys
from pathlib import Path

import experiments

FOLDER = Path(experiments.__file__).parent


def test_every_module_is_a_runner_or_says_it_is_not_one():
    modules = {p.stem for p in FOLDER.glob("*.py") if p.stem != "__init__"}
    assert set(experiments.RUNNERS) <= modules
    for name in sorted(modules):
        text = (FOLDER / f"{name}.py").read_text()
        if name in experiments.RUNNERS:
            assert 'if __name__ == "__main__":' in text and "main = main_wrapper(" in text, name
        else:
            assert f'    not_a_runner("experiments.{name}")' in text, name


def test_a_part_run_as_a_module_exits_2_naming_the_runners():
    proc = subprocess.run([sys.executable, "-m", "experiments.uncertainty"],
                          capture_output=True, text=True, cwd=FOLDER.parent)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("experiments.uncertainty: error: a part of the experiment runners")
    assert "python -m experiments.risk" in line
