"""Schema of a firm: ours (the focal firm) and every competitor are the same kind.

Money is in the model's one currency; durations in days; rates per year unless a name
says otherwise (``..._per_week``, ``..._days``).
"""

from dataclasses import dataclass, field

from sim.config._checks import (
    check_choice,
    check_finite_map,
    check_nonneg,
    check_positive,
    check_prob,
    check_range,
)
from sim.config.distribution import DistributionConfig
from sim.config.market import ATTRIBUTES, CHANNELS

TEAMS = ("engineering", "design", "marketing", "sales", "support", "manufacturing")
STRATEGIES = ("focal", "incumbent", "fast_follower", "price_warrior", "premium_niche",
              "disruptor")
PRICING = ("list", "skimming", "penetration", "match_competitor")
ALLOCATION = ("fixed", "test_and_shift")


@dataclass
class TeamConfig:
    headcount: int = 5
    cost_per_head_per_year: float = 120_000.0
    hiring_lag_days: float = 60.0
    ramp_up_days: float = 45.0

    def check(self, key):
        check_range(f"{key}.headcount", self.headcount, 0, 100_000)
        check_nonneg(f"{key}.cost_per_head_per_year", self.cost_per_head_per_year)
        check_nonneg(f"{key}.hiring_lag_days", self.hiring_lag_days)
        check_nonneg(f"{key}.ramp_up_days", self.ramp_up_days)


def _teams():
    return {
        "engineering": TeamConfig(12, 140_000.0),
        "design": TeamConfig(3, 120_000.0),
        "marketing": TeamConfig(4, 110_000.0),
        "sales": TeamConfig(3, 100_000.0),
        "support": TeamConfig(4, 60_000.0, 30.0, 20.0),
        "manufacturing": TeamConfig(2, 80_000.0),
    }


@dataclass
class HireConfig:
    """At ``day``, start hiring ``headcount`` more people into ``team`` (negative: layoffs)."""

    day: float = 0.0
    team: str = "engineering"
    headcount: int = 0


@dataclass
class TaskConfig:
    """A development task: effort in person-days (PERT min / most likely / max) plus a
    fixed duration that no headcount shortens (reviews, certification, supplier lead)."""

    name: str = "task"
    stage: str = "concept"
    team: str = "engineering"
    effort_min: float = 10.0
    effort_mode: float = 20.0
    effort_max: float = 40.0
    fixed_days: float = 0.0
    max_heads: float = 8.0
    cost: float = 0.0
    depends_on: list[str] = field(default_factory=list)
    testing: bool = False


def _tasks():
    # A hardware product of about a year: effort in person-days (min, most likely, max).
    return [
        TaskConfig("market_requirements", "concept", "design", 40, 60, 100, 10, 3, 20_000),
        TaskConfig("architecture", "design", "engineering", 150, 220, 350, 10, 6, 0,
                   ["market_requirements"]),
        TaskConfig("industrial_design", "design", "design", 90, 130, 220, 15, 3, 60_000,
                   ["market_requirements"]),
        TaskConfig("prototype_build", "prototype", "engineering", 600, 800, 1300, 20, 10, 250_000,
                   ["architecture", "industrial_design"]),
        TaskConfig("tooling", "prototype", "manufacturing", 100, 140, 240, 45, 2, 400_000,
                   ["industrial_design"]),
        TaskConfig("beta_test", "beta", "engineering", 300, 420, 700, 20, 10, 80_000,
                   ["prototype_build"], True),
        TaskConfig("certification", "beta", "engineering", 20, 30, 60, 45, 2, 60_000,
                   ["prototype_build"]),
        TaskConfig("launch_readiness", "launch", "marketing", 40, 60, 100, 14, 4, 50_000,
                   ["beta_test", "certification", "tooling"]),
    ]


