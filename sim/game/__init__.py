"""The turn-based war game: ``Game(config, seed)``, ``game.decide(...)``,
``game.advance()``, ``game.report()``; saved, resumed and replayed from a decision log."""

from sim.game.game import Game
from sim.game.levers import Decision

__all__ = ["Decision", "Game"]
