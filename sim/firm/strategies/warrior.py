"""The price warrior: it keeps the lowest price in the market. At each review, when the
cheapest rival it observes prices within ``undercut`` of it (or below it), it cuts its price
to ``undercut`` below that rival (never below its own cost floor); when it is already that
far below everyone it holds its price and makes no move. When the cheapest rival it sees
prices higher again (a cut that ends, a promotion over, the cheapest leaving the market),
it raises its target to ``undercut`` below it, its price at most what its own pricing rule
asks (the list price of the shipped warrior): a warrior keeps the lowest price, not a war
price the rivals have left (until 2026-12-07 it only ever cut, a ratchet that kept it at
the bottom of a price war for good after the war had ended)."""

from sim.firm.strategies.base import Strategy


class PriceWarrior(Strategy):
    kind = "price_warrior"

    def react(self, seen) -> None:
        prices = [d["price"] for d in self.rivals(seen).values()]
        if not prices or not self.firm.product.on_market:
            return
        before = self.firm.product.price
        target = min(prices) * (1.0 - self.cfg.undercut)
        if target < before:
            if self.firm.undercut(target) and self.firm.product.price < before:
                self.move(f"undercuts the cheapest rival ({min(prices):,.2f}): "
                          f"{before:,.2f} -> {self.firm.product.price:,.2f}")
        elif (self.firm.pricing.undercut_target is not None
              and target > self.firm.pricing.undercut_target):
            # the war price it set itself (its target, not its price: a promotion of its own
            # may hold the price below the target, and a rival at that price is no reason to
            # cut) has been left behind by the cheapest rival: follow it up (``Firm.undercut``:
            # a change of the target under 1% is ignored; the asked price never exceeds what
            # its own pricing rule asks, ``Pricing.asked_price``)
            if self.firm.undercut(target) and self.firm.product.price > before:
                self.move(f"follows the cheapest rival ({min(prices):,.2f}) back up: "
                          f"{before:,.2f} -> {self.firm.product.price:,.2f}")
