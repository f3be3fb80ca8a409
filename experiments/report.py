"""Writing an experiment's results: ``summary.csv``, ``report.md``, figures, and the
console behaviour shared by the runners (one-line errors, exit status 2 or 1).

Every ``report.md`` opens with the answer (``answer_text``: the recommendation, its
expected gain over the runner-up, the chance it is worse and a paired interval over common
seeds, ``sim.results.decision``) and the assumptions block (``sim.results.assumptions``);
in quick mode a banner heads the report and every figure (``save_figure``); money axes
name the scenario's currency (``money_axis``).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pandas as pd

from experiments.compare import fmt, fmt_diff
from experiments.options import ExperimentError, Options, mark_out
from sim.errors import MarketsimError
from sim.plots import money_label, save, style
from sim.results import atomic_write
from sim.results.assumptions import (
    QUICK_BANNER,
    QUICK_PLOT_BANNER,
    assumption_lines,
    currency_of,
)
from sim.results.decision import (
    answer_sentence,
    equity_note,
    money,
    recommend,
    tie_note,
    trouble_note,
)

MONEY_KPIS = {"npv", "cumulative_profit", "cumulative_revenue", "gross_margin", "cash_final",
              "net_income_total", "free_cash_flow_total", "contribution", "line_npv"}


def config_dict(config) -> dict:
    """A typed config (``ScenarioConfig``/``AppConfig``) or a ``config.json`` dict as a dict."""
    return dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)


def currency(config) -> str:
    return currency_of(config_dict(config))


def money_axis(what: str, config, scale: str = "millions") -> str:
    """``NPV (millions of USD)``: a money axis label in the scenario's currency."""
    return money_label(what, currency(config), scale)


def save_figure(fig, path, opts: Options) -> None:
    """``sim.plots.save`` with the quick-mode banner across the figure when ``opts.quick``."""
    save(fig, path, banner=QUICK_PLOT_BANNER if opts.quick else None)


def answer_text(kpis: pd.DataFrame, config, kpi: str = "npv", label: str = "NPV",
                by: str = "option", higher_is_better: bool = True) -> str:
    """The report's first sentence: the option with the best mean ``kpi``, its expected
    gain over the runner-up with a 90% paired t interval over common seeds, and the share
    of those seeds where it does worse (``sim.results.decision.recommend``); with three
    options or more, those the data do not separate from it (``not_separated``)."""
    ans = recommend(kpis, kpi, by=by, higher_is_better=higher_is_better)
    if kpi in MONEY_KPIS:
        text = answer_sentence(ans, label, money, currency(config))
    else:
        text = answer_sentence(ans, label, lambda v, _c: fmt(v, kpi),
                               diff_fmt=lambda v, _c: fmt_diff(v, kpi))
    best = ans.get("recommendation")
    options = list(dict.fromkeys(kpis[by]))
    trouble = trouble_note(kpis, options, by)  # cash run out, insolvent, never launched
    equity = equity_note(kpis, ans, by, currency(config)) if kpi == "npv" else ""
    if best is None or len(options) < 3:  # with two, the sentence above says it
        return " ".join(p for p in (text, equity, trouble) if p)
    close = tie_note(kpis, options, best, ans.get("runner_up"), kpi=kpi, by=by,
                     higher_is_better=higher_is_better)
    return " ".join(p for p in (text, close, equity, trouble) if p)


def write_summary(out: Path, summary: pd.DataFrame) -> Path:
    path = Path(out) / "summary.csv"
    atomic_write(path, lambda p: summary.to_csv(p, index=False))
    return path


# what the brackets of the runners' summary tables are (``experiments.compare``); the
# answer names its own interval (``sim.results.decision``: a paired Student t interval)
PERCENTILE_BRACKETS = ("in the tables, the brackets are the 5th and 95th percentiles over "
                       "seeds; the answer's interval is a paired Student t interval of the "
                       "mean difference")


def write_report(out: Path, title: str, question: str, sections, opts: Options,
                 seconds: float, raw: str | None = None, *, answer: str, config,
                 fitted=(), varied=(), competitors: str | None = None,
                 intervals: str = PERCENTILE_BRACKETS) -> Path:
    """``report.md``: the quick-mode banner, the answer (``answer_text`` or the runner's
    own sentence with the same parts), the assumptions of ``config`` (with what the
    runner ``fitted`` and what its options ``varied``), the question, computed sentences,
    embedded plots, how it was run (``raw`` describes where the raw runs are when they
    are not one ``sweep/``; ``competitors``: what the jobs compete against, where the
    runner replaces the scenario's competitors; ``intervals``: what the report's intervals
    are, for its last paragraph)."""
    mark_out(opts)
    lines = [f"# {title}", ""]
    if opts.quick:
        lines += [QUICK_BANNER, ""]
    lines += ["## Answer", "", answer, "", "## Assumptions", "",
              *assumption_lines(config_dict(config), fitted=fitted, varied=varied,
                                competitors=competitors), "",
              f"*Question:* {question}", ""]
    for heading, paragraphs, images in sections:
        if heading:
            lines += [f"## {heading}", ""]
        for p in paragraphs:
            lines += [p, ""]
        for img in images:
            lines += [f"![{Path(img).stem}]({Path(img).relative_to(out).as_posix()})", ""]
    lines += ["## How this was run", "",
              f"`python -m experiments.{opts.name} " + " ".join(
                  [f"quick={str(opts.quick).lower()}", f"seeds={opts.seeds}"]
                  + [f"{k}={_key_text(v)}" for k, v in opts.keys.items()] + opts.overrides) + "`",
              "", f"{opts.seeds} seed{'s' * (opts.seeds != 1)} per option, paired across "
              "options (common random "
              f"numbers); {intervals}. Wall time "
              f"{seconds:.0f} s. Raw runs: "
              + (raw or "`sweep/` (one job directory per option and seed, `sweep/kpis.parquet`)")
              + ".", ""]
    path = Path(out) / "report.md"
    atomic_write(path, lambda p: Path(p).write_text("\n".join(lines)))
    return path


def _key_text(value) -> str:
    """A key's value as the command line takes it (lists without spaces)."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def figure_path(out: Path, name: str) -> Path:
    return Path(out) / "plots" / f"{name}.png"


def main_wrapper(run, name: str):
    """Console behaviour shared by runners: one line for every failure, exit status 2 for
    bad input and 1 for failed jobs or a crash."""
    def main(argv=None):
        argv = sys.argv[1:] if argv is None else argv
        try:
            style()
            out = run(argv)
        except ExperimentError as e:
            print(f"experiments.{name}: error: {_one_line(e)}", file=sys.stderr)
            return e.code
        except MarketsimError as e:
            print(f"experiments.{name}: error: {_one_line(e)}", file=sys.stderr)
            return 2
        except ImportError as e:
            print(f"experiments.{name}: error: {_one_line(e)}; install marketsim with its "
                  "dependencies: pip install -e .", file=sys.stderr)
            return 1
        except Exception as e:  # noqa: BLE001 - one line, not a traceback
            print(f"experiments.{name}: error: {type(e).__name__}: {_one_line(e)}",
                  file=sys.stderr)
            return 1
        print(f"[{name}] report: {out / 'report.md'}")
        return 0
    return main


def _one_line(e) -> str:
    return "; ".join(ln.strip() for ln in str(e).splitlines() if ln.strip()) or repr(e)


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.report")
