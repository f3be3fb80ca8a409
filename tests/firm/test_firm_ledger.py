"""Exact traces of the cash ledger (docs/model.md section 6): signed postings at the clock's
day; the credit line a real limit (nothing is paid beyond cash plus credit); discretionary
spending only from the headroom above the reserve and not at all when constrained."""

import hypothesis.strategies as st
import pytest
from hypothesis import given

from sim.firm.ledger import CONSTRAINED, INSOLVENT, Ledger


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


def test_discretionary_spending_is_cut_to_the_headroom_above_the_reserve(env, rec):
    led = make(env, rec, cash=100.0, credit=50.0)
    assert led.headroom == 150.0
    assert led.can_afford(150.0) and not led.can_afford(150.01)
    assert led.spend("marketing:tv", 200.0) == 150.0  # cut to what cash plus credit covers
    assert led.cash == -50.0 and led.headroom == 0.0
    assert led.spend("marketing:tv", 10.0) == 0.0 and not led.can_afford(0.01)
    led.post("revenue", 100.0)
    led.reserve = 60.0  # the review keeps 60 back: 40 left for discretionary spending
    assert led.spend("research", 100.0) == 40.0 and led.headroom == 60.0
    assert [r[2:] for r in rec.ledger] == [("financing:equity", 100.0), ("marketing:tv", -150.0),
                                           ("revenue", 100.0), ("research", -40.0)]


def test_the_credit_line_is_a_limit_and_what_it_cannot_pay_is_unpaid(env, rec):
    led = make(env, rec, cash=100.0, credit=50.0)
    # non-discretionary payments use the whole headroom, reserve included, and no more
    led.reserve = 1e9
    assert led.spend("salaries:engineering", 120.0, discretionary=False) == 120.0
    assert led.spend("production", 100.0, discretionary=False) == 30.0
    assert led.cash == -50.0 and led.unpaid == 70.0
    assert led.spend("production", 5.0, discretionary=False) == 0.0 and led.unpaid == 75.0
    assert led.spend("capacity", -5.0) == 0.0 and len(rec.ledger) == 3  # nothing negative
    assert rec.events == []  # the states and their events are the solvency review's


def test_constrained_or_insolvent_firms_spend_nothing_discretionary(env, rec):
    led = make(env, rec, cash=1e6)
    led.state = CONSTRAINED
    assert led.exhausted and led.spend("marketing:tv", 1.0) == 0.0 and not led.can_afford(0.0)
    assert led.spend("salaries:x", 10.0, discretionary=False) == 10.0  # obligations are paid
    led.state = INSOLVENT
    assert led.spend("salaries:x", 10.0, discretionary=False) == 0.0 and led.unpaid == 0.0
    assert led.cash == pytest.approx(1e6 - 10.0)


@given(st.lists(st.floats(-3000.0, 3000.0), max_size=8), st.floats(-2000.0, 5000.0),
       st.floats(0.0, 5000.0), st.floats(0.0, 3000.0),
       st.sampled_from(["operating", CONSTRAINED, INSOLVENT]))
def test_spend_each_posts_what_spend_would(amounts, cash, credit, reserve, state):
    """``Ledger.spend_each`` (a week's channel spends in one call) leaves the same rows, cash
    and returned amounts as one discretionary ``spend`` per payment, for a product of the
    line and for the firm; so do the amounts the compiled marketing week pays
    (``advertising_week``, from ``terms()``) booked by ``post_paid``."""
    import numpy as np
    import simpy

    from sim.kernel.advertising import advertising_week
    from sim.recorder import Recorder

    out = []
    for batch in (True, False, "compiled"):
        env, rec = simpy.Environment(), Recorder()
        led = Ledger(env, "f", rec, credit_line=credit)
        led.post("financing:equity", cash)
        led.reserve, led.state = reserve, state
        view = led.for_product("hub")
        payments = [(f"marketing:c{k}", a) for k, a in enumerate(amounts)]
        if batch == "compiled":
            c = len(amounts)
            paid = np.zeros(c)
            advertising_week(True, 0.0, np.zeros(c), np.array(amounts, dtype=float), True,
                             *view.terms(), np.zeros(c), np.zeros(c), np.ones(c), np.ones(c),
                             np.ones(c), np.zeros((1, c)), np.zeros((1, c)), np.zeros(1), 0.0,
                             paid, np.empty(c), np.empty(1), np.empty(1))
            paid = paid.tolist()
            view.post_paid([account for account, _ in payments], paid)
        elif batch:
            paid = view.spend_each(payments)
        else:
            paid = [view.spend(account, amount) for account, amount in payments]
        out.append((rec.ledger, rec.ledger_products, led.cash, led.unpaid, paid))
    assert out[0] == out[1] == out[2]
