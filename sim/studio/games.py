"""War games in the studio's workspace: ``WORKSPACE/games/ID/game.json`` (the decision log
and seed, ``Game.save``) plus its catalogue entry, whose command replays it."""

import shlex
from pathlib import Path

import pandas as pd

from sim.game import Game
from sim.studio.runs import Workspace, now


def save_game(ws: Workspace, game: Game, label: str = "", info: dict | None = None) -> dict:
    """Save ``game`` (into its earlier directory when ``info`` is given)."""
    if info is None:
        game_id, game_dir = ws.new_dir("games")
    else:
        game_id, game_dir = info["id"], Path(info["path"])
    path = game.save(game_dir / "game.json")
    created = (info or {}).get("created", now())
    # told apart in the saved list: the scenario, the seed and when it started
    scenario = scenario_of(game.overrides)
    label = label or f"war game: {scenario}, seed {game.seed}, started {created[:16]}"
    info = {"id": game_id, "kind": "game", "created": created,
            "label": label, "overrides": game.overrides or [],
            "command": f"marketsim game replay {shlex.quote(str(path))}",
            "path": str(game_dir), "status": f"period {game.period} of {game.periods}",
            "error": None, "kpis": None}
    return ws.record(info)


def scenario_of(overrides) -> str:
    """The scenario named in a game's overrides (the default's when none is)."""
    for o in overrides or []:
        if o.startswith("scenario="):
            return o.removeprefix("scenario=")
    return "baseline"


def load_game(info: dict) -> Game:
    return Game.load(Path(info["path"]) / "game.json")


def same_play(a: Game, b: Game) -> bool:
    """Whether two games have identical records (the replay check)."""
    if a.day != b.day or a.period != b.period:
        return False
    ra, rb = a.recorder, b.recorder
    for name in ("timeseries", "events", "ledger", "segments"):
        fa, fb = pd.DataFrame(getattr(ra, name)), pd.DataFrame(getattr(rb, name))
        if not fa.equals(fb):
            return False
    return True
