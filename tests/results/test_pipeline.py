"""Innovation pipeline strength (sim.results.pipeline): the rNPV formula is the expected NPV
of the stage-gate chain, checked against a Monte Carlo of the chain; which projects count."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim.cli import compose
from sim.config.development import GATE_SURVIVAL
from sim.results.pipeline import business_case, pipeline_kpis, project_rnpv
from sim.results.results import EVENT_COLUMNS
from sim.scenario import run_scenario
from sim.units import DAYS_PER_YEAR

TASK_COLUMNS = ["firm", "task", "stage", "start", "end", "recycle", "product"]


@pytest.fixture(scope="module")
def cfg():
    return compose([]).scenario()


def _events(rows=()):
    return pd.DataFrame(list(rows), columns=EVENT_COLUMNS)


def _tasks(rows=()):
    return pd.DataFrame(list(rows), columns=TASK_COLUMNS)


def _stage_costs(firm):
    """What each stage's tasks cost at their most likely effort (the default design is the
    reference design, so no effort scaling)."""
    costs = {}
    for t in firm.development.tasks:
        per_day = firm.teams[t.team].cost_per_head_per_year / DAYS_PER_YEAR
        costs[t.stage] = costs.get(t.stage, 0.0) + t.effort_mode * per_day + t.cost
    return costs


def _monte_carlo(firm, value, day, rate, n=400_000, seed=1):
    """Walk n projects through the gates: pay each stage's cost when the project gets
    there; collect the value, discounted from launch, if every gate passes and the launch
    succeeds. The mean is the project's expected NPV."""
    rng = np.random.default_rng(seed)
    dev = firm.development
    costs = _stage_costs(firm)
    alive = np.ones(n, dtype=bool)
    npv = np.zeros(n)
    for stage in dev.stages:
        npv[alive] -= costs.get(stage, 0.0)
        alive &= rng.random(n) < GATE_SURVIVAL[stage]
    alive &= rng.random(n) < dev.commercial_success
    npv[alive] += value * (1.0 + rate) ** (-(dev.planned_launch_day - day) / DAYS_PER_YEAR)
    return npv.mean(), npv.std() / np.sqrt(n)


def test_rnpv_is_the_expected_npv_of_the_gate_chain(cfg):
    firm = cfg.firm
    rate = cfg.discount_rate_per_year
    parts = _parts(firm)
    project = project_rnpv(parts, firm, _events(), _tasks(), 0.0, rate)
    value = business_case(parts, rate)
    mean, se = _monte_carlo(firm, value, 0.0, rate)
    assert project["rnpv"] == pytest.approx(mean, abs=4 * se)
    # and the chain's survival: 4/7 screened in, 1.5 of 4 launched, 59% of launches succeed
    assert project["success_probability"] == pytest.approx(0.57 * 0.78 ** 4 * 0.59)


def _parts(firm):
    from sim.firm.firm import line_parts
    return line_parts(firm)[0]


def test_passed_gates_and_finished_tasks_are_not_counted_again(cfg):
    firm = cfg.firm
    rate = cfg.discount_rate_per_year
    parts = _parts(firm)
    ev = _events([(40.0, firm.name, "hub", "gate_go", "concept: ok"),
                  (90.0, firm.name, "hub", "gate_go", "design: ok"),
                  (95.0, "rival", "hub", "gate_go", "prototype: another firm's product")])
    proto = [t for t in firm.development.tasks if t.stage == "prototype"]
    done = proto[0]
    tasks = _tasks([(firm.name, done.name, "prototype", 90.0, 150.0, 0, "hub")])
    day = 200.0
    got = project_rnpv(parts, firm, ev, tasks, day, rate)
    costs = _stage_costs(firm)
    per_day = firm.teams[done.team].cost_per_head_per_year / DAYS_PER_YEAR
    proto_left = costs["prototype"] - (done.effort_mode * per_day + done.cost)
    s = GATE_SURVIVAL
    expected_cost = (proto_left + s["prototype"] * costs["beta"]
                     + s["prototype"] * s["beta"] * costs["launch"])
    assert got["remaining_cost"] == pytest.approx(expected_cost)
    assert got["stages_ahead"] == 3
    value = business_case(parts, rate)
    success = s["prototype"] * s["beta"] * s["launch"] * firm.development.commercial_success
    disc = (1.0 + rate) ** (-(firm.development.planned_launch_day - day) / DAYS_PER_YEAR)
    assert got["rnpv"] == pytest.approx(success * value * disc - expected_cost)


