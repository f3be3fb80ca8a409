"""The premium niche player: it concentrates on the segment that values quality most and
buys quality when its share slips.

Marketing goes to the segment with the highest quality weight by its research estimates
(or ``segment_focus``): its reach in that segment x2.0, in the others x0.3 (the spend is
unchanged). When its observed share
is below ``share_threshold`` and it can afford it, it pays ``QUALITY_STEP_COST`` for a
release of +``QUALITY_STEP`` quality that reaches the market ``QUALITY_STEP_DAYS`` later.
"""

import numpy as np

from sim.config import ATTRIBUTES
from sim.firm.strategies.base import Strategy

QUALITY_STEP = 0.03
QUALITY_STEP_DAYS = 60.0
QUALITY_STEP_COST = 400_000.0
FOCUS_MULTIPLIER = 2.0
OTHER_MULTIPLIER = 0.3


class PremiumNiche(Strategy):
    kind = "premium_niche"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.improving = False
        self.focus = None

    def start_own(self) -> None:
        names = [s.name for s in self.segments]
        if self.cfg.segment_focus is not None:
            k = names.index(self.cfg.segment_focus)
        else:
            q = ATTRIBUTES.index("quality")
            k = int(np.argmax(self.firm.research.weights[:, q]))
        mult = np.full(len(names), OTHER_MULTIPLIER)
        mult[k] = FOCUS_MULTIPLIER
        self.firm.focus_marketing(mult)
        self.focus = k

    def react(self, seen) -> None:
        mine = seen.get(self.firm.name)
        if mine and mine["launched"] and mine["share"] < self.cfg.share_threshold:
            if self.firm.ledger.can_afford(QUALITY_STEP_COST) and not self.improving:
                self.improving = True
                self.firm.ledger.spend("development", QUALITY_STEP_COST)
                self.env.process(self._improve())
                self.move(f"share {mine['share']:.0%} low: invests in quality")

    def _improve(self):
        yield self.env.timeout(QUALITY_STEP_DAYS)
        self.firm.improve_quality(QUALITY_STEP)
        self.improving = False
