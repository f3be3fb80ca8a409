"""``marketsim report`` on a compact sweep (KPIs only): the options compared from the
combined table ``kpis.parquet`` (``sim.results.sweep_report``). The answer, the spread of
NPV over seeds and the means are checked against the same numbers computed here by hand."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.errors import MarketsimError
from sim.results.decision import money
from sim.results.scorecard_page import write_scorecard
from sim.results.sweep_report import option_names

# option A: NPV 10, 12, 14 (seeds 0-2); B: 11, 16, 15; one job of B failed
NPV = {("A", 0): 10e6, ("A", 1): 12e6, ("A", 2): 14e6,
       ("B", 0): 11e6, ("B", 1): 16e6, ("B", 2): 15e6}
PRICE = {"A": "230", "B": "250"}


def compact_sweep(path, fail_one=True):
    rows = []
    for (option, seed), npv in NPV.items():
        rows.append({"job": str(len(rows)), "status": "ok", "error": None,
                     "override.firm.pricing.list_price": PRICE[option],
                     "override.seed": str(seed), "override.outputs": "compact",
                     "seed": seed, "npv": npv, "cumulative_revenue": 5e7 + npv,
                     "cumulative_profit": npv - 1e6, "final_market_share": 0.2,
                     "launch_day": 420.0, "cash_min": 1e6})
    if fail_one:
        rows.append({"job": str(len(rows)), "status": "failed", "error": "bad input",
                     "override.firm.pricing.list_price": "-1", "override.seed": "3",
                     "override.outputs": "compact"})
    path.mkdir()
    pd.DataFrame(rows).to_parquet(path / "kpis.parquet", index=False)
    (path / "sweep.json").write_text(json.dumps({"jobs": []}))
    return path


def test_the_options_are_compared_from_the_kpis(tmp_path):
    sweep = compact_sweep(tmp_path / "sweep")
    page = write_scorecard([sweep]).read_text()
    # B beats A by 2M on average: differences 1, 4, 1 (M) over seeds 0-2
    diff = np.array([1.0, 4.0, 1.0])
    half = 2.919986 * diff.std(ddof=1) / np.sqrt(3)  # t(0.95, 2 df)
    cur = "currency units"  # no multirun.yaml: no currency named
    # its interval reaches below 0: no clear winner, in the bold words too
    assert ("**No clear winner: O2 (firm.pricing.list_price=250) leads on average**: "
            f"expected NPV {money(2e6, cur)} more than **O1 (firm.pricing.list_price=230)** "
            "(90% paired "
            f"interval [{money((2 - half) * 1e6, cur)}, {money((2 + half) * 1e6, cur)}] over 3 "
            "common seeds); it does worse in 0% of those seeds") in page
    assert "6 complete jobs in 2 options (1 failed: their errors are in kpis.parquet)" in page
    a = np.array([10.0, 12.0, 14.0])
    row = next(ln for ln in page.splitlines() if ln.startswith("| O1: "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:6] == ["O1: firm.pricing.list_price=230", "3", "12.00M",
                         f"{np.percentile(a, 5):.2f}M", f"{np.percentile(a, 95):.2f}M", "0.0%"]
    assert cells[6:] == ["62.00M", "11.00M", "20.0%", "420", "1.00M"]
    assert "without outputs=compact" in page
    assert (sweep / "scorecard.html").is_file()


def test_the_share_of_seeds_with_a_loss(tmp_path):
    global NPV
    saved = dict(NPV)
    NPV[("A", 1)] = -3e6
    try:
        page = write_scorecard([compact_sweep(tmp_path / "sweep", fail_one=False)]).read_text()
    finally:
        NPV = saved
    row = next(ln for ln in page.splitlines() if ln.startswith("| O1: "))
    assert "| 33.3% |" in row


def test_options_are_named_by_what_sets_them_apart():
    table = pd.DataFrame({"override.a": ["1", "1", "2"], "override.b": ["x", "x", "x"],
                          "override.seed": ["0", "1", "0"]})
    assert list(option_names(table)) == ["a=1", "a=1", "a=2"]
    assert list(option_names(table[["override.b", "override.seed"]])) == ["default"] * 3


def test_a_sweep_whose_jobs_all_failed_says_so(tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    pd.DataFrame({"job": ["0"], "status": ["failed"], "error": ["x"]}).to_parquet(
        sweep / "kpis.parquet", index=False)
    (sweep / "sweep.json").write_text("{}")
    with pytest.raises(MarketsimError, match="jobs all failed: nothing to compare"):
        write_scorecard([sweep])


def test_a_directory_without_runs_or_a_table_is_refused_as_before(tmp_path):
    with pytest.raises(MarketsimError, match="neither a marketsim run directory"):
        write_scorecard([tmp_path])


def test_a_best_option_at_the_end_of_a_numeric_grid_is_flagged():
    from sim.results.decision import edge_note

    grid = ["list_price=200", "list_price=220", "list_price=240"]
    assert "list_price=240 is the highest value swept" in edge_note(grid, grid[2])
    assert "may lie above it" in edge_note(grid, grid[2])
    assert "list_price=200 is the lowest value swept" in edge_note(grid, grid[0])
    assert "may lie below it" in edge_note(grid, grid[0])
    assert edge_note(grid, grid[1]) == ""  # an interior optimum
    # two values: each is an end, and nothing between them was tried
    two = edge_note(grid[:2], grid[1])
    assert "only two values of list_price were swept (200 and 220)" in two
    assert "may lie between them or beyond either" in two
    assert edge_note(["a=1", "b=2", "a=3"], "a=3") == ""  # not the same keys
    assert edge_note(["s=x", "s=y", "s=z"], "s=z") == ""  # not numbers
    assert edge_note(grid, None) == ""
    # a grid over two keys: each key that takes three numbers or more is looked at
    two = [f"a={a}, b={b}" for a in (1, 2, 3) for b in (10, 20, 30)]
    assert edge_note(two, "a=2, b=20") == ""
    assert edge_note(two, "a=3, b=20") == (
        "**At the edge of the grid**: a=3 is the highest value swept, so the best a may lie "
        "above it; sweep further before taking this as the answer.")
    assert edge_note(two, "a=1, b=30") == (
        "**At the edge of the grid**: a=1 is the lowest value swept, so the best a may lie "
        "below it; b=30 is the highest value swept, so the best b may lie above it; sweep "
        "further before taking this as the answer.")
    mixed = [f"a={a}, s={s}" for a in (1, 2, 3) for s in ("x", "y")]
    assert "a=3 is the highest" in edge_note(mixed, "a=3, s=x")  # s is not a number


def test_the_compact_page_flags_an_edge(tmp_path):
    global NPV, PRICE
    saved = dict(NPV), dict(PRICE)
    PRICE["C"] = "270"
    NPV.update({("C", 0): 20e6, ("C", 1): 21e6, ("C", 2): 22e6})
    try:
        page = write_scorecard([compact_sweep(tmp_path / "sweep")]).read_text()
    finally:
        NPV, PRICE = saved
    assert "**Recommendation: O3 (firm.pricing.list_price=270)**" in page
    assert "**At the edge of the grid**: firm.pricing.list_price=270 is the highest" in page


def test_a_base_configuration_that_cannot_be_summarised_is_named(tmp_path):
    sweep = compact_sweep(tmp_path / "sweep")
    (sweep / "multirun.yaml").write_text("horizon_days: ${oc.env:HORIZON}\nmarket: {}\n")
    page = write_scorecard([sweep]).read_text()
    assert "## Assumptions (the sweep's base configuration)" in page
    assert "is in multirun.yaml" in page


def test_one_common_seed_or_none_gives_no_interval_and_says_so():
    from sim.results.decision import answer_sentence, recommend

    one = pd.DataFrame({"option": ["a", "b"], "seed": [0, 0], "npv": [1e6, 2e6]})
    text = answer_sentence(recommend(one, "npv"), "NPV", money, "USD")
    assert text == ("**Recommendation: b**: NPV 1.00M USD more than **a** on their one "
                    "common seed; one seed gives no interval, so run more seeds (a seed "
                    "sweep, or replications) before deciding.")
    apart = pd.DataFrame({"option": ["a", "b"], "seed": [0, 1], "npv": [1e6, 2e6]})
    text = answer_sentence(recommend(apart, "npv"), "NPV", money, "USD")
    assert text == ("**Recommendation: b**: mean NPV 2.00M USD against 1.00M USD for **a**, "
                    "but they share no seed, so there is no paired comparison: run both on "
                    "the same seeds before deciding.")


def test_a_compact_job_of_several_replications_gives_its_seeds(tmp_path):
    """With replications=R a compact job's row is the mean over its seeds; the seeds
    themselves are in its kpis_replications.parquet, and the comparison pairs them."""
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    rows = []
    for job, option in (("0", "A"), ("1", "B")):
        reps = pd.DataFrame({"seed": [0, 1, 2], "npv": [NPV[(option, s)] for s in range(3)]})
        (sweep / job).mkdir()
        reps.to_parquet(sweep / job / "kpis_replications.parquet", index=False)
        rows.append({"job": job, "status": "ok", "override.firm.pricing.list_price":
                     PRICE[option], "override.replications": "3", "seed": 0,
                     "npv": reps["npv"].mean()})
    pd.DataFrame(rows).to_parquet(sweep / "kpis.parquet", index=False)
    (sweep / "sweep.json").write_text("{}")
    page = write_scorecard([sweep]).read_text()
    assert ("**No clear winner: O2 (firm.pricing.list_price=250) leads on average**: "
            f"expected NPV {money(2e6, 'currency units')} more than") in page
    assert "over 3 common seeds" in page
    assert "| O1: firm.pricing.list_price=230 | 3 | 12.00M |" in page


def test_options_the_data_do_not_separate_from_the_best():
    from scipy import stats

    from sim.results.decision import not_separated, tie_note

    seeds = range(5)
    best = [10.0, 12.0, 11.0, 13.0, 9.0]
    close = [10.5, 11.0, 11.2, 12.0, 9.6]  # differences -0.5, 1, -0.2, 1, -0.6
    steady = [9.0, 11.0, 10.0, 12.0, 8.0]  # always 1 less: interval [1, 1]
    far = [1.0, 2.0, 1.0, 3.0, 0.0]
    rows = [{"option": o, "seed": s, "npv": v[s]}
            for o, v in (("A", best), ("B", close), ("C", steady), ("D", far)) for s in seeds]
    data = pd.DataFrame(rows)
    diff = np.array(best) - np.array(close)
    low = diff.mean() - stats.t.ppf(0.95, 4) * diff.std(ddof=1) / np.sqrt(5)
    assert low < 0  # B's interval includes no gain
    assert not_separated(data, "npv", "A", ["A", "B", "C", "D"]) == ["B"]
    assert not_separated(data, "npv", "A", ["A", "C", "D"]) == []
    label = {"A": "O1", "B": "O2", "C": "O3", "D": "O4"}
    assert tie_note(data, ["A", "B", "C", "D"], "A", label=label) == (
        "Options the data do not separate from O1 (each one's 90% paired interval against "
        "it includes no gain): O2 (B). Any of them may be the best; more seeds narrow the "
        "intervals, and what the model leaves out may decide.")
    assert tie_note(data, ["A", "C", "D"], "A", label=label) == ""
    one_seed = data[data["seed"] == 0]  # no interval with one seed: nothing named
    assert not_separated(one_seed, "npv", "A", ["A", "B", "C", "D"]) == []


def test_options_that_give_the_same_npv_on_every_seed_are_no_recommendation():
    from sim.results.decision import answer_sentence, recommend

    same = pd.DataFrame({"option": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
                         "npv": [-4e6, -5e6, -4e6, -5e6]})
    text = answer_sentence(recommend(same, "npv"), "NPV", money, "USD")
    assert text.startswith("**No single recommendation**: a and b give the same NPV "
                           "(-4.50M USD on average) on every one of their 2 common seeds")


def test_a_sweep_without_its_table_yet_is_named_as_such(tmp_path):
    sweep = tmp_path / "sweep"
    (sweep / "0").mkdir(parents=True)
    (sweep / "sweep.json").write_text("{}")
    (sweep / "0" / "job.json").write_text(json.dumps({"status": "running"}))
    with pytest.raises(MarketsimError, match="a sweep without its combined table .* still "
                                             "running, or it was stopped"):
        write_scorecard([sweep])


def test_a_sweep_of_one_configuration_gives_its_spread_over_seeds(tmp_path):
    from scipy import stats

    sweep = tmp_path / "sweep"
    sweep.mkdir()
    npv = np.array([-2e6, 1e6, 3e6, -1e6, 4e6])
    pd.DataFrame({"job": [str(k) for k in range(5)], "status": "ok",
                  "override.seed": [str(k) for k in range(5)], "seed": range(5),
                  "npv": npv}).to_parquet(sweep / "kpis.parquet", index=False)
    (sweep / "sweep.json").write_text("{}")
    page = write_scorecard([sweep]).read_text()
    half = stats.t.ppf(0.95, 4) * npv.std(ddof=1) / np.sqrt(5)
    cur = "currency units"
    assert page.startswith("# Sweep: one configuration over its seeds (sweep)")
    assert (f"**One configuration over 5 seeds**: mean NPV {money(1e6, cur)} (90% interval "
            f"of the mean [{money(1e6 - half, cur)}, {money(1e6 + half, cur)}]); it loses "
            "money in 40% of the seeds.") in page


def test_a_table_without_seeds_is_refused_with_its_reason(tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    pd.DataFrame({"job": ["0", "1"], "status": ["ok", "ok"], "override.a": ["1", "2"],
                  "npv": [1.0, 2.0]}).to_parquet(sweep / "kpis.parquet", index=False)
    (sweep / "sweep.json").write_text("{}")
    with pytest.raises(MarketsimError, match="has no seed column"):
        write_scorecard([sweep])


def test_the_answer_says_when_every_option_loses_money():
    """Between two losing options the recommendation is the smaller loss; the sentence
    says so, and says nothing of it when the best option makes money."""
    from sim.results.decision import answer_sentence, recommend

    losing = pd.DataFrame({"option": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
                           "npv": [-2e6, -3e6, -1e6, -1.5e6]})
    text = answer_sentence(recommend(losing, "npv"), "NPV", currency="USD")
    assert text.startswith("**No clear winner: b leads on average**")  # 2 seeds: wide
    assert ("Every option loses money on average: the best's expected NPV is "
            "-1.25M USD, so not doing it (NPV 0) beats them all within this horizon (NPV "
            "counts the run's cash flows alone, nothing for the years after it") in text
    gaining = losing.assign(npv=losing["npv"] + 2e6)
    assert "loses money" not in answer_sentence(recommend(gaining, "npv"), "NPV",
                                                currency="USD")
    # the plan's NPV after tax too; not a line's NPV, whose alternative is not 0 (v1 sells
    # anyway in generation_timing)
    after = losing.rename(columns={"npv": "npv_after_tax"})
    assert answer_sentence(recommend(after, "npv_after_tax"), "NPV after tax",
                           currency="USD").endswith("will still buy, nor later sales).")
    line = losing.rename(columns={"npv": "line_npv"})
    assert "loses money" not in answer_sentence(recommend(line, "line_npv"), "line NPV",
                                                currency="USD")
    shares = losing.rename(columns={"npv": "final_market_share"})
    assert "loses money" not in answer_sentence(recommend(shares, "final_market_share"),
                                                "share", currency="USD")


def test_options_that_failed_in_every_job_are_named_before_the_answer():
    """A sweep of price 199 and 0 (0 refused in every job) compares one configuration: its
    answer first says that the other option failed and is not compared."""
    from sim.results.sweep_report import lost_options, sweep_answer, sweep_options

    table = pd.DataFrame({"job": [0, 1, 2, 3], "status": ["ok", "failed", "ok", "failed"],
                          "override.firm.pricing.list_price": ["199", "0", "199", "0"],
                          "override.seed": ["0", "0", "1", "1"], "seed": [0, 0, 1, 1],
                          "npv": [-1e6, np.nan, -2e6, np.nan],
                          "launch_day": [420.0, np.nan, 425.0, np.nan]})
    assert lost_options(table) == ["firm.pricing.list_price=0"]
    _, data, options, label = sweep_options(table)
    first, second = sweep_answer(data, options, label, "USD", lost_options(table))
    assert first == ("**1 of the sweep's 2 options failed in every job and are not "
                     "compared**: firm.pricing.list_price=0 (their errors: the kpis.parquet "
                     "error column).")
    assert second.startswith("**One configuration over 2 seeds**")
    assert lost_options(table.assign(status="ok")) == []


def test_options_whose_firm_ran_out_of_cash_or_never_launched_are_named():
    from sim.results.decision import trouble_note

    nan = np.nan
    kpis = pd.DataFrame({
        "option": ["low", "low", "high", "high", "idle", "idle"],
        "seed": [0, 1, 0, 1, 0, 1],
        "npv": [1.0, 2.0, -5.0, -6.0, -1.0, -1.0],
        "cash_exhausted_day": [nan, nan, 900.0, 920.0, nan, 300.0],
        "insolvent_day": [nan, nan, 1085.0, nan, nan, nan],
        "launch_day": [400.0, 410.0, 400.0, 400.0, nan, nan],
        "marketing_spend": [1.0, 1.0, 1.0, 1.0, 5.0, 0.0],
        "killed": [False] * 6,
    })
    note = trouble_note(kpis, ["low", "high", "idle"])
    assert "low" not in note  # nothing went wrong there
    # both said: short of cash in both runs, insolvent in one (its runs, not seeds: an
    # option that meets several rivals has seeds x rivals runs)
    assert ("high: short of cash in 2 of 2 runs (from day 900; discretionary spending "
            "stopped), insolvent in 1 of 2 runs (from day 1,085)") in note
    assert ("idle: short of cash in 1 of 2 runs (from day 300; discretionary spending "
            "stopped), not launched in 2 of 2 runs (its marketing paid in 1)") in note
    # a horizon that ends before the launch and its marketing: nothing sold, still said
    early = kpis.assign(launch_day=nan, marketing_spend=0.0, cash_exhausted_day=nan,
                        insolvent_day=nan)
    assert ("low: not launched in 2 of 2 runs (nothing sold: its NPV is the project's "
            "cost alone)") in trouble_note(early, ["low"])
    # a line whose other products sold: its first product alone did not launch
    line = early.assign(cumulative_revenue=1e6)
    assert ("low: its first product not launched in 2 of 2 runs (the line's other products "
            "sold)") in trouble_note(line, ["low"])
    assert trouble_note(kpis[kpis["option"] == "low"], ["low"]) == ""
    # a killed project is its own news, and tables without these columns say nothing
    killed = kpis.assign(killed=True, cash_exhausted_day=nan, insolvent_day=nan)
    assert trouble_note(killed, ["low", "high", "idle"]) == ""
    assert trouble_note(kpis[["option", "seed", "npv"]], ["low", "high", "idle"]) == ""


def test_the_headline_says_no_clear_winner_when_the_interval_reaches_no_gain():
    """A reader who stops at the bold words read "Recommendation: O3" where the sentence's
    last clause said the data do not separate it from the runner-up (3 seeds, +2k, -128k,
    +332k). Separated, the headline recommends; not separated, it says so."""
    from sim.results.decision import answer_sentence, recommend

    close = pd.DataFrame({"option": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2,
                          "npv": [1.0e6, 2.0e6, 1.5e6, 1.002e6, 1.872e6, 1.832e6]})
    text = answer_sentence(recommend(close, "npv"), "NPV", currency="USD")
    assert text.startswith("**No clear winner: b leads on average**: expected NPV")
    assert "the data do not separate the two" in text
    apart = close.assign(npv=close["npv"] + np.where(close["option"] == "b", 1e6, 0.0))
    text = answer_sentence(recommend(apart, "npv"), "NPV", currency="USD")
    assert text.startswith("**Recommendation: b**: expected NPV")
    assert "do not separate" not in text


def test_a_sweeps_answer_names_the_best_once_the_customers_held_count(tmp_path):
    """Every option loses money within the horizon; counting what each option's customers
    at the end will still pay, the answer names the best by npv_with_customer_equity (read
    from the combined table)."""
    from sim.results.sweep_report import sweep_answer, sweep_options

    sweep = tmp_path / "sweep"
    sweep.mkdir()
    rows = [{"job": str(k), "status": "ok", "override.firm.pricing.list_price": str(p),
             "override.seed": str(seed), "seed": seed, "npv": npv,
             "npv_with_customer_equity": npv + eq}
            for k, (p, seed, npv, eq) in enumerate(
                [(200, 0, -2e6, 1.0e6), (200, 1, -2.2e6, 1.0e6),
                 (240, 0, -1e6, 0.1e6), (240, 1, -1.1e6, 0.1e6)])]
    table = pd.DataFrame(rows)
    table.to_parquet(sweep / "kpis.parquet", index=False)
    _, data, options, label = sweep_options(table, sweep)
    text = " ".join(sweep_answer(data, options, label, "USD"))
    assert ("**Counting the customers held at the end, best: O2 (firm.pricing.list_price="
            "240)**: expected NPV with customer equity") in text
    assert "its mean -950k USD)." in text


def test_no_customer_equity_sentence_where_it_would_repeat_npv():
    """Nothing launched within 150 days: npv_with_customer_equity equals npv in every run,
    and the answer had said "No single recommendation" twice, once per KPI."""
    from sim.results.decision import answer_sentence, equity_note, recommend

    kpis = pd.DataFrame({"option": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
                         "npv": [-2e6, -2.2e6, -2e6, -2.2e6]})
    kpis["npv_with_customer_equity"] = kpis["npv"]
    ans = recommend(kpis, "npv")
    assert answer_sentence(ans, "NPV", currency="USD").startswith("**No single")
    assert equity_note(kpis, ans, "option", "USD") == ""
    kpis["npv"] = kpis["npv"] - [0.0, 0.0, 1e5, 1e5]  # b pays 100k more, ties on equity
    assert equity_note(kpis, recommend(kpis, "npv"), "option", "USD") == ""
