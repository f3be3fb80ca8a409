"""The ``marketsim`` command and composition as a library call.

``compose(overrides) -> AppConfig`` (``sim.cli.compose``) is what experiments, benchmarks,
the studio and tests use; ``main`` is the console entry point.
"""

from sim.cli.compose import CONFIG_DIR, check_choices, check_overrides, compose, scenarios
from sim.cli.main import main
from sim.cli.messages import UserError, explain_compose_error
from sim.cli.runs import run_app
from sim.cli.table import KPI_TABLE, format_table

__all__ = ["CONFIG_DIR", "KPI_TABLE", "UserError", "check_choices", "check_overrides",
           "compose", "explain_compose_error", "format_table", "main", "run_app", "scenarios"]
