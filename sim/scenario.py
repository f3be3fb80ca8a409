"""Config -> a SimPy world -> run -> Results.

``run_scenario(config, seed)`` builds the firms (ours first, then the competitors), the
observer rivals watch the market through, the market process around the demand kernel,
and runs the SimPy environment to the horizon. Every component draws from its own named
random stream (``sim.seeds``), so adding a competitor does not change our draws.
"""

import gc
import time

import simpy

from sim.config import ScenarioConfig
from sim.firm import Firm
from sim.firm.strategies import make_strategy
from sim.market import Market
from sim.market.observer import Observer
from sim.recorder import Recorder
from sim.results import Results
from sim.seeds import component_rng


def build_world(config: ScenarioConfig, seed: int, on_step=None, kpis_only: bool = False):
    """The environment, firms and market of a run, processes registered, not yet run;
    ``kpis_only`` as in ``run_scenario``."""
    if not isinstance(config, ScenarioConfig):
        raise ValueError(f"config must be a ScenarioConfig, got {type(config).__name__}")
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    env = simpy.Environment()
    recorder = Recorder(kpis_only=bool(kpis_only))
    observer = Observer()
    firms = [Firm(env, cfg, config.market, recorder, seed, observer) for cfg in config.firms]
    market = Market(env, config, firms, recorder, observer, seed, on_step)
    incumbents = {f.name for f in firms if f.cfg.launched}
    for firm in firms:
        if firm.is_focal:  # our levers are the config and its policy
            firm.start()
            continue
        firm.strategy = make_strategy(env, firm, observer,
                                      component_rng(seed, f"{firm.name}/strategy"), recorder,
                                      config.market.segments, incumbents)
        firm.strategy.start()
    env.process(market.run())
    return env, firms, market, recorder


def run_scenario(config: ScenarioConfig, seed: int = 0, on_step=None,
                 kpis_only: bool = False) -> Results:
    """Run one scenario with one seed; returns its records and KPIs.

    ``on_step(day)``, if given, is called after every market step (progress bars).
    ``kpis_only=True`` records only what the KPIs read, for a sweep's job that keeps its
    KPIs alone (``outputs=compact`` without ``output_tables``): the same run and the same
    KPIs, without the lifecycle phases (the events hold no ``lifecycle_phase`` rows), with
    only the timeseries' columns the KPIs read (``sim.recorder.KPI_COLUMNS``) and without
    the segments, preferences and distribution tables; about a sixth less time a run. Its
    ``Results`` cannot be written and its tables that were not recorded cannot be read
    (``ValueError``).
    """
    started = time.perf_counter()
    env, firms, market, recorder = build_world(config, seed, on_step, kpis_only)
    # run up to, but not including, the horizon: the last market step is at < horizon
    env.run(until=config.horizon_days)
    market.close()  # the kernel's arrays go now, not with the world's cycles (Market.close)
    results = Results.from_run(config, int(seed), recorder, firms,
                               wall_s=time.perf_counter() - started)
    _freeze_warm_heap()
    return results


_HEAP_FROZEN = False


def _freeze_warm_heap() -> None:
    """After the process's first run: collect, then freeze what is left (``gc.freeze``:
    imports, compiled kernels, caches), so that the collector's full passes in later runs
    no longer walk some 190,000 long-lived objects. A run allocates many container objects
    (records, postings), and those passes cost about a tenth of a warm default run; they
    change no result. Once per process; objects made later are collected as before."""
    global _HEAP_FROZEN
    if not _HEAP_FROZEN:
        _HEAP_FROZEN = True
        gc.collect()
        gc.freeze()
