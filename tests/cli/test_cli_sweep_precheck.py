"""The sweeper's checks before a sweep starts (``hydra_plugins.marketsim_sweeper._precheck``).

Bad input in every job: the sweep is refused only where every distinct set of overrides
fails the conversion a job makes; the check goes on past a bad set to a good one, leaves a
seed's own range to its job, and gives up (the jobs report their own errors) past
``MAX_SETS`` sets. The command-line cases are in ``test_cli_bad_input.py`` and
``test_cli_sweeps.py``. A large sweep with full outputs: a hint before it starts."""

import pickle

import pytest
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode

from hydra_plugins.marketsim_sweeper import _precheck
from hydra_plugins.marketsim_sweeper._precheck import every_job_fails, refusal
from hydra_plugins.marketsim_sweeper.marketsim_sweeper import JobOverrides, base_key
from sim.cli import CONFIG_DIR
from sim.config.store import register_configs


@pytest.fixture(scope="module")
def sweep():
    """``check(jobs)``: ``every_job_fails`` on these jobs' override lists, with each
    structural set composed as the sweeper composes it."""
    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration("config", overrides=[], run_mode=RunMode.MULTIRUN)
        lines = JobOverrides(loader)
        bases = {}

        def check(jobs):
            for job in jobs:
                parsed = lines.parse(job)
                structural = tuple(o.input_line for o in parsed if not lines.is_plain_value(o))
                key = base_key(master, structural)
                if key not in bases:
                    bases[key] = pickle.dumps(loader.load_sweep_config(
                        master_config=master, sweep_overrides=list(structural)))
            return every_job_fails(lines, master, bases, list(enumerate(jobs)), base_key)

        yield check


def test_a_bad_value_every_job_shares_fails_every_job(sweep):
    jobs = [[f"seed={k}", "outputs=compactt"] for k in range(50)]
    failures = sweep(jobs)
    # the seeds are one set: checked once
    assert failures == [(0, ["seed=0", "outputs=compactt"],
                         "outputs must be one of full, compact; got 'compactt'")]
    assert refusal(failures, 50) == (
        "every job of this sweep has bad input, so none of its 50 jobs was started: "
        "outputs must be one of full, compact; got 'compactt'")


def test_a_good_set_after_bad_ones_lets_the_sweep_run(sweep):
    bad = [["firm.pricing.list_price=-1"], ["firm.pricing.list_price=-2"]]
    assert [num for num, _, _ in sweep(bad)] == [0, 1]
    assert sweep([*bad, ["firm.pricing.list_price=230"]]) is None
    assert sweep([["firm.pricing.list_price=230"], *bad]) is None


def test_structural_sets_are_checked_each(sweep):
    jobs = [["scenario=baseline", "firm.marketing.budget_per_week=-5"],
            ["scenario=price_war", "firm.marketing.budget_per_week=-5"]]
    failures = sweep(jobs)
    assert [num for num, _, _ in failures] == [0, 1]
    assert len({m for _, _, m in failures}) == 1  # one message: said once
    assert refusal(failures, 2).endswith(
        "so none of its 2 jobs was started: firm.marketing.budget_per_week must be >= 0, "
        "got -5")
    assert sweep([*jobs, ["scenario=price_war"]]) is None


def test_a_bad_seed_is_left_to_its_job(sweep):
    assert sweep([["seed=-1"], ["seed=-2"]]) is None


def test_past_max_sets_the_jobs_report_their_own_errors(sweep, monkeypatch):
    jobs = [[f"firm.pricing.list_price={-k}"] for k in range(1, 6)]
    assert len(sweep(jobs)) == 5
    monkeypatch.setattr(_precheck, "MAX_SETS", 4)
    assert sweep(jobs) is None


def test_the_refusal_names_at_most_three_jobs_by_what_sets_them_apart():
    failures = [(k, ["plots=false", f"firm.pricing.list_price={-k}"],
                 f"firm.pricing.list_price must be > 0, got {-k}") for k in range(1, 6)]
    text = refusal(failures, 5)
    assert text.startswith("every job of this sweep has bad input, so none of its 5 jobs "
                           "was started: job 1 (firm.pricing.list_price=-1): "
                           "firm.pricing.list_price must be > 0, got -1; job 2 ")
    assert "job 4" not in text and text.endswith("; and 2 more sets of overrides")
    assert "plots=false" not in text


def test_a_large_sweep_with_full_outputs_gets_a_hint():
    from omegaconf import OmegaConf

    from hydra_plugins.marketsim_sweeper._precheck import LARGE_SWEEP, full_outputs_hint

    master = OmegaConf.create({"outputs": "full", "plots": True})
    jobs = [(k, [f"seed={k}"]) for k in range(LARGE_SWEEP)]
    assert full_outputs_hint(master, jobs) == (
        "[marketsim] 1,000 jobs with full outputs: each writes all its tables and plots; to "
        "write only each job's KPIs (and the combined table), add outputs=compact "
        "(docs/sweeps.md)")
    assert "all its tables;" in full_outputs_hint(
        OmegaConf.create({"outputs": "full", "plots": False}), jobs)
    assert full_outputs_hint(master, jobs[:-1]) is None  # a smaller sweep
    assert full_outputs_hint(OmegaConf.create({"outputs": "compact", "plots": True}),
                             jobs) is None
    assert full_outputs_hint(master, [(k, [*job, "outputs=compact"])
                                      for k, job in jobs]) is None
