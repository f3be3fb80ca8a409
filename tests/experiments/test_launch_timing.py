"""experiments.launch_timing in quick mode: 3 schedule options x 3 seeds, until half a year
after the disruptor's planned launch (1,182 days)."""

import pandas as pd
import pytest

OPTIONS = ["early60d_q72", "plan_q78", "late120d_q88"]


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("launch_timing", tmp_path_factory.mktemp("launch_timing"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def test_summary_rows_and_columns(result):
    _, summary, _ = result
    assert summary["option"].tolist() == OPTIONS
    assert (summary["n"] == 3).all()
    for kpi in ("npv", "final_market_share", "launch_day", "launch_quality"):
        for stat in ("mean", "p5", "p95"):
            assert summary[f"{kpi}_{stat}"].notna().all(), f"{kpi}_{stat}"
    assert summary["shift_days"].tolist() == [-60, 0, 120]
    assert summary["quality_target"].tolist() == pytest.approx([0.72, 0.78, 0.88])


def test_a_quick_run_sees_the_disruptor_launch(result):
    """The question is asked against a disruptor: a quick run that ended before it launched
    (700 days; it launches no earlier than its planned day, now 1,000) could not answer it."""
    _, summary, report = result
    assert (summary["disruptor_launched_share"] == 1.0).all()
    # planned 400 days after its entry on day 600 (it had launched on day 1,100 whatever
    # the entry day)
    assert summary["disruptor_launch_day_mean"].between(1_000, 1_182).all()
    assert "launched on day 1,000" in report and "did not launch" not in report


def test_options_move_the_realised_launch_and_quality(result):
    _, summary, _ = result
    # the plan is stretched, so the realised launch (not only the plan) moves with it
    assert summary["launch_day_mean"].is_monotonic_increasing
    assert summary["launch_quality_mean"].is_monotonic_increasing


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["kpi_distributions", "adoption_share_over_time", "tradeoff"])


def test_report_names_the_winners_the_summary_implies(exp, result):
    _, summary, report = result
    exp.assert_winner(report, summary, "npv", "NPV")
    exp.assert_winner(report, summary, "final_market_share", "final unit share")
    exp.assert_winner(report, summary, "launch_day", "launch day", higher_is_better=False)
    assert "paired seeds" in report and "disruptor" in report


def test_report_opens_with_the_answer_and_assumptions(exp, result):
    _, summary, report = result
    exp.assert_board_ready(report, exp.expected_winner(summary, "npv"))


def test_error_bars_of_a_spread_of_zero_are_not_negative():
    import numpy as np

    from experiments.launch_timing import spread

    days = np.full(20, 402.60000000000002)  # 20 equal launch days: mean a few ulps off
    row = {"launch_day_mean": float(np.mean(days)) - 1e-13,
           "launch_day_p5": float(np.percentile(days, 5)),
           "launch_day_p95": float(np.percentile(days, 95))}
    assert row["launch_day_mean"] - row["launch_day_p5"] < 0.0  # the case that stopped it
    low, high = spread(row, "launch_day")
    assert low == [0.0] and high[0] >= 0.0
    assert spread({"npv_mean": 2e6, "npv_p5": 1e6, "npv_p95": 4e6}, "npv", 1e-6) == [[1.0],
                                                                                    [2.0]]


def test_the_disruptors_planned_launch_moves_with_its_entry_day():
    """The disruptor launches no earlier than its planned day, a day of the run: with the
    entry day alone, entry_day=200 had still launched it on day 1,100. Its planned
    development time (1,100 - 700 in its config) is kept; a planned launch set by the user
    holds."""
    from types import SimpleNamespace

    from experiments.launch_timing import rival_schedule

    rival = SimpleNamespace(development=SimpleNamespace(planned_launch_day=1100.0),
                            strategy=SimpleNamespace(entry_day=700.0))

    class Opts(dict):
        overrides = []

    o = Opts(entry_day=200)
    assert rival_schedule(o, rival) == [
        "competitors.disruptor.strategy.entry_day=200",
        "competitors.disruptor.development.planned_launch_day=600"]
    o.overrides = ["competitors.disruptor.development.planned_launch_day=900"]
    assert rival_schedule(o, rival) == ["competitors.disruptor.strategy.entry_day=200"]


def test_a_planned_launch_the_user_sets_holds_in_a_scenario_without_the_disruptor(
        exp, tmp_path):
    """The baseline has no disruptor: a setting of its planned launch had stopped the runner
    ("competitors has no entry 'disruptor'") before the runner added it. Planned for day
    500 and entering on day 600, it launches when its development is done, and the quick
    run lasts until 182 days after entry plus its 400 planned days."""
    out = exp.run("launch_timing", tmp_path / "lt", "seeds=1",
                  "competitors.disruptor.development.planned_launch_day=500")
    summary = pd.read_csv(out / "summary.csv")
    assert summary["disruptor_launched_share"].eq(1.0).all()
    assert summary["disruptor_launch_day_mean"].between(600, 1_000).all()
    config = (out / "report.md").read_text()
    assert "1,182 days" in config
