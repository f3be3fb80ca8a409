"""Bad input on the command line: exit status 2, one line naming the key and what is
allowed, no traceback (unless HYDRA_FULL_ERROR=1), and an earlier run's files untouched.

A good run first writes into a fixed ``hydra.run.dir``; every bad command then points at
the same directory. The full list runs through ``cli_forkrun.py`` (real processes running
``sim.cli.main``, one import for all); a representative subset runs as real ``marketsim``
subprocesses; ``sim.cli.compose`` must say the same thing, and checks more cases of the
same kinds (it is what tests, benchmarks and experiments call).
"""

import os
import stat

import pytest
from cli_helpers import run_forked, run_marketsim, snapshot

from sim.cli import UserError, compose

BASE = ["horizon_days=120", "plots=false"]

# (id, overrides, fragments the message must contain: the key, then what is allowed)
BAD = [
    ("misspelt_top_key", ["horizn_days=300"], ["horizn_days", "did you mean 'horizon_days'"]),
    ("misspelt_nested_key", ["firm.pricing.list_prise=249"],
     ["firm.pricing.list_prise", "did you mean 'list_price'", "strategy"]),
    ("seed_not_a_number", ["seed=abc"], ["seed", "whole number", "'abc'"]),
    ("horizon_not_a_number", ["horizon_days=soon"], ["horizon_days", "a number", "'soon'"]),
    ("probability_above_one", ["market.segments.0.churn_return=1.5"],
     ["churn_return", "must be <= 1, got 1.5"]),
    # a whole number is echoed as it was typed, not as the float field holds it (-5.0)
    ("negative_budget", ["firm.marketing.budget_per_week=-5"],
     ["marketing.budget_per_week must be >= 0, got -5"]),
    ("zero_horizon", ["horizon_days=0"], ["horizon_days", "> 0"]),
    ("step_longer_than_horizon", ["dt_days=200"], ["dt_days", "horizon_days"]),
    ("zero_replications", ["replications=0"], ["replications", ">= 1"]),
    ("negative_seed", ["seed=-1"], ["seed", ">= 0"]),
    ("unknown_mode", ["mode=quantum"], ["mode", "aggregate, agent", "'quantum'"]),
    ("unknown_backend", ["backend=tpu"], ["backend", "cpu, cuda", "'tpu'"]),
    ("unknown_network", ["market.network.kind=lattice"],
     ["market.network.kind", "fully_mixed, small_world, heavy_tailed"]),
    ("unknown_channel_in_split", ["+firm.marketing.split.radio=0.2"],
     ["marketing.split key", "tv, online, social, search", "'radio'"]),
    ("unknown_pricing_strategy", ["firm.pricing.strategy=free"],
     ["pricing.strategy", "skimming, penetration", "'free'"]),
    ("task_depends_on_unknown_task", ["firm.development.tasks.1.depends_on=[ghost]"],
     ["depends_on", "market_requirements", "'ghost'"]),
    ("our_firm_as_incumbent", ["firm.strategy.kind=incumbent"],
     ["firm.strategy.kind", "'focal'"]),
    ("unknown_scenario", ["scenario=nope"],
     ["scenario=nope", "baseline", "price_war", "subscription_trial", "marketsim list"]),
    ("unknown_market", ["market=nope"], ["market=nope", "consumer_electronics"]),
    ("unknown_firm", ["firm=nope"], ["firm=nope", "challenger", "startup"]),
    ("unknown_competitor", ["competitor@competitors.incumbent=nope"],
     ["competitor", "nope", "price_warrior", "saas_incumbent"]),
    ("unknown_policy", ["policy=nope"], ["policy=nope", "quality_first", "test_and_shift"]),
    ("empty_value", ["seed="], ["seed", "whole number"]),
    ("no_key", ["=3"], ["'=3'", "key=value"]),
    ("unclosed_list", ["seed=[1,2"], ["'seed=[1,2'", "key=value"]),
    ("unwritable_run_dir", ["hydra.run.dir=/proc/forbidden/run"],
     ["hydra.run.dir", "/proc/forbidden/run", "writable directory"]),
    ("sweep_misspelt_key", ["-m", "horizn_days=100", "seed=0,1"],
     ["horizn_days", "did you mean 'horizon_days'"]),
    ("sweep_bad_value_every_job_shares", ["-m", "outputs=compactt", "seed=0,1,2"],
     ["every job of this sweep has bad input", "3 jobs", "outputs", "full, compact",
      "'compactt'"]),
    ("sweep_every_point_out_of_range", ["-m", "firm.pricing.list_price=-1,-2"],
     ["every job of this sweep has bad input", "job 0 (firm.pricing.list_price=-1",
      "list_price must be > 0, got -1", "job 1 (firm.pricing.list_price=-2"]),
    ("unwritable_sweep_dir", ["-m", "seed=0,1", "hydra.sweep.dir=/proc/forbidden/sweep"],
     ["hydra.sweep.dir", "/proc/forbidden/sweep", "writable directory"]),
]
# More of the same kinds, checked through sim.cli.compose only (same messages, cheaper)
MORE = [
    ("misspelt_key_appended", ["+firm.pricing.list_prise=249"],
     ["firm.pricing.list_prise", "did you mean 'list_price'"]),
    ("misspelt_list_item_key", ["market.segments.0.sise=10"],
     ["market.segments[0].sise", "did you mean 'size'"]),
    ("unknown_channel_no_plus", ["firm.marketing.split.radio=0.2"],
     ["firm.marketing.split.radio", "tv, online, social, search"]),
    ("bool_not_a_bool", ["firm.launched=maybe"], ["firm.launched", "true or false"]),
    ("group_given_a_value", ["firm.pricing=3"], ["firm.pricing", "group of settings"]),
    ("no_such_segment", ["market.segments.7.size=10"],
     ["market.segments[7]", "indices 0 to 2"]),
    ("competitor_as_focal", ["competitors.incumbent.strategy.kind=focal"],
     ["competitors.incumbent.strategy.kind", "competitor strategy"]),
    ("market_smaller_than_installed_base", ["market.segments.2.size=1000"],
     ["market.segments[2]", "initial_installed_base", "70000"]),
    ("unknown_policy_option", ["policy=qualty_first"], ["policy=qualty_first", "quality_first"]),
    ("no_equals", ["seed"], ["'seed'", "key=value"]),
    ("misspelt_group", ["polcy=quality_first"],
     ["'polcy'", "did you mean 'policy'", "config groups scenario=NAME, policy=NAME"]),
    ("list_item_not_a_group", ["firm.line=[foo]"],
     ["firm.line", "each item must be a group of settings", "'foo'"]),
    ("null_value", ["firm.pricing.list_price=null"],
     ["firm.pricing.list_price cannot be null"]),
    # one side named: "between -1e+07 and 1e+07" had suggested negative prices were fine
    ("price_too_high", ["firm.pricing.list_price=2e7"],
     ["firm.pricing.list_price must be at most 1e+07 (a price value), got 2e+07"]),
    ("price_far_below_zero", ["firm.pricing.list_price=-2e7"],
     ["firm.pricing.list_price must be at most 1e+07 in magnitude (a price value)"]),
    ("negative_discount_rate", ["discount_rate_per_year=-0.1"],
     ["discount_rate_per_year must be >= 0, got -0.1"]),
    ("percent_for_a_fraction", ["discount_rate_per_year=10"],
     ["discount_rate_per_year must be <= 2, got 10", "write 0.1 for 10%"]),
    ("misspelt_command", ["lst"], ["unknown command 'lst'", "'marketsim list'"]),
    ("rollout_without_regions", ["firm.rollout.eu=365"],
     ["firm.rollout.eu", "takes the market's regions", "this market has none"]),
    ("rollout_unknown_region", ["scenario=global_rollout", "firm.rollout.mars=30"],
     ["firm.rollout.mars", "(it has: us, eu, asia)", "+firm.rollout.REGION=DAY"]),
    # the follower ignored it, while the assumptions said it started developing that day
    ("entry_day_of_a_follower", ["competitors.follower.strategy.entry_day=900"],
     ["competitors.follower.strategy.entry_day is read only by a disruptor",
      "'fast_follower'", "got entry_day=900"]),
    ("negative_plan_after_start", ["competitors.follower.development.planned_after_start_days=-5"],
     ["competitors.follower.development.planned_after_start_days must be >= 0, got -5"]),
]
SUBPROCESS = ["misspelt_nested_key", "probability_above_one", "unwritable_run_dir"]
SAME_AS_CLI = ["seed_not_a_number", "unknown_policy", "no_key"]
CASES = {name: (args, fragments) for name, args, fragments in BAD + MORE}


