"""The price warrior: it prices ``undercut`` below the cheapest rival it observes (never
below its own cost floor)."""

from sim.firm.strategies.base import Strategy


class PriceWarrior(Strategy):
    kind = "price_warrior"

    def react(self, seen) -> None:
        prices = [d["price"] for d in self.rivals(seen).values()]
        if not prices or not self.firm.product.on_market:
            return
        target = min(prices) * (1.0 - self.cfg.undercut)
        if self.firm.undercut(target):
            self.move(f"undercuts the cheapest rival ({min(prices):,.0f}) to "
                      f"{self.firm.product.price:,.0f}")
