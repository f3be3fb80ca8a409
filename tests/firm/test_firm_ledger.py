"""Exact traces of the cash ledger (docs/model.md section 6): signed postings at the clock's
day, discretionary spending cut to cash plus credit, exhaustion and recovery events."""

import pytest

from sim.firm.ledger import Ledger


def make(env, rec, cash=0.0, credit=0.0):
    led = Ledger(env, "f", rec, credit_line=credit)
    led.post("financing:equity", cash)
    return led


def test_postings_carry_the_day_sign_and_account(env, rec):
    led = make(env, rec, cash=1000.0)

    def business():
        yield env.timeout(7)
        led.post("revenue", 250.0)
        yield env.timeout(3.5)
        led.spend("research", 400.0)
        led.post("revenue", 0.0)  # a zero movement is not a posting

    env.process(business())
    env.run(until=100)
    assert rec.ledger == [(0.0, "f", "financing:equity", 1000.0), (7.0, "f", "revenue", 250.0),
                          (10.5, "f", "research", -400.0)]
    assert led.cash == 850.0 == sum(r[3] for r in rec.ledger)  # cash lives nowhere else
    assert rec.events == []


def test_discretionary_spending_is_cut_to_cash_plus_credit(env, rec):
    led = make(env, rec, cash=100.0, credit=50.0)
    assert led.can_afford(150.0) and not led.can_afford(150.01)
    assert led.spend("marketing:tv", 200.0) == 150.0  # cut to what cash plus credit covers
    assert led.cash == -50.0
    # cash plus credit is exactly 0: nothing more is paid, but the firm is not exhausted
    # (discretionary spending alone never exhausts it)
    assert not led.exhausted and led.spend("marketing:tv", 10.0) == 0.0
    assert not led.can_afford(0.01)
    assert [r[2:] for r in rec.ledger] == [("financing:equity", 100.0), ("marketing:tv", -150.0)]
    assert rec.events == []


def test_salaries_exhaust_the_firm_and_revenue_recovers_it(env, rec):
    led = make(env, rec, cash=100.0, credit=50.0)

    def business():
        yield env.timeout(7)
        assert led.spend("salaries:engineering", 300.0, discretionary=False) == 300.0
        # cash -200 + credit 50 < 0: exhausted, discretionary spending stops entirely
        assert led.exhausted and led.spend("research", 1.0) == 0.0
        yield env.timeout(7)
        led.post("revenue", 150.0)  # -50 + 50 = 0: not yet recovered (needs > 0)
        assert led.exhausted
        yield env.timeout(7)
        led.post("revenue", 0.01)
        assert not led.exhausted and led.can_afford(0.005)

    proc = env.process(business())
    env.run(until=proc)
    assert [e[:4] for e in rec.events] == [(7.0, "f", "", "cash_exhausted"),
                                           (21.0, "f", "", "cash_recovered")]
    assert rec.events[0][4] == "cash -200 after salaries:engineering"
    assert led.cash == pytest.approx(-49.99)


def test_non_discretionary_payments_are_made_in_full_without_cash(env, rec):
    led = make(env, rec)
    assert led.spend("production", 500.0, discretionary=False) == 500.0
    assert led.spend("production", 500.0, discretionary=False) == 500.0
    assert led.cash == -1000.0
    # one exhaustion event, not one per posting
    assert [e[3] for e in rec.events] == ["cash_exhausted"]
    assert led.spend("capacity", -5.0) == 0.0 and len(rec.ledger) == 2  # nothing negative
