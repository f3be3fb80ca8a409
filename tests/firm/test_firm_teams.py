"""Exact traces of teams (docs/model.md sections 2 and 6): weekly payroll of headcount x cost
per head x 7/365, hires joining after the hiring lag and ramping up linearly, lay-offs of
the latest joiners first, hiring frozen without cash or after a kill."""

import hypothesis.strategies as st
import pytest
from hypothesis import given

from sim.config import HireConfig, TeamConfig
from sim.firm.ledger import CONSTRAINED, Ledger
from sim.firm.teams import Team, Teams

COST = 73_000.0  # per head per year: 73,000 * 7 / 365 = 1,400 per head per week


def teams_of(env, rec, ledger, **heads):
    cfgs = {name: TeamConfig(h, COST, 30.0, 20.0) for name, h in heads.items()}
    return Teams(env, "f", cfgs, ledger, rec)


def salaries(rec):
    return [(t, acct, amt) for t, _, acct, amt in rec.ledger if acct.startswith("salaries:")]


def test_payroll_posts_each_team_weekly(env, rec, ledger):
    teams = teams_of(env, rec, ledger, engineering=5, support=2)
    env.process(teams.payroll())
    env.run(until=21)  # paydays 0, 7, 14 (21 is not reached)
    expected = []
    for day in (0.0, 7.0, 14.0):
        expected += [(day, "salaries:engineering", -5 * 1400.0),
                     (day, "salaries:support", -2 * 1400.0)]
    got = salaries(rec)
    assert [g[:2] for g in got] == [e[:2] for e in expected]
    assert [g[2] for g in got] == pytest.approx([e[2] for e in expected], rel=1e-12)


def test_payroll_is_paid_up_to_the_credit_line_and_no_further(env, rec):
    ledger = Ledger(env, "f", rec, credit_line=2000.0)  # no cash, a credit line of 2,000
    teams = teams_of(env, rec, ledger, engineering=1)
    env.process(teams.payroll())
    env.run(until=15)
    assert [amt for _, _, amt in salaries(rec)] == pytest.approx([-1400.0, -600.0])
    assert ledger.cash == pytest.approx(-2000.0)
    assert ledger.unpaid == pytest.approx(800.0 + 1400.0)  # the solvency review acts on it


def test_a_hire_joins_after_the_lag_and_ramps_up(env, rec, ledger):
    teams = teams_of(env, rec, ledger, engineering=5)
    env.process(teams.plan([HireConfig(day=10.0, team="engineering", headcount=3)]))
    seen = {}

    def watch():
        for day in (39.0, 40.0, 50.0, 60.0, 70.0):
            yield env.timeout(day - env.now)
            seen[day] = (teams["engineering"].headcount, teams.capacity("engineering"))

    env.process(watch())
    env.run(until=100)
    assert [e[:5] for e in rec.events] == [
        (10.0, "f", "", "hiring_started", "engineering +3 (plan)"),
        (40.0, "f", "", "hired", "engineering +3"),  # lag 30 days
    ]
    # ramp-up 20 days: each hire counts (t - 40) / 20 until day 60
    assert seen == {39.0: (5, 5.0), 40.0: (8, 5.0), 50.0: (8, 6.5), 60.0: (8, 8.0),
                    70.0: (8, 8.0)}


def test_payroll_counts_hires_from_the_day_they_join(env, rec, ledger):
    teams = teams_of(env, rec, ledger, engineering=5)
    env.process(teams.payroll())
    env.process(teams.plan([HireConfig(day=0.0, team="engineering", headcount=3)]))
    env.run(until=36)  # joined at day 30: paydays 0..28 pay 5 heads, 35 pays 8
    heads = [round(-amt / 1400.0, 9) for _, _, amt in salaries(rec)]
    assert [t for t, _, _ in salaries(rec)] == [0.0, 7.0, 14.0, 21.0, 28.0, 35.0]
    assert heads == [5, 5, 5, 5, 5, 8]


def test_layoffs_remove_the_latest_joiners_first(env, rec, ledger):
    teams = teams_of(env, rec, ledger, engineering=5)
    env.process(teams.plan([HireConfig(day=0.0, team="engineering", headcount=3),
                            HireConfig(day=35.0, team="engineering", headcount=-2)]))
    env.run(until=40)
    kinds = [(e[0], e[3], e[4]) for e in rec.events]
    assert kinds == [(0.0, "hiring_started", "engineering +3 (plan)"),
                     (30.0, "hired", "engineering +3"),
                     (35.0, "layoff", "engineering -2 (plan)")]
    # the two who left were hires of day 30; one hire (half ramped at day 40) stays
    assert teams["engineering"].headcount == 6
    assert teams.capacity("engineering") == pytest.approx(5.0 + 10.0 / 20.0)


def test_hiring_is_frozen_without_cash(env, rec):
    ledger = Ledger(env, "f", rec)
    ledger.state = CONSTRAINED  # as the solvency review sets it
    teams = teams_of(env, rec, ledger, sales=2)
    env.process(teams.plan([HireConfig(day=5.0, team="sales", headcount=4)]))
    env.run(until=100)
    assert [(e[0], e[3], e[4]) for e in rec.events] == [
        (5.0, "hiring_frozen", "sales +4 (plan)")]
    assert teams["sales"].headcount == 2


