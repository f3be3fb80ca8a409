"""Exact traces of the weekly solvency review (docs/model.md section 6.1), each on a fresh
SimPy clock: interest on the drawn credit, one event per change of cash state with a band
between exhaustion and recovery (no weekly flip-flop), layoffs when the payroll cannot be
met, insolvency when it still cannot, and a recovery that starts the count afresh."""

import pytest

from sim.config import TeamConfig
from sim.config.firm_finance import FinanceConfig
from sim.firm.ledger import CONSTRAINED, INSOLVENT, OPERATING, Ledger
from sim.firm.solvency import Solvency
from sim.firm.teams import Teams

WEEK_PAY = 1400.0  # 73,000 per head per year * 7 / 365
RATE = 0.10


def firm(env, rec, cash, credit=0.0, heads=None, working_capital=None, **finance):
    led = Ledger(env, "f", rec, credit_line=credit)
    led.post("financing:equity", cash)
    heads = heads or {"engineering": 1}
    teams = Teams(env, "f", {n: TeamConfig(h, 73_000.0, 0.0, 0.0) for n, h in heads.items()},
                  led, rec)
    exits = []
    cfg = FinanceConfig(interest_per_year=RATE, **finance)
    solv = Solvency(env, "f", cfg, led, teams, rec, on_insolvent=lambda: exits.append(env.now),
                    working_capital=working_capital)
    env.process(solv.run())
    return led, teams, solv, exits


def revenue(env, led, plan):
    """Post revenue on the given days (between paydays: day 7k + 3)."""
    def proc():
        for day, amount in sorted(plan.items()):
            yield env.timeout(day - env.now)
            led.post("revenue", amount)
    env.process(proc())


def states(rec):
    return [(e[0], e[3]) for e in rec.events]


def test_interest_is_paid_weekly_on_the_drawn_credit(env, rec):
    led, _, _, _ = firm(env, rec, cash=0.0, credit=1e6, heads={"engineering": 0})
    led.post("production", -10_000.0)  # draws 10,000 of the line
    env.run(until=15)
    paid = [(t, -a) for t, _, acct, a in rec.ledger if acct == "interest"]
    week = 10_000.0 * RATE * 7 / 365
    assert [t for t, _ in paid] == [0.0, 7.0, 14.0]
    # the interest itself is drawn from the line, so it compounds weekly
    assert [a for _, a in paid] == pytest.approx(
        [week, week * (1 + RATE * 7 / 365), week * (1 + RATE * 7 / 365) ** 2], rel=1e-12)


def test_one_event_each_way_with_a_band_between_them(env, rec):
    # reserve 4 weeks = 5,600; recovery 13 weeks = 18,200; payroll 1,400 a week
    led, _, _, _ = firm(env, rec, cash=10_000.0)
    # cash after payroll: day 0 8,600; 7 7,200; 14 5,800; 21 4,400 < 5,600: exhausted.
    # Then revenue keeps the headroom swinging between 4,400 and 17,000, inside the band:
    # nothing happens, until day 80 lifts it above 18,200.
    revenue(env, led, {24.0: 3000.0, 31.0: 1400.0, 38.0: 8000.0, 45.0: 1400.0,
                       52.0: 1400.0, 59.0: -5000.0, 66.0: 1400.0, 80.0: 30_000.0})
    seen = {}

    def watch():
        for day in (22.0, 50.0, 78.0, 85.0):
            yield env.timeout(day - env.now)
            seen[day] = (led.state, led.cash)
    env.process(watch())
    env.run(until=100)
    assert states(rec) == [(21.0, "cash_exhausted"), (84.0, "cash_recovered")]
    assert seen[22.0] == (CONSTRAINED, pytest.approx(4400.0))
    assert seen[50.0][0] == CONSTRAINED and seen[78.0][0] == CONSTRAINED
    assert seen[85.0][0] == OPERATING
    assert rec.events[0][4] == ("cash 4,400 + credit line 0 < 4 weeks of payroll and interest "
                                "(5,600): discretionary spending stops")