@dataclass
class GatePolicyConfig:
    """Stage-gate decisions: go when quality clears the threshold; recycle the stage (re-run
    its testing at ``recycle_effort`` of the effort) otherwise, at most ``max_recycles``
    times; kill if the research estimate of the market is below ``min_market_estimate``;
    after ``deadline_day`` a gate goes regardless of quality (``deadline_action: go``) or
    kills the project (``kill``)."""

    min_quality: float = 0.6
    max_recycles: int = 2
    recycle_effort: float = 0.4
    min_market_estimate: float = 0.0
    deadline_day: float | None = None
    deadline_action: str = "go"

    def check(self, key):
        check_prob(f"{key}.min_quality", self.min_quality)
        check_range(f"{key}.max_recycles", self.max_recycles, 0, 20)
        check_range(f"{key}.recycle_effort", self.recycle_effort, 0.0, 1.0, low_open=True)
        check_nonneg(f"{key}.min_market_estimate", self.min_market_estimate)
        check_nonneg(f"{key}.deadline_day", self.deadline_day)
        check_choice(f"{key}.deadline_action", self.deadline_action, ("go", "kill"))


@dataclass
class ReleaseConfig:
    """A post-launch incremental release: effort, then attribute gains."""

    name: str = "release"
    effort: float = 120.0
    gains: dict[str, float] = field(default_factory=dict)


def _roadmap():
    return [
        ReleaseConfig("performance_update", 900.0, {"quality": 0.05}),
        ReleaseConfig("feature_pack", 1400.0, {"features": 0.15}),
        ReleaseConfig("design_refresh", 800.0, {"design": 0.1}),
    ]


@dataclass
class DevelopmentConfig:
    start_day: float = 0.0
    planned_launch_day: float = 400.0
    stages: list[str] = field(default_factory=lambda: ["concept", "design", "prototype", "beta", "launch"])
    tasks: list[TaskConfig] = field(default_factory=_tasks)
    distribution: str = "pert"
    defects_per_person_day: float = 0.5
    detection_rate_per_person_day: float = 0.02
    fix_effort_person_days: float = 0.5
    quality_loss_per_defect: float = 0.002
    gate: GatePolicyConfig = field(default_factory=GatePolicyConfig)
    roadmap: list[ReleaseConfig] = field(default_factory=_roadmap)
    feedback_reorders_roadmap: bool = True
    launch_not_before_plan: bool = True

    def check(self, key):
        check_nonneg(f"{key}.start_day", self.start_day)
        check_nonneg(f"{key}.planned_launch_day", self.planned_launch_day)
        check_choice(f"{key}.distribution", self.distribution, ("pert", "lognormal", "fixed"))
        check_nonneg(f"{key}.defects_per_person_day", self.defects_per_person_day)
        check_nonneg(f"{key}.detection_rate_per_person_day", self.detection_rate_per_person_day)
        check_nonneg(f"{key}.fix_effort_person_days", self.fix_effort_person_days)
        check_nonneg(f"{key}.quality_loss_per_defect", self.quality_loss_per_defect)
        if not self.stages:
            raise ValueError(f"{key}.stages must list at least one stage, got []")
        names = [t.name for t in self.tasks]
        if len(set(names)) != len(names):
            raise ValueError(f"{key}.tasks names must be unique, got {names}")
        for t in self.tasks:
            tk = f"{key}.tasks[{t.name}]"
            check_choice(f"{tk}.stage", t.stage, self.stages)
            check_choice(f"{tk}.team", t.team, TEAMS)
            check_nonneg(f"{tk}.effort_min", t.effort_min)
            if not t.effort_min <= t.effort_mode <= t.effort_max:
                raise ValueError(f"{tk} needs effort_min <= effort_mode <= effort_max, got "
                                 f"{t.effort_min}, {t.effort_mode}, {t.effort_max}")
            check_nonneg(f"{tk}.fixed_days", t.fixed_days)
            check_positive(f"{tk}.max_heads", t.max_heads)
            check_nonneg(f"{tk}.cost", t.cost)
            for d in t.depends_on:
                check_choice(f"{tk}.depends_on", d, names)
        _check_acyclic(key, self.tasks)
        self.gate.check(f"{key}.gate")
        for r in self.roadmap:
            check_nonneg(f"{key}.roadmap[{r.name}].effort", r.effort)
            for a in r.gains:
                check_choice(f"{key}.roadmap[{r.name}].gains key", a, ATTRIBUTES)
            check_finite_map(f"{key}.roadmap[{r.name}].gains", r.gains, -1.0, 1.0)


