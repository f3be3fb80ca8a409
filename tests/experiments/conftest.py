"""Helpers for the experiment-runner tests: run a runner in quick mode, check its files.

Each test module runs its runner once (a module-scoped fixture) and checks the summary,
the plots and the report's computed sentences against the summary's numbers.
"""

import importlib
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_quick(name: str, out: Path, *args: str) -> Path:
    """``python -m experiments.NAME quick=true jobs=2 out=OUT ARGS`` in this process."""
    module = importlib.import_module(f"experiments.{name}")
    rc = module.main(["quick=true", "jobs=2", f"out={out}", *args])
    assert rc == 0, f"experiments.{name} exited with {rc}"
    return Path(out)


def assert_png(path: Path) -> None:
    path = Path(path)
    assert path.is_file(), f"missing plot {path}"
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert len(data) > 1024, f"{path} is only {len(data)} bytes"


def assert_plots(out: Path, names) -> None:
    """Every named plot exists, is a valid PNG and is embedded in report.md; no others."""
    out = Path(out)
    report = (out / "report.md").read_text()
    found = sorted(p.stem for p in (out / "plots").glob("*.png"))
    assert found == sorted(names)
    for name in names:
        assert_png(out / "plots" / f"{name}.png")
        assert f"(plots/{name}.png)" in report, f"report.md does not embed {name}.png"


def expected_winner(summary: pd.DataFrame, kpi: str, higher_is_better: bool = True,
                    by: str = "option") -> str:
    """The option with the best mean ``kpi`` in summary.csv."""
    means = summary.set_index(by)[f"{kpi}_mean"].dropna()
    return str(means.idxmax() if higher_is_better else means.idxmin())


def assert_winner(report: str, summary: pd.DataFrame, kpi: str, label: str,
                  higher_is_better: bool = True, by: str = "option") -> str:
    """report.md's winner sentence for ``label`` names the option summary.csv implies."""
    best = expected_winner(summary, kpi, higher_is_better, by)
    direction = "highest" if higher_is_better else "lowest"
    pattern = re.compile(rf"\*\*([^*]+)\*\* has the {direction} mean {re.escape(label)} ")
    names = pattern.findall(report)
    assert names, f"no winner sentence for {label!r} in report.md"
    assert best in names, f"summary.csv implies {best!r} wins on {kpi}; report says {names}"
    return best


def assert_board_ready(report: str, recommendation: str | None = None) -> None:
    """report.md opens with the quick-mode banner, the answer (``recommendation`` named
    first when given, with its paired interval and chance of being worse) and the
    assumptions block (market, horizon, money in a named currency, competitors, fitted,
    assumed), before the question."""
    lines = [ln for ln in report.splitlines() if ln.strip()]
    assert lines[0].startswith("# ")
    assert lines[1].startswith("> **QUICK MODE: NOT AN ANSWER.**"), lines[1]
    assert lines[2] == "## Answer"
    answer = lines[3]
    if recommendation is not None:
        # "No clear winner" where the paired interval reaches no gain (sim.results.decision)
        assert answer.startswith((f"**Recommendation: {recommendation}**",
                                  f"**No clear winner: {recommendation} leads on average**")
                                 ), answer
        assert "paired interval" in answer and "common seeds" in answer, answer
        assert re.search(r"worse in \d+% of those seeds", answer), answer
    assert lines[4] == "## Assumptions"
    block = report.split("## Assumptions", 1)[1].split("*Question:*", 1)[0]
    for item in ("**Market**", "**Horizon**", "**Money**: all amounts in USD",
                 "**Our firm**", "**Competitors", "**Fitted**", "**Assumed**"):
        assert item in block, f"assumptions block lacks {item}"


@pytest.fixture(scope="session")
def exp():
    return SimpleNamespace(run=run_quick, assert_png=assert_png, assert_plots=assert_plots,
                           assert_winner=assert_winner, expected_winner=expected_winner,
                           assert_board_ready=assert_board_ready)
