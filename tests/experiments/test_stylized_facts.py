"""experiments.stylized_facts in quick mode (3 seeds, 700 days): the files, the columns,
every fact measured with finite values, the verdicts following from the bands, and the
intervals following from the per-seed values in runs.csv."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.facts import FACT_NAMES, FACTS
from tests.experiments.conftest import assert_board_ready, assert_plots, run_quick

COLUMNS = ["fact", "scenario", "model_value", "ci_low", "ci_high", "published_value",
           "band_low", "band_high", "source", "holds"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = run_quick("stylized_facts", tmp_path_factory.mktemp("facts"))
    return (out, pd.read_csv(out / "summary.csv"), pd.read_csv(out / "runs.csv"),
            (out / "report.md").read_text())


def test_one_row_per_fact_with_the_columns(result):
    _, summary, _, _ = result
    assert list(summary.columns[:len(COLUMNS)]) == COLUMNS
    assert summary["fact"].tolist() == FACT_NAMES


def test_every_fact_has_finite_values(result):
    _, summary, _, _ = result
    for col in ("model_value", "ci_low", "ci_high", "band_low", "band_high"):
        assert np.isfinite(summary[col].astype(float)).all(), col
    # published values are numbers except for the two qualitative facts (documented)
    qualitative = {f.fact for f in FACTS if not np.isfinite(f.published_value)}
    assert qualitative == {"adopters_without_paid_marketing", "satisfaction_change_when_waiting"}
    pub = summary.set_index("fact")["published_value"].drop(list(qualitative))
    assert np.isfinite(pub.astype(float)).all()
    assert (summary["ci_low"] <= summary["model_value"]).all()
    assert (summary["model_value"] <= summary["ci_high"]).all()


def test_verdict_follows_from_the_band(result):
    _, summary, _, _ = result
    inside = (summary["band_low"] <= summary["model_value"]) & (
        summary["model_value"] <= summary["band_high"])
    # holding needs the band (the category fact adds its sign and size check)
    assert not (summary["holds"].astype(bool) & ~inside).any()


def test_interval_is_the_t_interval_of_the_seeds(result):
    _, summary, runs, _ = result
    assert len(runs) == 3
    row = summary.set_index("fact").loc["own_price_elasticity"]
    v = runs["own_price_elasticity"].to_numpy()
    half = stats.t.ppf(0.95, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    np.testing.assert_allclose([row["model_value"], row["ci_high"]], [v.mean(), v.mean() + half])
    # a brand's own price lowers its own orders on every seed
    assert (v < 0).all()



def test_report_says_its_brackets_are_t_intervals_not_percentiles(result):
    """The report's last paragraph describes this runner's intervals (the runners' shared
    text says percentiles, which these are not)."""
    *_, report = result
    how = report.split("## How this was run", 1)[1]
    assert "90% Student t intervals of the mean over seeds" in how
    assert "percentiles" not in how


def test_report_shows_every_fact_and_its_verdict(result):
    out, summary, _, report = result
    assert_plots(out, ["facts"])
    for _, r in summary.iterrows():
        verdict = "holds" if r["holds"] else "does NOT hold"
        assert f"**{r['fact']}** {verdict}" in report


def test_advertising_elasticities_follow_the_meta_analysis_definitions():
    """A Koyck response to a one-quarter pulse: short-term elasticity 0.12 in the pulse
    quarter, carry-over lambda = 0.5 a quarter afterwards; the long-term elasticity is then
    the cumulative response, short-term / (1 - lambda) on the log scale used (0.24)."""
    from experiments.facts import AD_STEP, ad_elasticities, ad_pulse

    weeks = np.arange(0.0, 364.0 * 3, 7.0)
    base = pd.DataFrame({"t": weeks, "firm": "us", "orders": 1000.0})
    pulse = ad_pulse(364.0, weeks[-1] + 7.0)
    same = 13 * 1000.0
    lift = same * (AD_STEP ** 0.12 - 1.0)  # the pulse quarter's extra orders
    total = same * (AD_STEP ** 0.24 - 1.0)  # with the carry-over: lambda = 1 - lift / total
    ad = base.copy()
    q = (ad["t"] >= pulse[0]) & (ad["t"] < pulse[1])
    ad.loc[q, "orders"] += lift / q.sum()
    after = (ad["t"] >= pulse[1]) & (ad["t"] < pulse[2])
    ad.loc[after, "orders"] += (total - lift) / after.sum()
    # a rival's orders and anything outside the window do not count
    ad = pd.concat([ad, base.assign(firm="rival", orders=5e4)])
    ad.loc[ad["t"] >= pulse[2], "orders"] += 7.0
    e = ad_elasticities(base, ad, "us", pulse)
    assert e["advertising_elasticity_short_term"] == pytest.approx(0.12)
    assert e["advertising_elasticity_long_term"] == pytest.approx(0.24)


def test_a_spend_pulse_raises_orders_in_its_quarter_and_after():
    """Direction on the baseline market (700 days, one seed): doubling the spend for one
    quarter raises our orders in that quarter (short term) and our cumulative orders over
    the quarter and the carry-over after it; the pulse is the runner's (quick-mode days)."""
    from experiments.facts import orders
    from experiments.stylized_facts import _pulse
    from sim.cli import compose
    from sim.scenario import run_scenario

    base_cfg = compose(["scenario=baseline", "horizon_days=700"]).scenario()
    m = base_cfg.firm.marketing
    p0, p1, p2 = _pulse(base_cfg)
    total = sum(m.split.values())
    camps = ",".join(f"{{channel:{c},start_day:{p0:g},end_day:{p1:g},"
                     f"spend_per_week:{m.budget_per_week * w / total:.6g}}}"
                     for c, w in m.split.items() if w > 0)
    pulsed = compose(["scenario=baseline", "horizon_days=700",
                      f"firm.marketing.campaigns=[{camps}]"]).scenario()
    b = run_scenario(base_cfg, 0).timeseries
    a = run_scenario(pulsed, 0).timeseries
    firm = base_cfg.firm.name
    assert orders(a, firm, 0.0, p0) == orders(b, firm, 0.0, p0)  # common random numbers
    assert orders(a, firm, p0, p1) > 1.02 * orders(b, firm, p0, p1)
    assert orders(a, firm, p0, p2) > orders(b, firm, p0, p2)


def test_report_opens_with_the_answer_and_assumptions(result):
    _, summary, _, report = result
    assert_board_ready(report)
    assert f"**The model reproduces {int(summary['holds'].sum())} of {len(summary)}" in report
