"""A firm's product line as the market sees it: attributes, price, launch state,
awareness and advertising effect per segment, satisfaction. Other components write it
(development launches and improves it, pricing sets the price, marketing builds awareness)
and the market process reads it each step."""

import numpy as np

from sim.config import ATTRIBUTES
from sim.units import DAYS_PER_YEAR


class Product:
    def __init__(self, firm: str, cfg, n_segments: int):
        self.firm = firm
        self.name = cfg.name
        self.kind = cfg.kind
        self.digital = bool(cfg.digital) or cfg.kind == "subscription"
        self.target = np.array([float(cfg.attributes.get(a, 0.0)) for a in ATTRIBUTES])
        self.attributes = self.target.copy()
        self.lifetime_days = float(cfg.lifetime_years) * DAYS_PER_YEAR
        self.churn_per_day = float(cfg.churn_per_year) / DAYS_PER_YEAR
        self.churn_dissatisfaction_per_day = float(cfg.churn_dissatisfaction_per_year) / DAYS_PER_YEAR
        self.tickets_per_customer_per_year = float(cfg.tickets_per_customer_per_year)
        self.launched = False
        self.killed = False
        self.launch_day: float | None = None
        self.price = float("nan")
        self.awareness = np.zeros(n_segments)
        self.advertising = np.ones(n_segments)
        self.satisfaction = 0.5
        self.service_level = 1.0
        self.installed_base = 0
        self.in_trial = 0.0  # subscribers inside a free trial (they pay nothing yet)

    @property
    def on_market(self) -> bool:
        return self.launched and not self.killed

    @property
    def quality(self) -> float:
        return float(self.attributes[ATTRIBUTES.index("quality")])

    def set_quality(self, value: float) -> None:
        self.attributes[ATTRIBUTES.index("quality")] = value
