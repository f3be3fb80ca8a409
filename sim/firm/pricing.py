"""Pricing: a list price per product and a strategy, reviewed every ``review_days``.

- ``list``: the list price;
- ``skimming``: launch at ``list * (1 + skim_premium)``, the premium halving every
  ``skim_half_life_days``;
- ``penetration``: ``list * (1 - penetration_discount)`` for ``penetration_days`` after
  launch, then list;
- ``match_competitor``: the mean price of the rivals on the market as last observed
  (with the firm's observation lag and noise), times ``1 + match_offset``.
Time-limited promotions discount the result; a competitor strategy may scale it
(``multiplier``). The price never falls below ``floor_over_unit_cost`` times the unit cost.
Price changes of more than 0.5% are recorded as events.
"""

import math

from sim.units import DAYS_PER_YEAR


class Pricing:
    def __init__(self, env, firm: str, cfg, product, production, recorder, observer=None):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.product = product
        self.production = production
        self.recorder = recorder
        self.observer = observer
        self.multiplier = 1.0
        self.undercut_target: float | None = None
        product.price = float(cfg.list_price)

    def target_price(self) -> float:
        cfg, p = self.cfg, self.product
        since = self.env.now - p.launch_day if p.launch_day is not None else 0.0
        price = cfg.list_price
        if cfg.strategy == "skimming":
            price = cfg.list_price * (1.0 + cfg.skim_premium * 0.5 ** (since / cfg.skim_half_life_days))
        elif cfg.strategy == "penetration" and since < cfg.penetration_days:
            price = cfg.list_price * (1.0 - cfg.penetration_discount)
        elif cfg.strategy == "match_competitor" and self.observer is not None:
            rivals = self.observer.rival_prices(self.firm)
            if rivals:
                price = sum(rivals) / len(rivals) * (1.0 + cfg.match_offset)
        if self.undercut_target is not None:
            price = min(price, self.undercut_target)
        price *= self.multiplier
        for promo in cfg.promotions:
            if promo.start_day <= self.env.now < promo.end_day:
                price *= 1.0 - promo.discount
        floor = cfg.floor_over_unit_cost * self.production.unit_cost
        return max(price, floor, 1e-6)

    def reprice(self) -> None:
        new = self.target_price()
        old = self.product.price
        if not math.isfinite(old) or abs(new - old) > 0.005 * old:
            self.product.price = new
            if self.product.on_market:
                self.recorder.event(self.env.now, self.firm, self.product.name, "price_change",
                                    f"{old:,.2f} -> {new:,.2f} ({self.cfg.strategy})")

    def run(self):
        """Process: reprice at every review (and at promotion boundaries)."""
        while True:
            self.reprice()
            step = self.cfg.review_days
            for promo in self.cfg.promotions:
                for edge in (promo.start_day, promo.end_day):
                    if self.env.now < edge < self.env.now + step:
                        step = edge - self.env.now
            yield self.env.timeout(step)

    def effective_choice_price(self) -> float:
        """Price that enters the customer's choice: for a subscription with a free trial,
        the first year's payments spread over the year (a D-day trial costs nothing)."""
        p = self.product
        if p.kind == "subscription" and self.cfg.free_trial_days > 0:
            paid = max(DAYS_PER_YEAR - self.cfg.free_trial_days, 0.0) / DAYS_PER_YEAR
            return max(p.price * paid, 1e-6)
        return p.price
