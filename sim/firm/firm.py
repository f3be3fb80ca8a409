"""A firm: ours (the focal firm) and each competitor are the same kind of object.

It owns one ledger, its teams, research, solvency and distribution channels, and a product
line: ``offerings``, one ``sim.firm.offering.Offering`` per product (its development,
pricing, production, marketing and accounting). The first offering is the one the firm's
own ``product``, ``development``, ``pricing``, ... describe; ``firm.product``,
``firm.project``, ``firm.pricing``, ``firm.production``, ``firm.marketing`` and
``firm.accounting`` are its parts, so strategies and the war game act on it. ``start``
registers the SimPy processes. A firm configured as ``launched`` is already on the market
at day 0 (an incumbent with an installed base) and only runs its roadmap; a fast
follower's development waits for its strategy to start it.
"""

import copy
from types import SimpleNamespace

import numpy as np

from sim.config import ATTRIBUTES, CHANNELS
from sim.firm.allocation import Allocation
from sim.firm.distribution import Distribution
from sim.firm.equity import EquityRounds
from sim.firm.ledger import Ledger
from sim.firm.offering import EXIT_CHURN_PER_DAY, Offering
from sim.firm.product import describe_gains
from sim.firm.research import Research
from sim.firm.solvency import Solvency
from sim.firm.staffing import SupportStaffing
from sim.firm.teams import Teams
from sim.seeds import component_rng

__all__ = ["EXIT_CHURN_PER_DAY", "Firm", "line_parts"]


def line_parts(cfg) -> list:
    """Each product's parts: the firm's own first, then each ``line`` entry with the parts
    it leaves out copied from the firm's (``sim.config.line``)."""
    parts = [SimpleNamespace(product=cfg.product, development=cfg.development,
                             pricing=cfg.pricing, production=cfg.production,
                             marketing=cfg.marketing, retire=cfg.retire,
                             launched=cfg.launched, initial_awareness=cfg.initial_awareness)]
    for entry in cfg.line:
        own = {k: getattr(entry, k) if getattr(entry, k) is not None else
               copy.deepcopy(getattr(cfg, k))
               for k in ("development", "pricing", "production", "marketing")}
        aware = cfg.initial_awareness if entry.initial_awareness is None else entry.initial_awareness
        parts.append(SimpleNamespace(product=entry.product, retire=entry.retire,
                                     launched=entry.launched, initial_awareness=aware, **own))
    return parts


