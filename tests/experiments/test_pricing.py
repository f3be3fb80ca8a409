"""experiments.pricing in quick mode: 2 strategies x 2 rivals x 3 seeds, 700 days."""

import re

import pandas as pd
import pytest

STRATEGIES = ["skimming", "penetration"]
RIVALS = ["incumbent", "price_warrior"]


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("pricing", tmp_path_factory.mktemp("pricing"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def test_summary_is_the_payoff_matrix(result):
    _, summary, _ = result
    assert len(summary) == len(STRATEGIES) * len(RIVALS)
    cells = set(zip(summary["pricing"], summary["rival"], strict=True))
    assert cells == {(s, r) for s in STRATEGIES for r in RIVALS}
    assert (summary["option"] == summary["pricing"] + "_vs_" + summary["rival"]).all()
    assert (summary["n"] == 3).all()
    for col in ("npv_mean", "npv_p5", "npv_p95", "final_market_share_mean", "mean_price_mean"):
        assert summary[col].notna().all(), col
    # penetration prices below skimming whatever the rival
    price = summary.set_index(["pricing", "rival"])["mean_price_mean"]
    for rival in RIVALS:
        assert price[("penetration", rival)] < price[("skimming", rival)]


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["payoff_matrix", "kpi_distributions", "price_over_time"])


def test_report_names_the_best_response_to_each_rival(exp, result):
    _, summary, report = result
    # our strategy averaged over the rivals (the rival is not ours to choose: the best
    # cell's runner-up had been the same strategy against another rival)
    best = str(summary.groupby("pricing")["npv_mean"].mean().idxmax())
    assert re.findall(r"Averaged over the rivals \(each weighted equally\), \*\*([^*]+)\*\* "
                      r"has the highest mean NPV", report) == [best]
    assert "each rival weighted equally, as if each were as likely" in report
    for rival in RIVALS:
        cells = summary[summary["rival"] == rival]
        best = exp.expected_winner(cells, "npv", by="pricing")
        found = re.findall(rf"Against \*\*{rival}\*\*, the best response is \*\*([^*]+)\*\*",
                           report)
        assert found == [best], (rival, found, best)


def test_report_opens_with_the_answer_and_assumptions(exp, result):
    _, summary, report = result
    best = str(summary.groupby("pricing")["npv_mean"].mean().idxmax())
    exp.assert_board_ready(report, best)
    # the jobs compete against one library rival each, not against nobody
    assert ("- **Competitors**: one rival a job from the competitor library (incumbent, "
            "price_warrior), in place of the scenario's own") in report
    assert "**Competitors**: none" not in report
