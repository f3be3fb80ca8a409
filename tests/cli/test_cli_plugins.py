"""The project's Hydra plugins are found from any working directory, as a user runs marketsim.

An editable install maps packages through a finder rather than the repository root on
sys.path; ``hydra_plugins`` must be mapped too, or ``marketsim -m`` outside the repository
says "no such hydra/sweeper".
"""

import subprocess
import sys

PROBE = """
from hydra.core.plugins import Plugins
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
names = {c.__module__ for c in Plugins.instance().discover(Sweeper)}
names |= {c.__module__ for c in Plugins.instance().discover(Launcher)}
print(sorted(names))
"""


def test_hydra_finds_the_project_plugins_outside_the_repository(tmp_path):
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "hydra_plugins.marketsim_sweeper.sweeper" in proc.stdout or \
        "marketsim_sweeper" in proc.stdout, proc.stdout
    assert "marketsim_launcher" in proc.stdout, proc.stdout
