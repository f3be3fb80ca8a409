"""Shared teams across a product line's projects: exact SimPy traces on a fresh clock.

Two projects of one task each (100 person-days of engineering, ``max_heads`` 8) share a
team of 4 engineers. Alone a project takes 100 / 4 = 25 days. With ``fixed`` shares of one
half each, both take 100 / 2 = 50 days: the second project slows the first. With
``priority`` the first takes its 25 days and the second, finding no heads, looks again
every week (days 0, 7, 14, 21, 28) and takes 25 days from day 28.
"""

import numpy as np
import pytest
import simpy

from sim.config import DevelopmentConfig, GatePolicyConfig, ProductConfig, TaskConfig, TeamConfig
from sim.config.line import AllocationConfig
from sim.firm.allocation import Allocation
from sim.firm.development import Project
from sim.firm.ledger import Ledger
from sim.firm.product import Product
from sim.firm.teams import Teams
from sim.recorder import Recorder

EFFORT, HEADS = 100.0, 4


def launch_days(names, allocation_cfg=None, values=None):
    env = simpy.Environment()
    rec = Recorder()
    ledger = Ledger(env, "f", rec)
    ledger.post("financing:equity", 1e9)
    teams = Teams(env, "f", {"engineering": TeamConfig(HEADS, 1.0, 0.0, 0.0)}, ledger, rec)
    alloc = Allocation(allocation_cfg, names) if allocation_cfg is not None else None
    projects = []
    for k, name in enumerate(names):
        task = TaskConfig("build", "build", "engineering", EFFORT, EFFORT, EFFORT, 0.0, 8.0)
        cfg = DevelopmentConfig(planned_launch_day=0.0, stages=["build"], tasks=[task],
                                distribution="fixed", defects_per_person_day=0.0,
                                gate=GatePolicyConfig(min_quality=0.0), roadmap=[])
        product = Product("f", ProductConfig(name=name), 1)
        p = Project(env, "f", cfg, product, teams, ledger.for_product(name), rec,
                    np.random.default_rng(k), None, allocation=alloc)
        if alloc is not None:
            alloc.register(p)
        if values is not None:
            p.value = lambda v=values[k]: v
        projects.append(p)
        env.process(p.run())
    env.run(until=1_000)
    return [p.product.launch_day for p in projects], rec


def test_a_project_alone_has_the_whole_team():
    days, _ = launch_days(["a"])
    assert days == [pytest.approx(EFFORT / HEADS)]
    # one project under any policy: the same
    for policy in ("priority", "fixed", "value"):
        cfg = AllocationConfig(policy=policy, shares={"a": 1.0})
        assert launch_days(["a"], cfg)[0] == [pytest.approx(EFFORT / HEADS)]


def test_fixed_shares_a_second_project_slows_the_first():
    days, _ = launch_days(["a", "b"], AllocationConfig(policy="fixed",
                                                       shares={"a": 0.5, "b": 0.5}))
    assert days == [pytest.approx(EFFORT / (HEADS / 2))] * 2


def test_fixed_shares_split_by_weight():
    days, _ = launch_days(["a", "b"], AllocationConfig(policy="fixed",
                                                       shares={"a": 3.0, "b": 1.0}))
    # a: 3 heads -> 33.3 days; b: 1 head while a runs, and keeps its 1 head (heads are
    # fixed for a task's duration) -> 100 days
    assert days == [pytest.approx(EFFORT / 3.0), pytest.approx(EFFORT / 1.0)]


def test_priority_the_second_waits_for_the_first():
    days, rec = launch_days(["a", "b"], AllocationConfig(policy="priority"))
    assert days == [pytest.approx(25.0), pytest.approx(28.0 + 25.0)]
    heads = {t["product"]: t["heads"] for t in rec.tasks}
    assert heads == {"a": pytest.approx(4.0), "b": pytest.approx(4.0)}


def test_priority_order_from_the_config():
    days, _ = launch_days(["a", "b"], AllocationConfig(policy="priority", order=["b"]))
    assert days == [pytest.approx(28.0 + 25.0), pytest.approx(25.0)]


def test_postings_carry_the_product():
    _, rec = launch_days(["a", "b"], AllocationConfig(policy="priority"))
    assert len(rec.ledger) == len(rec.ledger_products)
    assert rec.ledger_products[0] == ""  # the equity of the firm is nobody's product


def test_value_policy_splits_by_expected_value():
    days, _ = launch_days(["a", "b"], AllocationConfig(policy="value"), values=[3e5, 1e5])
    assert days == [pytest.approx(EFFORT / 3.0), pytest.approx(EFFORT / 1.0)]


def test_expected_weekly_value_is_margin_times_planned_output():
    from sim.config import PricingConfig, ProductionConfig
    from sim.firm.allocation import expected_weekly_value

    pricing = PricingConfig(list_price=200.0)
    plant = ProductionConfig(unit_cost=120.0, capacity_per_week=1000.0)
    assert expected_weekly_value(pricing, plant, False, 1e9) == pytest.approx(80.0 * 1000.0)
    # digital: the market estimate spread over a year's weeks
    assert expected_weekly_value(pricing, plant, True, 365.0) == pytest.approx(80.0 * 7.0)
