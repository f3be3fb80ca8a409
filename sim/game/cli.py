"""``marketsim game replay LOG``: replay a saved war game from its decision log and seed.

Prints the last period's report (cash flow before financing, firms) and the KPIs to date; ``--out DIR`` writes the
replayed game as a run directory (the usual output contract). ``new_game`` builds a game
from command-line overrides (the studio uses it).
"""

import argparse
import sys
from pathlib import Path

from sim.cli import UserError, compose, format_table
from sim.game.game import Game


def new_game(overrides=(), seed: int | None = None, period_days: float = 91.0) -> Game:
    """A game of the scenario ``marketsim OVERRIDES`` would run (``UserError`` on bad input)."""
    app = compose(list(overrides))
    return Game(app.scenario(), app.seed if seed is None else seed, period_days,
                list(overrides))


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UserError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="marketsim game", description="The turn-based war game.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("replay", help="replay a saved game from its decision log and seed")
    r.add_argument("log", type=Path, help="a game saved by the studio or Game.save")
    r.add_argument("--periods", type=int, default=None,
                   help="replay this many periods, 1 to as many as were played (default: "
                        "all of them)")
    r.add_argument("--out", type=Path, default=None,
                   help="write the replayed game as a run directory here")
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parser().parse_args(argv)
        if args.periods is not None and args.periods < 1:  # 0 crashed on its empty results
            raise UserError(f"--periods must be >= 1 (a game of no period has no results), "
                            f"got {args.periods}")
        try:
            game = Game.load(args.log, args.periods)
        except ValueError as e:
            raise UserError(str(e)) from None

    except UserError as e:
        print(f"marketsim: error: {e}", file=sys.stderr)
        return 2
    print(f"Replayed {game.period} of {game.periods} periods of {game.period_days:g} days "
          f"(seed {game.seed}, {len(game.log)} decisions), day {game.day:g}")
    rep = game.report()
    if rep is not None:
        print(f"\nLast period's cash flow before financing and tax (firm "
              f"'{game.firm.name}'):")
        for k, v in rep["pnl"].items():
            print(f"  {k:<16}{v:>16,.0f}")
    import pandas as pd

    results = game.results()
    print("\nKPIs to date:")
    # the game so far: its horizon is where play stopped, not a configured end
    # a game not played to its end is a run still going on
    print(format_table(pd.DataFrame([results.kpis]), results.config.currency,
                       to_date=game.day if game.period < game.periods else None))
    if args.out is not None:
        results.write(args.out)
        print(f"\nOutputs: {args.out.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
