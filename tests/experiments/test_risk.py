"""experiments.risk in quick mode: the baseline, 5 input draws x 2 seeds and the nominal
scenario on the same 2 seeds (one sweep), 730 days. The summary, the drivers and the
report's sentences are recomputed from the jobs' own kpis.json and draws.csv."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import risk
from experiments import uncertainty as unc


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("risk", tmp_path_factory.mktemp("risk"))
    return (out, pd.read_csv(out / "summary.csv").set_index("design"),
            pd.read_csv(out / "drivers.csv"), pd.read_csv(out / "draws.csv"),
            (out / "report.md").read_text())


def job_npv(out) -> pd.DataFrame:
    """Every job's NPV from its own kpis.json and job.json (not the combined table)."""
    rows = []
    for meta in sorted((out / "sweep").glob("*/job.json")):
        job = json.loads(meta.read_text())
        option = dict(o.lstrip("+").split("=", 1) for o in job["overrides"] if "=" in o)
        kpis = json.loads((meta.parent / "kpis.json").read_text())
        rows.append({"option": option["experiment_option"], "seed": int(job["seed"]),
                     "npv": float(kpis["npv"])})
    return pd.DataFrame(rows)


def test_summary_has_both_designs(result):
    _, summary, drivers, draws, _ = result
    assert list(summary.index) == ["nominal", "uncertain"]
    assert summary.loc["nominal", "n"] == 2 and summary.loc["uncertain", "n"] == 10
    u = summary.loc["uncertain"]
    assert u["draws"] == 5 and u["seeds_per_draw"] == 2
    for d in summary.index:
        r = summary.loc[d]
        assert r["prob_loss_lo"] <= r["prob_loss"] <= r["prob_loss_hi"]
        assert r["es"] <= r["npv_p50"]
    assert 0 <= u["share_inputs_lo"] <= u["share_inputs_hi"] <= 1
    want = risk.loss_interval(u["prob_loss"], (-1.0, -1.0), int(u["draws"]))
    if want != (-1.0, -1.0):  # at 0% or 100% the Wilson interval, else the bootstrap's
        assert (u["prob_loss_lo"], u["prob_loss_hi"]) == pytest.approx(want)
    assert sorted(drivers["input"]) == sorted(unc.INPUTS)
    assert len(draws) == 5


def test_p_loss_at_an_edge_has_a_wilson_interval_over_the_draws():
    # every resample alike: the bootstrap gave 100% to 100% on 5 draws
    assert risk.loss_interval(1.0, (1.0, 1.0), 5) == pytest.approx(unc.wilson(5, 5))
    assert risk.loss_interval(1.0, (1.0, 1.0), 5)[0] == pytest.approx(0.649, abs=1e-3)
    assert risk.loss_interval(0.0, (0.0, 0.0), 5) == pytest.approx(unc.wilson(0, 5))
    assert risk.loss_interval(0.4, (0.2, 0.6), 5) == (0.2, 0.6)


def test_numbers_follow_from_the_jobs(result):
    out, summary, drivers, draws, _ = result
    jobs = job_npv(out)
    nominal = jobs[jobs["option"] == "nominal"]["npv"].to_numpy()
    table = (jobs[jobs["option"] != "nominal"].pivot(index="option", columns="seed",
                                                     values="npv").reindex(draws["option"]))
    npv = table.to_numpy()
    n, u = summary.loc["nominal"], summary.loc["uncertain"]
    assert n["prob_loss"] == pytest.approx((nominal < 0).mean())
    assert u["prob_loss"] == pytest.approx((npv < 0).mean())
    worst = np.sort(npv.ravel())[:1]  # 10% of 10 runs
    assert u["es"] == pytest.approx(worst.mean())
    np.testing.assert_allclose(draws["npv_mean"], npv.mean(axis=1), rtol=1e-9)
    # variance split by hand: within-draw variance, draw means less within / seeds
    within = npv.var(axis=1, ddof=1).mean()
    between = max(npv.mean(axis=1).var(ddof=1) - within / 2, 0)
    assert u["share_inputs"] == pytest.approx(between / (between + within))
    # rank correlations of each input with NPV over all 10 runs
    for r in drivers.itertuples():
        rho = stats.spearmanr(np.repeat(draws[r.input].to_numpy(), 2), npv.ravel())[0]
        assert r.rank_corr == pytest.approx(rho)
    assert drivers["rank_corr"].abs().is_monotonic_decreasing
    assert u["top_driver"] == drivers["input"].iloc[0]


