"""One product of a firm's line with everything that is its own.

An offering holds a product (attributes, price, launch state, awareness, satisfaction), its
development project through the stage gates, its pricing, its plant (production and
stock), its marketing plan and its sales accounting, and decides its retirement. What the
firm shares among its offerings stays with the firm: the one ledger (each offering posts
through a view that tags its product, ``Ledger.for_product``), the teams (a project's
share of a team is the firm's allocation policy, ``sim.firm.allocation``), research,
solvency and the distribution channels (the firm's channel coverage lists all its
products). The market treats every offering as one column of the demand kernel, so two
products of one firm compete with each other as with a rival's.

Retirement (``sim.config.line.RetireConfig``): on a dated decision, or when orders stay
below a floor for a number of weekly reviews after launch, the plant stops. With
``run_down`` the product stays on sale until its stock is gone, with ``write_off`` it leaves
at once and its stock leaves the books (its value goes to cost of goods sold through the
inventory account of ``sim.results.statements``; disposal is a ledger posting
``write_off:inventory``). Withdrawn, it takes no new customers: subscribers leave at the
next step, an owner of a durable keeps it until it would be replaced and then returns to
the market (where the firm's other products can win them). Support serves the installed
base for ``support_days`` after withdrawal; then its service level is 0, which lowers
the owners' satisfaction (``sim.firm.support``).
"""

import math

import numpy as np

from sim.firm.accounting import SalesAccounting
from sim.firm.allocation import expected_weekly_value
from sim.firm.development import Project
from sim.firm.marketing import Marketing
from sim.firm.pricing import Pricing
from sim.firm.product import Product
from sim.firm.production import Production
from sim.firm.support import satisfaction, service_level
from sim.units import DAYS_PER_WEEK

# a subscription's churn hazard per day once it is off the market for good: every
# subscriber leaves at the next step (1 - exp(-1000 * dt) is 1 in float64 for dt >= 0.75)
EXIT_CHURN_PER_DAY = 1000.0


