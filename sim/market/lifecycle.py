"""Lifecycle phase of each product, detected from its sales curve.

After launch, from the quarter's moving average of units (``DAYS_PER_QUARTER``):
introduction while the installed base is under 2.5% of the market (Rogers' innovators);
then growth while the average grows by more than 10% a quarter, decline once it falls by
more than 10% a quarter from below its peak, maturity otherwise. Before launch a product is
in development; after a kill, withdrawn. A new phase must hold for ``HOLD_STEPS`` steps in
a row before it is taken (the first phase is taken at once); each change is an event.
"""

import math

from sim.units import DAYS_PER_QUARTER, steps_in

INNOVATORS_SHARE = 0.025
GROWTH_PER_QUARTER = 0.10
HOLD_STEPS = 4


class Lifecycle:
    def __init__(self, env, recorder, n_products: int, dt: float, market_size: float):
        self.env = env
        self.recorder = recorder
        self.window = steps_in(DAYS_PER_QUARTER, dt)
        self.market_size = market_size
        self.sales_history = [[] for _ in range(n_products)]  # units per step
        self.peak_avg = [0.0] * n_products
        self.pending = [("", 0)] * n_products
        self.phase = [""] * n_products

    def update(self, k: int, firm: str, product, units: float, active: int) -> str:
        """Record step sales ``units`` of product ``k``; returns its phase."""
        self.sales_history[k].append(units)
        if not product.on_market:
            phase = "withdrawn" if product.killed else "development"
        else:
            w = self.window
            hist = self.sales_history[k]
            now_avg = sum(hist[-w:]) / min(len(hist), w)
            before = sum(hist[-2 * w:-w]) / w if len(hist) >= 2 * w else 0.0
            self.peak_avg[k] = peak = max(self.peak_avg[k], now_avg)
            growth = (now_avg - before) / before if before > 0 else math.inf
            if active < INNOVATORS_SHARE * self.market_size:
                phase = "introduction"
            elif growth > GROWTH_PER_QUARTER:
                phase = "growth"
            elif growth < -GROWTH_PER_QUARTER and now_avg < peak:
                phase = "decline"
            else:
                phase = "maturity"
        current = self.phase[k]
        if phase != current and current and phase not in ("withdrawn", "development"):
            cand, n = self.pending[k]
            n = n + 1 if cand == phase else 1
            self.pending[k] = (phase, n)
            if n < HOLD_STEPS:
                return current
        self.pending[k] = ("", 0)
        if phase != current:
            if current:
                self.recorder.event(self.env.now, firm, product.name, "lifecycle_phase",
                                    f"{current} -> {phase}")
            self.phase[k] = phase
        return self.phase[k]
