"""Strategies are classes in a registry found by ``strategy.kind``."""

import pytest

from sim.config import STRATEGIES
from sim.firm.strategies import REGISTRY, Strategy


def test_every_competitor_kind_has_a_class():
    assert set(REGISTRY) == set(STRATEGIES) - {"focal"}
    for kind, cls in REGISTRY.items():
        assert issubclass(cls, Strategy) and cls.kind == kind


@pytest.mark.parametrize("kind,defers", [("incumbent", False), ("fast_follower", True),
                                         ("price_warrior", False), ("premium_niche", False),
                                         ("disruptor", True)])
def test_which_strategies_start_development_themselves(kind, defers):
    assert REGISTRY[kind].defers_development is defers
