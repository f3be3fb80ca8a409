"""Competitor strategies, one class each, found by the name in ``strategy.kind``.

A rival observes the market late and noisily (``sim.market.observer``) and reacts through
the same levers as ours (``Firm`` methods). ``make_strategy`` builds the one a firm's
config names; the focal firm has none (its levers are its policy and the user's config).
"""

from sim.firm.strategies.base import Strategy
from sim.firm.strategies.defender import Incumbent
from sim.firm.strategies.disruptor import Disruptor
from sim.firm.strategies.follower import FastFollower
from sim.firm.strategies.niche import PremiumNiche
from sim.firm.strategies.warrior import PriceWarrior

REGISTRY = {cls.kind: cls for cls in (Incumbent, FastFollower, PriceWarrior, PremiumNiche,
                                      Disruptor)}


def make_strategy(env, firm, observer, rng, recorder, segments, incumbents=()) -> Strategy:
    """The strategy object for ``firm.cfg.strategy.kind`` (a ``KeyError`` names the kinds)."""
    kind = firm.cfg.strategy.kind
    if kind not in REGISTRY:
        raise KeyError(f"strategy.kind={kind!r}: no such strategy; choose one of "
                       f"{', '.join(sorted(REGISTRY))} (or focal)")
    return REGISTRY[kind](env, firm, firm.cfg.strategy, observer, rng, recorder, segments,
                          incumbents)


__all__ = ["REGISTRY", "Disruptor", "FastFollower", "Incumbent", "PremiumNiche",
           "PriceWarrior", "Strategy", "make_strategy"]