def test_launched_and_killed_projects_leave_the_pipeline(cfg):
    firm = cfg.firm
    for kind in ("launch", "project_killed"):
        ev = _events([(300.0, firm.name, "hub", kind, "")])
        assert pipeline_kpis(cfg, ev, _tasks(), 299.0)["pipeline_projects"] == 1
        out = pipeline_kpis(cfg, ev, _tasks(), 300.0)
        assert out == {"pipeline_strength": 0.0, "pipeline_projects": 0}


def test_custom_stage_without_survival_cannot_be_valued(cfg):
    dev = dataclasses.replace(cfg.firm.development, stages=["concept", "pilot"],
                              tasks=[dataclasses.replace(t, stage="concept", depends_on=[])
                                     for t in cfg.firm.development.tasks[:1]])
    firm = dataclasses.replace(cfg.firm, development=dev)
    out = pipeline_kpis(dataclasses.replace(cfg, firm=firm), _events(), _tasks(), 0.0)
    assert out["pipeline_strength"] is None and out["pipeline_projects"] == 1
    given = dataclasses.replace(dev, gate_survival={"pilot": 0.5})
    firm = dataclasses.replace(cfg.firm, development=given)
    out = pipeline_kpis(dataclasses.replace(cfg, firm=firm), _events(), _tasks(), 0.0)
    assert out["pipeline_strength"] is not None


def test_business_case_value_overrides_the_planned_contribution(cfg):
    product = dataclasses.replace(cfg.firm.product, business_case_value=1e6)
    firm = dataclasses.replace(cfg.firm, product=product)
    assert business_case(_parts(firm), 0.1) == 1e6
    # the planned contribution: unit margin x capacity per week x weeks, as an annuity
    parts = _parts(cfg.firm)
    yearly = ((parts.pricing.list_price - parts.production.unit_cost)
              * parts.production.capacity_per_week * DAYS_PER_YEAR / 7.0)
    assert business_case(parts, 0.0) == pytest.approx(yearly * 5.0)


def test_bad_survival_is_refused():
    with pytest.raises(Exception, match="gate_survival.*1.5"):
        compose(["+firm.development.gate_survival.concept=1.5"])
    with pytest.raises(Exception, match="gate_survival key.*pilot"):
        compose(["+firm.development.gate_survival.pilot=0.5"])
    with pytest.raises(Exception, match="commercial_success"):
        compose(["firm.development.commercial_success=-0.1"])


def test_a_run_reports_the_pipeline_while_a_project_is_in_development():
    cfg = compose(["horizon_days=200"]).scenario()
    k = run_scenario(cfg, seed=0).kpis
    assert k["pipeline_projects"] == 1
    assert k["pipeline_rnpv.hub"] == k["pipeline_strength"] > 0.0


def test_the_printed_table_shows_the_pipeline_only_when_there_is_one():
    from sim.cli.table import format_table

    row = {"npv": 1.0, "pipeline_strength": 2.5e6, "pipeline_projects": 1}
    assert "pipeline_strength" in format_table(pd.DataFrame([row]))
    row.update(pipeline_strength=0.0, pipeline_projects=0)
    assert "pipeline_strength" not in format_table(pd.DataFrame([row]))


@pytest.mark.parametrize("day", [0.0, 25.0, 80.0])
def test_a_plan_counted_from_the_start_discounts_as_its_date_does(cfg, day):
    """A project configured to start on day 50 with a plan of 300 days from its start is
    the project planned for day 350: the same rNPV before its start (day 0, 25) and after
    it (day 80, its start event on day 50)."""
    after = dataclasses.replace(cfg.firm.development, start_day=50.0,
                                planned_after_start_days=300.0)
    dated = dataclasses.replace(cfg.firm.development, start_day=50.0,
                                planned_launch_day=350.0)
    rate = cfg.discount_rate_per_year
    ev = _events([(50.0, cfg.firm.name, "hub", "project_started", "planned launch day 350")]
                 if day > 50.0 else [])
    got = [project_rnpv(_parts(dataclasses.replace(cfg.firm, development=dev)), cfg.firm, ev,
                        _tasks(), day, rate)["rnpv"] for dev in (after, dated)]
    assert got[0] == pytest.approx(got[1], rel=1e-12)
    # and a started project's plan is its start's, not today's
    if day > 50.0:
        late = _events([(70.0, cfg.firm.name, "hub", "project_started", "")])
        moved = project_rnpv(_parts(dataclasses.replace(cfg.firm, development=after)),
                             cfg.firm, late, _tasks(), day, rate)["rnpv"]
        assert moved < got[0]
