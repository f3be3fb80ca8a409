"""Exact SimPy traces of the stage-gate pipeline on a tiny fixed project."""

import numpy as np
import pytest
import simpy

from sim.config import DevelopmentConfig, GatePolicyConfig, ProductConfig, TaskConfig, TeamConfig
from sim.firm.development import Project, critical_path_days
from sim.firm.ledger import Ledger
from sim.firm.product import Product
from sim.firm.teams import Teams
from sim.recorder import Recorder

STAGES = ["concept", "design", "build", "launch"]


def tiny_tasks(max_heads=4.0):
    # effort (person-days) and fixed days; dependencies inside and across stages
    return [
        TaskConfig("brief", "concept", "design", 8, 8, 8, 2, max_heads),
        TaskConfig("spec", "design", "engineering", 40, 40, 40, 5, max_heads, 0, ["brief"]),
        TaskConfig("look", "design", "design", 12, 12, 12, 1, max_heads, 0, ["brief"]),
        TaskConfig("review", "design", "engineering", 4, 4, 4, 3, max_heads, 0, ["spec", "look"]),
        TaskConfig("core", "build", "engineering", 80, 80, 80, 10, max_heads, 0, ["review"]),
        TaskConfig("test", "build", "engineering", 20, 20, 20, 4, max_heads, 0, ["core"], True),
        TaskConfig("docs", "build", "design", 6, 6, 6, 0, max_heads),
        TaskConfig("ship", "launch", "marketing", 2, 2, 2, 7, max_heads, 0, ["test", "docs"]),
    ]


def run_project(tasks, headcount=100, gate=None, start=0.0, hold=False, planned=50.0):
    env = simpy.Environment()
    rec = Recorder()
    ledger = Ledger(env, "f", rec)
    ledger.post("financing:equity", 1e9)
    teams = Teams(env, "f", {n: TeamConfig(headcount, 1.0, 0.0, 0.0)
                             for n in ("engineering", "design", "marketing")}, ledger, rec)
    cfg = DevelopmentConfig(start_day=start, planned_launch_day=planned, stages=STAGES,
                            tasks=tasks, distribution="fixed", defects_per_person_day=0.0,
                            gate=gate or GatePolicyConfig(min_quality=0.0), roadmap=[],
                            launch_not_before_plan=hold)
    cfg.check("development")
    product = Product("f", ProductConfig(), 1)
    project = Project(env, "f", cfg, product, teams, ledger, rec, np.random.default_rng(0), None)
    env.process(project.run())
    env.run(until=10_000)
    return project, rec


def durations(tasks, heads):
    return {t.name: t.fixed_days + t.effort_mode / min(t.max_heads, heads) for t in tasks}


def test_launch_day_equals_the_critical_path():
    tasks = tiny_tasks()
    project, rec = run_project(tasks)
    assert project.state == "launched"
    expected = critical_path_days(tasks, STAGES, durations(tasks, 4.0))
    assert project.product.launch_day == pytest.approx(expected, abs=1e-9)
    # by hand: brief 2+2=4 | spec 5+10=15 (look 4) -> review 3+1 -> design ends at 23
    # core 10+20=30, test 4+5=9 -> build ends at 62 | ship 7+0.5 -> 69.5
    assert expected == pytest.approx(69.5)


def test_trace_of_starts_and_ends_is_exact():
    tasks = tiny_tasks()
    _, rec = run_project(tasks)
    got = {r["task"]: (r["start"], r["end"]) for r in rec.tasks}
    assert got == {
        "brief": (0.0, 4.0), "spec": (4.0, 19.0), "look": (4.0, 8.0), "review": (19.0, 23.0),
        "core": (23.0, 53.0), "docs": (23.0, 24.5), "test": (53.0, 62.0), "ship": (62.0, 69.5),
    }
    kinds = [e[3] for e in rec.events]
    assert kinds == ["project_started", "gate_go", "gate_go", "gate_go", "gate_go", "launch"]


