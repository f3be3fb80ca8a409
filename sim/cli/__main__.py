"""``python -m sim.cli ...``: the ``marketsim`` Hydra app (what the experiment runners call)."""

from sim.cli.main import main

main()
