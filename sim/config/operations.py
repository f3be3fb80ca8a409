"""Schemas of a firm's operations: teams and hiring, production, support, research.

Money is in the model's one currency; durations in days; rates per year unless a name
says otherwise. Ranges: ``sim.config.bounds`` (every number finite, magnitudes by kind).
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
from sim.config.bounds import DAYS, HEADCOUNT, UNITS
from sim.config.market import ATTRIBUTES

TEAMS = ("engineering", "design", "marketing", "sales", "support", "manufacturing")


@dataclass
class TeamConfig:
    headcount: int = 5
    cost_per_head_per_year: float = 120_000.0
    hiring_lag_days: float = 60.0
    ramp_up_days: float = 45.0

    def check(self, key):
        check_range(f"{key}.headcount", self.headcount, 0, HEADCOUNT)
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

    def check(self, key):
        check_nonneg(f"{key}.day", self.day)
        check_range(f"{key}.headcount", self.headcount, -HEADCOUNT, HEADCOUNT)


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
    # mean patience of a backorder in days (exponential, as in Erlang-A): each waiting order
    # cancels at rate 1 / patience; None: orders wait until they ship
    backorder_patience_days: float | None = 42.0
    # unit-cost rise per +0.1 of each attribute above product.reference_attributes (features
    # mostly software: little material cost)
    # (sim.firm.design_cost; an assumption, docs/model.md 2.1)
    attribute_cost: dict[str, float] = field(
        default_factory=lambda: {"quality": 0.06, "features": 0.02, "design": 0.03})

    def check(self, key):
        check_nonneg(f"{key}.unit_cost", self.unit_cost)
        check_range(f"{key}.progress_ratio", self.progress_ratio, 0.5, 1.0)
        check_range(f"{key}.learning_base_units", self.learning_base_units, 1.0, UNITS)
        check_nonneg(f"{key}.capacity_per_week", self.capacity_per_week)
        check_nonneg(f"{key}.max_capacity_per_week", self.max_capacity_per_week)
        if self.max_capacity_per_week < self.capacity_per_week:
            raise ValueError(
                f"{key}.max_capacity_per_week must be >= capacity_per_week "
                f"({self.capacity_per_week:g}), got {self.max_capacity_per_week:g}")
        check_nonneg(f"{key}.expansion_units_per_week", self.expansion_units_per_week)
        check_nonneg(f"{key}.expansion_cost", self.expansion_cost)
        check_nonneg(f"{key}.expansion_lead_days", self.expansion_lead_days)
        check_range(f"{key}.expansion_trigger_utilisation", self.expansion_trigger_utilisation,
                    0.0, 1.0, low_open=True)
        check_range(f"{key}.target_weeks_of_cover", self.target_weeks_of_cover, 0.0, 520.0)
        check_nonneg(f"{key}.initial_inventory", self.initial_inventory)
        check_choice(f"{key}.stockout", self.stockout, ("lose", "defer"))
        if self.backorder_patience_days is not None:
            check_range(f"{key}.backorder_patience_days", self.backorder_patience_days,
                        0.0, DAYS, low_open=True)
        for a in self.attribute_cost:
            check_choice(f"{key}.attribute_cost key", a, ATTRIBUTES)
        check_finite_map(f"{key}.attribute_cost", self.attribute_cost, 0.0, 10.0)


@dataclass
class SupportConfig:
    tickets_per_agent_per_week: float = 60.0
    target_service_level: float = 0.9
    quality_weight: float = 6.0
    service_weight: float = 3.0
    baseline: float = 1.2
    # logit units lost when every recent order has to wait for a backorder
    waiting_weight: float = 1.0
    # "fixed": the team as configured and planned; "to_load": hired to the tickets'
    # load for the target service level, reviewed every staffing_review_days
    # (sim.firm.staffing)
    staffing: str = "fixed"
    staffing_review_days: float = 28.0

    def check(self, key):
        check_positive(f"{key}.tickets_per_agent_per_week", self.tickets_per_agent_per_week)
        check_prob(f"{key}.target_service_level", self.target_service_level)
        check_nonneg(f"{key}.quality_weight", self.quality_weight)
        check_nonneg(f"{key}.service_weight", self.service_weight)
        check_range(f"{key}.baseline", self.baseline, -100.0, 100.0)
        check_nonneg(f"{key}.waiting_weight", self.waiting_weight)
        check_choice(f"{key}.staffing", self.staffing, ("fixed", "to_load"))
        check_range(f"{key}.staffing_review_days", self.staffing_review_days, 0.0, 3650.0,
                    low_open=True)


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
    # True: a roadmap release moves an ideal-point attribute only as far as research's
    # estimate of the best level (``Research.aim_gains``); off by default, since under
    # drifting ideals it cost NPV (docs/model.md section 7)
    aim_releases: bool = False

    def check(self, key):
        for i, st in enumerate(self.studies):
            check_nonneg(f"{key}.studies[{i}].day", st.day)
            check_nonneg(f"{key}.studies[{i}].cost", st.cost)
            check_nonneg(f"{key}.studies[{i}].duration_days", st.duration_days)
            check_range(f"{key}.studies[{i}].noise", st.noise, 0.0, 10.0)
        check_range(f"{key}.prior_noise", self.prior_noise, 0.0, 10.0)