def test_lay_off_all_stops_salaries_and_pending_hires(env, rec, ledger):
    teams = teams_of(env, rec, ledger, engineering=5, design=2)
    env.process(teams.payroll())
    env.process(teams.plan([HireConfig(day=0.0, team="engineering", headcount=3)]))

    def kill():
        yield env.timeout(10)
        teams.lay_off_all("project killed")

    env.process(kill())
    env.run(until=100)
    assert [(e[0], e[3], e[4]) for e in rec.events] == [
        (0.0, "hiring_started", "engineering +3 (plan)"),
        (10.0, "layoff", "engineering -5 (project killed)"),
        (10.0, "layoff", "design -2 (project killed)"),
    ]  # the hire decided at day 0 never joins (it would have at day 30)
    assert teams["engineering"].headcount == 0 and teams["design"].headcount == 0
    assert sorted({t for t, _, _ in salaries(rec)}) == [0.0, 7.0]  # nothing after day 10


def test_an_unknown_team_is_empty_and_costs_nothing(env, rec, ledger):
    teams = teams_of(env, rec, ledger)
    assert teams.capacity("sales") == 0.0 and teams["sales"].headcount == 0


def test_a_layoff_larger_than_the_team_says_how_many_left(env, rec, ledger):
    teams = teams_of(env, rec, ledger, design=2)
    env.process(teams.plan([HireConfig(day=7.0, team="design", headcount=-5)]))
    env.run(until=10)
    assert [(e[0], e[3], e[4]) for e in rec.events] == [
        (7.0, "layoff", "design -2 (plan, 5 planned but the team had 2)")]
    assert teams["design"].headcount == 0


@given(st.lists(st.floats(0.0, 500.0), max_size=8), st.integers(0, 5),
       st.floats(0.0, 1000.0), st.sampled_from([0.0, 7.0, 20.0, 45.5]))
def test_capacity_is_the_sum_over_members(joins, founders, t, ramp):
    """Capacity (with its shortcut when everyone is fully productive) is bit for bit the
    plain sum of each member's productivity, in joining order."""
    team = Team("eng", TeamConfig(founders, COST, 30.0, ramp))
    for day in sorted(joins):
        team.join(day, 1)
    if ramp <= 0.0:
        expected = float(len(team.joined))
    else:
        expected = sum(min(1.0, (t - j) / ramp) for j in team.joined)
    got = team.capacity(t)
    assert got == expected and type(got) is type(expected)


@given(st.lists(st.tuples(st.booleans(), st.floats(0.0, 500.0), st.integers(0, 4)),
                max_size=12), st.integers(0, 5), st.sampled_from([7.0, 20.0, 45.5]))
def test_capacity_and_pay_follow_joins_and_leaves(moves, founders, ramp):
    """The kept latest join day and weekly pay (caches) give bit for bit the plain formulas
    after any sequence of joins and leaves: capacity the sum over members, pay headcount x
    cost per head x 7/365."""
    from sim.firm.teams import _salary

    team = Team("eng", TeamConfig(founders, COST, 30.0, ramp))
    day = 0.0
    for join, step, n in moves:
        day += step
        if join:
            team.join(day, n)
        else:
            team.leave(n)
        t = day + step / 2.0
        expected = sum(min(1.0, (t - j) / ramp) for j in team.joined)
        got = team.capacity(t)
        assert got == expected and type(got) is type(expected)
        assert _salary(team) == len(team.joined) * COST * 7.0 / 365.0


@given(st.lists(st.floats(-3000.0, 3000.0), max_size=8), st.floats(0.0, 5000.0),
       st.floats(0.0, 5000.0), st.booleans())
def test_pay_all_posts_what_spend_would(amounts, cash, credit, insolvent):
    """``Ledger.pay_all`` (the weekly salaries in one call) leaves the same rows, cash and
    unpaid amount as one non-discretionary ``spend`` per payment."""
    import simpy

    from sim.firm.ledger import INSOLVENT
    from sim.recorder import Recorder

    out = []
    for batch in (True, False):
        env, rec = simpy.Environment(), Recorder()
        led = Ledger(env, "f", rec, credit_line=credit)
        led.post("financing:equity", cash)
        if insolvent:
            led.state = INSOLVENT
        payments = [(f"salaries:t{k}", a) for k, a in enumerate(amounts)]
        if batch:
            led.pay_all(payments)
        else:
            for account, amount in payments:
                led.spend(account, amount, discretionary=False)
        out.append((rec.ledger, rec.ledger_products, led.cash, led.unpaid))
    assert out[0] == out[1]


@given(st.lists(st.tuples(st.sampled_from(["eng", "ops", "new"]), st.integers(-4, 4)),
                max_size=10), st.integers(0, 5))
def test_weekly_payroll_follows_joins_leaves_and_new_teams(moves, founders):
    """The kept payroll (total and postings) is bit for bit the plain one after any joins,
    leaves and lookups of a team not configured: the sum over teams, in order, of
    headcount x cost per head x 7/365, one posting per team with pay."""
    import simpy

    from sim.firm.teams import _salary
    from sim.recorder import Recorder

    env = simpy.Environment()
    rec = Recorder()
    led = Ledger(env, "f", rec)
    led.post("financing:equity", 1e12)
    teams = Teams(env, "f", {"eng": TeamConfig(founders, COST, 30.0, 7.0),
                             "ops": TeamConfig(1, 2.0 * COST, 30.0, 7.0)}, led, rec)
    for name, n in moves:
        if n >= 0:
            teams[name].join(env.now, n)
        else:
            teams[name].leave(-n)
        plain = [len(t.joined) * t.cost_per_head_per_year * 7.0 / 365.0
                 for t in teams.teams.values()]
        assert teams.weekly_payroll() == sum(plain)
        assert [pay for _, pay in teams._weekly()[1]] == [_salary(t) for t in teams.teams.values()]
    before = len(rec.ledger)
    teams.pay_salaries()
    assert [r[2:] for r in rec.ledger[before:]] == [
        (f"salaries:{name}", -len(t.joined) * t.cost_per_head_per_year * 7.0 / 365.0)
        for name, t in teams.teams.items() if t.joined and t.cost_per_head_per_year > 0]
