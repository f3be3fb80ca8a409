"""Writing an experiment's results: ``summary.csv``, ``report.md``, figure paths, and the
console behaviour shared by the runners (one-line errors, exit status 2 or 1)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from experiments.options import ExperimentError, Options
from sim.errors import MarketsimError
from sim.plots import style
from sim.results import atomic_write


def write_summary(out: Path, summary: pd.DataFrame) -> Path:
    path = Path(out) / "summary.csv"
    atomic_write(path, lambda p: summary.to_csv(p, index=False))
    return path


def write_report(out: Path, title: str, question: str, sections, opts: Options,
                 seconds: float, raw: str | None = None) -> Path:
    """``report.md``: the question, computed sentences, embedded plots, how it was run
    (``raw`` describes where the raw runs are when they are not one ``sweep/``)."""
    lines = [f"# {title}", "", f"*Question:* {question}", ""]
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
              "", f"{opts.seeds} seeds per option, paired across options (common random "
              f"numbers); intervals are 5th-95th percentiles over seeds. Wall time "
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
