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
from sim.config.store import register_configs

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
    register_configs()  # (run alone, nothing else has)
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


def test_a_job_starts_from_the_launching_processs_composition(loader_and_master, monkeypatch):
    """The sweeper's compositions (pickled) reach the workers; a job whose structure one of
    them composed does not compose again, and its config is a full composition's."""
    import pickle

    from hydra_plugins.marketsim_sweeper.marketsim_sweeper import base_key

    loader, master = loader_and_master
    structural = ["scenario=price_war"]
    monkeypatch.setattr(ml.cache, "BASES", {})
    monkeypatch.setattr(ml.cache, "SHIPPED", {})
    blob = pickle.dumps(loader.load_sweep_config(master, structural))
    bases = {base_key(master, structural): blob,
             base_key(master, ["scenario=fast_follower"]): b"not needed, never unpickled"}
    batch = [(0, ["scenario=price_war", "seed=2"]), (1, ["scenario=price_war", "seed=3"])]
    shipped = ml.bases_for(bases, batch)
    assert list(shipped) == [base_key(master, structural)]
    ml.cache.SHIPPED.update(shipped)
    composed = []
    full_compose = loader.load_sweep_config
    monkeypatch.setattr(loader, "load_sweep_config",
                        lambda *a, **k: composed.append(a) or full_compose(*a, **k))
    fast = ml.job_config(loader, master, batch[0][1])
    assert composed == []
    full = full_compose(master, batch[0][1])
    assert OmegaConf.to_container(fast, resolve=False) == OmegaConf.to_container(full, resolve=False)
    assert list(fast.hydra.overrides.task) == batch[0][1]
    ml.job_config(loader, master, ["seed=4"])  # a structure nobody shipped: composed here
    assert len(composed) == 1


def test_bases_for_a_batch_without_them_is_empty():
    assert ml.bases_for(None, [(0, ["seed=1"])]) == {}
    assert ml.bases_for({("config", (), ("+x=a",)): b""}, [(0, ["seed=1"])]) == {}
    assert ml.bases_for({("config", (), ()): b"0"}, [(0, ["seed=1"])]) == {("config", (), ()): b"0"}


def test_a_worker_unpickles_the_launchs_state_once_per_launch():
    """Every batch carries the launch's state as one pickle; a worker unpickles it (and
    sets Hydra's singletons from it) on its first batch of a launch, keeps it for the
    launch's other batches, and unpickles it again for a new launch."""
    from hydra.core.singleton import Singleton

    state = Singleton.get_state()
    try:
        blob = ml.launch_blob("context", {"a": 1}, len, state)
        first = ml.cache.launch_state("launch-1", blob)
        assert first == ("context", {"a": 1}, len)
        again = ml.cache.launch_state("launch-1", ml.launch_blob("other", {}, len, state))
        assert again is first  # the same launch: kept, not unpickled again
        other = ml.cache.launch_state("launch-2", ml.launch_blob("other", {}, len, state))
        assert other == ("other", {}, len) and other is not first
    finally:
        Singleton.set_state(state)
        ml.cache.start(None)
        assert ml.cache.STATE == []


def test_a_workers_caches_outlive_hydras_plugin_scan_but_not_the_launch():
    """Hydra's plugin scanner runs every plugin module's body again (a worker's
    ``Singleton.set_state`` leads to a scan per batch), which emptied module-level caches;
    ``_worker_cache`` is skipped by the scanner. A new launch's token empties it."""
    import sys

    from hydra.core.plugins import Plugins
    from hydra.core.singleton import Singleton

    name = "hydra_plugins.marketsim_launcher.marketsim_launcher"
    state = Singleton.get_state()
    try:
        ml.cache.start("launch-1")
        ml.cache.BASES["key"] = "a composition"
        before = sys.modules[name].job_config
        Singleton._instances.pop(Plugins, None)
        Plugins.instance()  # a fresh scan, as in a worker
        assert sys.modules[name].job_config is not before  # the module's body ran again
        assert sys.modules[name].cache.BASES == {"key": "a composition"}
        ml.cache.start("launch-1")
        assert ml.cache.BASES == {"key": "a composition"}
        ml.cache.start("launch-2")
        assert ml.cache.BASES == {} and ml.cache.SHIPPED == {} and ml.cache.GROUPS == {}
    finally:
        Singleton.set_state(state)
        ml.cache.start(None)
