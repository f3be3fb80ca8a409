"""The price warrior: it keeps the lowest price in the market. At each review, when the
cheapest rival it observes prices within ``undercut`` of it (or below it), it cuts its price
to ``undercut`` below that rival (never below its own cost floor); when it is already that
far below everyone it holds its price and makes no move."""

from sim.firm.strategies.base import Strategy


class PriceWarrior(Strategy):
    kind = "price_warrior"

    def react(self, seen) -> None:
        prices = [d["price"] for d in self.rivals(seen).values()]
        if not prices or not self.firm.product.on_market:
            return
        before = self.firm.product.price
        target = min(prices) * (1.0 - self.cfg.undercut)
        if target < before and self.firm.undercut(target) and self.firm.product.price < before:
            self.move(f"undercuts the cheapest rival ({min(prices):,.2f}): "
                      f"{before:,.2f} -> {self.firm.product.price:,.2f}")