def _check_acyclic(key, tasks):
    deps = {t.name: list(t.depends_on) for t in tasks}
    state = {}

    def visit(n, path):
        if state.get(n) == 1:
            raise ValueError(f"{key}.tasks dependencies form a cycle: {' -> '.join(path + [n])}")
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in deps[n]:
            visit(d, path + [n])
        state[n] = 2

    for n in deps:
        visit(n, [])


@dataclass
class ProductConfig:
    name: str = "product"
    kind: str = "durable"
    attributes: dict[str, float] = field(default_factory=lambda: {"quality": 0.8, "features": 0.6, "design": 0.6})
    lifetime_years: float = 4.0
    churn_per_year: float = 0.05
    churn_dissatisfaction_per_year: float = 0.6
    digital: bool = False
    tickets_per_customer_per_year: float = 1.0

    def check(self, key):
        check_choice(f"{key}.kind", self.kind, ("durable", "subscription"))
        for a in self.attributes:
            check_choice(f"{key}.attributes key", a, ATTRIBUTES)
        check_finite_map(f"{key}.attributes", self.attributes, -5.0, 5.0)
        check_positive(f"{key}.lifetime_years", self.lifetime_years)
        check_nonneg(f"{key}.churn_per_year", self.churn_per_year)
        check_nonneg(f"{key}.churn_dissatisfaction_per_year", self.churn_dissatisfaction_per_year)
        check_nonneg(f"{key}.tickets_per_customer_per_year", self.tickets_per_customer_per_year)


@dataclass
class ChannelConfig:
    """Response of one marketing channel: adstock carry-over, then saturation.

    ``adstock = decay * adstock + spend`` each week; lift = ``max_lift * adstock /
    (adstock + half_saturation)``; awareness grows by ``awareness_per_week`` of the unaware
    at full lift.
    """

    max_lift: float = 2.0
    half_saturation: float = 50_000.0
    adstock_decay_per_week: float = 0.6
    awareness_per_week: float = 0.05

    def check(self, key):
        check_nonneg(f"{key}.max_lift", self.max_lift)
        check_positive(f"{key}.half_saturation", self.half_saturation)
        check_range(f"{key}.adstock_decay_per_week", self.adstock_decay_per_week, 0.0, 1.0, high_open=True)
        check_prob(f"{key}.awareness_per_week", self.awareness_per_week)


def _channels():
    return {
        "tv": ChannelConfig(2.5, 120_000.0, 0.7, 0.06),
        "online": ChannelConfig(1.5, 40_000.0, 0.4, 0.04),
        "social": ChannelConfig(1.2, 25_000.0, 0.5, 0.05),
        "search": ChannelConfig(1.0, 20_000.0, 0.2, 0.03),
    }


@dataclass
class CampaignConfig:
    """Extra spend on one channel between two days."""

    channel: str = "tv"
    start_day: float = 0.0
    end_day: float = 56.0
    spend_per_week: float = 50_000.0


@dataclass
class MarketingConfig:
    budget_per_week: float = 60_000.0
    split: dict[str, float] = field(default_factory=lambda: {"tv": 0.4, "online": 0.3, "social": 0.2, "search": 0.1})
    channels: dict[str, ChannelConfig] = field(default_factory=_channels)
    policy: str = "fixed"
    review_days: float = 56.0
    shift_fraction: float = 0.1
    measurement_noise: float = 0.3
    prelaunch_days: float = 56.0
    forgetting_per_week: float = 0.01
    campaigns: list[CampaignConfig] = field(default_factory=list)

    def check(self, key):
        check_nonneg(f"{key}.budget_per_week", self.budget_per_week)
        for c in self.split:
            check_choice(f"{key}.split key", c, CHANNELS)
        check_finite_map(f"{key}.split", self.split, 0.0)
        total = sum(self.split.values())
        if self.budget_per_week > 0 and total <= 0:
            raise ValueError(f"{key}.split must have a positive total, got {dict(self.split)}")
        for c, ch in self.channels.items():
            check_choice(f"{key}.channels key", c, CHANNELS)
            ch.check(f"{key}.channels.{c}")
        check_choice(f"{key}.policy", self.policy, ALLOCATION)
        check_positive(f"{key}.review_days", self.review_days)
        check_prob(f"{key}.shift_fraction", self.shift_fraction)
        check_nonneg(f"{key}.measurement_noise", self.measurement_noise)
        check_nonneg(f"{key}.prelaunch_days", self.prelaunch_days)
        check_prob(f"{key}.forgetting_per_week", self.forgetting_per_week)
        for i, cp in enumerate(self.campaigns):
            check_choice(f"{key}.campaigns[{i}].channel", cp.channel, CHANNELS)
            check_nonneg(f"{key}.campaigns[{i}].spend_per_week", cp.spend_per_week)
            if cp.end_day < cp.start_day:
                raise ValueError(f"{key}.campaigns[{i}] ends (day {cp.end_day}) before it starts (day {cp.start_day})")


