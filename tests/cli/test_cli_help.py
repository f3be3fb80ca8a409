"""``marketsim --help``: the strategist's usage, printed without Hydra."""

import dataclasses
import re
import subprocess
import sys

from cli_helpers import cli_env, run_marketsim

from sim.cli import CONFIG_DIR
from sim.cli.compose import compose
from sim.commands import GROUPS, RIVAL, USAGE, main
from sim.config.scenario import AppConfig


def test_help_names_the_subcommands_and_every_option_of_every_group(tmp_path):
    proc = run_marketsim(["--help"], cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    text = proc.stdout
    assert "powered by Hydra" not in text
    for command in ("marketsim list", "marketsim report", "marketsim studio",
                    "marketsim game", "marketsim-fit", "marketsim -m", "--cfg job",
                    "--hydra-help"):
        assert command in text, command
    listed = " ".join(text.split())  # the option lists are wrapped
    for group in GROUPS:
        names = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
        assert names, group
        assert f"{group}: {', '.join(names)}" in listed, group
    assert not (tmp_path / "outputs").exists()  # help runs nothing


def test_dash_h_is_the_same_and_hydra_is_never_imported():
    code = ("import sys; from sim.commands import main; main(['-h']); "
            "print('hydra loaded' if 'hydra' in sys.modules else 'no hydra')")
    proc = subprocess.run([sys.executable, "-c", code], env=cli_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "no hydra"
    help_text = proc.stdout[:proc.stdout.rindex("no hydra")]
    assert help_text.startswith("marketsim: rehearse a product launch")


def test_every_key_and_example_the_help_gives_is_one_the_app_takes(capsys):
    main(["--help"])
    text = capsys.readouterr().out
    keys = set(re.findall(r"^  ([a-z_]+)=", USAGE, flags=re.M))
    assert {"scenario", "policy", "seed", "replications", "horizon_days", "mode",
            "plots", "outputs"} <= keys
    fields = {f.name for f in dataclasses.fields(AppConfig)}
    for key in keys - set(GROUPS):
        assert key in fields, key
    # the examples compose as the help says
    cfg = compose(["competitor@competitors.warrior=disruptor", "policy=skimming",
                   "firm.pricing.list_price=229"])
    assert cfg.competitors["warrior"].name == "disruptor"
    assert cfg.firm.pricing.list_price == 229
    assert "competitor@competitors.warrior=disruptor" in RIVAL
    assert "competitor@competitors.warrior=disruptor" in " ".join(text.split())
