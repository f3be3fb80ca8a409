"""Competitor strategies: what a rival observes, late and noisily, and how it reacts
through the same levers as ours (price, marketing, development, capacity).

Every ``review_days`` a competitor looks at the market as it was ``observation_lag_days``
earlier (shares and product attributes multiplied by a log-normal error of sd
``observation_noise``; prices are public, so only lagged), and acts. New entrants are the
firms that were not on the market at day 0:

- ``incumbent`` (defender): when a new entrant's unit share exceeds ``share_threshold``, cuts
  its price by ``price_cut`` and raises marketing by ``marketing_boost``; relaxes when the
  threat recedes below half the threshold.
- ``fast_follower``: when it sees a new entrant launch, starts its own development with target
  attributes ``copy_quality`` times the leader's observed attributes.
- ``price_warrior``: prices ``undercut`` below the cheapest rival it observes (never below
  its cost floor).
- ``premium_niche``: concentrates marketing on the segment that values quality most (by
  its research estimates, or ``segment_focus``) and, when its share slips below the
  threshold, invests in quality (a release of +0.03 quality after ~60 days).
- ``disruptor``: enters late (its development starts at ``entry_day``) with a better
  product, boosts marketing for its first 180 days on the market, and cuts price when its
  share stays below the threshold.
"""

import numpy as np

from sim.config import ATTRIBUTES

QUALITY_STEP = 0.03
QUALITY_STEP_DAYS = 60.0
QUALITY_STEP_COST = 400_000.0


class Observer:
    """The market's history as rivals can see it: lagged, noisy snapshots."""

    def __init__(self):
        self.history = []  # (t, {firm: {"share", "price", "launched", "attributes"}})

    def record(self, t: float, snapshot: dict) -> None:
        self.history.append((t, snapshot))

    def view(self, now: float, lag: float, noise: float, rng) -> dict:
        seen = None
        for t, snap in self.history:
            if t <= now - lag:
                seen = snap
            else:
                break
        if seen is None:
            return {}
        out = {}
        for firm, d in seen.items():
            f = np.exp(noise * rng.standard_normal(3)) if noise > 0 else np.ones(3)
            # prices are public: only lagged; shares and product quality are estimated
            out[firm] = {"share": d["share"] * f[0], "price": d["price"],
                         "launched": d["launched"],
                         "attributes": np.asarray(d["attributes"]) * f[2]}
        return out

    def rival_prices(self, firm: str) -> list:
        """Latest prices of the rivals on the market (no lag; used by match pricing)."""
        if not self.history:
            return []
        _, snap = self.history[-1]
        return [d["price"] for f, d in snap.items() if f != firm and d["launched"]]