@dataclass
class PromotionConfig:
    start_day: float = 0.0
    end_day: float = 28.0
    discount: float = 0.15


@dataclass
class PricingConfig:
    """List price per unit (durable) or per month (subscription), and a strategy."""

    list_price: float = 400.0
    strategy: str = "list"
    skim_premium: float = 0.4
    skim_half_life_days: float = 180.0
    penetration_discount: float = 0.25
    penetration_days: float = 270.0
    match_offset: float = 0.0
    review_days: float = 28.0
    floor_over_unit_cost: float = 1.05
    promotions: list[PromotionConfig] = field(default_factory=list)
    free_trial_days: float = 0.0
    trial_conversion: float = 0.6

    def check(self, key):
        check_positive(f"{key}.list_price", self.list_price)
        check_choice(f"{key}.strategy", self.strategy, PRICING)
        check_nonneg(f"{key}.skim_premium", self.skim_premium)
        check_positive(f"{key}.skim_half_life_days", self.skim_half_life_days)
        check_range(f"{key}.penetration_discount", self.penetration_discount, 0.0, 1.0, high_open=True)
        check_nonneg(f"{key}.penetration_days", self.penetration_days)
        check_range(f"{key}.match_offset", self.match_offset, -0.9, 2.0)
        check_positive(f"{key}.review_days", self.review_days)
        check_nonneg(f"{key}.floor_over_unit_cost", self.floor_over_unit_cost)
        for i, pr in enumerate(self.promotions):
            check_range(f"{key}.promotions[{i}].discount", pr.discount, 0.0, 1.0, high_open=True)
            if pr.end_day < pr.start_day:
                raise ValueError(f"{key}.promotions[{i}] ends (day {pr.end_day}) before it starts (day {pr.start_day})")
        check_nonneg(f"{key}.free_trial_days", self.free_trial_days)
        check_prob(f"{key}.trial_conversion", self.trial_conversion)


@dataclass
class ProductionConfig:
    """Capacity, inventory and an experience curve: the unit cost falls to
    ``progress_ratio`` of itself each time cumulative output doubles (Wright 1936)."""

    unit_cost: float = 180.0
    progress_ratio: float = 0.9
    learning_base_units: float = 10_000.0
    capacity_per_week: float = 3_000.0
    max_capacity_per_week: float = 40_000.0
    expansion_units_per_week: float = 3_000.0
    expansion_cost: float = 1_500_000.0
    expansion_lead_days: float = 120.0
    expansion_trigger_utilisation: float = 0.9
    target_weeks_of_cover: float = 2.0
    initial_inventory: float = 0.0
    stockout: str = "defer"

    def check(self, key):
        check_nonneg(f"{key}.unit_cost", self.unit_cost)
        check_range(f"{key}.progress_ratio", self.progress_ratio, 0.5, 1.0)
        check_positive(f"{key}.learning_base_units", self.learning_base_units)
        check_nonneg(f"{key}.capacity_per_week", self.capacity_per_week)
        check_nonneg(f"{key}.max_capacity_per_week", self.max_capacity_per_week)
        check_nonneg(f"{key}.expansion_units_per_week", self.expansion_units_per_week)
        check_nonneg(f"{key}.expansion_cost", self.expansion_cost)
        check_nonneg(f"{key}.expansion_lead_days", self.expansion_lead_days)
        check_range(f"{key}.expansion_trigger_utilisation", self.expansion_trigger_utilisation, 0.0, 1.0, low_open=True)
        check_nonneg(f"{key}.target_weeks_of_cover", self.target_weeks_of_cover)
        check_nonneg(f"{key}.initial_inventory", self.initial_inventory)
        check_choice(f"{key}.stockout", self.stockout, ("lose", "defer"))


