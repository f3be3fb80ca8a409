"""The support team staffed to its load (``sim.firm.staffing``), on its own SimPy clock:
the agents the target service level needs, hired after the team's lag, never twice for the
same gap, not while discretionary spending is stopped, and only for products still
supported; the service level it gives is the target."""

import math
from types import SimpleNamespace

import pytest

from sim.config import TeamConfig
from sim.config.operations import SupportConfig
from sim.firm.ledger import CONSTRAINED
from sim.firm.staffing import SupportStaffing
from sim.firm.support import service_level
from sim.firm.teams import Teams

LAG = 30.0


def offering(base, tickets=1.0, until=math.inf):
    return SimpleNamespace(product=SimpleNamespace(installed_base=base,
                                                   tickets_per_customer_per_year=tickets),
                           support_until=until)


def staffed(env, ledger, rec, offerings, heads=4, **cfg):
    teams = Teams(env, "f", {"support": TeamConfig(heads, 60_000.0, LAG, 0.0)}, ledger, rec)
    cfg = SupportConfig(staffing="to_load", **cfg)
    staff = SupportStaffing(env, cfg, teams, ledger, offerings)
    env.process(staff.run())
    return teams, staff, cfg


def test_it_hires_the_gap_after_the_lag_and_reaches_the_target(env, ledger, rec):
    products = [offering(52_000), offering(26_000, tickets=2.0)]  # 2,000 tickets a week
    teams, staff, cfg = staffed(env, ledger, rec, products)
    needed = math.ceil(0.9 * 2_000 / 60)  # 30 agents
    assert staff.needed() == needed
    env.run(until=LAG - 1)
    assert teams["support"].headcount == 4  # still hiring
    env.run(until=LAG + 1)
    assert teams["support"].headcount == needed
    hired = [e for e in rec.events if e[3] == "hired"]
    assert len(hired) == 1 and f"support +{needed - 4}" in hired[0][4]
    agents = teams.capacity("support")
    level = service_level(agents, 52_000 + 2 * 26_000, 1.0, cfg.tickets_per_agent_per_week)
    assert level == pytest.approx(0.9, abs=60 / 2_000)  # the target, within one agent


def test_a_growing_base_is_followed_and_a_shrinking_one_keeps_its_agents(env, ledger, rec):
    product = offering(10_000)
    teams, staff, cfg = staffed(env, ledger, rec, [product], heads=0)
    env.run(until=1)
    product.product.installed_base = 40_000
    env.run(until=cfg.staffing_review_days + LAG + 1)  # the next review hired the rest
    assert teams["support"].headcount == math.ceil(0.9 * 40_000 / 52 / 60)
    product.product.installed_base = 1_000
    env.run(until=200)
    assert teams["support"].headcount == math.ceil(0.9 * 40_000 / 52 / 60)


def test_no_hire_while_spending_is_stopped_nor_for_products_no_longer_supported(
        env, ledger, rec):
    ledger.state = CONSTRAINED
    teams, staff, _ = staffed(env, ledger, rec, [offering(52_000)])
    env.run(until=100)
    assert teams["support"].headcount == 4
    assert not [e for e in rec.events if e[3] in ("hiring_started", "hiring_frozen")]
    assert staff.needed() > 4
    staff.offerings = [offering(52_000, until=0.0)]  # support ended: no load
    assert staff.load() == 0.0 and staff.needed() == 0


def test_the_choice_is_checked():
    with pytest.raises(ValueError, match="staffing must be one of fixed, to_load; got 'more'"):
        SupportConfig(staffing="more").check("firm.support")
    with pytest.raises(ValueError, match="staffing_review_days must be > 0"):
        SupportConfig(staffing_review_days=0.0).check("firm.support")
