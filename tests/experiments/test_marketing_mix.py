"""experiments.marketing_mix in quick mode: the scenario's split at half and twice its
budget, test-and-shift at twice, 3 seeds, 700 days."""

import pandas as pd
import pytest

OPTIONS = ["own_split_40k", "own_split_160k", "test_and_shift_160k"]


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("marketing_mix", tmp_path_factory.mktemp("marketing_mix"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def test_summary_rows_and_columns(result):
    _, summary, _ = result
    assert summary["option"].tolist() == OPTIONS
    assert summary["budget_per_week"].tolist() == [40000.0, 160000.0, 160000.0]
    assert summary["policy"].tolist() == ["fixed", "fixed", "test_and_shift"]
    assert (summary["n"] == 3).all()
    for kpi in ("npv", "final_market_share", "marketing_roi", "marketing_spend"):
        for stat in ("mean", "p5", "p95"):
            assert summary[f"{kpi}_{stat}"].notna().all(), f"{kpi}_{stat}"
    # every split names the four channels and sums to one
    shares = summary[[f"split_{c}" for c in ("tv", "online", "social", "search")]]
    assert shares.sum(axis=1).round(6).eq(1.0).all()
    # four times the budget is spent (the firm never ran out of cash in this short run)
    spend = summary.set_index("option")["marketing_spend_mean"]
    assert spend["own_split_160k"] > 3 * spend["own_split_40k"]


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["kpis_vs_budget", "npv_heatmap", "adoption_share_over_time"])


def test_report_names_the_winners_the_summary_implies(exp, result):
    _, summary, report = result
    exp.assert_winner(report, summary, "npv", "NPV")
    exp.assert_winner(report, summary, "final_market_share", "final unit share")
    exp.assert_winner(report, summary, "marketing_roi", "marketing ROI")
    assert "test-and-shift against the same fixed split" in report


def test_report_gives_the_marginal_roi_of_each_budget_step(result):
    out, _, report = result
    margins = pd.read_csv(out / "marginal_roi.csv")
    assert margins[["from_budget", "to_budget"]].values.tolist() == [[40000.0, 160000.0]]
    assert margins["n"].tolist() == [3]
    assert "Marginal ROI of each budget step" in report
    assert f"marginal ROI {margins['marginal_roi'].iloc[0]:+.2f}" in report


def test_report_opens_with_the_answer_and_assumptions(exp, result):
    _, summary, report = result
    exp.assert_board_ready(report, exp.expected_winner(summary, "npv"))


def test_report_says_what_its_brackets_and_its_answers_interval_are(result):
    *_, report = result
    how = report.split("## How this was run", 1)[1]
    assert "brackets are the 5th and 95th percentiles over seeds" in how
    assert "paired Student t interval" in how


def test_a_best_budget_at_the_end_of_the_grid_is_flagged():
    """A grid of 20k-60k recommended 20k, its lowest, without a word."""
    import pandas as pd

    from experiments.marketing_mix import budget_edge_note

    plan = pd.DataFrame({"option": ["own_20k", "own_40k", "own_60k"],
                         "allocation": ["own_split"] * 3,
                         "budget_per_week": [20000.0, 40000.0, 60000.0]})
    kpis = pd.DataFrame({"option": [o for o in plan["option"] for _ in range(2)],
                         "seed": [0, 1] * 3, "npv": [3.0, 3.5, 2.0, 2.2, 1.0, 1.1]})
    note = budget_edge_note(kpis, plan)
    assert "budget_per_week=20000 is the lowest value swept" in note
    middle = kpis.assign(npv=[1.0, 1.1, 3.0, 3.5, 2.0, 2.2])
    assert budget_edge_note(middle, plan) == ""
    # no marketing at all the best of three: nothing below 0 to sweep
    none = plan.assign(budget_per_week=[0.0, 40000.0, 60000.0])
    assert budget_edge_note(kpis, none) == ""


def _kpis(budgets, seeds):
    import numpy as np

    rng = np.random.default_rng(0)
    rows = [{"allocation": "own_split", "budget_per_week": b, "seed": s,
             "npv": rng.normal(-1e7, 1e6), "final_market_share": rng.uniform(0.1, 0.3),
             "marketing_roi": rng.normal(-0.5, 0.1)} for b in budgets for s in range(seeds)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("budgets", [[40000.0, 160000.0], [40000.0, 80000.0, 160000.0]])
def test_two_budgets_are_two_points_and_few_seeds_their_range(budgets):
    """Two budgets are drawn as two points with bars (a line between them read as a response
    curve); three or more as a curve with its band; 3 seeds give their range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments import marketing_mix
    from sim.cli import compose

    base = compose(["scenario=baseline"]).scenario()
    kpis = _kpis(budgets, 3)
    fig = marketing_mix.response_figure(kpis, budgets, ["own_split"], base, 3)
    try:
        ax = fig.axes[0]
        means = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == len(budgets)]
        assert means and all((ln.get_linestyle() == "None") == (len(budgets) == 2)
                             for ln in means)
        title = fig._suptitle.get_text()
        assert title == ("Response to the marketing budget: mean and range (lowest to highest)"
                         + (" as bars" if len(budgets) == 2 else "") + " over 3 seeds")
        if len(budgets) == 2:
            assert list(ax.get_xticks()) == [40.0, 160.0]
            # each bar spans its seeds' lowest to highest NPV (millions)
            (errorbars,) = ax.collections  # one vertical segment per budget
            bars = sorted((min(seg[:, 1]), max(seg[:, 1])) for seg in errorbars.get_segments())
            npv = (kpis.assign(m=kpis["npv"] / 1e6).groupby("budget_per_week")["m"])
            want = sorted(zip(npv.min(), npv.max(), strict=True))
            assert [v for b in bars for v in b] == pytest.approx([v for w in want for v in w])
    finally:
        plt.close(fig)