@dataclass
class SupportConfig:
    tickets_per_agent_per_week: float = 60.0
    target_service_level: float = 0.9
    quality_weight: float = 6.0
    service_weight: float = 3.0
    baseline: float = 1.2

    def check(self, key):
        check_positive(f"{key}.tickets_per_agent_per_week", self.tickets_per_agent_per_week)
        check_prob(f"{key}.target_service_level", self.target_service_level)
        check_nonneg(f"{key}.quality_weight", self.quality_weight)
        check_nonneg(f"{key}.service_weight", self.service_weight)
        check_range(f"{key}.baseline", self.baseline, -100.0, 100.0)


@dataclass
class StudyConfig:
    day: float = 0.0
    cost: float = 80_000.0
    duration_days: float = 42.0
    noise: float = 0.25


@dataclass
class ResearchConfig:
    """Market research studies: each returns noisy estimates (log-normal error of sd
    ``noise``) of segment sizes and attribute weights; policies act on these."""

    studies: list[StudyConfig] = field(default_factory=lambda: [StudyConfig()])
    prior_noise: float = 0.5

    def check(self, key):
        for i, st in enumerate(self.studies):
            check_nonneg(f"{key}.studies[{i}].day", st.day)
            check_nonneg(f"{key}.studies[{i}].cost", st.cost)
            check_nonneg(f"{key}.studies[{i}].duration_days", st.duration_days)
            check_nonneg(f"{key}.studies[{i}].noise", st.noise)
        check_nonneg(f"{key}.prior_noise", self.prior_noise)


@dataclass
class StrategyConfig:
    """How a competitor reacts. It reviews every ``review_days`` what it observed
    ``observation_lag_days`` earlier, with multiplicative noise of sd ``observation_noise``."""

    kind: str = "focal"
    review_days: float = 28.0
    observation_lag_days: float = 28.0
    observation_noise: float = 0.1
    share_threshold: float = 0.15
    price_cut: float = 0.1
    marketing_boost: float = 0.5
    undercut: float = 0.08
    entry_day: float = 0.0
    copy_quality: float = 0.9
    segment_focus: str | None = None

    def check(self, key):
        check_choice(f"{key}.kind", self.kind, STRATEGIES)
        check_positive(f"{key}.review_days", self.review_days)
        check_nonneg(f"{key}.observation_lag_days", self.observation_lag_days)
        check_nonneg(f"{key}.observation_noise", self.observation_noise)
        check_prob(f"{key}.share_threshold", self.share_threshold)
        check_range(f"{key}.price_cut", self.price_cut, 0.0, 1.0, high_open=True)
        check_nonneg(f"{key}.marketing_boost", self.marketing_boost)
        check_range(f"{key}.undercut", self.undercut, 0.0, 1.0, high_open=True)
        check_nonneg(f"{key}.entry_day", self.entry_day)
        check_range(f"{key}.copy_quality", self.copy_quality, 0.0, 2.0)


@dataclass
class FirmConfig:
    name: str = "us"
    initial_cash: float = 20_000_000.0
    credit_line: float = 0.0
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

    def __post_init__(self):
        key = f"firm {self.name!r}"
        check_nonneg(f"{key}.initial_cash", self.initial_cash)
        check_nonneg(f"{key}.credit_line", self.credit_line)
        check_prob(f"{key}.initial_awareness", self.initial_awareness)
        for seg, n in self.initial_installed_base.items():
            check_range(f"{key}.initial_installed_base.{seg}", n, 0)
        for team, cfg in self.teams.items():
            check_choice(f"{key}.teams key", team, TEAMS)
            cfg.check(f"{key}.teams.{team}")
        for i, h in enumerate(self.hiring):
            check_choice(f"{key}.hiring[{i}].team", h.team, TEAMS)
            check_nonneg(f"{key}.hiring[{i}].day", h.day)
        self.development.check(f"{key}.development")
        self.product.check(f"{key}.product")
        self.marketing.check(f"{key}.marketing")
        self.pricing.check(f"{key}.pricing")
        self.production.check(f"{key}.production")
        self.support.check(f"{key}.support")
        self.research.check(f"{key}.research")
        self.strategy.check(f"{key}.strategy")
        self.distribution.check(f"{key}.distribution")