@pytest.mark.parametrize("start", [0.0, 30.0])
def test_more_engineers_shorten_never_below_fixed_path(start):
    floor = critical_path_days(tiny_tasks(), STAGES, {t.name: t.fixed_days for t in tiny_tasks()})
    launch = []
    for heads in (1.0, 2.0, 4.0, 8.0, 1000.0):
        tasks = tiny_tasks(max_heads=heads)
        project, _ = run_project(tasks, headcount=100_000, start=start)
        launch.append(project.product.launch_day - start)
        assert launch[-1] == pytest.approx(critical_path_days(tasks, STAGES, durations(tasks, heads)))
    assert all(a > b for a, b in zip(launch, launch[1:], strict=False))
    assert launch[-1] >= floor
    assert launch[-1] == pytest.approx(floor, rel=0.01)


@pytest.mark.parametrize("planned", [10.0, 69.5, 120.0])
def test_a_ready_product_waits_for_the_planned_day(planned):
    project, rec = run_project(tiny_tasks(), hold=True, planned=planned)
    assert project.product.launch_day == pytest.approx(max(69.5, planned))
    held = [e for e in rec.events if e[3] == "launch_held"]
    assert (len(held) == 1) == (planned > 69.5)


def test_only_engineering_and_design_work_adds_defects():
    tasks = [TaskConfig("sell", "concept", "marketing", 50, 50, 50, 0, 4),
             TaskConfig("make", "design", "engineering", 50, 50, 50, 0, 4)]
    env = simpy.Environment()
    rec = Recorder()
    ledger = Ledger(env, "f", rec)
    teams = Teams(env, "f", {n: TeamConfig(10, 1.0, 0.0, 0.0)
                             for n in ("engineering", "marketing")}, ledger, rec)
    cfg = DevelopmentConfig(stages=["concept", "design"], tasks=tasks, distribution="fixed",
                            defects_per_person_day=2.0, roadmap=[], launch_not_before_plan=False,
                            gate=GatePolicyConfig(min_quality=0.0))
    project = Project(env, "f", cfg, Product("f", ProductConfig(), 1), teams, ledger, rec,
                      np.random.default_rng(1), None)
    proc = env.process(project.run())
    env.run(until=12.4)  # marketing's task under way (defects are drawn at a task's start)
    assert project.open_defects == 0
    env.run(until=proc)
    assert project.open_defects > 50  # Poisson(100) from the engineering task


def test_team_capacity_is_shared_between_concurrent_tasks():
    # spec and look start together on a team of 2 engineers: one head each
    tasks = tiny_tasks()
    tasks[2].team = "engineering"
    _, rec = run_project(tasks, headcount=2)
    rows = {r["task"]: r for r in rec.tasks}
    assert rows["spec"]["heads"] == pytest.approx(1.0)
    assert rows["look"]["heads"] == pytest.approx(1.0)
    assert rows["look"]["end"] - rows["look"]["start"] == pytest.approx(1 + 12 / 1.0)
    assert rows["spec"]["end"] - rows["spec"]["start"] == pytest.approx(5 + 40 / 1.0)


def test_kill_gate_stops_the_project_and_its_spending(baseline):
    import dataclasses

    from sim.scenario import run_scenario

    firm = baseline.firm
    gate = dataclasses.replace(firm.development.gate, min_market_estimate=1e12)
    dev = dataclasses.replace(firm.development, gate=gate)
    cfg = dataclasses.replace(baseline, firm=dataclasses.replace(firm, development=dev),
                              horizon_days=700.0)
    res = run_scenario(cfg, 0)
    ev = res.events[res.events.firm == "us"]
    kill = ev[ev.kind == "project_killed"]
    assert len(kill) == 1
    t_kill = float(kill.t.iloc[0])
    assert "launch" not in set(ev.kind)
    led = res.ledger[(res.ledger.firm == "us") & (res.ledger.t > t_kill)]
    project_accounts = led[led.account.str.match(r"development|marketing|production|capacity")]
    assert project_accounts.empty, project_accounts
    # its teams were laid off: no salaries after the kill's pay week
    assert led[(led.t > t_kill + 7.0) & led.account.str.startswith("salaries")].empty
    assert (ev.kind == "layoff").any()
    mine = res.timeseries[res.timeseries.firm == "us"]
    assert mine.units_sold.sum() == 0 and mine.revenue.sum() == 0


