"""Shared machinery of the experiment runners, by concern:

- ``experiments.options``: the command line (``parse_args``, ``Options``, ``ExperimentError``);
- ``experiments.sweep``: running options as one marketsim sweep, loading its tables;
- ``experiments.compare``: summaries, winners, paired differences over common seeds;
- ``experiments.report``: ``summary.csv``, ``report.md`` and the runners' ``main``;
- ``experiments.figures``: the shared figures.

An experiment compares named *options* (each a set of config overrides) over several
seeds; options share seeds, so comparisons are paired (common random numbers). This module
re-exports the names the runners import.
"""

from experiments.compare import (
    fmt,
    paired_difference,
    signed_points,
    summarise,
    summary_table,
    winner,
    winner_sentence,
)
from experiments.figures import kpi_distributions, over_time
from experiments.options import ExperimentError, Options, parse_args, parse_bool
from experiments.report import (
    answer_text,
    currency,
    figure_path,
    main_wrapper,
    money_axis,
    save_figure,
    write_report,
    write_summary,
)
from experiments.sweep import (
    OPTION_GROUP,
    base_config,
    load_kpis,
    load_timeseries,
    option_yaml,
    run_sweep,
)
from sim.plots import save

__all__ = ["OPTION_GROUP", "ExperimentError", "Options", "answer_text", "base_config",
           "currency", "figure_path", "fmt", "kpi_distributions", "load_kpis",
           "load_timeseries", "main_wrapper", "money_axis", "option_yaml", "over_time",
           "paired_difference", "parse_args", "parse_bool", "run_sweep", "save", "save_figure", "signed_points",
           "summarise", "summary_table", "winner", "winner_sentence", "write_report",
           "write_summary"]


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.common")
