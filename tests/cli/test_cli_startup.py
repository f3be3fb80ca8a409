"""The command line skips Hydra's mode probe (a whole composition) where its answer is known.

``Hydra.get_mode`` composes the config only to read ``hydra.mode``; ``sim.cli.main`` answers
None instead unless the command line names ``hydra.mode`` or brings its own config tree.
That is right only while no shipped config sets ``hydra.mode``, which these tests check.
"""

import pytest
import yaml
from hydra import compose as hydra_compose
from hydra import initialize_config_dir

from sim.cli.compose import CONFIG_DIR
from sim.cli.main import mode_probe_needed
from sim.config.store import register_configs


def _sets_hydra_mode(node, under_hydra=False) -> bool:
    if isinstance(node, dict):
        for key, value in node.items():
            key = str(key)
            if key == "hydra.mode" or (under_hydra and key == "mode"):
                return True
            if _sets_hydra_mode(value, under_hydra or key == "hydra"):
                return True
    elif isinstance(node, list):
        return any(_sets_hydra_mode(v, under_hydra) for v in node)
    return False


def test_no_shipped_config_sets_hydra_mode():
    files = sorted(CONFIG_DIR.rglob("*.yaml"))
    assert len(files) > 30  # the whole tree: scenarios, markets, firms, competitors, ...
    setting = [str(f.relative_to(CONFIG_DIR)) for f in files
               if _sets_hydra_mode(yaml.safe_load(f.read_text()) or {})]
    assert setting == []


def test_the_scan_sees_a_mode_where_there_is_one():
    assert _sets_hydra_mode({"hydra": {"job": {"chdir": False}, "mode": "MULTIRUN"}})
    assert _sets_hydra_mode({"defaults": [], "hydra.mode": "RUN"})
    assert not _sets_hydra_mode({"hydra": {"run": {"dir": "x"}}, "market": {"mode": "a"}})


@pytest.mark.parametrize("scenario", ["baseline", "price_war"])
def test_the_composed_mode_is_none(scenario):
    """What the skipped probe would have read, composed as Hydra's probe does it."""
    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=[f"scenario={scenario}"],
                            return_hydra_config=True)
    assert cfg.hydra.mode is None


@pytest.mark.parametrize("args, needed", [
    ([], False),
    (["seed=3", "scenario=price_war"], False),
    (["-m", "seed=range(0,3)", "hydra.sweep.dir=x"], False),
    (["hydra.run.dir=out", "outputs=compact"], False),
    (["hydra.mode=MULTIRUN", "seed=1,2"], True),
    (["+hydra.mode=RUN"], True),
    (["--config-dir", "/tmp/mine"], True),
    (["--config-dir=/tmp/mine", "scenario=mine"], True),
    (["-cd", "/tmp/mine"], True),
    (["--config-name", "other"], True),
    (["-cp", "pkg"], True),
])
def test_when_the_probe_runs(args, needed):
    assert mode_probe_needed(args) is needed
