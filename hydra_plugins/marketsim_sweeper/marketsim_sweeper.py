"""Hydra's basic sweeper with a cheaper check of the batch before launching.

Hydra's ``BasicSweeper`` composes every job of a batch in the launching process, only to
check that it can be composed, and then the launcher composes it again (in a worker for
joblib and Ray). Composing marketsim's config (about 1,200 nodes with its structured
schemas) takes about 0.7 s, so for a 200-job seed sweep the serial check alone took longer
than the runs on two cores.

This sweeper checks the same things for much less: it composes once per distinct set of
*structural* overrides (config-group choices such as ``scenario=price_war``, additions
``+key``, deletions ``~key``, hydra's own keys), and applies each distinct plain value
override (``seed=3``, ``firm.pricing.list_price=299``) once to a scratch copy of that
composition with Hydra's own override code, which raises the same errors as a full
compose would (unknown key, wrong type). The launcher (``marketsim_launcher``) builds
each job's config the same way, in its workers.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType


@dataclass
class MarketsimSweeperConf:
    _target_: str = "hydra_plugins.marketsim_sweeper.marketsim_sweeper.MarketsimSweeper"
    max_batch_size: int | None = None
    params: dict | None = None


ConfigStore.instance().store(group="hydra/sweeper", name="marketsim",
                             node=MarketsimSweeperConf, provider="marketsim")


class MarketsimSweeper(BasicSweeper):
    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        loader = self.hydra_context.config_loader
        parser = OverridesParser.create(config_loader=loader)
        scratch: dict = {}
        checked: set = set()
        for overrides in batch:
            parsed = parser.parse_overrides(list(overrides))
            values = [o for o in parsed if _is_plain_value(o, loader)]
            structural = tuple(o.input_line for o in parsed if o not in values)
            if structural not in scratch:
                cfg = loader.load_sweep_config(master_config=self.config,
                                               sweep_overrides=list(structural))
                scratch[structural] = cfg  # a fresh composition: ours to change
            for o in values:
                if (structural, o.input_line) in checked:
                    continue
                ConfigLoaderImpl._apply_overrides_to_config([o], scratch[structural])
                checked.add((structural, o.input_line))


def _is_plain_value(override, loader) -> bool:
    """``key=value`` on an existing key that is not a config group or hydra's own."""
    key = override.key_or_group
    return (override.type == OverrideType.CHANGE and override.package is None
            and not key.startswith("hydra") and "/" not in key
            and not loader.repository.group_exists(key))
