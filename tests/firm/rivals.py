"""Builders for the competitor-strategy tests: one rival firm alone on a fresh clock, with
small deterministic parts, observing a scripted market (what the other firms' shares,
prices and attributes were on each 7-day step)."""

import numpy as np

from sim.config import (
    ChannelConfig,
    DevelopmentConfig,
    FirmConfig,
    GatePolicyConfig,
    MarketConfig,
    MarketingConfig,
    PricingConfig,
    ProductConfig,
    ProductionConfig,
    ResearchConfig,
    SegmentConfig,
    StrategyConfig,
    TaskConfig,
    TeamConfig,
)
from sim.firm.firm import Firm
from sim.firm.strategies import make_strategy
from sim.market.observer import Observer

# two segments: "premium" values quality most
MARKET = MarketConfig(segments=[
    SegmentConfig(name="value", size=1000, attribute_weights={"quality": 0.5, "features": 1.0}),
    SegmentConfig(name="premium", size=1000, attribute_weights={"quality": 2.0, "design": 0.5}),
])
BUILD_DAYS = 15.0  # the tiny project: 5 fixed days + 10 person-days by one engineer


def rival_config(name, kind, launched, **strategy):
    """A firm whose every moving part is small and deterministic: one engineer (free), a
    one-task project of 15 days, no research studies (estimates = truth), list price 100
    reviewed only every 1,000 days with a floor of 1.05 x the unit cost 10, 1,000 a week on tv
    from day 0 (planned for day 0, so its marketing goes on through development)."""
    dev = DevelopmentConfig(
        start_day=0.0, planned_launch_day=0.0, stages=["concept"],
        tasks=[TaskConfig("build", "concept", "engineering", 10, 10, 10, 5, 1.0)],
        distribution="fixed", defects_per_person_day=0.0, roadmap=[],
        launch_not_before_plan=False, gate=GatePolicyConfig(min_quality=0.0),
        attribute_effort={})  # designs cost nothing extra here: the strategy is under test
    marketing = MarketingConfig(budget_per_week=1000.0, split={"tv": 1.0},
                                channels={"tv": ChannelConfig(2.0, 1000.0, 0.5, 0.1)},
                                prelaunch_days=0.0, forgetting_per_week=0.0,
                                during_slip="continue")  # on from day 0, launched or not
    strategy.setdefault("review_days", 28.0)
    strategy.setdefault("observation_lag_days", 14.0)
    strategy.setdefault("observation_noise", 0.0)
    return FirmConfig(
        name=name, initial_cash=1e7, launched=launched,
        teams={"engineering": TeamConfig(1, 0.0, 0.0, 0.0)}, development=dev,
        product=ProductConfig(name=f"{name}_product",
                              attributes={"quality": 0.8, "features": 0.6, "design": 0.5}),
        marketing=marketing,
        pricing=PricingConfig(list_price=100.0, review_days=1000.0, floor_over_unit_cost=1.05),
        production=ProductionConfig(unit_cost=10.0, attribute_cost={}),
        research=ResearchConfig(studies=[], prior_noise=0.0),
        strategy=StrategyConfig(kind=kind, **strategy))


class ScriptedMarket:
    """Stands in for the market: every 7 days it records what rivals may observe, the
    rival's own product as it is, and the other firms as ``script(t)`` says
    ({firm: (share, price, launched, attributes)}), plus the rival's own share
    ``own_share(t)``; with ``orders(t)``, the step's (S, J) orders per segment (``MARKET``'s
    segments; column 0 the rival's, the others another firm's), else none."""

    def __init__(self, env, firm, observer, script, own_share=lambda t: 0.0, orders=None):
        self.env, self.firm, self.observer = env, firm, observer
        self.script, self.own_share, self.orders = script, own_share, orders
        if orders is not None:
            observer.set_layout([s.name for s in MARKET.segments],
                                {firm.name: [0], "other": [1]})
        env.process(self.run())

    def run(self):
        while True:
            t = self.env.now
            p = self.firm.product
            snap = {self.firm.name: {"share": self.own_share(t), "price": p.price,
                                     "launched": p.on_market,
                                     "attributes": p.attributes.copy()}}
            for name, (share, price, launched, attrs) in self.script(t).items():
                snap[name] = {"share": share, "price": price, "launched": launched,
                              "attributes": np.asarray(attrs, dtype=float)}
            self.observer.record(t, snap,
                                 None if self.orders is None else np.asarray(self.orders(t)))
            yield self.env.timeout(7.0)


def start_rival(env, rec, cfg, script, own_share=lambda t: 0.0, incumbents=(), orders=None):
    """The firm of ``cfg`` and its strategy from the registry, started as the scenario
    starts them, observing a ``ScriptedMarket``; returns (firm, strategy)."""
    observer = Observer()
    firm = Firm(env, cfg, MARKET, rec, seed=0, observer=observer)
    strategy = make_strategy(env, firm, observer, np.random.default_rng(0), rec,
                             MARKET.segments, incumbents)
    firm.strategy = strategy
    ScriptedMarket(env, firm, observer, script, own_share, orders)
    strategy.start()
    return firm, strategy


def moves(rec):
    return [(e[0], e[4]) for e in rec.events if e[3] == "competitor_move"]


def events_of(rec, kind):
    return [(e[0], e[4]) for e in rec.events if e[3] == kind]


def spend_on(rec, firm, day):
    return -sum(a for t, f, acct, a in rec.ledger
                if f == firm and t == day and acct.startswith("marketing:"))
