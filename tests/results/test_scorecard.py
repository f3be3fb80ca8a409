"""The board scorecard (sim/results/scorecard.py, scorecard_page.py, ``marketsim report``).

Checked against what the run itself reports: the last year's NPV to date is the run's
NPV, revenue over the years adds up to the run's net revenue, the head count follows the
configured teams and hiring plan; on a sweep, the recommendation and its paired interval
are the ones computed here by hand from the jobs' KPIs.
"""

import json
import math

import numpy as np
import pytest
from scipy import stats

from sim.cli import compose
from sim.cli.report import main as report_main
from sim.results.decision import paired_interval
from sim.results.scorecard import find_runs, load_run, year_scorecard
from sim.scenario import run_scenario

HORIZON = ["horizon_days=740"]


def _write(cfg_over, seed, out, horizon=HORIZON):
    res = run_scenario(compose([*horizon, *cfg_over]).scenario(), seed=seed)
    res.write(out)
    return res


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    _write([], 0, out)
    return out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """A sweep as the launcher leaves it: job directories with ``job.json``."""
    root = tmp_path_factory.mktemp("sweep")
    job = 0
    for budget in (20000, 80000):
        for seed in (0, 1):
            over = [f"firm.marketing.budget_per_week={budget}", f"seed={seed}",
                    "horizon_days=480"]
            d = root / str(job)
            _write(over[:1], seed, d, over[2:])
            (d / "job.json").write_text(json.dumps({"overrides": over, "status": "ok",
                                                    "seed": seed}))
            job += 1
    return root


def _row(sc, key):
    return sc[sc["key"] == key].iloc[0]


def test_years_add_up_to_the_run(run_dir):
    run = load_run(run_dir)
    sc = year_scorecard(run)
    years = [c for c in sc.columns if c.startswith("Y")]
    assert years == ["Y1", "Y2", "Y3"]  # 740 days: two full years and a part
    k = run.kpis
    assert _row(sc, "npv")[years[-1]] == pytest.approx(k["npv"], rel=1e-9)
    revenue = sum(_row(sc, "revenue")[y] for y in years)
    assert revenue == pytest.approx(k["cumulative_revenue"] - k["channel_margin"], rel=1e-9)
    assert _row(sc, "cumulative_fcf")[years[-1]] == pytest.approx(k["free_cash_flow_total"])
    assert _row(sc, "installed_base")[years[-1]] == k["installed_base_final"]


def test_head_count_follows_the_configured_teams_and_hiring(run_dir):
    run = load_run(run_dir)
    sc = year_scorecard(run)
    teams = sum(t["headcount"] for t in run.config["firm"]["teams"].values())
    plan = run.config["firm"]["hiring"]  # hires land hiring_lag_days after the plan's day
    lag = {n: t["hiring_lag_days"] for n, t in run.config["firm"]["teams"].items()}
    in_y1 = sum(h["headcount"] for h in plan if h["day"] + lag[h["team"]] < 365)
    assert _row(sc, "team_size")["Y1"] == teams + in_y1
    assert _row(sc, "hires")["Y1"] == in_y1


