"""experiments.team_size in quick mode: 8, 12 and 32 engineers x 3 seeds, 700 days."""

import re

import numpy as np
import pandas as pd
import pytest

HEADS = [8, 12, 32]


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("team_size", tmp_path_factory.mktemp("team_size"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def test_summary_rows_and_columns(result):
    _, summary, _ = result
    assert summary["option"].tolist() == [f"eng_{h:02d}" for h in HEADS]
    assert summary["headcount"].tolist() == HEADS
    assert (summary["n"] == 3).all()
    for col in ("time_to_market_days_mean", "time_to_market_days_p5", "time_to_market_days_p95",
                "npv_mean", "npv_p5", "npv_p95", "days_saved_per_extra_engineer"):
        assert col in summary
    assert summary["npv_mean"].notna().all()


def test_marginal_days_saved_follow_from_the_means(result):
    _, summary, report = result
    ttm = summary["time_to_market_days_mean"].to_numpy()
    saved = -np.diff(ttm) / np.diff(HEADS) + 0.0  # the report never prints "-0.0"
    np.testing.assert_allclose(summary["days_saved_per_extra_engineer"].to_numpy()[1:], saved)
    for a, b, s in zip(HEADS[:-1], HEADS[1:], saved, strict=True):
        if np.isfinite(s):
            assert re.search(rf"From {a} to {b} engineers: {s:.1f} days saved", report)


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["ttm_npv_vs_headcount", "marginal_days_saved", "kpi_distributions"])


def test_report_names_the_winners_the_summary_implies(exp, result):
    _, summary, report = result
    exp.assert_winner(report, summary, "npv", "NPV")
    exp.assert_winner(report, summary, "time_to_market_days", "time to market",
                      higher_is_better=False)


def test_report_opens_with_the_answer_and_assumptions(exp, result):
    _, summary, report = result
    exp.assert_board_ready(report, exp.expected_winner(summary, "npv"))


def test_a_best_headcount_at_the_end_of_the_grid_is_flagged():
    """The quick grid (8, 12, 32 engineers) recommended 8, its lowest, without the
    edge-of-grid note the sweep and marketing_mix print."""
    import pandas as pd

    from experiments.team_size import headcount_edge_note

    plan = pd.DataFrame({"option": ["eng_08", "eng_12", "eng_32"], "headcount": [8, 12, 32]})
    kpis = pd.DataFrame({"option": [o for o in plan["option"] for _ in range(2)],
                         "seed": [0, 1] * 3, "npv": [3.0, 3.5, 2.0, 2.2, 1.0, 1.1]})
    assert "engineering headcount=8 is the lowest value swept" in headcount_edge_note(kpis, plan)
    middle = kpis.assign(npv=[1.0, 1.1, 3.0, 3.5, 2.0, 2.2])
    assert headcount_edge_note(middle, plan) == ""
