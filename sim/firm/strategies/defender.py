"""The incumbent (defender): it answers a new entrant that gains share.

When a new entrant's unit share exceeds ``share_threshold``, it cuts its price by
``price_cut`` and raises marketing by ``marketing_boost``; it relaxes when the threat
recedes below half the threshold.
"""

from sim.firm.strategies.base import Strategy


class Incumbent(Strategy):
    kind = "incumbent"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.defending = False

    def react(self, seen) -> None:
        rivals = self.entrants(seen)  # it defends against new entrants
        top = max((d["share"] for d in rivals.values()), default=0.0)
        cfg = self.cfg
        if top > cfg.share_threshold and not self.defending:
            self.defending = True
            self.firm.set_reaction(price_cut=cfg.price_cut, marketing_boost=cfg.marketing_boost)
            self.move(f"rival share {top:.0%} > {cfg.share_threshold:.0%}: price "
                      f"-{cfg.price_cut:.0%}, marketing +{cfg.marketing_boost:.0%}")
        elif top < 0.5 * cfg.share_threshold and self.defending:
            self.defending = False
            self.firm.set_reaction(price_cut=0.0, marketing_boost=0.0)
            self.move(f"rival share {top:.0%} receded: back to list price and budget")
