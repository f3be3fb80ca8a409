"""Schema of a firm: ours (the focal firm) and every competitor are the same kind.

The parts live by concern in ``operations`` (teams, hiring, production, support,
research), ``development`` (tasks, gates, roadmap), ``commercial`` (product, marketing,
pricing), ``strategy`` and ``distribution``; this module assembles them and re-exports
their names. Money is in the model's one currency; durations in days; rates per year
unless a name says otherwise. Ranges: ``sim.config.bounds``.
"""

from dataclasses import dataclass, field

from sim.config._checks import check_choice, check_name, check_nonneg, check_prob, check_range
from sim.config.bounds import INT32_COUNT, check_numbers
from sim.config.commercial import (
    ALLOCATION,
    PRICING,
    CampaignConfig,
    ChannelConfig,
    MarketingConfig,
    PricingConfig,
    ProductConfig,
    PromotionConfig,
)
from sim.config.development import (
    DevelopmentConfig,
    GatePolicyConfig,
    ReleaseConfig,
    TaskConfig,
)
from sim.config.distribution import DistributionConfig
from sim.config.firm_finance import FinanceConfig
from sim.config.line import AllocationConfig, LineProductConfig, RetireConfig, check_line
from sim.config.operations import (
    TEAMS,
    HireConfig,
    ProductionConfig,
    ResearchConfig,
    StudyConfig,
    SupportConfig,
    TeamConfig,
    _teams,
)
from sim.config.region import check_rollout
from sim.config.strategy import STRATEGIES, StrategyConfig

__all__ = [
    "ALLOCATION", "PRICING", "STRATEGIES", "TEAMS", "AllocationConfig", "CampaignConfig",
    "ChannelConfig", "DevelopmentConfig", "FinanceConfig", "FirmConfig", "GatePolicyConfig",
    "HireConfig", "LineProductConfig", "MarketingConfig", "RetireConfig",
    "PricingConfig", "ProductConfig", "ProductionConfig", "PromotionConfig", "ReleaseConfig",
    "ResearchConfig", "StrategyConfig", "StudyConfig", "SupportConfig", "TaskConfig",
    "TeamConfig",
]


@dataclass
class FirmConfig:
    name: str = "us"
    initial_cash: float = 20_000_000.0
    credit_line: float = 0.0
    finance: FinanceConfig = field(default_factory=FinanceConfig)
    launched: bool = False
    initial_installed_base: dict[str, int] = field(default_factory=dict)
    initial_awareness: float = 0.0
    teams: dict[str, TeamConfig] = field(default_factory=_teams)
    hiring: list[HireConfig] = field(default_factory=list)
    development: DevelopmentConfig = field(default_factory=DevelopmentConfig)
    product: ProductConfig = field(default_factory=ProductConfig)
    marketing: MarketingConfig = field(default_factory=MarketingConfig)
    pricing: PricingConfig = field(default_factory=PricingConfig)
    production: ProductionConfig = field(default_factory=ProductionConfig)
    support: SupportConfig = field(default_factory=SupportConfig)
    research: ResearchConfig = field(default_factory=ResearchConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    distribution: DistributionConfig = field(default_factory=DistributionConfig)
    # the product line: more products besides ``product`` (sim.config.line)
    line: list[LineProductConfig] = field(default_factory=list)
    allocation: AllocationConfig = field(default_factory=AllocationConfig)
    retire: RetireConfig = field(default_factory=RetireConfig)
    # region -> days after each product's launch when it enters that region
    # (sim.config.region; empty: every region at launch)
    rollout: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        key = f"firm {self.name!r}"
        check_name(f"{key}.name", self.name)
        check_rollout(f"{key}.rollout", self.rollout)
        check_numbers(self, key)  # every number finite and within its kind's magnitude
        check_nonneg(f"{key}.initial_cash", self.initial_cash)
        check_nonneg(f"{key}.credit_line", self.credit_line)
        self.finance.check(f"{key}.finance")
        for i, r in enumerate(self.finance.equity_rounds):
            kind, stage = r.milestone()
            if kind == "gate":
                check_choice(f"{key}.finance.equity_rounds[{i}].at (gate)", stage,
                             self.development.stages)
        check_prob(f"{key}.initial_awareness", self.initial_awareness)
        for seg, n in self.initial_installed_base.items():
            check_range(f"{key}.initial_installed_base.{seg}", n, 0, INT32_COUNT)
        for team, cfg in self.teams.items():
            check_choice(f"{key}.teams key", team, TEAMS)
            cfg.check(f"{key}.teams.{team}")
        for i, h in enumerate(self.hiring):
            check_choice(f"{key}.hiring[{i}].team", h.team, TEAMS)
            h.check(f"{key}.hiring[{i}]")
        self.development.check(f"{key}.development")
        self.product.check(f"{key}.product")
        self.marketing.check(f"{key}.marketing")
        self.pricing.check(f"{key}.pricing")
        self.production.check(f"{key}.production")
        self.support.check(f"{key}.support")
        self.research.check(f"{key}.research")
        self.strategy.check(f"{key}.strategy")
        self.distribution.check(f"{key}.distribution")
        check_line(key, self)
