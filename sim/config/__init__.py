"""Typed configuration (Hydra structured configs) and its validation.

Every config group has a dataclass here; range checks live in ``__post_init__`` (or a
``check`` method called from the owning dataclass) and raise one ``ValueError`` naming the
key and the value. Nothing in ``sim`` receives a ``DictConfig``: the command line converts
with ``OmegaConf.to_object`` at the edge.
"""

from sim.config.competitor import CompetitorConfig
from sim.config.distribution import DistributionChannelConfig, DistributionConfig
from sim.config.firm import (
    STRATEGIES,
    TEAMS,
    CampaignConfig,
    ChannelConfig,
    DevelopmentConfig,
    FirmConfig,
    GatePolicyConfig,
    HireConfig,
    MarketingConfig,
    PricingConfig,
    ProductConfig,
    ProductionConfig,
    PromotionConfig,
    ReleaseConfig,
    ResearchConfig,
    StrategyConfig,
    StudyConfig,
    SupportConfig,
    TaskConfig,
    TeamConfig,
)
from sim.config.market import (
    ATTRIBUTES,
    CHANNELS,
    DISTRIBUTION_CHANNELS,
    MarketConfig,
    NetworkConfig,
    SegmentConfig,
)
from sim.config.scenario import AppConfig, ScenarioConfig

__all__ = [
    "ATTRIBUTES", "CHANNELS", "DISTRIBUTION_CHANNELS", "STRATEGIES", "TEAMS", "AppConfig",
    "CampaignConfig", "ChannelConfig", "CompetitorConfig", "DevelopmentConfig", "DistributionChannelConfig",
    "DistributionConfig", "FirmConfig", "GatePolicyConfig", "HireConfig",
    "MarketConfig", "MarketingConfig", "NetworkConfig", "PricingConfig", "ProductConfig",
    "ProductionConfig", "PromotionConfig", "ReleaseConfig", "ResearchConfig",
    "ScenarioConfig", "SegmentConfig", "StrategyConfig", "StudyConfig", "SupportConfig",
    "TaskConfig", "TeamConfig",
]