def test_recycle_then_go_improves_measured_quality():
    tasks = tiny_tasks()
    env_tasks = [t for t in tasks]
    gate = GatePolicyConfig(min_quality=0.79, max_recycles=5, recycle_effort=1.0)
    env = simpy.Environment()
    rec = Recorder()
    ledger = Ledger(env, "f", rec)
    ledger.post("financing:equity", 1e9)
    teams = Teams(env, "f", {n: TeamConfig(100, 1.0, 0.0, 0.0)
                             for n in ("engineering", "design", "marketing")}, ledger, rec)
    cfg = DevelopmentConfig(stages=STAGES, tasks=env_tasks, distribution="fixed",
                            defects_per_person_day=1.0, detection_rate_per_person_day=0.05,
                            quality_loss_per_defect=0.001, gate=gate, roadmap=[])
    product = Product("f", ProductConfig(attributes={"quality": 0.8}), 1)
    project = Project(env, "f", cfg, product, teams, ledger, rec, np.random.default_rng(3), None)
    env.process(project.run())
    env.run(until=10_000)
    kinds = [e[3] for e in rec.events]
    assert "gate_recycle" in kinds
    # every recycle re-ran the build stage's testing task and found defects
    recycled = [r for r in rec.tasks if r["recycle"] > 0]
    assert recycled and all(r["task"] == "test" for r in recycled)
    assert project.state in ("launched", "killed")


def _roadmap_with_research(aim, features, noise):
    """One feature release (+0.3) after launch, research with one study (``noise``) of a
    market whose best features level is 0.675 (ideals 0.9 and 0.6, see
    tests/firm/test_firm_research.py); returns the product's features and the events."""
    from sim.config import ReleaseConfig, ResearchConfig, StudyConfig
    from sim.firm.research import Research

    env = simpy.Environment()
    rec = Recorder()
    ledger = Ledger(env, "f", rec)
    ledger.post("financing:equity", 1e9)
    teams = Teams(env, "f", {n: TeamConfig(10, 1.0, 0.0, 0.0)
                             for n in ("engineering", "design", "marketing")}, ledger, rec)
    nan = np.nan
    research = Research(env, "f", ResearchConfig(
        studies=[StudyConfig(day=0.0, cost=1.0, duration_days=1.0, noise=noise)],
        prior_noise=0.5, aim_releases=aim),
        np.array([1000.0, 3000.0]), np.array([[1.0, 0.5, 0.2], [0.4, 1.0, 0.8]]), ledger, rec,
        np.random.default_rng(5), np.array([[nan, 0.9, nan], [nan, 0.6, nan]]),
        np.array([10.0, 5.0]))
    env.process(research.run())
    cfg = DevelopmentConfig(roadmap=[ReleaseConfig("more_features", 80.0, {"features": 0.3})])
    product = Product("f", ProductConfig(), 1)
    product.attributes[1] = features
    project = Project(env, "f", cfg, product, teams, ledger, rec, np.random.default_rng(0),
                      research)

    def after_study():
        yield env.timeout(2.0)
        yield from project.roadmap()

    env.process(after_study())
    env.run(until=1_000)
    return float(product.attributes[1]), [e[3] for e in rec.events]


def test_research_aims_a_release_at_the_estimated_best_level():
    # an exact study (noise 0): the release stops at the best level 0.675, not 0.9
    assert _roadmap_with_research(True, 0.6, 0.0)[0] == pytest.approx(0.675, abs=1e-12)
    assert _roadmap_with_research(False, 0.6, 0.0)[0] == pytest.approx(0.9, abs=1e-12)
    # already past it: the release is skipped and the product keeps its level
    features, kinds = _roadmap_with_research(True, 0.7, 0.0)
    assert features == pytest.approx(0.7) and "release_skipped" in kinds
