"""The ``marketsim`` console command: subcommands to their layer.

``marketsim studio ...`` serves the web studio (``sim.studio``), ``marketsim game ...``
replays or plays a war game from the command line (``sim.game.cli``), ``marketsim report
DIR`` writes the board scorecard of a run or a sweep (``sim.cli.report``); everything else
(``marketsim list``, ``marketsim [overrides]``, ``marketsim -m ...``) is the Hydra app
(``sim.cli``). This module sits above all of them so that ``sim.cli`` never imports the
layers built on it.

``marketsim --help`` (or ``-h``) prints this command's usage for a strategist, with the
options of the config groups read from the installed config tree, at once and without
Hydra: Hydra's own help took about 5 s (it deep-copies the config repository once per
config group) and dumped some 1,200 lines of YAML. ``--hydra-help`` still shows Hydra's.
"""

import sys
import textwrap
from importlib.resources import files

# the config groups a strategist picks from by name, in the order the help lists them
GROUPS = ("scenario", "policy", "market", "firm", "competitor")

USAGE = """\
marketsim: rehearse a product launch before spending real money.

usage:
  marketsim [KEY=VALUE ...]           run one scenario (the baseline unless scenario=...)
                                      and print its KPIs; files go to outputs/
  marketsim -m KEY=A,B ...            a sweep: every combination, run in parallel;
                                      e.g. -m 'seed=range(0,100)' outputs=compact
  marketsim list                      the scenario library with one line on each
  marketsim list analogies            the fitted diffusion analogies (p, q of past products)
  marketsim report DIR [DIR ...]      the board scorecard of a run or a sweep
  marketsim studio [--open]           the web studio: what-if, runs, sweeps, war game
  marketsim game replay ...           replay a war game from the command line
  marketsim-fit SALES.csv             fit a diffusion model to sales history

keys you will use most:
  scenario=NAME           a scenario of the library (below)
  policy=NAME             a named policy: launch gate, pricing, marketing (below)
  seed=N                  the random seed (the same seed gives the same run)
  replications=R          R seeds of one configuration: means, 5th and 95th percentiles
  horizon_days=D          how long to simulate (days)
  mode=aggregate|agent    counts per segment, or one record per customer
  plots=false             skip the figures
  outputs=compact         a sweep's jobs write kpis.json only (output_tables=[...] adds
                          tables); see docs/sweeps.md
  any other value of the config, e.g. firm.pricing.list_price=229 (a misspelt key
                          or an out-of-range value stops with one line naming it)

{groups}
more:
  marketsim --cfg job     the whole resolved config, with your overrides applied
  marketsim --hydra-help  Hydra's own flags (launchers, sweepers, config paths)
  README.md and docs/ (model.md, kpis.md, sweeps.md, studio.md) in the repository
"""

RIVAL = ("a competitor is swapped under its key in the scenario, e.g. "
         "competitor@competitors.warrior=disruptor in the baseline")


def group_options() -> dict:
    """Each config group's options (its YAML files' names, sorted) in the installed tree."""
    root = files("sim.configs")
    return {g: sorted(f.name[:-5] for f in root.joinpath(g).iterdir()
                      if f.name.endswith(".yaml")) for g in GROUPS}


def usage() -> str:
    """``marketsim --help``'s text."""
    lines = ["config groups (pick an option with group=NAME):"]
    for group, names in group_options().items():
        lines += textwrap.wrap(", ".join(names), width=88, initial_indent=f"  {group}: ",
                               subsequent_indent=" " * 4)
    lines += textwrap.wrap(RIVAL, width=88, initial_indent="  ", subsequent_indent="  ")
    return USAGE.format(groups="\n".join(lines) + "\n")


def main(argv=None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--help"], ["-h"]):
        print(usage(), end="")
        return
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
