"""Pricing: a list price per product and a strategy, reviewed every ``review_days``.

- ``list``: the list price;
- ``skimming``: launch at ``list * (1 + skim_premium)``, the premium halving every
  ``skim_half_life_days``;
- ``penetration``: ``list * (1 - penetration_discount)`` for ``penetration_days`` after
  launch, then list;
- ``match_competitor``: the mean of the rivals' latest prices on the market (posted
  prices are public: no observation lag or noise, ``Observer.rival_prices``), times
  ``1 + match_offset``.
Time-limited promotions discount the result; a competitor strategy may scale it
(``multiplier``). The price is what these rules give, even below the unit cost (a loss
leader: the loss shows in the gross margin). Only a configured ``floor_over_unit_cost``
(default 0, no floor) raises it, and then the moment the floor starts to bind and the moment
it stops are recorded as ``price_floor`` events, so that no price is changed silently.
Price changes of more than 0.5% are recorded as events.
"""

import math

from sim.units import DAYS_PER_YEAR

# the least share of the price a trialist expects to bear (effort, data entry): an assumption
MIN_TRIAL_COST = 0.05


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
        self.floored = False  # the configured floor binds (recorded on each change)
        product.price = float(cfg.list_price)

    def asked_price(self) -> float:
        """The price the pricing rules give, before any configured floor."""
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
        return price

    def floor(self) -> float:
        return self.cfg.floor_over_unit_cost * self.production.unit_cost

    def target_price(self) -> float:
        """The asked price, raised to the configured floor where that binds."""
        return max(self.asked_price(), self.floor())

    def reprice(self) -> None:
        asked, floor = self.asked_price(), self.floor()
        new = max(asked, floor)
        self._record_floor(asked, floor)
        old = self.product.price
        if not math.isfinite(old) or abs(new - old) > 0.005 * old:
            self.product.price = new
            if self.product.on_market:
                self.recorder.event(self.env.now, self.firm, self.product.name, "price_change",
                                    f"{old:,.2f} -> {new:,.2f} ({self.cfg.strategy})")

    def _record_floor(self, asked: float, floor: float) -> None:
        """One ``price_floor`` event when the configured floor starts to bind, one when it
        stops (only while the product is on the market)."""
        binds = asked < floor and self.product.on_market
        if binds == self.floored or not self.product.on_market:
            return
        self.floored = binds
        cfg = self.cfg
        if binds:
            detail = (f"asked {asked:,.2f} < floor_over_unit_cost {cfg.floor_over_unit_cost:g}"
                      f" x unit cost {self.production.unit_cost:,.2f}: priced at {floor:,.2f}")
        else:
            detail = f"floor released: asked {asked:,.2f} >= floor {floor:,.2f}"
        self.recorder.event(self.env.now, self.firm, self.product.name, "price_floor", detail)

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

    @property
    def free_trial(self) -> bool:
        """Whether the choice price depends on the trial conversion (a subscription with a
        free trial): only then does ``effective_choice_price`` read its ``conversion``."""
        return self.product.kind == "subscription" and self.cfg.free_trial_days > 0

    def effective_choice_price(self, conversion: float = 1.0) -> float:
        """Price that enters the customer's choice: for a subscription with a free trial,
        the first year's payments spread over the year (a D-day trial costs nothing), times
        the share of trialists who go on to pay (``conversion``): who tries and does not
        like it pays nothing, so a trial lowers the expected cost of trying (at least
        ``MIN_TRIAL_COST`` of the price: trying is never free of effort)."""
        p = self.product
        if self.free_trial:
            # free_trial_days < 365 (refused at input otherwise): the factor is positive
            paid = (DAYS_PER_YEAR - self.cfg.free_trial_days) / DAYS_PER_YEAR
            return p.price * paid * max(conversion, MIN_TRIAL_COST)
        return p.price
