"""Exact books of one step's sales (docs/model.md sections 1.4, 4 and 9): durables pay price x
shipped; subscriptions pay price x paying subscribers x dt / (365/12) and cost unit cost per
paying subscriber-month; free-trial subscribers pay nothing and 1 - trial_conversion of
each cohort leaves at the trial's end; each distribution channel's margin is booked
against the revenue it carried."""

import math

import numpy as np
import pytest

from sim.config import (
    DistributionChannelConfig,
    DistributionConfig,
    PricingConfig,
    ProductConfig,
    ProductionConfig,
    SegmentConfig,
    TeamConfig,
)
from sim.firm.accounting import SalesAccounting
from sim.firm.distribution import Distribution
from sim.firm.product import Product
from sim.firm.production import Production
from sim.firm.teams import Teams

SEGMENTS = [SegmentConfig(name="home", size=1000, channel_use={"retail": 0.5}),
            SegmentConfig(name="office", size=3000, channel_use={"retail": 1.0,
                                                                  "partners": 0.5})]
NAMES = ["home", "office"]
MONTH = 365.0 / 12.0


def books(env, rec, ledger, kind="durable", channels=None, pricing=None, unit_cost=10.0):
    product = Product("f", ProductConfig(kind=kind), 2)
    product.launched, product.price = True, 100.0
    production = Production(env, "f", ProductionConfig(unit_cost=unit_cost), product, ledger,
                            rec)
    teams = Teams(env, "f", {"sales": TeamConfig(0, 1.0, 0.0, 0.0)}, ledger, rec)
    dist = Distribution("f", DistributionConfig(channels=channels or {}), SEGMENTS, teams)
    acct = SalesAccounting(env, "f", pricing or PricingConfig(), product, production, dist,
                           ledger, rec)
    return acct, product


def postings(rec):
    return [(t, a, amt) for t, _, a, amt in rec.ledger if a != "financing:equity"]


def test_durables_pay_on_shipment_and_channels_take_their_margin(env, rec, ledger):
    chans = {"retail": DistributionChannelConfig(initial=0.4, build_per_week=0.0, margin=0.3),
             "partners": DistributionChannelConfig(initial_by_segment={"office": 0.2},
                                                   build_per_week=0.0, margin=0.1)}
    acct, _ = books(env, rec, ledger, channels=chans)
    revenue = acct.bill(0.0, 7.0, new=8, active=8, shipped=10.0,
                        units_by_segment=np.array([3.0, 1.0]),
                        active_by_segment=np.array([6, 2]), segment_names=NAMES)
    assert revenue == 1000.0
    # orders 3:1 -> 750 home (retail only), 250 office (retail 0.4 : partners 0.1)
    got = postings(rec)
    assert [g[:2] for g in got] == [(0.0, "revenue"), (0.0, "channel_margin:retail"),
                                    (0.0, "channel_margin:partners")]
    assert [g[2] for g in got] == pytest.approx([1000.0, -0.3 * 950.0, -0.1 * 50.0])
    rows = {(r["channel"], r["segment"]): [r["revenue"], r["margin"]] for r in rec.distribution}
    assert list(rows) == [("retail", "home"), ("partners", "home"), ("retail", "office"),
                          ("partners", "office")]
    assert np.array(list(rows.values())) == pytest.approx(
        np.array([[750.0, 225.0], [0.0, 0.0], [200.0, 60.0], [50.0, 5.0]]))


def test_without_channels_revenue_is_gross_and_unsplit(env, rec, ledger):
    acct, _ = books(env, rec, ledger)
    acct.bill(0.0, 7.0, 5, 5, 4.0, np.array([4.0, 0.0]), np.array([5, 0]), NAMES)
    assert postings(rec) == [(0.0, "revenue", 400.0)] and rec.distribution == []


def test_subscriptions_bill_paying_subscribers_and_trials_pay_nothing(env, rec, ledger):
    """A 14-day trial: the day-0 step's subscribers joined during it (day 3.5 on average),
    so their trial ends on day 17.5, inside the step from day 14: in trial on days 0 and 7,
    and on day 14 its converters (12) pay for the 3.5 days after the end; every active
    subscriber is served."""
    pricing = PricingConfig(list_price=100.0, free_trial_days=14.0, trial_conversion=0.6)
    acct, product = books(env, rec, ledger, kind="subscription", pricing=pricing)

    def market():  # steps on days 0, 7, 14: 20 new subscribers on day 0, 100 active
        for _ in range(3):
            product.installed_base = 100
            churn = acct.trial_churn(7.0)  # asked before the kernel step, as the market does
            acct.bill(env.now, 7.0, 20 if env.now == 0 else 0, 100, 0.0,
                      np.array([0.0, 0.0]), np.array([100, 0]), NAMES)
            seen.append((env.now, churn, product.in_trial))
            yield env.timeout(7.0)

    seen = []
    env.process(market())
    env.run(until=30)
    # the day-0 cohort is in trial on days 0 and 7 (80 pay); on day 14 its 12 converters
    # are trialists for half the step
    assert [s[2] for s in seen] == pytest.approx([20.0, 20.0, 6.0])
    rev = [a for t, acct_, a in postings(rec) if acct_ == "revenue"]
    assert rev == pytest.approx([80 * 100.0 * 7 / MONTH] * 2 + [94 * 100.0 * 7 / MONTH])
    # every active subscriber is served, trialists included
    serving = [-a for t, acct_, a in postings(rec) if acct_ == "production"]
    assert serving == pytest.approx([100 * 10.0 * 7 / MONTH] * 3)
    # the trial ends in the step from day 14: over it 40% of the cohort (8 of 100) leave,
    # in expectation: 1 - exp(-h 7) = 0.08
    assert [s[1] for s in seen[:2]] == [0.0, 0.0]
    assert seen[2][1] == pytest.approx(-math.log(1.0 - 0.08) / 7.0, rel=1e-12)


