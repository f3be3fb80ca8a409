"""The turn-based war game: the world runs one period at a time, the player decides between.

``Game(config, seed)`` builds the same SimPy world as ``sim.scenario.run_scenario`` and
runs it in slices: ``game.decide(price=...)`` sets levers for the next period,
``game.advance()`` applies them at the period's start, lets the world (rivals' strategies
included) run to the period's end and returns the period report; ``game.report()`` gives
the latest one again. SimPy's ``env.run(until=...)`` stops before any event of that
instant, so running in slices processes the same events in the same order as one run: a
game with no decisions gives the same records as ``run_scenario`` (tested).

Every decision is logged with the period and day it took effect; ``save`` writes the
config, seed, period length and log as JSON, and ``Game.load`` rebuilds the world and
replays the log, which gives the same state exactly (the model is deterministic given the
seed); play can then go on from there.
"""

import copy
import dataclasses
import json
import math
from pathlib import Path

from sim.game import levers
from sim.game.report import period_report
from sim.game.serialise import config_from_dict
from sim.results import Results, atomic_write
from sim.scenario import build_world

FORMAT = "marketsim-game/1"


class Game:
    """One war game: a scenario, a seed and a log of the player's decisions."""

    def __init__(self, config, seed: int = 0, period_days: float = 91.0, overrides=None):
        if not math.isfinite(period_days) or period_days <= 0:
            raise ValueError(f"period_days must be > 0, got {period_days}")
        self.config = copy.deepcopy(config)  # the levers change the firm's settings
        self.seed = int(seed)
        self.period_days = float(period_days)
        self.overrides = list(overrides) if overrides is not None else None
        self.env, self.firms, self.market, self.recorder = build_world(self.config, self.seed)
        self.firm = self.firms[0]
        self.period = 0
        self.log: list[dict] = []
        self._pending = levers.Decision()
        self._report: dict | None = None

    # --- state -----------------------------------------------------------------------
    @property
    def day(self) -> float:
        return float(self.env.now)

    @property
    def horizon_days(self) -> float:
        return float(self.config.horizon_days)

    @property
    def periods(self) -> int:
        return math.ceil(self.horizon_days / self.period_days)

    @property
    def finished(self) -> bool:
        return self.day >= self.horizon_days

    @property
    def pending(self) -> levers.Decision:
        return self._pending

    # --- play --------------------------------------------------------------------------
    def decide(self, **lever_values) -> levers.Decision:
        """Set levers for the next period (see ``sim.game.levers.Decision``); returns all
        the levers set so far for it. A bad value raises ``ValueError`` and changes nothing:
        the decision is checked against the firm now (``levers.check``: a capacity above
        its maximum), so a refused lever never waits in the pending decision to be applied
        after the player took it back."""
        if self.finished:
            raise ValueError(f"the game is over (day {self.day:g} of {self.horizon_days:g})")
        merged = self._pending.merged(**lever_values)
        levers.check(self.firm, merged)
        self._pending = merged
        return self._pending

    def advance(self) -> dict:
        """Apply the pending decision, run one period, return its report."""
        if self.finished:
            raise ValueError(f"the game is over (day {self.day:g} of {self.horizon_days:g})")
        start = self.day
        done = levers.apply(self.firm, self._pending)
        if done:
            self.log.append({"period": self.period, "day": start,
                             "decision": self._pending.to_dict()})
        self._pending = levers.Decision()
        end = min(start + self.period_days, self.horizon_days)
        self.env.run(until=end)
        self.period += 1
        self._report = period_report(self, start, end, done)
        return self._report

    def play_to_end(self) -> dict | None:
        while not self.finished:
            self.advance()
        return self._report

    def report(self) -> dict | None:
        """The latest period's report (None before the first period)."""
        return self._report

    def results(self) -> Results:
        """The records so far as ``Results`` (KPIs to date; ``write`` gives a run directory)."""
        return Results.from_run(self.config, self.seed, self.recorder, self.firms)

    # --- save, resume, replay ----------------------------------------------------------
    def to_dict(self) -> dict:
        return {"format": FORMAT, "seed": self.seed, "period_days": self.period_days,
                "periods_played": self.period, "overrides": self.overrides,
                "config": dataclasses.asdict(self.config), "log": copy.deepcopy(self.log)}

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda p: Path(p).write_text(json.dumps(self.to_dict(), indent=1)))
        return path

    @classmethod
    def from_dict(cls, data: dict, periods: int | None = None) -> "Game":
        """Rebuild a saved game and replay its log up to ``periods`` played (default: as
        many as were played when it was saved)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"not a marketsim game log: format must be {FORMAT!r}, got {got!r}")
        game = cls(config_from_dict(data["config"]), data["seed"], data["period_days"],
                   data.get("overrides"))
        played = int(data.get("periods_played", 0))
        if periods is not None and periods > played:  # it simulated on without decisions
            raise ValueError(f"cannot replay {periods} periods: the log holds {played} "
                             f"periods played; give at most {played}")
        target = played if periods is None else int(periods)
        by_period = {}
        for entry in data.get("log", []):
            by_period[int(entry["period"])] = entry
        while game.period < target and not game.finished:
            entry = by_period.get(game.period)
            if entry is not None:
                if abs(float(entry["day"]) - game.day) > 1e-9:
                    raise ValueError(f"log period {entry['period']} is on day {entry['day']}, "
                                     f"but that period starts on day {game.day:g}")
                game.decide(**entry["decision"])
            game.advance()
        return game

    @classmethod
    def load(cls, path, periods: int | None = None) -> "Game":
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"cannot read game log {path}: {e}") from None
        return cls.from_dict(data, periods)