class Competitor:
    def __init__(self, env, firm, cfg, observer, rng, recorder, segments, incumbents=()):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.observer = observer
        self.rng = rng
        self.recorder = recorder
        self.segments = segments
        self.defending = False
        self.incumbents = set(incumbents)  # firms on the market at day 0

    def start(self) -> None:
        kind = self.cfg.kind
        if kind == "disruptor":
            self.env.process(self._enter_late())
        if kind == "premium_niche":
            self._focus()
        self.env.process(self.run())

    def _move(self, what: str) -> None:
        self.recorder.event(self.env.now, self.firm.name, self.firm.product.name,
                            "competitor_move", f"{self.cfg.kind}: {what}")

    def run(self):
        while True:
            yield self.env.timeout(self.cfg.review_days)
            seen = self.observer.view(self.env.now, self.cfg.observation_lag_days,
                                      self.cfg.observation_noise, self.rng)
            if seen:
                getattr(self, f"_{self.cfg.kind}")(seen)

    def _rivals(self, seen):
        return {f: d for f, d in seen.items() if f != self.firm.name and d["launched"]}

    def _entrants(self, seen):
        return {f: d for f, d in self._rivals(seen).items() if f not in self.incumbents}

    def _incumbent(self, seen):
        rivals = self._entrants(seen)  # it defends against new entrants
        top = max((d["share"] for d in rivals.values()), default=0.0)
        pricing, marketing = self.firm.pricing, self.firm.marketing
        if top > self.cfg.share_threshold and not self.defending:
            self.defending = True
            pricing.multiplier = 1.0 - self.cfg.price_cut
            marketing.budget_multiplier = 1.0 + self.cfg.marketing_boost
            pricing.reprice()
            self._move(f"rival share {top:.0%} > {self.cfg.share_threshold:.0%}: price "
                       f"-{self.cfg.price_cut:.0%}, marketing +{self.cfg.marketing_boost:.0%}")
        elif top < 0.5 * self.cfg.share_threshold and self.defending:
            self.defending = False
            pricing.multiplier = 1.0
            marketing.budget_multiplier = 1.0
            pricing.reprice()
            self._move(f"rival share {top:.0%} receded: back to list price and budget")

    def _fast_follower(self, seen):
        # it reacts to new entrants, not to the products already on the market at day 0
        rivals = self._entrants(seen)
        if self.firm.project.state != "planned" or not rivals:
            return
        leader = max(rivals.items(), key=lambda kv: kv[1]["share"])
        target = self.cfg.copy_quality * leader[1]["attributes"]
        self.firm.start_development(target)
        self._move(f"copies {leader[0]} (target {np.round(target, 2).tolist()})")

    def _price_warrior(self, seen):
        prices = [d["price"] for d in self._rivals(seen).values()]
        if not prices or not self.firm.product.on_market:
            return
        target = min(prices) * (1.0 - self.cfg.undercut)
        pricing = self.firm.pricing
        if pricing.undercut_target is None or abs(target - pricing.undercut_target) > 0.01 * target:
            pricing.undercut_target = target
            pricing.reprice()
            self._move(f"undercuts the cheapest rival ({min(prices):,.0f}) to {self.firm.product.price:,.0f}")

    def _focus(self) -> None:
        names = [s.name for s in self.segments]
        if self.cfg.segment_focus is not None:
            k = names.index(self.cfg.segment_focus)
        else:
            q = ATTRIBUTES.index("quality")
            k = int(np.argmax(self.firm.research.weights[:, q]))
        mult = np.full(len(names), 0.3)
        mult[k] = 2.0
        self.firm.marketing.segment_multiplier = mult
        self.focus = k

    def _premium_niche(self, seen):
        mine = seen.get(self.firm.name)
        if mine and mine["launched"] and mine["share"] < self.cfg.share_threshold:
            if self.firm.ledger.can_afford(QUALITY_STEP_COST) and not getattr(self, "_improving", False):
                self._improving = True
                self.firm.ledger.spend("development", QUALITY_STEP_COST)
                self.env.process(self._improve())
                self._move(f"share {mine['share']:.0%} low: invests in quality")

    def _improve(self):
        yield self.env.timeout(QUALITY_STEP_DAYS)
        p = self.firm.product
        p.set_quality(p.quality + QUALITY_STEP)
        self.firm.project.quality_target += QUALITY_STEP
        self._improving = False
        self.recorder.event(self.env.now, self.firm.name, p.name, "release",
                            f"quality +{QUALITY_STEP:.2f}")

    def _enter_late(self):
        p = self.firm.product
        while not p.launched:
            yield self.env.timeout(7.0)
        self.firm.marketing.budget_multiplier = 1.0 + self.cfg.marketing_boost
        self._move("launch blitz: marketing boosted for 180 days")
        yield self.env.timeout(180.0)
        self.firm.marketing.budget_multiplier = 1.0

    def _disruptor(self, seen):
        mine = seen.get(self.firm.name)
        if mine and mine["launched"] and mine["share"] < self.cfg.share_threshold \
                and self.firm.pricing.multiplier == 1.0:
            self.firm.pricing.multiplier = 1.0 - self.cfg.price_cut
            self.firm.pricing.reprice()
            self._move(f"share {mine['share']:.0%} below target: price -{self.cfg.price_cut:.0%}")
