"""experiments.sensitivity in quick mode: 2 inputs; tornado 5 options x 2 seeds; Sobol
n=2 (8 points x 1 seed); 600 days."""

import json
import re

import pandas as pd
import pytest

INPUTS = {"market_q", "unit_cost"}


@pytest.fixture(scope="module")
def result(exp, tmp_path_factory):
    out = exp.run("sensitivity", tmp_path_factory.mktemp("sensitivity"))
    return out, pd.read_csv(out / "summary.csv"), (out / "report.md").read_text()


def test_summary_has_one_row_per_input(result):
    out, summary, _ = result
    assert set(summary["input"]) == INPUTS and len(summary) == 2
    for col in ("npv_low_mean", "npv_high_mean", "npv_base_mean", "swing", "S1", "S1_conf",
                "ST", "ST_conf", "p_high_beats_low"):
        assert summary[col].notna().all(), col
    assert "SRC2" in summary  # NaN here: too few points for the regression check
    assert (summary["swing"] == (summary["npv_high_mean"] - summary["npv_low_mean"]).abs()).all()
    assert summary["swing"].is_monotonic_decreasing  # sorted, largest first
    # the two designs ran: tornado 5 options x 2 seeds, Sobol 2 * (2 + 2) points x 1 seed
    assert len(pd.read_parquet(out / "tornado" / "kpis.parquet")) == 10
    assert len(pd.read_parquet(out / "sobol" / "kpis.parquet")) == 8


def test_plots_are_pngs_embedded_in_the_report(exp, result):
    out, _, _ = result
    exp.assert_plots(out, ["tornado", "sobol_indices", "sobol_scatter"])


def test_report_names_the_top_inputs_the_summary_implies(result):
    _, summary, report = result
    top = summary.loc[summary["swing"].idxmax(), "input"]
    assert re.search(rf"moves NPV most in the tornado is \*\*{top}\*\*", report)
    top_st = summary.loc[summary["ST"].idxmax(), "input"]
    assert re.search(rf"By total Sobol index, \*\*{top_st}\*\*", report)
    assert "These indices are rough" in report


def test_report_opens_with_the_answer_and_assumptions(exp, result):
    _, summary, report = result
    exp.assert_board_ready(report)
    top = summary.iloc[0]["input"]
    answer = report.split("## Answer", 1)[1].split("## Assumptions", 1)[0]
    assert f"**Manage {top} (" in answer and "paired interval" in answer


def test_scaled_bass_inputs_are_not_overwritten_by_an_analogy():
    # with market.analogy set, the analogy's p and q replaced the scaled segments: market_p
    # had a tornado bar of width 0 (-7.10M at 0.6 and at 1.4)
    from experiments.common import base_config, parse_args
    from experiments.sensitivity import overrides_for

    base = base_config(parse_args("sensitivity", ["market.analogy=corn"], {}))
    ovr = overrides_for(base, {"market_p": 1.4})
    assert "market.analogy=null" in ovr
    segs = json.loads(next(o for o in ovr if o.startswith("market.segments="))
                      .split("=", 1)[1])
    for new, old in zip(segs, base.market.segments, strict=True):
        assert new["p"] == pytest.approx(old.p * 1.4, rel=1e-5)  # the analogy's p, scaled
    plain = base_config(parse_args("sensitivity", [], {}))
    assert "market.analogy=null" not in overrides_for(plain, {"market_p": 1.4})


def test_an_options_value_wins_over_the_users_for_the_same_key():
    from experiments.sweep import options_over_user

    options = {"scaled": ["market.analogy=null", "horizon_days=600"], "nominal": ["x.y=2"]}
    user = ["market.analogy=corn", "seed=3", "scenario=price_war", "horizon_days=700",
            "+extra.key=1", "hydra.job.chdir=false"]
    opts, left = options_over_user(options, user)
    # the option that sets a key keeps its value; the others get the user's in their file
    assert opts == {"scaled": ["market.analogy=null", "horizon_days=600"],
                    "nominal": ["market.analogy=corn", "horizon_days=700", "x.y=2"]}
    assert left == ["seed=3", "scenario=price_war", "+extra.key=1", "hydra.job.chdir=false"]
    assert options_over_user(options, ["seed=3"]) == (options, ["seed=3"])
    # a key that every option sets would be ignored: refused, naming it
    from experiments.options import ExperimentError

    with pytest.raises(ExperimentError, match="x.y=5: every option of this runner sets x.y"):
        options_over_user({"a": ["x.y=1"], "b": ["x.y=2"]}, ["x.y=5"])


def test_run_sweep_writes_the_options_over_the_users_values(tmp_path, monkeypatch):
    """run_sweep itself (not only options_over_user): the user's market.analogy=corn goes
    into the option files that do not set the key, and off the command line."""
    import subprocess

    from experiments import sweep
    from experiments.common import parse_args

    seen = {}

    def fake_run(cmd, **_):
        seen["cmd"] = cmd
        raise RuntimeError("stop before running")

    monkeypatch.setattr(subprocess, "run", fake_run)
    opts = parse_args("sensitivity", [f"out={tmp_path}", "market.analogy=corn"], {})
    with pytest.raises(RuntimeError, match="stop before running"):
        sweep.run_sweep(opts, {"scaled": ["market.analogy=null", "x.y=1"], "nominal": []})
    group = tmp_path / "_config" / sweep.OPTION_GROUP
    assert "analogy: null" in (group / "scaled.yaml").read_text()
    assert "analogy: corn" in (group / "nominal.yaml").read_text()
    assert "market.analogy=corn" not in seen["cmd"]


def test_the_caveat_names_indices_outside_zero_to_one_however_narrow():
    """A quick run gave unit_cost ST 1.54 +/- 0.09 and S1 2.11: shares of variance above 1,
    with an interval that looked precise, under a caveat saying the intervals were as wide
    as the indices (they were not). The caveat now says what is wrong."""
    import pandas as pd

    from experiments.sensitivity import sobol_caveat

    quick = pd.DataFrame({"input": ["unit_cost", "market_p"], "S1": [2.11, 0.10],
                          "ST": [1.54, 0.30], "ST_conf": [0.09, 0.05]})
    text = sobol_caveat(quick, 16, 160)
    assert "unit_cost has an index outside 0-1" in text
    assert "S1 exceeds ST for unit_cost" in text and "as wide as half" not in text
    fine = pd.DataFrame({"input": ["a", "b"], "S1": [0.5, 0.2], "ST": [0.6, 0.3],
                         "ST_conf": [0.05, 0.05]})
    assert sobol_caveat(fine, 128, 1280) == ""
    assert sobol_caveat(fine, 16, 160).startswith("**These indices are rough**: n=16")
    assert "run n=512" in sobol_caveat(quick, 128, 1280)  # impossible values at any n
    wide = fine.assign(ST_conf=[0.3, 0.0], ST=[0.4, 0.0], S1=[0.3, 0.0])
    assert "as wide as half" in sobol_caveat(wide, 128, 1280)  # wide at any n; 0 +/- 0 not
    assert sobol_caveat(fine.assign(ST=[0.6, 0.0], S1=[0.5, 0.0], ST_conf=[0.05, 0.0]),
                        128, 1280) == ""