def test_discretionary_spending_keeps_the_reserve_and_a_week_of_output(env, rec):
    led, _, _, _ = firm(env, rec, cash=20_000.0, working_capital=lambda: 3000.0)
    env.run(until=1)  # day 0: payroll 1,400 paid, reserve 4 x 1,400 + a week's output 3,000
    assert led.reserve == pytest.approx(5600.0 + 3000.0)
    assert led.spend("marketing:tv", 50_000.0) == pytest.approx(20_000.0 - 1400.0 - 8600.0)
    # the output itself may use the whole headroom (not discretionary)
    assert led.spend("production", 8600.0, discretionary=False) == pytest.approx(8600.0)
    assert rec.events == []


def test_spending_stops_then_layoffs_then_insolvency_as_the_cash_runs_down(env, rec):
    # payroll 2,800 a week, 20,000 of cash, no revenue: reserve 4 weeks, layoffs below 2
    led, teams, _, exits = firm(env, rec, cash=20_000.0, heads={"engineering": 2})
    env.run(until=100)
    # after payroll: day 14 11,600 >= 11,200; day 21 8,800 < 11,200: exhausted. Day 42 finds
    # 3,200 < 2 x 2,800: engineering -1 (payroll 1,400). Day 56 finds 400 < 1,400: insolvent
    assert states(rec) == [(21.0, "cash_exhausted"), (42.0, "layoffs"), (56.0, "insolvent")]
    assert rec.events[1][4] == ("engineering -1 (cash 3,200 + credit line 0 < 2 weeks of "
                                "payroll and interest (5,600))")
    assert exits == [56.0] and led.cash == pytest.approx(400.0)
    assert teams.weekly_payroll() == 0.0


def test_layoffs_then_insolvency_each_one_event(env, rec):
    # 4 + 2 heads: payroll 8,400 a week; no cash, a credit line of 10,000
    led, teams, _, exits = firm(env, rec, cash=0.0, credit=10_000.0,
                                heads={"engineering": 4, "design": 2}, layoff_weeks=0.0)
    revenue(env, led, {3.0: 5000.0})
    env.run(until=60)
    # day 0: pays 8,400 (headroom 1,600 < 4 weeks): exhausted. Day 7: owes 8,400 + interest
    # on 8,400 drawn (3,400 after the revenue of day 3) > 6,600: half of each team goes,
    # then 4,200 + interest is paid. Day 14: 4,200 + interest > 2,400 after the layoffs:
    # insolvent, nothing more is paid and everybody leaves.
    assert states(rec) == [(0.0, "cash_exhausted"), (7.0, "layoffs"), (14.0, "insolvent")]
    assert rec.events[1][4].startswith("engineering -2, design -1 (payroll and interest 8,407 >")
    assert exits == [14.0] and led.state == INSOLVENT
    assert teams.weekly_payroll() == 0.0
    pay_days = sorted({t for t, _, acct, _ in rec.ledger if acct.startswith("salaries:")})
    assert pay_days == [0.0, 7.0]
    assert led.cash >= -10_000.0 - 1e-9  # never beyond the credit line
    interest_7 = 3400.0 * RATE * 7 / 365
    assert led.cash == pytest.approx(-8400.0 + 5000.0 - interest_7 - 4200.0)


def test_an_unpaid_bill_counts_as_a_missed_payment(env, rec):
    led, teams, _, exits = firm(env, rec, cash=3000.0, heads={"engineering": 2},
                                layoff_weeks=0.0)

    def bill():
        yield env.timeout(3)
        led.spend("production", 10_000.0, discretionary=False)  # pays 200 of it
    env.process(bill())
    env.run(until=10)
    # day 0: pays 2,800, 200 left < 4 weeks: exhausted. Day 7: 9,800 went unpaid: layoffs;
    # the smaller payroll (1,400) is not covered by 0 either: insolvent at once
    assert states(rec) == [(0.0, "cash_exhausted"), (7.0, "layoffs"), (7.0, "insolvent")]
    assert rec.events[1][4] == "engineering -1 (9,800 unpaid since the last review)"
    assert exits == [7.0] and led.cash == 0.0


