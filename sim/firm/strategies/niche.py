"""The premium niche player: it concentrates on the segment that values quality most and
defends a small premium share, with quality while there is room for it, then marketing.

Marketing goes to the segment with the highest quality weight by its research estimates
(or ``segment_focus``): its reach in that segment x2.0, in the others x0.3 (the spend is
unchanged). The share it defends is its share of that segment's orders, as it observes them
(``Observer.segment_share``, with the same lag and error as a total share; its total share
where the observer holds no orders per segment or the segment ordered nothing): an entrant
that courts the same customers takes that share while the niche brand's total share of a
larger market barely moves (in ``premium_niche``, seed 0, with the brand not reacting: its
total share between 11% and 16%, its share of the enthusiasts' orders down from 42% in its
first year to 29%). When that share is below ``share_threshold`` and it can afford it,
it pays ``quality_step_cost`` for a release of +``quality_step`` quality that reaches the
market ``quality_step_days`` later (one at a time). Quality is a score on the attributes' scale
(``ATTRIBUTE_SCALE``): once its quality has no room for a full step, it defends with
marketing instead, raised by ``marketing_boost`` while its share is below the threshold,
back to its budget once the share is clearly back: above the threshold times
``exp(2 observation_noise)`` (x1.22 at the shipped noise of 0.1). Back at the threshold
itself, the observation error switched the boost on and off at every review
(``startup_vs_incumbent``, seed 0: 9 switches from day 1,260 to 1,540).
"""

import numpy as np

from sim.config import ATTRIBUTES
from sim.config.bounds import ATTRIBUTE_SCALE
from sim.firm.strategies.base import Strategy
from sim.kernel import libm

QUALITY_STEP = 0.03  # the defaults of StrategyConfig's quality_step, _cost and _days
QUALITY_STEP_DAYS = 60.0
QUALITY_STEP_COST = 400_000.0
FOCUS_MULTIPLIER = 2.0
OTHER_MULTIPLIER = 0.3


class PremiumNiche(Strategy):
    kind = "premium_niche"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.improving = False
        self.boosting = False
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

    def defended_share(self, mine) -> tuple:
        """(share, what it is): the observed share of the focus segment's orders, or the
        total share where the observer holds no orders per segment or the segment ordered
        nothing."""
        name = self.segments[self.focus].name
        true = self.observer.segment_share(self.env.now, self.cfg.observation_lag_days,
                                           self.firm.name, name)
        if true is None:
            return mine["share"], "share"
        return true * mine.get("share_error", 1.0), f"{name} share"

    def react(self, seen) -> None:
        mine = seen.get(self.firm.name)
        if not (mine and mine["launched"]):
            return
        cfg = self.cfg
        share, what = self.defended_share(mine)
        low = share < cfg.share_threshold
        if not low:
            # back to budget once the share is clearly back: above the threshold by more
            # than twice its observation error (log scale), so that the error alone does
            # not switch the boost on and off at every review
            back = share >= cfg.share_threshold * libm.exp(2.0 * cfg.observation_noise)
            if self.boosting and back:
                self.boosting = False
                self.firm.set_reaction(marketing_boost=0.0)
                self.move(f"{what} {share:.0%} back: marketing back to budget")
            return
        room = self.firm.product.quality + cfg.quality_step <= ATTRIBUTE_SCALE[1] + 1e-12
        if room:
            if self.firm.ledger.can_afford(cfg.quality_step_cost) and not self.improving:
                self.improving = True
                self.firm.ledger.spend("development", cfg.quality_step_cost)
                self.env.process(self._improve())
                self.move(f"{what} {share:.0%} low: invests in quality")
        elif not self.boosting and not self.improving:
            self.boosting = True
            self.firm.set_reaction(marketing_boost=cfg.marketing_boost)
            self.move(f"{what} {share:.0%} low, quality at the top of its scale: "
                      f"marketing +{cfg.marketing_boost:.0%}")

    def _improve(self):
        yield self.env.timeout(self.cfg.quality_step_days)
        self.firm.improve_quality(self.cfg.quality_step)
        self.improving = False
