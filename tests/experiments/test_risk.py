"""experiments.risk in quick mode: the baseline, 12 seeds, 730 days."""

import json

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("risk", tmp_path_factory.mktemp("risk"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def job_kpis(out) -> pd.DataFrame:
    """Every job's own kpis.json, read directly (not through the combined table)."""
    rows = [json.loads(p.read_text()) for p in sorted((out / "sweep").glob("*/kpis.json"))]
    return pd.DataFrame(rows)


def test_summary_rows_and_columns(result):
    _, summary, _ = result
    assert len(summary) == 1
    assert int(summary["n"].iloc[0]) == 12
    for col in ("npv_mean", "npv_p5", "npv_p95", "npv_p10", "npv_p50", "npv_p90", "prob_loss",
                "prob_cash_exhausted", "launch_slip_days_mean", "launch_slip_p90"):
        assert col in summary, col
    row = summary.iloc[0]
    assert row["npv_p10"] <= row["npv_p50"] <= row["npv_p90"]
    assert 0.0 <= row["prob_loss"] <= 1.0 and 0.0 <= row["prob_cash_exhausted"] <= 1.0


def test_percentiles_and_loss_probability_follow_from_the_jobs(result):
    out, summary, _ = result
    kpis = job_kpis(out)
    assert len(kpis) == 12
    npv = kpis["npv"].astype(float).to_numpy()
    row = summary.iloc[0]
    np.testing.assert_allclose([row["npv_p10"], row["npv_p50"], row["npv_p90"]],
                               np.percentile(npv, [10, 50, 90]), rtol=1e-9)
    assert row["prob_loss"] == pytest.approx(float((npv < 0).mean()))
    slip = kpis["launch_slip_days"].astype(float).dropna().to_numpy()
    assert row["launch_slip_p90"] == pytest.approx(float(np.percentile(slip, 90)))


def test_report_states_the_loss_probability_of_the_summary(result):
    _, summary, report = result
    p = summary["prob_loss"].iloc[0]
    assert f"the probability of a loss (NPV < 0) is **{p:.0%}**" in report
    assert "Over 12 seeds of scenario **baseline**" in report


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["npv_distribution", "launch_slip", "installed_base_band"])
