"""Bad experiment input ends with exit status 2 and one line naming the problem, before
anything runs or is written."""

import importlib
import subprocess
import sys

import pandas as pd
import pytest


@pytest.mark.parametrize(("runner", "arg", "words"), [
    ("launch_timing", "seeds=0", "seeds must be a whole number >= 1"),
    ("pricing", "launcher=slurm", "launcher must be one of joblib, ray, basic"),
])
def test_command_line_exits_2_with_one_line(runner, arg, words, tmp_path):
    proc = subprocess.run([sys.executable, "-m", f"experiments.{runner}", arg,
                           f"out={tmp_path}"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"experiments.{runner}: error: ") and words in lines[0]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("runner", "arg", "words"), [
    ("team_size", "headcounts=[0,4]", "headcounts must be whole numbers >= 1"),
    # Hydra's "add --multirun" hint, which a runner does not take
    ("pricing", "firm.pricing.list_price=199,249",
     "firm.pricing.list_price=199,249: a runner runs its own options and takes one value"),
    ("marketing_mix", "notakey", "arguments are key=value"),
    ("sensitivity", "inputs=[market_p,nonsense]", "inputs must be among"),
    ("policy_search", "trials=zero", "trials must be a number"),
    # risk's own draws (its number of input draws) has the name of the scenario's draws
    ("risk", "draws=counter", "draws must be a number, got 'counter' (draws here is this "
                              "runner's own setting; the scenario's draws is set with "
                              "++draws=counter)"),
    ("pricing", "rivals=[incumbent,monopolist]", "rivals must be among"),
    ("launch_timing", "entry_day=-5", "entry_day must be >= 0"),
    ("generation_timing", "scenario=baseline", "needs a scenario whose firm.line holds"),
    ("rollout", "scenario=baseline", "rollout needs a market with at least two regions"),
    ("launch_timing", "qick=true", "unknown key 'qick'; did you mean 'quick'? (this runner "
                                   "takes quick, seeds, out, launcher, jobs, entry_day"),
    ("team_size", "headcount=[2,4]", "did you mean 'headcounts'?"),
    ("stylized_facts", "scenario=price_war", "scenario=price_war: stylized_facts runs its own "
                                             "scenarios"),
    ("sensitivity", "n=2.5", "n must be a whole number, got '2.5'"),
    ("risk", "draws=2.5", "draws must be a whole number, got '2.5'"),
    ("policy_search", "trials=2.5", "trials must be a whole number, got '2.5'"),
    ("risk", "sample_seed=1.5", "sample_seed must be a whole number, got '1.5'"),
    # research_value on the shared command line (it printed tracebacks, ignored seed=3)
    ("research_value", "seeds=0", "seeds must be a whole number >= 1"),
    ("research_value", "seeds=abc", "seeds must be a whole number >= 1, got 'abc'"),
    ("research_value", "launcher=ray", "launcher= and jobs= do not apply"),
    ("research_value", "seed=3", "seed= is set by the runner"),
    ("research_value", "seeds=1", "seeds must be at least 2 for an interval"),
    ("research_value", "firm.pricing.list_price=-1", "list_price"),
    ("generation_timing", "horizon_days=60", "horizon_days=60 ends on or before every launch "
                                             "day this runner tries (days 90, 365, 730, 1095 "
                                             "and 1460)"),
    ("sensitivity", "n=nan", "n must be a finite number, got 'nan'"),
    ("sensitivity", "n=inf", "n must be a finite number, got 'inf'"),
    # an empty list had run the runner's default values without a word
    ("marketing_mix", "budgets=[]", "budgets lists nothing, got '[]'"),
    ("pricing", "rivals=[]", "leave rivals out for the runner's defaults"),
    ("team_size", "headcounts=[]", "headcounts lists nothing"),
    ("risk", "inputs=[]", "inputs lists nothing"),
    # the key every option sets: it was dropped without a word
    ("team_size", "firm.teams.engineering.headcount=5",
     "every option of this runner sets firm.teams.engineering.headcount"),
])
def test_runner_returns_2_with_one_line(runner, arg, words, tmp_path, capsys):
    module = importlib.import_module(f"experiments.{runner}")
    assert module.main([arg, f"out={tmp_path}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"experiments.{runner}: error: ")
    assert words in err[0]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("word", ["true", "True", "yes", "on", "1", "Y"])
def test_quick_accepts_the_usual_spellings_of_true(word):
    from experiments.common import parse_args

    assert parse_args("risk", [f"quick={word}"], {}, quick_seeds=12, seeds=200).seeds == 12


@pytest.mark.parametrize("word", ["false", "no", "off", "0"])
def test_quick_accepts_the_usual_spellings_of_false(word):
    from experiments.common import parse_args

    assert parse_args("risk", [f"quick={word}"], {}, quick_seeds=12, seeds=200).seeds == 200


@pytest.mark.parametrize(("runner", "arg", "words"), [
    ("risk", "quick=maybe", "quick must be true or false"),
    ("risk", "seed=3", "seed= is set by the runner; use seeds=N"),
    ("pricing", "replications=5", "replications= is set by the runner"),
    ("marketing_mix", "quick=2", "quick must be true or false"),
])
def test_bad_booleans_and_runner_keys_exit_2(runner, arg, words, tmp_path, capsys):
    module = importlib.import_module(f"experiments.{runner}")
    assert module.main([arg, f"out={tmp_path}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"experiments.{runner}: error: ")
    assert words in err[0]
    assert not list(tmp_path.iterdir())


def test_out_pointing_at_a_file_exits_2(tmp_path, capsys):
    module = importlib.import_module("experiments.risk")
    target = tmp_path / "a_file"
    target.write_text("keep me")
    assert module.main([f"out={target}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "out must be a directory" in err[0]
    assert target.read_text() == "keep me"


def test_a_sweep_whose_every_job_has_bad_input_exits_2_with_one_line(tmp_path, capsys,
                                                                      monkeypatch):
    """-5 fails every job's range check. experiments.risk composes the scenario itself first
    (to draw its inputs), which would refuse -5 up front (the next test), so here that
    composition is handed the scenario without the bad value; the sweeper then refuses the
    sweep before any job starts (hydra_plugins.marketsim_sweeper._precheck)."""
    module = importlib.import_module("experiments.risk")
    real = module.base_config
    monkeypatch.setattr(module, "base_config",
                        lambda opts, extra=(): real(module.parse_args("risk", [], {}), extra))
    rc = module.main(["quick=true", "seeds=2", "jobs=2", f"out={tmp_path}",
                      "firm.marketing.budget_per_week=-5"])
    assert rc == 2
    err = [ln for ln in capsys.readouterr().err.strip().splitlines()
           if ln.startswith("experiments.")]
    # 5 input draws and the nominal scenario, 2 seeds each
    assert len(err) == 1
    assert "every job of this sweep has bad input, so none of its 12 jobs was started" in err[0]
    assert "firm.marketing.budget_per_week must be >= 0, got -5" in err[0]
    assert not list((tmp_path / "sweep").glob("*/job.json"))


def test_a_sweep_whose_jobs_all_failed_is_an_error_with_status_1(tmp_path):
    """A sweep that ran and whose every job failed (a crash, not bad input): nothing to
    compare."""
    import pandas as pd

    from experiments.common import ExperimentError
    from experiments.sweep import load_kpis

    pd.DataFrame({"job": ["0", "1"], "status": ["failed", "failed"],
                  "error": ["RuntimeError: boom", "RuntimeError: boom"]}).to_parquet(
        tmp_path / "kpis.parquet", index=False)
    with pytest.raises(ExperimentError, match=r"all 2 jobs of the sweep failed \(first: "
                                              r"RuntimeError: boom\)") as info:
        load_kpis(tmp_path)
    assert info.value.code == 1


def test_a_bad_value_stops_the_risk_runner_before_any_job(tmp_path, capsys):
    module = importlib.import_module("experiments.risk")
    rc = module.main(["quick=true", f"out={tmp_path}", "firm.marketing.budget_per_week=-5"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1
    assert "firm.marketing.budget_per_week must be >= 0, got -5" in err[0]
    assert not (tmp_path / "sweep").exists()


def test_the_answer_names_the_options_the_data_do_not_separate_from_the_best():
    """``experiments.report.answer_text``: with three options or more, the options whose
    paired interval against the recommendation includes no gain follow the answer."""
    import numpy as np
    import pandas as pd

    from experiments.report import answer_text
    from sim.cli import compose

    best = [10.0, 12.0, 11.0, 13.0, 9.0]  # mean 11
    steady = [9.5, 11.5, 10.5, 12.5, 8.5]  # the runner-up: always 0.5 less, told apart
    wide = [12.0, 8.0, 13.0, 9.0, 10.0]  # mean 10.4, differences -2, 4, -2, 4, -1
    kpis = pd.DataFrame([{"option": o, "seed": s, "npv": v[s] * 1e6}
                         for o, v in (("a", best), ("b", steady), ("c", wide))
                         for s in range(5)])
    text = answer_text(kpis, compose(["horizon_days=100"]))
    assert text.startswith("**Recommendation: a**: expected NPV 500k USD more than **b**")
    assert text.endswith("Options the data do not separate from a (each one's 90% paired "
                         "interval against it includes no gain): c. Any of them may be the "
                         "best; more seeds narrow the intervals, and what the model leaves "
                         "out may decide.")
    two = answer_text(kpis[kpis["option"] != "b"], compose(["horizon_days=100"]))
    assert "Options the data do not separate" not in two  # two options: the first says it
    # the runner-up alone not told apart: the first sentence says it, no second one
    close = kpis.assign(npv=np.where(kpis["option"] == "b", kpis["npv"] + np.tile(
        [0.0, 1e6, 0.0, -1e6, 0.7e6], 3), kpis["npv"]))
    close = close[close["option"] != "c"]
    close = pd.concat([close, kpis[kpis["option"] == "c"].assign(npv=lambda d: d["npv"] - 9e6)])
    text = answer_text(close, compose(["horizon_days=100"]))
    assert "the data do not separate the two" in text
    assert "Options the data do not separate" not in text


def test_the_answer_says_which_options_ran_out_of_cash():
    """``answer_text`` carries ``trouble_note``: marketing_mix at 320k a week was 7.03M
    worse than at 80k and insolvent on day 1,085 without a word."""
    import pandas as pd

    from experiments.report import answer_text
    from sim.cli import compose

    kpis = pd.DataFrame({"option": ["low", "low", "high", "high"], "seed": [0, 1, 0, 1],
                         "npv": [1e6, 2e6, -5e6, -6e6],
                         "cash_exhausted_day": [None, None, 900.0, 920.0],
                         "insolvent_day": [None, None, 1085.0, None]})
    text = answer_text(kpis, compose(["horizon_days=100"]))
    assert text.startswith("**Recommendation: low**")
    assert text.endswith("high: short of cash in 2 of 2 runs (from day 900; discretionary "
                         "spending stopped), insolvent in 1 of 2 runs (from day 1,085). These "
                         "runs' figures are those of a firm that stopped spending or left the "
                         "market, or of a product never on sale; compare them with that in "
                         "mind.")


def test_a_users_horizon_holds_in_quick_mode():
    """quick=true used to append its own horizon after the user's overrides, so a user's
    horizon_days=300 ran at 700 days in seven runners while the report echoed 300."""
    from experiments.common import parse_args
    from experiments.options import quick_horizon

    quick = parse_args("pricing", ["quick=true"], {})
    assert quick_horizon(quick, 700) == ["horizon_days=700"]
    mine = parse_args("pricing", ["quick=true", "horizon_days=300"], {})
    assert "horizon_days=300" in mine.overrides and quick_horizon(mine, 700) == []
    assert quick_horizon(parse_args("pricing", [], {}), 700) == []  # not quick


@pytest.mark.parametrize("runner", ["launch_timing", "pricing", "marketing_mix", "team_size",
                                    "sensitivity", "policy_search", "risk", "stylized_facts"])
def test_no_runner_appends_a_quick_horizon_of_its_own(runner):
    """Each runner takes its quick horizon from quick_horizon (which yields to the user's)."""
    from pathlib import Path

    text = (Path(__file__).parents[2] / "experiments" / f"{runner}.py").read_text()
    assert "quick_horizon(opts" in text
    assert '"horizon_days=' not in text and 'f"horizon_days=' not in text


def test_a_runner_refuses_a_folder_another_runner_wrote(tmp_path, capsys):
    """pricing run into a risk run's folder replaced its report, summary and sweep and left
    the risk's draws.csv and plots beside them. The folder says whose it is; another runner
    is refused before anything is written, and the same runner may write there again."""
    from experiments.common import parse_args
    from experiments.options import RUNNER_MARK

    out = tmp_path / "risk_run"
    out.mkdir()
    (out / RUNNER_MARK).write_text("risk\n")
    (out / "draws.csv").write_text("x\n1\n")
    before = sorted(p.name for p in out.iterdir())
    module = importlib.import_module("experiments.team_size")
    assert module.main(["quick=true", f"out={out}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"experiments.team_size: error: out={out} holds the outputs of "
                   "experiments.risk; choose another out= for experiments.team_size (or "
                   "remove that folder)"]
    assert sorted(p.name for p in out.iterdir()) == before
    assert parse_args("risk", [f"out={out}"], {}).out == out  # its own folder: taken


def test_the_answer_says_which_option_leads_once_the_customers_held_count():
    """NPV within the horizon favours a (it stops before b's customers pay back); counting
    what each option's customers at the end will still pay (npv_with_customer_equity), b
    leads: the answer says so, with its paired interval. Where NPV and that agree and NPV
    is positive, nothing is added."""
    from experiments.report import answer_text

    cfg = {"currency": "USD"}  # a config.json's dict
    kpis = pd.DataFrame({"option": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
                         "npv": [-1.0e6, -1.2e6, -1.5e6, -1.6e6],
                         "npv_with_customer_equity": [-0.5e6, -0.6e6, 0.4e6, 0.6e6]})
    text = answer_text(kpis, cfg)
    assert text.startswith("**Recommendation: a**")
    assert ("**Counting the customers held at the end, best: b**: expected NPV with "
            "customer equity 1.05M USD more than **a** (90% paired interval [103k USD, "
            "2.00M USD] over 2 common seeds)") in text
    assert text.endswith("its mean 500k USD; NPV within the horizon favours a).")
    # an option it is not defined for (generations, no churn): named, nothing compared
    gap = kpis.assign(npv_with_customer_equity=[None, None, 0.4e6, 0.6e6])
    assert ("(npv_with_customer_equity) is not defined for a (a chain of generations"
            in answer_text(gap, cfg))
    kpis["npv"] = kpis["npv_with_customer_equity"] + 1e6
    assert "npv_with_customer_equity" not in answer_text(kpis, cfg)
