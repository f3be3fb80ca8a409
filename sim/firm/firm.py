"""A firm: ours (the focal firm) and each competitor are the same kind of object.

It owns one ledger, its teams, one product line, research, development, marketing,
pricing, production and distribution channels; ``start`` registers their SimPy processes.
A firm configured as ``launched`` is already on the market at day 0 (an incumbent with an
installed base) and only runs its roadmap; a fast follower's development waits for its
strategy to start it.
"""

import math

import numpy as np

from sim.config import ATTRIBUTES, CHANNELS
from sim.firm.accounting import SalesAccounting
from sim.firm.development import Project
from sim.firm.distribution import Distribution
from sim.firm.equity import EquityRounds
from sim.firm.ledger import Ledger
from sim.firm.marketing import Marketing
from sim.firm.pricing import Pricing
from sim.firm.product import Product, describe_gains
from sim.firm.production import Production
from sim.firm.research import Research
from sim.firm.solvency import Solvency
from sim.firm.support import satisfaction, service_level
from sim.firm.teams import Teams
from sim.seeds import component_rng

# a subscription's churn hazard per day once its firm has left the market: every subscriber
# leaves at the next step (1 - exp(-1000 * dt) is 1 in float64 for any dt >= 0.75 days)
EXIT_CHURN_PER_DAY = 1000.0


class Firm:
    def __init__(self, env, cfg, market_cfg, recorder, seed: int, observer=None):
        self.env = env
        self.cfg = cfg
        self.name = cfg.name
        self.recorder = recorder
        segs = market_cfg.segments
        n_seg = len(segs)
        self.ledger = Ledger(env, cfg.name, recorder, cfg.credit_line)
        self.teams = Teams(env, cfg.name, cfg.teams, self.ledger, recorder)
        self.solvency = Solvency(env, cfg.name, cfg.finance, self.ledger, self.teams, recorder,
                                 on_insolvent=self.exit_market,
                                 working_capital=lambda: self.production.weekly_cost())
        self.product = Product(cfg.name, cfg.product, n_seg)
        self.product.awareness[:] = cfg.initial_awareness
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
        self.production = Production(env, cfg.name, cfg.production, self.product, self.ledger,
                                     recorder)
        self.pricing = Pricing(env, cfg.name, cfg.pricing, self.product, self.production,
                               recorder, observer)
        reach = np.array([[s.channel_reach.get(c, 0.0) for c in CHANNELS] for s in segs])
        self.marketing = Marketing(env, cfg.name, cfg.marketing, self.product, reach,
                                   self.ledger, recorder, rng("marketing"),
                                   cfg.development.planned_launch_day)
        self.project = Project(env, cfg.name, cfg.development, self.product, self.teams,
                               self.ledger, recorder, rng("development"), self.research,
                               on_launch=self.pricing.reprice, on_kill=self.wind_down)
        self.distribution = Distribution(cfg.name, cfg.distribution, segs, self.teams)
        self.accounting = SalesAccounting(env, cfg.name, cfg.pricing, self.product,
                                          self.production, self.distribution, self.ledger,
                                          recorder, cfg.support)
        self.strategy = None

    @property
    def is_focal(self) -> bool:
        return self.cfg.strategy.kind == "focal"

    def start(self, defer_development: bool = False) -> None:
        env = self.env
        self.ledger.post("financing:equity", self.cfg.initial_cash)
        env.process(self.solvency.run())  # interest, payroll, cash states
        if self.cfg.finance.equity_rounds:
            env.process(EquityRounds(env, self.name, self.cfg.finance.equity_rounds,
                                     self.ledger, self.recorder).run())
        if self.cfg.hiring:
            env.process(self.teams.plan(self.cfg.hiring))
        env.process(self.research.run())
        env.process(self.marketing.run())
        env.process(self.pricing.run())
        if self.cfg.launched:
            p = self.product
            p.launched = True
            p.launch_day = 0.0
            self.project.state = "launched"
            self.recorder.event(0.0, self.name, p.name, "launch", "on the market at the start")
            env.process(self.project.roadmap())
        elif not defer_development:
            env.process(self.project.run())

    def wind_down(self) -> None:
        """After a kill: the product's teams are laid off, so its salaries stop."""
        self.teams.lay_off_all("project killed")

    def exit_market(self) -> None:
        """Insolvent (the solvency review has laid everybody off): the product is withdrawn (the market no longer offers
        it), nothing more is shipped or billed, and its customers are served by nobody: a
        subscriber leaves at the next step; an owner of a durable keeps it until it would
        have been replaced and then leaves (returning to the market by the segment's
        ``churn_return``) instead of replacing it with ours."""
        p = self.product
        p.killed = True
        if p.kind == "subscription":
            p.churn_per_day = EXIT_CHURN_PER_DAY
        else:
            p.churn_per_day += 1.0 / p.lifetime_days
            p.lifetime_days = math.inf  # no replacements of ours

    # --- a market step's outcome -------------------------------------------------------
    def settle_step(self, t: float, dt: float, orders: float, new: int, active: int,
                    units_by_segment, active_by_segment, pool, sizes, expectation: float,
                    segment_names) -> tuple:
        """Take one market step's outcome for our product: ship what stock allows, book
        the sales (``SalesAccounting``), update the installed base, awareness (never below
        the share who own the product), the support service level and satisfaction
        (``sim.firm.support``), the marketing's view of the remaining pool, and the
        production plan. Returns ``(shipped, revenue)``."""
        p = self.product
        # off the market (not launched, killed, insolvent) nothing is shipped or billed
        shipped = self.production.ship(orders, dt) if p.on_market else self.production.idle(dt)
        revenue = self.accounting.bill(t, dt, new, active if p.on_market else 0, shipped,
                                       units_by_segment, active_by_segment, segment_names)
        p.installed_base = active
        owned = active_by_segment / np.maximum(sizes, 1.0)
        p.awareness = np.maximum(p.awareness, owned)
        agents = self.teams.capacity("support")
        p.service_level = service_level(agents, active, p.tickets_per_customer_per_year,
                                        self.cfg.support.tickets_per_agent_per_week)
        if p.on_market:
            p.satisfaction = satisfaction(self.cfg.support, p.quality, expectation,
                                          p.service_level,
                                          self.production.waiting_share())
        self.marketing.pool = pool.astype(float)
        self.production.review(orders, dt)
        return shipped, revenue

    # --- levers: how strategies (and the war game) act on the firm ------------------------
    def set_reaction(self, price_cut: float | None = None,
                     marketing_boost: float | None = None) -> None:
        """A price cut (fraction of the price, 0 = none) and a marketing boost (fraction of
        the budget, 0 = none) on top of the firm's own pricing and budget; ``None`` leaves
        one as it is. A changed price cut reprices at once."""
        if price_cut is not None:
            self.pricing.multiplier = 1.0 - price_cut
        if marketing_boost is not None:
            self.marketing.budget_multiplier = 1.0 + marketing_boost
        if price_cut is not None:
            self.pricing.reprice()

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
        unchanged)."""
        self.marketing.focus(segment_multiplier)

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
