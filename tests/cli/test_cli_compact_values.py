"""Compact sweep jobs without a seed of their own (a grid over plain values): marketsim's
launcher sets each job's values on one task config per set of structural overrides,
converts it and sets the old values back (``compact_jobs.value_config``). Each job's
``AppConfig`` must equal the one a full composition gives, the shared config must come
back unchanged after every job (good or bad), and anything unusual must go to Hydra's
path; a grid sweep's files equal single runs'."""

import dataclasses
import json

import pytest
from cli_helpers import run_marketsim
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.types import RunMode
from omegaconf import OmegaConf, open_dict, read_write

from hydra_plugins.marketsim_launcher import _worker_cache as cache
from hydra_plugins.marketsim_launcher import compact_jobs
from sim.cli import CONFIG_DIR, compose, run_app
from sim.cli.compose import to_app_config
from sim.config.store import register_configs


@pytest.fixture
def loader_and_master():
    register_configs()  # the schemas the configs compose with (run alone, too)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration("config", overrides=[], run_mode=RunMode.MULTIRUN)
        cache.start(object())  # a launch of its own: no groups from another test
        yield loader, master


def _parsed(loader, overrides):
    return OverridesParser.create(config_loader=loader).parse_overrides(list(overrides))


def _full_app(loader, master, overrides):
    cfg = loader.load_sweep_config(master, list(overrides))
    with read_write(cfg), open_dict(cfg):
        del cfg["hydra"]
    return to_app_config(cfg)


def _groups():
    return {k: v for k, v in cache.GROUPS.items() if k[0] == "values"}


JOBS = [
    ["outputs=compact"],  # no seed of its own: the config's seed
    ["outputs=compact", "firm.pricing.list_price=213"],
    ["outputs=compact", "firm.pricing.list_price=1e3"],
    ["outputs=compact", "firm.marketing.budget_per_week=75000", "horizon_days=400"],
    ["outputs=compact", "market.segments.1.size=151000", "plots=false"],
    ["outputs=compact", "competitors.incumbent.pricing.list_price=199.5"],
    ["outputs=compact", "description='a grid, with a comma'"],
    ["outputs=compact", "scenario=price_war", "firm.pricing.list_price=230"],
    ["scenario=price_war", "firm.pricing.list_price=231", "outputs=compact"],
]


def test_each_job_gets_the_config_a_full_composition_gives(loader_and_master):
    loader, master = loader_and_master
    for overrides in JOBS:
        found = compact_jobs.value_config(loader, master, _parsed(loader, overrides))
        assert found is not None, overrides
        app, sweep_dir, _ = found
        assert app == _full_app(loader, master, overrides), overrides
        assert sweep_dir.startswith("/")
    # one group per set of structural overrides, each back to its composition
    groups = _groups()
    assert len(groups) == 2  # no structural override; scenario=price_war
    for key, (task, _, _) in groups.items():
        fresh = loader.load_sweep_config(master, list(key[1][2]))
        with read_write(fresh), open_dict(fresh):
            del fresh["hydra"]
        assert OmegaConf.to_yaml(task) == OmegaConf.to_yaml(fresh)


@pytest.mark.parametrize("overrides", [
    ["firm.pricing.list_price=213"],                          # outputs=full
    ["outputs=compact", "description=${seed}"],               # an interpolation
    ["outputs=compact", "output_tables=[timeseries]"],        # not a scalar
    ["outputs=compact", "hydra.job.chdir=true", "firm.pricing.list_price=1"],
    ["outputs=compact", "firm.marketing.budget_per_week=-5"],  # bad input
    ["outputs=compact", "firm.pricing.list_price=cheap"],      # not a number
    ["outputs=compact", "firm.pricing.list_price=1", "firm.pricing.list_price=2"],
    ["outputs=compact", "firm.marketing.split.radio=0.1"],    # a key the config lacks
    ["outputs=compact", "firm.pricing.list_prise=1"],         # misspelt
])
def test_unusual_jobs_take_hydras_path_and_leave_the_group_as_it_was(loader_and_master,
                                                                      overrides):
    loader, master = loader_and_master
    assert compact_jobs.value_config(loader, master, _parsed(loader, overrides)) is None
    # the group of plain jobs still gives the right config afterwards
    good = ["outputs=compact", "firm.pricing.list_price=222"]
    app, _, _ = compact_jobs.value_config(loader, master, _parsed(loader, good))
    assert app == _full_app(loader, master, good)
    assert app.firm.pricing.list_price == 222.0


def test_a_grid_sweep_writes_what_single_runs_write(tmp_path):
    short = ["horizon_days=150", "plots=false", "outputs=compact"]
    sweep = tmp_path / "sweep"
    proc = run_marketsim(["-m", "firm.pricing.list_price=230,249,-1", *short,
                          "sweep_plot=false", f"hydra.sweep.dir={sweep}"], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the job at -1 fails
    assert "Traceback" not in proc.stdout + proc.stderr
    for job, price in (("0", 230), ("1", 249)):
        app = compose([*short, f"firm.pricing.list_price={price}"])
        run_app(dataclasses.replace(app), tmp_path / f"single{price}")
        assert (sweep / job / "kpis.json").read_bytes() == \
            (tmp_path / f"single{price}" / "kpis.json").read_bytes()
        meta = json.loads((sweep / job / "job.json").read_text())
        assert meta["status"] == "ok" and meta["overrides"][0] == f"firm.pricing.list_price={price}"
        assert sorted(p.name for p in (sweep / job).iterdir()) == ["job.json", "kpis.json"]
    meta = json.loads((sweep / "2" / "job.json").read_text())
    assert meta["status"] == "failed" and "list_price" in meta["error"]
