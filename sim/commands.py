"""The ``marketsim`` console command: subcommands to their layer.

``marketsim studio ...`` serves the web studio (``sim.studio``), ``marketsim game ...``
replays or plays a war game from the command line (``sim.game.cli``), ``marketsim report
DIR`` writes the board scorecard of a run or a sweep (``sim.cli.report``); everything else
(``marketsim list``, ``marketsim [overrides]``, ``marketsim -m ...``) is the Hydra app
(``sim.cli``). This module sits above all of them so that ``sim.cli`` never imports the
layers built on it.
"""

import sys


def main(argv=None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["studio"]:
        from sim.studio.cli import main as studio_main

        sys.exit(studio_main(args[1:]))
    if args[:1] == ["report"]:
        from sim.cli.report import main as report_main

        sys.exit(report_main(args[1:]))
    if args[:1] == ["game"]:
        from sim.game.cli import main as game_main

        sys.exit(game_main(args[1:]))
    from sim.cli.main import main as cli_main

    cli_main(args)


if __name__ == "__main__":
    main()
