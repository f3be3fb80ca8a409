"""The sweeper's check composes many structural sets on the launcher's workers.

With ``MIN_PARALLEL_SETS`` or more distinct structural override sets, marketsim's launcher
composes them in its worker processes (``compose_in_workers``); a set that fails there is
composed again in the launching process, so the error is the same one-line error, raised
before anything is written. A misspelt option of a shipped group skips the workers
altogether (``_names_a_missing_option``).
"""

import json

import pandas as pd
import pytest
from cli_helpers import run_marketsim
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser

from hydra_plugins.marketsim_launcher import marketsim_launcher as ml
from hydra_plugins.marketsim_sweeper.marketsim_sweeper import _names_a_missing_option
from sim.cli import CONFIG_DIR
from sim.config.store import register_configs


@pytest.fixture
def options_dir(tmp_path):
    """A search-path directory with a group of four options (horizons of 60-90 days)."""
    group = tmp_path / "conf" / "opt"
    group.mkdir(parents=True)
    for k, name in enumerate("abcd"):
        (group / f"{name}.yaml").write_text(f"# @package _global_\nhorizon_days: {60 + 10 * k}\n")
    return tmp_path / "conf"


def test_four_structural_sets_run_as_composed_and_match_one_by_one(options_dir, tmp_path):
    assert ml.MIN_PARALLEL_SETS <= 4
    sweep = tmp_path / "sweep"
    proc = run_marketsim(["-m", "+opt=a,b,c,d", "seed=0", "outputs=compact",
                          f"hydra.searchpath=[file://{options_dir}]",
                          f"hydra.sweep.dir={sweep}"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_parquet(sweep / "kpis.parquet")
    assert list(table["status"]) == ["ok"] * 4
    # a job's KPIs equal a single run of the same option (composed on its own): the first
    # and the last option
    for k, name in ((0, "a"), (3, "d")):
        single = tmp_path / f"single_{name}"
        one = run_marketsim([f"+opt={name}", "seed=0", "outputs=compact",
                             f"hydra.searchpath=[file://{options_dir}]",
                             f"hydra.run.dir={single}"], cwd=tmp_path)
        assert one.returncode == 0, one.stderr
        assert json.loads((single / "kpis.json").read_text()) == \
            json.loads((sweep / str(k) / "kpis.json").read_text())


def test_a_set_that_fails_on_the_workers_is_one_error_line_and_nothing_written(options_dir,
                                                                               tmp_path):
    sweep = tmp_path / "bad_sweep"
    proc = run_marketsim(["-m", "+opt=a,b,c,zzz", "seed=0", "outputs=compact",
                          f"hydra.searchpath=[file://{options_dir}]",
                          f"hydra.sweep.dir={sweep}"], cwd=tmp_path)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines == ["marketsim: error: opt=zzz: no such opt; choose one of a, b, c, d"]
    assert not sweep.exists() or list(sweep.rglob("*")) == []  # (the writability probe's
    # empty directory, as with a bad sweep composed in this process)


def test_a_misspelt_shipped_option_is_found_before_the_workers_start():
    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        parser = OverridesParser.create(config_loader=loader)
        missing = lambda *lines: _names_a_missing_option(loader, parser, list(lines))  # noqa: E731
        assert missing("scenario=nope")
        assert missing("scenario=price_war", "policy=skimmin")
        assert missing("+competitor@competitors.x=incumbnt")
        assert not missing("scenario=price_war", "policy=skimming")
        assert not missing("+competitor@competitors.x=incumbent")
        assert not missing("+experiment_option=anything")  # a group of a searchpath directory
        assert not missing()