def test_draws_apply_the_sampled_inputs(result):
    """Each draw's jobs ran with the p, size, unit cost and rival price cut the draw says
    (read back from the job's resolved config.json)."""
    out, _, _, draws, _ = result
    base = risk.base_config(risk.parse_args("risk", [], {}), ["horizon_days=730"])
    checked = 0
    for meta in sorted((out / "sweep").glob("*/job.json")):
        job = json.loads(meta.read_text())
        option = dict(o.lstrip("+").split("=", 1) for o in job["overrides"] if "=" in o)
        name = option["experiment_option"]
        cfg = json.loads((meta.parent / "config.json").read_text())
        x = ({k: 1.0 for k in unc.INPUTS} if name == "nominal"
             else draws.set_index("option").loc[name])
        for seg, old in zip(cfg["market"]["segments"], base.market.segments, strict=True):
            assert seg["p"] == pytest.approx(old.p * x["market_p"], rel=1e-6)
            assert seg["size"] == pytest.approx(old.size * x["market_size"], abs=1)
        assert cfg["firm"]["production"]["unit_cost"] == pytest.approx(
            base.firm.production.unit_cost * x["unit_cost"], abs=1e-3)
        assert cfg["competitors"]["incumbent"]["strategy"]["price_cut"] == pytest.approx(
            base.competitors["incumbent"].strategy.price_cut * x["rival_price_cut"], abs=1e-4)
        checked += 1
    assert checked == 12


def test_report_findings_state_the_risk(result):
    _, summary, drivers, _, report = result
    answer = report.split("## Findings", 1)[1].split("##", 1)[0]
    u = summary.loc["uncertain"]
    assert answer.lstrip().startswith("**Quick mode**")
    # the run's own horizon (730 days in quick mode; it said "2 years" whatever it was)
    assert "seeds, 730 days): these numbers" in answer
    assert f"with probability **{u['prob_loss']:.0%}**" in answer
    assert "expected shortfall" in answer
    top = drivers.iloc[0]
    if top["rank_corr_lo"] <= 0.0 <= top["rank_corr_hi"]:  # its sign not told from noise
        assert (f"No input clearly drives the downside: the strongest, **{top['input']}**"
                in answer and "which includes 0: not told apart from noise" in answer)
    else:
        assert f"drives the downside is **{top['input']}**" in answer
    downside = report.split("## What drives the downside", 1)[1].split("##", 1)[0]
    for r in drivers.iloc[1:].itertuples():  # each other driver flagged where it spans 0
        line = next(ln for ln in downside.splitlines() if f"**{r.input}**:" in ln)
        assert ("includes 0" in line) == (r.rank_corr_lo <= 0.0 <= r.rank_corr_hi)
    assert f"gives P(loss) = {summary.loc['nominal', 'prob_loss']:.0%}" in answer
    for r in drivers.itertuples():  # every assumption is stated with its source
        assert f"**{r.input}** ({r.label}): {r.distribution}. Source:" in report


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out = result[0]
    exp.assert_plots(out, ["npv_distribution", "drivers", "top_driver"])


@pytest.mark.parametrize("args,words", [
    (["draws=1"], "draws must be >= 2"),
    (["tail=1.5"], "tail must lie in (0, 1)"),
    (["inputs=[market_x]"], "inputs must be among"),
    (["uncertainty=/nonexistent/u.yaml"], "no such file"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, words):
    rc = risk.main([f"out={tmp_path}", *args])
    err = capsys.readouterr().err
    assert rc == 2 and words in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "report.md").exists()


def test_report_opens_with_the_answer_and_assumptions(exp, result):
    _, summary, _, draws, report = result
    exp.assert_board_ready(report)
    answer = report.split("## Answer", 1)[1].split("## Assumptions", 1)[0]
    go = "go ahead" if draws["npv_mean"].mean() > 0 else "do not go ahead as planned"
    assert f"**Recommendation: {go} with " in answer
    assert f"loses money in {100 * summary.loc['uncertain', 'prob_loss']:.0f}% of runs" in answer
    if go != "go ahead":  # a loss within the horizon says what NPV leaves out (as elsewhere)
        assert "not what the customers held at its end will still buy" in answer


@pytest.mark.parametrize(("lo", "hi", "named"), [(0.23, 0.97, True), (-0.64, 0.95, False),
                                                 (-0.9, -0.1, True), (0.0, 0.5, False)])
def test_the_top_driver_is_named_only_where_its_interval_excludes_0(lo, hi, named):
    top = {"input": "market_p", "label": "Bass p", "rank_corr": (lo + hi) / 2,
           "rank_corr_lo": lo, "rank_corr_hi": hi, "mean_worst": 0.4, "mean_all": 1.2,
           "tail_shift_sd": -0.8}
    text = risk.driver_sentence(top, 0.1)
    assert text.startswith("The input that drives the downside is **market_p** (Bass p): "
                           "rank correlation") == named
    assert text.startswith("No input clearly drives the downside: the strongest, "
                           "**market_p** (Bass p), has a rank correlation") != named
    assert ("includes 0: not told apart from noise" in text) != named
    assert "in the worst 10% of runs its mean was 0.40 against 1.20" in text
