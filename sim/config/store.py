"""Hydra's ConfigStore entries for the typed schemas (the YAML files start from them).

Called by the command line and ``compose`` before composing; registering twice is harmless.
"""

from hydra.core.config_store import ConfigStore

from sim.config.competitor import CompetitorConfig
from sim.config.firm import FirmConfig
from sim.config.market import MarketConfig
from sim.config.scenario import AppConfig


def register_configs() -> None:
    cs = ConfigStore.instance()
    cs.store(name="app_schema", node=AppConfig)
    cs.store(group="market", name="schema", node=MarketConfig)
    cs.store(group="firm", name="schema", node=FirmConfig)
    cs.store(group="competitor", name="schema", node=CompetitorConfig)