class Firm:
    def __init__(self, env, cfg, market_cfg, recorder, seed: int, observer=None):
        self.env = env
        self.cfg = cfg
        self.name = cfg.name
        self.recorder = recorder
        segs = market_cfg.segments
        self.ledger = Ledger(env, cfg.name, recorder, cfg.credit_line)
        self.teams = Teams(env, cfg.name, cfg.teams, self.ledger, recorder)
        self.solvency = Solvency(env, cfg.name, cfg.finance, self.ledger, self.teams, recorder,
                                 on_insolvent=self.exit_market,
                                 working_capital=self.weekly_production_cost)
        sizes = np.array([s.size for s in segs], dtype=float)
        weights = np.array([[s.attribute_weights.get(a, 0.0) for a in ATTRIBUTES] for s in segs])
        rng = lambda part: component_rng(seed, f"{cfg.name}/{part}")  # noqa: E731
        # ideal points at day 0 (NaN where none): the research prior's truth; the market
        # hands research the drifting truth later (Research.preferences)
        ideals = np.array([[s.ideal_point.get(a, np.nan) for a in ATTRIBUTES] for s in segs],
                          dtype=float)
        kappa = np.array([s.ideal_point_weight for s in segs], dtype=float)
        self.research = Research(env, cfg.name, cfg.research, sizes, weights, self.ledger,
                                 recorder, rng("research"), ideals, kappa)
        reach = np.array([[s.channel_reach.get(c, 0.0) for c in CHANNELS] for s in segs])
        self.distribution = Distribution(cfg.name, cfg.distribution, segs, self.teams)
        parts = line_parts(cfg)
        # one project: it has the whole team, as before lines existed (sim.firm.allocation)
        allocation = (Allocation(cfg.allocation, [p.product.name for p in parts])
                      if len(parts) > 1 else None)
        self.offerings = []
        for k, part in enumerate(parts):
            prefix = cfg.name if k == 0 else f"{cfg.name}/{part.product.name}"
            stream = lambda name, prefix=prefix: component_rng(seed, f"{prefix}/{name}")  # noqa: E731
            self.offerings.append(Offering(self, part, reach, stream, observer, allocation))
        first = self.offerings[0]
        self.product = first.product
        self.production = first.production
        self.pricing = first.pricing
        self.marketing = first.marketing
        self.project = first.project
        self.accounting = first.accounting
        self.strategy = None

    @property
    def is_focal(self) -> bool:
        return self.cfg.strategy.kind == "focal"

    def weekly_production_cost(self) -> float:
        """A week's output of all the firm's plants (the solvency review's working capital)."""
        total = 0  # summed in order from 0, as sum() does
        for o in self.offerings:
            total += o.production.weekly_cost()
        return total

    def start(self, defer_development: bool = False) -> None:
        """Register the processes. ``defer_development``: the strategy starts the first
        product's development (the line's other projects run on their own schedule)."""
        env = self.env
        self.ledger.post("financing:equity", self.cfg.initial_cash)
        env.process(self.solvency.run())  # interest, payroll, cash states
        if self.cfg.finance.equity_rounds:
            env.process(EquityRounds(env, self.name, self.cfg.finance.equity_rounds,
                                     self.ledger, self.recorder).run())
        if self.cfg.hiring:
            env.process(self.teams.plan(self.cfg.hiring))
        if self.cfg.support.staffing == "to_load":  # support hired to its load
            env.process(SupportStaffing(env, self.cfg.support, self.teams, self.ledger,
                                        self.offerings).run())
        env.process(self.research.run())
        for o in self.offerings:
            o.start_commercial()
        for k, o in enumerate(self.offerings):
            o.start_development(defer_development and k == 0)

    def project_killed(self, offering) -> None:
        """A project was killed at a gate: with nothing else of the line alive (on the
        market or in development), the teams are laid off, so their salaries stop."""
        if all(o.product.killed for o in self.offerings):
            self.wind_down()

    def wind_down(self) -> None:
        """After a kill: the product's teams are laid off, so its salaries stop."""
        self.teams.lay_off_all("project killed")

    def exit_market(self) -> None:
        """Insolvent (the solvency review has laid everybody off): every product is
        withdrawn (the market no longer offers it), nothing more is shipped or billed, and
        its customers are served by nobody: a subscriber leaves at the next step; an owner
        of a durable keeps it until it would have been replaced and then leaves (returning
        to the market by the segment's ``churn_return``) instead of replacing it with ours."""
        for o in self.offerings:
            o.product.killed = True
            o.leave_customers()

    def support_shares(self, active: dict) -> list:
        """Each offering's share of the support agents: its tickets over the firm's
        (``active``: this step's installed base by offering name); 1 with one product."""
        if len(self.offerings) == 1:
            return [1.0]
        loads = [active.get(o.name, 0) * o.product.tickets_per_customer_per_year
                 if o.env.now < o.support_until else 0.0 for o in self.offerings]
        total = sum(loads)
        if total <= 0.0:
            return [1.0 / len(loads)] * len(loads)
        return [x / total for x in loads]

    # --- levers: how strategies (and the war game) act on the firm ------------------------
    def set_reaction(self, price_cut: float | None = None,
                     marketing_boost: float | None = None) -> None:
        """A price cut (fraction of the price, 0 = none) and a marketing boost (fraction of
        the budget, 0 = none) on top of the firm's own pricing and budget; ``None`` leaves
        one as it is. A changed price cut reprices at once."""
        for o in self.offerings:  # a reaction of the whole line
            if price_cut is not None:
                o.pricing.multiplier = 1.0 - price_cut
            if marketing_boost is not None:
                o.marketing.budget_multiplier = 1.0 + marketing_boost
            if price_cut is not None:
                o.pricing.reprice()

    @property
    def price_cut_active(self) -> bool:
        return self.pricing.multiplier != 1.0

    def undercut(self, target: float) -> bool:
        """Price at most ``target`` from now on (a change under 1% is ignored); True if the
        target changed."""
        pricing = self.pricing
        if pricing.undercut_target is None or abs(target - pricing.undercut_target) > 0.01 * target:
            pricing.undercut_target = target
            pricing.reprice()
            return True
        return False

    def focus_marketing(self, segment_multiplier) -> None:
        """Scale the marketing's reach in each segment (one factor per segment; the spend is
        unchanged), for every product of the line."""
        for o in self.offerings:
            o.marketing.focus(segment_multiplier)

    def improve_quality(self, step: float) -> float:
        """A release that raises the product's quality (and the roadmap's target) by
        ``step``, up to the top of the attributes' scale; returns the rise made."""
        p = self.product
        done = p.improve({"quality": step})
        self.project.quality_target += done["quality"]
        self.recorder.event(self.env.now, self.name, p.name, "release",
                            describe_gains({"quality": step}, done))
        return done["quality"]

    def start_development(self, target=None) -> None:
        """Start the (deferred) development now, optionally with target attributes."""
        if self.project.state == "planned":
            self.project.state = "starting"
            self.env.process(self.project.run(start_day=self.env.now, target=target))
