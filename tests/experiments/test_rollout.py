"""experiments.rollout in quick mode: sprinkler against waterfall entry across the three
regions of scenario global_rollout, 2 seeds, three years."""

import pandas as pd
import pytest

OPTIONS = ["sprinkler", "waterfall"]


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("rollout", tmp_path_factory.mktemp("rollout"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def test_summary_rows_and_the_entry_days_they_asked_for(result):
    _, summary, _ = result
    assert summary["option"].tolist() == OPTIONS
    assert (summary["n"] == 2).all()
    s = summary.set_index("option")
    # the first market step (dt = 7) on or after each wave: 0, 365, 730 days after launch
    assert s.loc["sprinkler", ["region_us_entry_day_mean", "region_eu_entry_day_mean",
                               "region_asia_entry_day_mean"]].tolist() == [0.0, 0.0, 0.0]
    assert s.loc["waterfall", ["region_us_entry_day_mean", "region_eu_entry_day_mean",
                               "region_asia_entry_day_mean"]].tolist() == [0.0, 371.0, 735.0]
    for kpi in ("npv", "global_unit_share", "cumulative_revenue"):
        assert summary[f"{kpi}_mean"].notna().all(), kpi


def test_later_entry_leaves_the_lag_regions_to_the_local_rival(result):
    _, summary, _ = result
    s = summary.set_index("option")
    # the rival sells only in eu and asia: our us share is 1 in both rollouts
    assert (s["region_us_unit_share_mean"] == 1.0).all()
    for r in ("eu", "asia"):
        assert s.loc["waterfall", f"region_{r}_unit_share_mean"] < s.loc[
            "sprinkler", f"region_{r}_unit_share_mean"]
    assert s.loc["waterfall", "global_unit_share_mean"] < s.loc["sprinkler",
                                                                "global_unit_share_mean"]


def test_report_answers_first_and_names_the_summarys_winner(exp, result):
    _, summary, report = result
    assert report.index("## Answer") < report.index("## Findings")
    exp.assert_winner(report, summary, "npv", "NPV")
    exp.assert_winner(report, summary, "global_unit_share", "global unit share")


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["kpi_distributions", "sales_by_region", "share_by_region"])


def test_an_option_that_never_entered_a_region_is_named():
    import numpy as np
    import pandas as pd

    from experiments.rollout import _unentered_note

    means = pd.DataFrame({"region_us_unit_share_mean": [0.3, 0.3],
                          "region_eu_unit_share_mean": [0.2, np.nan]},
                         index=["sprinkler", "waterfall"])
    note = _unentered_note(means, ["us", "eu"], ["sprinkler", "waterfall"], 300.0)
    assert "by day 300 some options had not entered every region: waterfall (eu)." in note
    assert _unentered_note(means.fillna(0.1), ["us", "eu"], ["sprinkler", "waterfall"],
                           300.0) == ""
