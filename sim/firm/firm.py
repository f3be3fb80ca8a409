"""A firm: ours (the focal firm) and each competitor are the same kind of object.

It owns one ledger, its teams, one product line, research, development, marketing,
pricing, production and distribution channels; ``start`` registers their SimPy processes.
A firm configured as ``launched`` is already on the market at day 0 (an incumbent with an
installed base) and only runs its roadmap; a fast follower's development waits for its
strategy to start it.
"""

import numpy as np

from sim.config import ATTRIBUTES, CHANNELS
from sim.firm.development import Project
from sim.firm.distribution import Distribution
from sim.firm.ledger import Ledger
from sim.firm.marketing import Marketing
from sim.firm.pricing import Pricing
from sim.firm.product import Product
from sim.firm.production import Production
from sim.firm.research import Research
from sim.firm.teams import Teams
from sim.seeds import component_rng


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
        self.strategy = None

    @property
    def is_focal(self) -> bool:
        return self.cfg.strategy.kind == "focal"

    def start(self, defer_development: bool = False) -> None:
        env = self.env
        self.ledger.post("financing:equity", self.cfg.initial_cash)
        env.process(self.teams.payroll())
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

    def start_development(self, target=None) -> None:
        """Start the (deferred) development now, optionally with target attributes."""
        if self.project.state == "planned":
            self.project.state = "starting"
            self.env.process(self.project.run(start_day=self.env.now, target=target))
