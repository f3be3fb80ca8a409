"""Support and satisfaction (docs/model.md section 5): the service level is the share of
tickets the support team answers, min(1, agents x tickets per agent per week / (installed base
x tickets per customer per year / 52)); satisfaction is the logistic of the quality and
service gaps (expectation-disconfirmation, Oliver 1980). On a SimPy clock: the service level
follows the support team's productive heads as hires join and ramp up."""

import math

import pytest

from sim.config import HireConfig, SupportConfig, TeamConfig
from sim.firm.support import satisfaction, service_level
from sim.firm.teams import Teams


def test_service_level_by_hand():
    # 5,200 customers x 1 ticket a year = 100 tickets a week; 60 per agent per week
    assert service_level(1, 5200, 1.0, 60.0) == pytest.approx(0.6)
    assert service_level(1.5, 5200, 1.0, 60.0) == pytest.approx(0.9)
    assert service_level(2, 5200, 1.0, 60.0) == 1.0  # 120 answerable: capped at 1
    assert service_level(0, 0, 1.0, 60.0) == 1.0  # no customers, no tickets
    assert service_level(0, 5200, 1.0, 60.0) == 0.0


def test_satisfaction_is_the_logistic_of_the_gaps():
    cfg = SupportConfig(tickets_per_agent_per_week=60.0, target_service_level=0.9,
                        quality_weight=6.0, service_weight=3.0, baseline=1.2)
    # z = 1.2 + 6 (0.8 - 0.7) + 3 (0.6 - 0.9) = 0.9
    assert satisfaction(cfg, 0.8, 0.7, 0.6) == pytest.approx(1.0 / (1.0 + math.exp(-0.9)))
    assert satisfaction(cfg, 0.7, 0.7, 0.9) == pytest.approx(1.0 / (1.0 + math.exp(-1.2)))
    # better quality or service never lowers satisfaction; extreme gaps stay finite
    assert satisfaction(cfg, 0.9, 0.7, 0.6) > satisfaction(cfg, 0.8, 0.7, 0.6)
    assert satisfaction(cfg, 0.8, 0.7, 1.0) > satisfaction(cfg, 0.8, 0.7, 0.6)
    assert satisfaction(cfg, 100.0, 0.0, 1.0) == pytest.approx(1.0 / (1.0 + math.exp(-50.0)))
    assert 0.0 < satisfaction(cfg, -100.0, 0.0, 0.0) < 1e-21


def test_waiting_lowers_satisfaction():
    """Delays lower the evaluation of the service (Taylor 1994): z falls by
    waiting_weight x the share of recent orders that had to wait."""
    cfg = SupportConfig(quality_weight=6.0, service_weight=3.0, baseline=1.2,
                        waiting_weight=1.0)
    assert satisfaction(cfg, 0.7, 0.7, 0.9, 0.5) == pytest.approx(1.0 / (1.0 + math.exp(-0.7)))
    assert satisfaction(cfg, 0.7, 0.7, 0.9, 0.0) == satisfaction(cfg, 0.7, 0.7, 0.9)
    shares = [0.0, 0.25, 0.5, 1.0]
    values = [satisfaction(cfg, 0.8, 0.7, 0.9, w) for w in shares]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))


def test_service_level_follows_support_hires(env, rec, ledger):
    teams = Teams(env, "f", {"support": TeamConfig(1, 60_000.0, 10.0, 20.0)}, ledger, rec)
    env.process(teams.plan([HireConfig(day=0.0, team="support", headcount=1)]))
    seen = {}

    def market():  # what the market computes each step for 5,200 customers
        for day in (5.0, 10.0, 20.0, 30.0):
            yield env.timeout(day - env.now)
            seen[day] = service_level(teams.capacity("support"), 5200, 1.0, 60.0)

    env.process(market())
    env.run(until=40)
    # the hire joins at day 10 and ramps over 20 days: 1, 1, 1.5, 2 agents
    assert seen == pytest.approx({5.0: 0.6, 10.0: 0.6, 20.0: 0.9, 30.0: 1.0})