def test_a_recovery_starts_the_layoff_count_afresh(env, rec):
    led, teams, _, exits = firm(env, rec, cash=0.0, credit=3000.0,
                                heads={"engineering": 2}, reserve_weeks=1.0, recovery_weeks=2.0,
                                layoff_weeks=0.0)
    revenue(env, led, {3.0: 2000.0, 10.0: 20_000.0})

    def bill():
        yield env.timeout(17)
        led.spend("production", 22_000.0, discretionary=False)  # more than the headroom
    env.process(bill())
    env.run(until=30)
    # day 0: pays 2,800, headroom 200 < 1 week: exhausted. Day 7: 2,800 + interest > 2,200:
    # engineering -1, then 1,400 + interest is paid. Day 14: headroom 19,395 >= 2 weeks:
    # recovered, and the crisis is over. Day 21: the bill of day 17 went partly unpaid: a new
    # crisis lays off first (not straight to insolvency); nobody is left, but the interest on
    # the drawn line cannot be paid: insolvent
    assert states(rec) == [(0.0, "cash_exhausted"), (7.0, "layoffs"), (14.0, "cash_recovered"),
                           (21.0, "cash_exhausted"), (21.0, "layoffs"), (21.0, "insolvent")]
    assert [e[4].split(" (")[0] for e in rec.events if e[3] == "layoffs"] == [
        "engineering -1", "engineering -1"]
    assert exits == [21.0] and led.cash == pytest.approx(-3000.0)


def test_what_went_unpaid_is_paid_at_the_next_review_not_forgiven(env, rec):
    """A bill the headroom could not cover is owed: the review that survives the default
    pays it first, under its own account. Until 2026-12-07 the review set the unpaid
    amount to zero and the supplier was never paid (profit and cash overstated by it)."""
    led, teams, _, exits = firm(env, rec, cash=3000.0, heads={"engineering": 2},
                                layoff_weeks=0.0)
    revenue(env, led, {5.0: 20_000.0})

    def bill():
        yield env.timeout(3)
        led.spend("production", 10_000.0, discretionary=False)  # pays 200 of it
    env.process(bill())
    env.run(until=10)
    # day 0: pays 2,800, 200 left. Day 3: 200 of the bill paid, 9,800 owed. Day 5: revenue
    # 20,000. Day 7: a missed payment: engineering -1; the 9,800 owed and the smaller
    # payroll (1,400) are paid
    assert states(rec)[1:] == [(7.0, "layoffs")] and exits == []
    production = [(t, -a) for t, _, acct, a in rec.ledger if acct == "production"]
    assert production == [(3.0, 200.0), (7.0, 9800.0)]
    assert led.cash == pytest.approx(3000.0 - 2800.0 - 10_000.0 + 20_000.0 - 1400.0)
    assert led.arrears == [] and led.unpaid == 0.0


def test_a_default_too_large_to_pay_after_the_layoffs_is_insolvency(env, rec):
    led, teams, _, exits = firm(env, rec, cash=3000.0, heads={"engineering": 2},
                                layoff_weeks=0.0)
    revenue(env, led, {5.0: 5_000.0})

    def bill():
        yield env.timeout(3)
        led.spend("production", 10_000.0, discretionary=False)
    env.process(bill())
    env.run(until=10)
    # day 7: 9,800 owed and 1,400 of payroll against 5,000 of cash: insolvent
    assert states(rec)[1:] == [(7.0, "layoffs"), (7.0, "insolvent")] and exits == [7.0]
    assert "payroll and interest 1,400 and 9,800 unpaid after the layoffs" in rec.events[2][4]


def test_a_later_default_in_a_crisis_that_can_be_paid_is_paid(env, rec):
    """Layoffs on day 0 (headroom 5,000 under 3 weeks of payroll, 8,400; one head left);
    a bill of 10,000 on day 10 finds 2,200 and leaves 7,800 owed; 20,000 comes in on day 12.
    The review of day 14 can pay the 7,800 and the week's payroll, so it does: a missed payment that the review can pay is no insolvency (it
    was, whenever the crisis had already laid people off)."""
    led, teams, _, exits = firm(env, rec, cash=5000.0, heads={"engineering": 2},
                                layoff_weeks=3.0)
    revenue(env, led, {12.0: 20_000.0})

    def bill():
        yield env.timeout(10)
        led.spend("production", 10_000.0, discretionary=False)
    env.process(bill())
    env.run(until=16)
    assert [k for _, k in states(rec)] == ["cash_exhausted", "layoffs"] and exits == []
    production = [(t, -a) for t, _, acct, a in rec.ledger if acct == "production"]
    assert production == [(10.0, 2200.0), (14.0, 7800.0)]
    assert led.arrears == [] and led.state != INSOLVENT
