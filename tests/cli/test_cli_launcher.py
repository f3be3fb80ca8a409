"""marketsim's launcher gives every job the config a full Hydra composition gives it.

The slow, obviously correct twin is Hydra's own ``load_sweep_config`` (a full compose per
job); ``job_config`` composes each structural override set once and applies the plain
values to a copy.
"""

import pytest
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode
from omegaconf import OmegaConf

from hydra_plugins.marketsim_launcher import marketsim_launcher as ml
from sim.cli import CONFIG_DIR

JOBS = [
    ["seed=3"],
    ["seed=4"],  # the same structure again: served from the cached composition
    ["scenario=price_war", "seed=2", "firm.pricing.list_price=199"],
    ["firm.pricing.list_price=249", "scenario=price_war", "seed=2"],  # other order
    ["policy=quality_first", "seed=1", "horizon_days=400"],
    ["seed=1", "hydra.job.chdir=true"],
    ["++firm.development.launch_not_before_plan=false", "seed=5"],
    ["seed=6", "++seed=7"],  # a value the structure also sets: composed in full,
]


@pytest.fixture(scope="module")
def loader_and_master():
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration("config", overrides=[], run_mode=RunMode.MULTIRUN)
        yield loader, master


@pytest.mark.parametrize("overrides", JOBS, ids=[" ".join(j) for j in JOBS])
def test_job_config_equals_a_full_composition(loader_and_master, overrides):
    loader, master = loader_and_master
    fast = ml.job_config(loader, master, overrides)
    full = loader.load_sweep_config(master, list(overrides))
    assert OmegaConf.to_container(fast, resolve=False) == OmegaConf.to_container(full, resolve=False)
    assert OmegaConf.get_type(fast) is OmegaConf.get_type(full)
    assert OmegaConf.is_struct(fast) and OmegaConf.is_struct(fast.firm)
    assert list(fast.hydra.overrides.task) == [o for o in overrides if not o.startswith("hydra.")]


def test_cached_compositions_are_not_shared_between_jobs(loader_and_master):
    loader, master = loader_and_master
    a = ml.job_config(loader, master, ["seed=11", "firm.pricing.list_price=111"])
    b = ml.job_config(loader, master, ["seed=12"])
    assert a.seed == 11 and b.seed == 12
    assert b.firm.pricing.list_price != 111


def test_a_bad_value_fails_as_a_full_compose_does(loader_and_master):
    loader, master = loader_and_master
    for bad in (["seed=abc"], ["firm.pricing.list_prise=1"]):
        with pytest.raises(Exception) as fast:
            ml.job_config(loader, master, bad)
        with pytest.raises(Exception) as full:
            loader.load_sweep_config(master, bad)
        assert type(fast.value) is type(full.value)


@pytest.mark.parametrize("n_jobs,workers", [(0, 2), (1, 2), (7, 2), (8, 2), (200, 2), (5, 1)])
def test_batches_keep_every_job_once_in_order(n_jobs, workers):
    jobs = list(range(n_jobs))
    parts = ml.batches(jobs, workers)
    assert [j for p in parts for j in p] == jobs
    assert len(parts) <= max(1, workers) * ml.BATCHES_PER_WORKER
    assert all(parts) and (max(map(len, parts)) - min(map(len, parts)) <= 1 if parts else True)


def test_a_command_line_with_other_hydra_overrides_gets_its_own_composition(loader_and_master):
    loader, master = loader_and_master
    ml.job_config(loader, master, ["seed=1"])  # caches the composition of this master
    other = loader.load_configuration("config", overrides=["hydra.job.chdir=true"],
                                      run_mode=RunMode.MULTIRUN)
    fast = ml.job_config(loader, other, ["seed=1"])
    full = loader.load_sweep_config(other, ["seed=1"])
    assert fast.hydra.job.chdir is True
    assert OmegaConf.to_container(fast, resolve=False) == OmegaConf.to_container(full, resolve=False)