def test_trials_convert_on_experienced_satisfaction(env, rec, ledger):
    """At the satisfaction baseline the configured share converts; a product that pleases
    more converts more, one that disappoints converts less (sim.firm.support)."""
    from sim.config import SupportConfig
    from sim.firm.support import satisfaction, trial_conversion

    support = SupportConfig()
    at_base = satisfaction(support, 0.7, 0.7, support.target_service_level)
    assert trial_conversion(0.6, at_base, support.baseline) == pytest.approx(0.6, rel=1e-12)
    better = satisfaction(support, 0.9, 0.7, support.target_service_level)
    worse = satisfaction(support, 0.5, 0.7, support.target_service_level)
    # log-odds move by the satisfaction index: quality_weight x the quality gap
    hi = trial_conversion(0.6, better, support.baseline)
    lo = trial_conversion(0.6, worse, support.baseline)
    assert math.log(hi / (1 - hi)) - math.log(0.6 / 0.4) == pytest.approx(6.0 * 0.2, rel=1e-9)
    assert lo < 0.6 < hi
    assert trial_conversion(0.0, better, support.baseline) == 0.0
    assert trial_conversion(1.0, worse, support.baseline) == 1.0
    pricing = PricingConfig(list_price=100.0, free_trial_days=14.0, trial_conversion=0.6)
    acct, product = books(env, rec, ledger, kind="subscription", pricing=pricing)
    acct.support_cfg = support
    product.installed_base, product.satisfaction = 100, worse
    acct.trial_cohorts = [[3.0, 20, None]]
    leave_worse = acct.trial_churn(7.0)
    product.satisfaction = better
    acct.trial_cohorts = [[3.0, 20, None]]
    assert acct.trial_churn(7.0) < leave_worse
    assert 1 - math.exp(-leave_worse * 7.0) == pytest.approx((1 - lo) * 20 / 100, rel=1e-12)


def test_a_trial_ending_mid_step_bills_its_converters_from_its_end(env, rec, ledger):
    """A 10-day trial, weekly steps: 20 subscribers join in the step from day 0 (day 3.5 on
    average) and their trial ends on day 13.5, inside the step from day 7. That step's churn
    takes the 8 who do not convert (active 100 -> 92 by the bill); the 12 converters are
    trialists for 6.5 of its 7 days and pay for the last half day. (Before: the whole
    cohort of 20 counted as trialists in that step, the 8 leavers taken off the paying base
    a second time, and the converters paid from day 14.)"""
    pricing = PricingConfig(list_price=100.0, free_trial_days=10.0, trial_conversion=0.6)
    acct, product = books(env, rec, ledger, kind="subscription", pricing=pricing)
    seen = []

    def market():
        for active in (100, 92, 92):
            product.installed_base = 100 if env.now == 0 else 92
            churn = acct.trial_churn(7.0)
            acct.bill(env.now, 7.0, 20 if env.now == 0 else 0, active, 0.0,
                      np.array([0.0, 0.0]), np.array([active, 0]), NAMES)
            seen.append((env.now, churn, product.in_trial))
            yield env.timeout(7.0)

    env.process(market())
    env.run(until=20)
    assert seen[0][1] == 0.0 and seen[2][1] == 0.0
    assert 1 - math.exp(-seen[1][1] * 7.0) == pytest.approx(8 / 92, rel=1e-12)
    assert [s[2] for s in seen] == pytest.approx([20.0, 12 * 6.5 / 7, 0.0])
    rev = [a for t, acct_, a in postings(rec) if acct_ == "revenue"]
    assert rev == pytest.approx([80 * 100.0 * 7 / MONTH,
                                 (92 - 12 * 6.5 / 7) * 100.0 * 7 / MONTH,
                                 92 * 100.0 * 7 / MONTH])
    assert acct.trial_cohorts == []


def test_a_trial_shorter_than_a_step_churns_in_the_next_step(env, rec, ledger):
    """A 3-day trial with weekly steps ends inside the step it starts in: its leavers go in
    the next step's churn (before, a cohort that ended between two steps never churned)."""
    pricing = PricingConfig(list_price=100.0, free_trial_days=3.0, trial_conversion=0.5)
    acct, product = books(env, rec, ledger, kind="subscription", pricing=pricing)
    product.installed_base = 100
    assert acct.trial_churn(7.0) == 0.0
    acct.bill(0.0, 7.0, 10, 100, 0.0, np.array([0.0, 0.0]), np.array([100, 0]), NAMES)
    assert product.in_trial == 10.0
    env.run(until=7.0)
    leave = acct.trial_churn(7.0)
    assert 1 - math.exp(-leave * 7.0) == pytest.approx(5 / 100, rel=1e-12)
    acct.bill(7.0, 7.0, 0, 95, 0.0, np.array([0.0, 0.0]), np.array([95, 0]), NAMES)
    assert product.in_trial == 0.0 and acct.trial_cohorts == []
