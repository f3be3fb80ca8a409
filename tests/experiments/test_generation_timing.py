"""experiments.generation_timing in quick mode: v2 launched on days 90, 365, 730, 2 seeds,
four years (scenario next_generation)."""

import pandas as pd
import pytest

OPTIONS = ["v2_day90", "v2_day365", "v2_day730"]


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("generation_timing", tmp_path_factory.mktemp("generation_timing"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def test_summary_rows_and_the_launch_days_they_asked_for(result):
    _, summary, _ = result
    assert summary["option"].tolist() == OPTIONS
    assert (summary["n"] == 2).all()
    # v2 has no development tasks: it launches on its planned day, in every seed
    assert summary["v2_launch_day_mean"].tolist() == [90.0, 365.0, 730.0]
    assert summary["v2_launch_day_p5"].tolist() == summary["v2_launch_day_p95"].tolist()
    for kpi in ("line_npv", "v2_unit_share", "cannibalisation_rate", "line_revenue"):
        assert summary[f"{kpi}_mean"].notna().all(), kpi


def test_a_later_v2_sells_less_and_takes_more_of_its_sales_from_v1(result):
    _, summary, _ = result
    # fewer years on the market within the horizon, and more v1 owners when it arrives
    assert summary["v2_unit_share_mean"].is_monotonic_decreasing
    assert summary["cannibalisation_rate_mean"].is_monotonic_increasing
    assert summary["cannibalisation_rate_mean"].between(0.0, 1.0).all()


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["kpi_distributions", "stacked_generations", "cannibalisation"])


def test_report_names_the_winners_the_summary_implies(exp, result):
    _, summary, report = result
    exp.assert_winner(report, summary, "line_npv", "line NPV")
    exp.assert_winner(report, summary, "cannibalisation_rate",
                      "share of v2's adoptions taken from v1 owners (the cannibalisation rate)",
                      higher_is_better=False)
    # the rate is a share: the units cannibalised are given beside it
    assert "In units of v1 cannibalised (mean over seeds): " in report
    assert "paired seeds" in report
