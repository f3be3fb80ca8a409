"""Demand seasonality: the month of the year scales how fast customers buy.

A market may give twelve monthly indexes (``market.seasonality``); each step's category
hazard (first purchases) and every durable's replacement hazard are multiplied by the
index of the calendar month the step starts in, rescaled so that the year averages 1.
The consumer-electronics default is the US Census Bureau's combined seasonal factors for
electronics and appliance stores (NAICS 443); docs/model.md section 1.8.
"""

import numpy as np

from sim.units import DAYS_PER_MONTH


class Seasonality:
    def __init__(self, cfg):
        index = np.asarray(cfg.monthly_index, dtype=float)
        self.index = index / index.mean() if index.size else None
        self.start_month = int(cfg.start_month)

    @property
    def active(self) -> bool:
        return self.index is not None

    def month(self, t: float) -> int:
        """Calendar month (0 = January) of day ``t``."""
        return (int(t // DAYS_PER_MONTH) + self.start_month - 1) % 12

    def factor(self, t: float) -> float:
        """The purchase-rate multiplier at day ``t`` (1.0 when there is no seasonality)."""
        if self.index is None:
            return 1.0
        return float(self.index[self.month(t)])