def test_report_command_writes_one_page_and_prints_one_line(run_dir, capsys):
    assert report_main([str(run_dir)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and str(run_dir / "scorecard.md") in out[0]
    page = (run_dir / "scorecard.md").read_text()
    for heading in ("## Financial", "## Customer", "## Internal process",
                    "## Learning and growth", "## Assumptions"):
        assert heading in page
    assert "(USD)" in page  # every money row names the currency
    assert (run_dir / "scorecard.html").read_text().startswith("<!doctype html>")


def test_an_out_in_a_missing_folder_is_one_clear_error(run_dir, tmp_path, capsys):
    """It ended in a FileNotFoundError traceback with exit status 1."""
    assert report_main([str(run_dir), "--out", str(tmp_path / "nowhere" / "x.md")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0] and "nowhere" in err[0]


def test_not_a_run_directory_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    assert report_main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not" in err[0] and str(tmp_path) in err[0]
    assert report_main([str(tmp_path / "missing")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_sweep_recommendation_and_paired_interval(sweep_dir, capsys):
    runs = find_runs(sweep_dir)
    assert sorted({o for o, _, _ in runs}) == ["firm.marketing.budget_per_week=20000",
                                                "firm.marketing.budget_per_week=80000"]
    npv = {(o, s): load_run(d).kpis["npv"] for o, s, d in runs}
    a, b = "firm.marketing.budget_per_week=20000", "firm.marketing.budget_per_week=80000"
    means = {o: np.mean([npv[(o, s)] for s in (0, 1)]) for o in (a, b)}
    best, other = (a, b) if means[a] > means[b] else (b, a)
    diff = np.array([npv[(best, s)] - npv[(other, s)] for s in (0, 1)])
    half = stats.t.ppf(0.95, 1) * diff.std(ddof=1) / math.sqrt(2)
    assert report_main([str(sweep_dir)]) == 0
    page = (sweep_dir / "scorecard.md").read_text()
    first = page.splitlines()[2]
    assert first.startswith("**Recommendation:") and best in first.split("more than")[0]
    low, high = paired_interval(diff)
    assert (low, high) == pytest.approx((diff.mean() - half, diff.mean() + half))
    assert "90% paired interval" in first and "2 common seeds" in first


def test_paired_interval_closed_form():
    # differences 1, 2, 3: mean 2, sd 1, t(0.95, 2 df) = 2.919986
    low, high = paired_interval([1.0, 2.0, 3.0])
    assert (low, high) == pytest.approx((2 - 2.919986 / math.sqrt(3),
                                         2 + 2.919986 / math.sqrt(3)), rel=1e-6)
    assert all(math.isnan(v) for v in paired_interval([5.0]))


def test_quick_banner_is_stamped_on_the_figure(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plots import money_label, save

    fig, ax = plt.subplots()
    ax.set(ylabel=money_label("NPV", "EUR", "millions"))
    save(fig, tmp_path / "a.png", banner="QUICK MODE: not an answer")
    assert [t.get_text() for t in fig.texts] == ["QUICK MODE: not an answer"]
    assert ax.get_ylabel() == "NPV (millions of EUR)"
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"


def test_replications_are_one_option_averaged(run_dir, tmp_path):
    import shutil

    for k in range(2):
        shutil.copytree(run_dir, tmp_path / f"rep_{k:03d}",
                        ignore=shutil.ignore_patterns("scorecard.*"))
    runs = find_runs(tmp_path)
    assert [d.name for _, _, d in runs] == ["rep_000", "rep_001"]
    assert report_main([str(tmp_path)]) == 0
    page = (tmp_path / "scorecard.md").read_text()
    assert "seed 0;" in page  # two copies of seed 0: one seed, averaged
    assert "| Y3 (to day 740) | run |" in page  # the year the horizon cuts is named


def test_a_sweeps_jobs_of_several_replications_give_each_replication_as_a_seed(
        run_dir, tmp_path):
    """A full sweep with replications=R: each job directory holds rep_000.. (no run files
    of its own); each replication is a run of the job's option, its seed from its KPIs."""
    import shutil

    sweep = tmp_path / "sweep"
    for job, price in (("0", 230), ("1", 250)):
        for k in range(2):
            d = sweep / job / f"rep_{k:03d}"
            shutil.copytree(run_dir, d, ignore=shutil.ignore_patterns("scorecard.*"))
            kpis = json.loads((d / "kpis.json").read_text())
            kpis.update(seed=k, npv=float(price + k))
            (d / "kpis.json").write_text(json.dumps(kpis))
        (sweep / job / "job.json").write_text(json.dumps({
            "overrides": [f"firm.pricing.list_price={price}", "replications=2"],
            "status": "ok", "seed": 0}))
    runs = find_runs(sweep)
    assert [(o, s, d.relative_to(sweep).as_posix()) for o, s, d in runs] == [
        ("firm.pricing.list_price=230", 0, "0/rep_000"),
        ("firm.pricing.list_price=230", 1, "0/rep_001"),
        ("firm.pricing.list_price=250", 0, "1/rep_000"),
        ("firm.pricing.list_price=250", 1, "1/rep_001")]
    assert report_main([str(sweep)]) == 0
    page = (sweep / "scorecard.md").read_text()
    assert "**Recommendation: O2 (firm.pricing.list_price=250)**" in page
    assert "over 2 common seeds" in page


def test_a_product_lines_installed_base_is_the_sum_of_its_products(tmp_path):
    """``installed_base_final`` (beside the firm-wide shares) and the scorecard's year-end
    installed base add up the firm's products at the last step, as its timeseries holds
    them; before, the KPI was the first product's and the scorecard the last row's."""
    res = _write(["scenario=product_line"], 0, tmp_path)
    ts = res.timeseries[res.timeseries.firm == "us"]
    last = ts[ts.t == ts.t.max()]
    assert len(last) == 2 and (last.installed_base > 0).all()
    assert res.kpis["installed_base_final"] == float(last.installed_base.sum())
    sc = year_scorecard(load_run(tmp_path))
    years = [c for c in sc.columns if c.startswith("Y")]
    assert _row(sc, "installed_base")[years[-1]] == res.kpis["installed_base_final"]
    y1_end = ts[ts.t == ts.t[ts.t < 365].max()]
    assert _row(sc, "installed_base")["Y1"] == float(y1_end.installed_base.sum())


def test_a_product_on_the_market_from_the_start_has_no_launch_slip():
    """No project, no plan to slip from: the slip is none (it was the launch day minus an
    unused planned day, -420 in bass_only); a developed product keeps its slip."""
    launched = run_scenario(compose([*HORIZON, "scenario=bass_only"]).scenario(), seed=0)
    assert launched.kpis["launch_day"] == 0.0 and launched.kpis["launch_slip_days"] is None
    cfg = compose(HORIZON).scenario()
    developed = run_scenario(cfg, seed=0).kpis
    assert developed["launch_slip_days"] == (developed["launch_day"]
                                             - cfg.firm.development.planned_launch_day)


def test_directories_compared_are_named_by_what_sets_them_apart(tmp_path):
    """Two runs of the command line compared: each option is its directory and the
    overrides the other lacks (the seed left out); a directory without Hydra's record of
    its overrides keeps its name alone."""
    from sim.results.scorecard_page import directory_options

    runs = {"a": ["scenario=baseline", "seed=3"],
            "b": ["scenario=baseline", "firm.pricing.list_price=229", "seed=4"],
            "c": []}
    for name, overrides in runs.items():
        (tmp_path / name / ".hydra").mkdir(parents=True)
        (tmp_path / name / ".hydra" / "overrides.yaml").write_text(
            "".join(f"- {o}\n" for o in overrides) or "[]\n")
    (tmp_path / "d").mkdir()
    paths = [tmp_path / n for n in ("a", "b")]
    assert directory_options(paths) == ["a: no override of its own",
                                        "b: firm.pricing.list_price=229"]
    assert directory_options([*paths, tmp_path / "c", tmp_path / "d"]) == [
        "a: scenario=baseline", "b: scenario=baseline, firm.pricing.list_price=229",
        "c: the defaults", "d"]


def test_a_product_lines_acquisition_kpis_spend_what_its_first_product_spent():
    """The customer KPIs of a line are its first product's: CAC divides that product's own
    marketing and its share of the sales team (its share of the line's new customers) by
    its paid customers, not the whole line's spend."""
    res = run_scenario(compose([*HORIZON, "scenario=product_line"]).scenario(), seed=0)
    k, led, ts = res.kpis, res.ledger, res.timeseries
    mine = led[led.firm == "us"]
    own = -mine[mine.account.str.startswith("marketing") & (mine["product"] == "hub_pro")
                ].amount.sum()
    sales = -mine[mine.account == "salaries:sales"].amount.sum()
    line_new = ts[ts.firm == "us"].new_adopters.sum()
    spend = own + sales * k["new_customers"] / line_new
    assert own < k["marketing_spend"]  # the line spent more than its first product
    assert k["cac"] == pytest.approx(spend / k["paid_customers"], rel=1e-9)
    assert k["cac_blended"] == pytest.approx(spend / k["new_customers"], rel=1e-9)
    credited = k["contribution"] * k["paid_customers"] / k["new_customers"]
    assert k["marketing_roi"] == pytest.approx((credited - own) / own, rel=1e-9)


def test_a_subscription_runs_scorecard_agrees_with_its_kpis(tmp_path):
    """``marketsim report`` on a subscription run used to fail (KeyError 'paying': the
    customer functions take NumPy columns, the scorecard handed them frames). Its last
    year's subscriber share, at the run's last step, is the run's final share."""
    res = _write(["scenario=subscription_trial"], 0, tmp_path, horizon=["horizon_days=1095"])
    sc = year_scorecard(load_run(tmp_path)).set_index("key")
    assert sc.loc["unit_share", "Y3"] == pytest.approx(res.kpis["final_market_share"],
                                                       rel=1e-9)
    churn = sc.loc["churn", ["Y2", "Y3"]].to_numpy(float)
    assert ((churn > 0.0) & (churn < 1.0)).all()
    assert report_main([str(tmp_path)]) == 0


def test_runs_of_other_horizons_or_scenarios_are_compared_with_a_caution():
    """A one-year run whose product never launched was recommended over the five-year run,
    "NPV 15.17M more", without a word that they answer different questions."""
    from sim.results.scorecard_page import _frames_caution

    label = {"a": "O1", "b": "O2"}
    same = {"a": {("baseline", 1825.0, "USD")}, "b": {("baseline", 1825.0, "USD")}}
    assert _frames_caution(same, label) == ""
    other = {"a": {("baseline", 1825.0, "USD")}, "b": {("baseline", 365.0, "USD")}}
    text = _frames_caution(other, label)
    assert text.startswith("**Caution**") and "O2: baseline, 365 days, USD" in text


def test_the_run_columns_margins_are_the_runs_not_the_last_years(run_dir):
    """The run column's margins are the run's gross profit and EBITDA over its net revenue;
    they had been the KPIs of the last complete year (EBITDA +0.8% on a run that lost 82%)."""
    run = load_run(run_dir)
    sc = year_scorecard(run)
    pnl = run.pnl[run.pnl["firm"] == run.firm]  # the quarters' statements
    revenue = pnl["net_revenue"].sum()
    for key, line in (("gross_margin", "gross_profit"), ("ebitda_margin", "ebitda")):
        assert _row(sc, key)["run"] == pytest.approx(pnl[line].sum() / revenue, rel=1e-9)
    # the last complete year's margin is the KPI, and it is not the run's here
    assert _row(sc, "ebitda_margin")["Y2"] == pytest.approx(run.kpis["ebitda_margin"])
    assert _row(sc, "ebitda_margin")["run"] < run.kpis["ebitda_margin"] - 0.05


def test_a_plan_counted_from_the_start_is_the_slips_reference():
    """``planned_after_start_days`` replaces the date: a project started on day 50 with a
    plan of 300 days slips from day 350, and its start event says so."""
    cfg = compose([*HORIZON, "firm.development.start_day=50",
                   "firm.development.planned_after_start_days=300"]).scenario()
    res = run_scenario(cfg, seed=0)
    assert res.kpis["launch_slip_days"] == res.kpis["launch_day"] - 350.0
    started = res.events[res.events.kind == "project_started"]
    assert started.detail.tolist()[0] == "planned launch day 350"
