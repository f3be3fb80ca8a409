"""The disruptor: it enters late with a better product and a launch blitz.

Its development starts at ``entry_day`` (or its configured start, if later); for its first
``BLITZ_DAYS`` on the market its marketing is raised by ``marketing_boost``; when its
observed share stays below ``share_threshold`` it cuts its price by ``price_cut`` once.
"""

from sim.firm.strategies.base import Strategy
from sim.units import DAYS_PER_WEEK

BLITZ_DAYS = 180.0


class Disruptor(Strategy):
    kind = "disruptor"
    defers_development = True

    def start_own(self) -> None:
        start = max(self.firm.cfg.development.start_day, self.cfg.entry_day)
        # its start is a date, so a plan counted from it is known from day 0
        self.firm.project.planned_launch_day = self.firm.cfg.development.plan_for(start)
        self.env.process(self.firm.project.run(start_day=start))
        self.env.process(self._enter_late())

    def _enter_late(self):
        p = self.firm.product
        while not p.launched:
            yield self.env.timeout(DAYS_PER_WEEK)
        self.firm.set_reaction(marketing_boost=self.cfg.marketing_boost)
        self.move(f"launch blitz: marketing boosted for {BLITZ_DAYS:.0f} days")
        yield self.env.timeout(BLITZ_DAYS)
        self.firm.set_reaction(marketing_boost=0.0)

    def react(self, seen) -> None:
        mine = seen.get(self.firm.name)
        if mine and mine["launched"] and mine["share"] < self.cfg.share_threshold \
                and not self.firm.price_cut_active:
            self.firm.set_reaction(price_cut=self.cfg.price_cut)
            self.move(f"share {mine['share']:.0%} below target: price -{self.cfg.price_cut:.0%}")