def command(run_dir, args):
    """The bad overrides after a base that points at ``run_dir`` (a run.dir given by the case
    comes later and wins); cases that set horizon_days replace the base's. Sweeps go to a
    directory beside it: Hydra's sweeper writes ``multirun.yaml`` into the sweep directory
    before it composes the jobs, so a sweep with a bad value leaves that file behind."""
    flags = [a for a in args if a.startswith("-")]  # Hydra takes flags before overrides
    args = [a for a in args if not a.startswith("-")]
    keys = {a.split("=", 1)[0] for a in args}
    base = [a for a in BASE if a.split("=", 1)[0] not in keys]
    return [*flags, *base, f"hydra.run.dir={run_dir}", f"hydra.sweep.dir={run_dir}_sweep",
            *args]


def check_reported(result, fragments):
    out, err = result["stdout"], result["stderr"]
    assert result["rc"] == 2, (result["rc"], out, err)
    assert "Traceback" not in out + err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("marketsim: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    """A complete run in a fixed directory, and a snapshot of every file it wrote."""
    work = tmp_path_factory.mktemp("good")
    run_dir = work / "run"
    proc = run_marketsim([*BASE, f"hydra.run.dir={run_dir}"], cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"Outputs: {run_dir}" in proc.stdout and "npv" in proc.stdout
    # what the figures are over, and what was changed (a reader had neither)
    assert "NPV discounts the run's cash flows at 10% a year" in proc.stdout
    assert "counts nothing after the horizon" in proc.stdout
    assert "Changed from the scenario: " + " ".join(BASE) in proc.stdout
    for name in ("kpis.json", "timeseries.parquet", "events.parquet", "ledger.parquet",
                 ".hydra/overrides.yaml"):
        assert (run_dir / name).is_file(), name
    return work, run_dir, snapshot(run_dir)


@pytest.fixture(scope="module")
def forked(good_run):
    work, run_dir, _ = good_run
    cases = [(command(run_dir, args), {}) for _, args, _ in BAD]
    cases.append((command(run_dir, ["seed=-1"]), {"HYDRA_FULL_ERROR": "1"}))
    results = run_forked(cases, work / "forked")
    return dict(zip([name for name, _, _ in BAD] + ["full_error"], results, strict=True))


def test_at_least_twenty_bad_inputs():
    assert len(BAD) >= 20


@pytest.mark.parametrize("name", [name for name, _, _ in BAD])
def test_bad_input_is_one_clear_line(forked, name):
    check_reported(forked[name], CASES[name][1])


def test_full_error_shows_the_traceback(forked):
    result = forked["full_error"]
    assert result["rc"] != 0
    assert "Traceback" in result["stderr"]
    assert "seed must be >= 0" in result["stderr"]


def test_bad_inputs_leave_the_earlier_run_untouched(good_run, forked):
    _, run_dir, before = good_run
    assert snapshot(run_dir) == before  # bytes and mtimes, .hydra/ and the log included


@pytest.mark.parametrize("name", SUBPROCESS)
def test_bad_input_through_the_console_script(good_run, name):
    work, run_dir, before = good_run
    args, fragments = CASES[name]
    proc = run_marketsim(command(run_dir, args), cwd=work)
    check_reported({"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr},
                   fragments)
    assert snapshot(run_dir) == before


@pytest.mark.parametrize("name", [name for name, _, _ in MORE])
def test_more_bad_input_through_compose(name):
    args, fragments = CASES[name]
    with pytest.raises(UserError) as info:
        compose([*BASE, *args])
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("name", SAME_AS_CLI)
def test_compose_says_what_the_command_line_says(forked, name):
    args, fragments = CASES[name]
    with pytest.raises(UserError) as info:
        compose([*BASE, *args])
    message = str(info.value)
    assert "\n" not in message
    assert forked[name]["stderr"].strip() == f"marketsim: error: {message}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_run_dir(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        proc = run_marketsim([*BASE, f"hydra.run.dir={locked}/run"], cwd=tmp_path)
    finally:
        locked.chmod(stat.S_IRWXU)
    check_reported({"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr},
                   ["hydra.run.dir", "writable directory"])


def test_list_refuses_what_it_does_not_take(capsys):
    """``marketsim list foo`` used to ignore ``foo`` and list the scenarios."""
    from sim.cli.main import main

    with pytest.raises(SystemExit) as stop:
        main(["list", "foo"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == "marketsim: error: marketsim list takes nothing or 'analogies', got 'foo'"
