"""Hydra's ConfigStore entries for the typed schemas (the YAML files start from them).

Called by the command line and ``compose`` before composing. Converting the dataclasses
takes about 0.2 s, so a process that has them registered already (a forked test runner, a
second ``compose``) does not convert them again.

The shipped YAML files do not start from ``schema``: ``app_schema`` types every node they
merge into (``firm``, ``market``, ``competitors.<name>``), and each extra ``- schema``
cost the composition a deep copy and a merge of the whole schema (0.67 s against 0.38 s
for the baseline). The ``schema`` options stay for configs of users' own that name them.
"""

from hydra.core.config_store import ConfigStore

from sim.config.competitor import CompetitorConfig
from sim.config.firm import FirmConfig
from sim.config.market import MarketConfig
from sim.config.scenario import AppConfig


def register_configs() -> None:
    cs = ConfigStore.instance()
    if "app_schema.yaml" in cs.repo and all(
            "schema.yaml" in cs.repo.get(group, {}) for group in ("market", "firm", "competitor")):
        return
    cs.store(name="app_schema", node=AppConfig)
    cs.store(group="market", name="schema", node=MarketConfig)
    cs.store(group="firm", name="schema", node=FirmConfig)
    cs.store(group="competitor", name="schema", node=CompetitorConfig)