class Offering:
    def __init__(self, firm, parts, reach, rng, observer=None, allocation=None):
        """``firm``: the ``Firm`` (ledger, teams, research, distribution, recorder);
        ``parts``: an object with ``product``, ``development``, ``pricing``, ``production``,
        ``marketing``, ``retire``, ``launched`` and ``initial_awareness`` (every part
        filled); ``rng(part)``: this offering's random stream of a part."""
        env = firm.env
        self.env = env
        self.firm = firm
        self.parts = parts
        name = firm.name
        rec = firm.recorder
        n_seg = len(reach)
        self.product = Product(name, parts.product, n_seg)
        self.product.awareness[:] = parts.initial_awareness
        self.ledger = firm.ledger.for_product(self.product.name)
        self.production = Production(env, name, parts.production, self.product, self.ledger,
                                     rec)
        self.pricing = Pricing(env, name, parts.pricing, self.product, self.production, rec,
                               observer)
        self.project = Project(env, name, parts.development, self.product, firm.teams,
                               self.ledger, rec, rng("development"), firm.research,
                               on_launch=self.pricing.reprice,
                               on_kill=lambda: firm.project_killed(self),
                               allocation=allocation)
        self.marketing = Marketing(env, name, parts.marketing, self.product, reach,
                                   self.ledger, rec, lambda: rng("marketing"),
                                   lambda: self.project.planned_launch_day)
        if allocation is not None:
            allocation.register(self.project)
            self.project.value = self._expected_value
        self.accounting = SalesAccounting(env, name, parts.pricing, self.product,
                                          self.production, firm.distribution, self.ledger,
                                          rec, firm.cfg.support)
        self.retire_cfg = parts.retire
        self.retiring = False
        self.support_until = math.inf  # the day support for the installed base ends
        self.orders_per_week = 0.0
        self._support = firm.cfg.support
        self._support_team = None  # firm.teams["support"], from the first market step on

    @property
    def name(self) -> str:
        return self.product.name

    def _expected_value(self) -> float:
        return expected_weekly_value(self.parts.pricing, self.parts.production,
                                     self.product.digital,
                                     self.firm.research.market_size_estimate())

    # --- processes ----------------------------------------------------------------------
    def start_commercial(self) -> None:
        """Marketing and pricing processes (before any development starts)."""
        self.env.process(self.marketing.run())
        self.env.process(self.pricing.run())
        if self.retire_cfg.rule != "none":
            self.env.process(self.retirement())

    def start_development(self, defer: bool) -> None:
        env = self.env
        if self.parts.launched:
            p = self.product
            p.launched = True
            p.launch_day = 0.0
            self.project.state = "launched"
            self.firm.recorder.event(0.0, self.firm.name, p.name, "launch",
                                     "on the market at the start")
            env.process(self.project.roadmap())
        elif not defer:
            env.process(self.project.run())
        elif self.parts.development.planned_after_start_days is not None:
            self.project.planned_launch_day = math.inf  # counted from a start not yet known

    def retirement(self):
        """Process: wait for the retirement decision (a date, or end of life), then retire."""
        cfg = self.retire_cfg
        if cfg.rule == "date":
            yield self.env.timeout(max(cfg.day - self.env.now, 0.0))
            why = f"dated decision (day {cfg.day:g})"
        else:
            below = 0
            while below < cfg.weeks_below:
                yield self.env.timeout(DAYS_PER_WEEK)
                p = self.product
                if p.on_market and self.env.now - p.launch_day >= DAYS_PER_WEEK:
                    below = below + 1 if self.orders_per_week < cfg.min_units_per_week else 0
            why = (f"end of life: orders below {cfg.min_units_per_week:g}/week for "
                   f"{cfg.weeks_below} weeks")
        if self.product.on_market:
            self.retire(why)

    def retire(self, why: str) -> None:
        """Stop the plant; write the stock off or sell it down (module docstring)."""
        if self.retiring or not self.product.on_market:
            return
        self.retiring = True
        prod, cfg = self.production, self.retire_cfg
        prod.stopped = True
        self._event("retirement_decided", f"{why}; stock {prod.inventory:,.0f} units "
                                          f"({cfg.stock.replace('_', ' ')})")
        if cfg.stock == "write_off" and prod.inventory > 0:
            units = prod.inventory
            self.ledger.spend("write_off:inventory", units * cfg.disposal_cost_per_unit,
                              discretionary=False)
            prod.inventory = 0.0
            self._event("stock_written_off", f"{units:,.0f} units")
        if prod.unlimited or prod.inventory <= 0.0:
            self.withdraw()

    def withdraw(self) -> None:
        """Off the market for good (see the module docstring)."""
        p = self.product
        p.retired = True
        self.support_until = self.env.now + self.retire_cfg.support_days
        self.leave_customers()
        self._event("withdrawn", f"support for {p.installed_base:,} customers until day "
                                 f"{self.support_until:g}")

    def leave_customers(self) -> None:
        """Nobody sells this product any more: subscribers leave at the next step; a
        durable's owners leave when they would have replaced it."""
        p = self.product
        if p.kind == "subscription":
            p.churn_per_day = EXIT_CHURN_PER_DAY
        else:
            p.churn_per_day += 1.0 / p.lifetime_days
            p.lifetime_days = math.inf  # no replacements of ours

    # --- a market step's outcome -------------------------------------------------------
    def settle_step(self, t: float, dt: float, orders: float, new: int, active: int,
                    units_by_segment, active_by_segment, owned_share, pool,
                    expectation: float, segment_names, support_share: float = 1.0,
                    price_level=None) -> tuple:
        """Take one market step's outcome for this product: ship what stock allows, book
        the sales (``SalesAccounting``), update the installed base, awareness (never below
        the share who own the product), the support service level (``support_share`` of
        the firm's support agents serve this product's customers) and satisfaction
        (``sim.firm.support``), the marketing's view of the remaining pool, and the
        production plan. ``owned_share`` (S,): the share of each segment who own the
        product; ``pool`` (S,): the potential adopters as floats, read-only (one array the
        market hands every product of the step). Returns ``(shipped, revenue)``."""
        p, prod = self.product, self.production
        on_market = p.on_market  # (nothing below changes it before the withdrawal check)
        # off the market (not launched, killed, insolvent) nothing is shipped or billed
        shipped = prod.ship(orders, dt) if on_market else prod.idle(dt)
        revenue = self.accounting.bill(t, dt, new, active if on_market else 0, shipped,
                                       units_by_segment, active_by_segment, segment_names,
                                       price_level)
        p.installed_base = active
        p.awareness = np.maximum(p.awareness, owned_share)
        support = self._support
        team = self._support_team
        if team is None:  # looked up once (at the first step, as before): Teams keeps it
            team = self._support_team = self.firm.teams["support"]
        if t < self.support_until:
            agents = team.capacity(self.env.now) * support_share
            p.service_level = service_level(agents, active, p.tickets_per_customer_per_year,
                                            support.tickets_per_agent_per_week)
        else:
            p.service_level = 0.0
        if on_market or (p.retired and p.launched):
            p.satisfaction = satisfaction(support, p.quality, expectation, p.service_level,
                                          prod.waited_share)
        self.marketing.pool = pool
        prod.review(orders, dt)
        self.orders_per_week = orders * DAYS_PER_WEEK / dt
        if self.retiring and not p.retired and prod.inventory <= 0.0:
            self.withdraw()  # the stock is sold down
        return shipped, revenue

    def _event(self, kind: str, detail: str) -> None:
        self.firm.recorder.event(self.env.now, self.firm.name, self.product.name, kind, detail)
