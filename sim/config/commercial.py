"""Schemas of what a firm sells and how: the product, marketing, pricing.

Money in the model's one currency; durations in days; rates per year unless a name says
otherwise (``..._per_week``). Ranges: ``sim.config.bounds``.
"""

from dataclasses import dataclass, field

from sim.config._checks import (
    check_choice,
    check_finite_map,
    check_name,
    check_nonneg,
    check_positive,
    check_prob,
    check_range,
)
from sim.config.bounds import ATTRIBUTE_SCALE, MIN_PERIOD_DAYS
from sim.config.market import ATTRIBUTES, CHANNELS
from sim.units import DAYS_PER_YEAR

PRICING = ("list", "skimming", "penetration", "match_competitor")
ALLOCATION = ("fixed", "test_and_shift")
MIN_LIFETIME_YEARS = 0.01  # about four days: a shorter life is a subscription's churn


@dataclass
class ProductConfig:
    name: str = "product"
    kind: str = "durable"
    attributes: dict[str, float] = field(default_factory=lambda: {"quality": 0.8, "features": 0.6, "design": 0.6})
    # the design that production.unit_cost and the development tasks' efforts are priced
    # at (sim.firm.design_cost): better attributes than these cost more to make and develop
    reference_attributes: dict[str, float] = field(
        default_factory=lambda: {"quality": 0.8, "features": 0.6, "design": 0.6})
    lifetime_years: float = 4.0
    churn_per_year: float = 0.05
    churn_dissatisfaction_per_year: float = 0.6
    digital: bool = False
    tickets_per_customer_per_year: float = 1.0
    # successive generations (Norton and Bass 1987; ``sim.market.generations``): the name
    # of the earlier product this one succeeds, and the share of each segment's customers
    # who first enter the category with this generation (m_k / segment size)
    generation_of: str | None = None
    entry_share: float = 1.0
    # the launch's own target, for the launch_success_rate KPI (docs/kpis.md): units shipped
    # by a day; None (both): no target
    success_units: float | None = None
    success_by_day: float | None = None
    # the business case: present value at launch of the product's contribution if it
    # succeeds, for the pipeline_strength KPI; None: the planned weekly contribution (unit
    # margin at list price x plant capacity) over business_case_years (sim.results.pipeline)
    business_case_value: float | None = None
    business_case_years: float = 5.0

    def check(self, key):
        check_name(f"{key}.name", self.name)
        if (self.success_units is None) != (self.success_by_day is None):
            raise ValueError(f"{key}.success_units and {key}.success_by_day go together, got "
                             f"{self.success_units!r} and {self.success_by_day!r}")
        if self.success_units is not None:
            check_positive(f"{key}.success_units", self.success_units)
            check_positive(f"{key}.success_by_day", self.success_by_day)
        if self.generation_of is not None:
            check_name(f"{key}.generation_of", self.generation_of)
            if self.generation_of == self.name:
                raise ValueError(f"{key}.generation_of must name an earlier product, not "
                                 f"itself, got {self.generation_of!r}")
        check_prob(f"{key}.entry_share", self.entry_share)
        if self.business_case_value is not None:
            check_range(f"{key}.business_case_value", self.business_case_value, -1e15, 1e15)
        check_range(f"{key}.business_case_years", self.business_case_years, 0.0, 100.0)
        check_choice(f"{key}.kind", self.kind, ("durable", "subscription"))
        for a in self.attributes:
            check_choice(f"{key}.attributes key", a, ATTRIBUTES)
        check_finite_map(f"{key}.attributes", self.attributes, *ATTRIBUTE_SCALE)
        for a in self.reference_attributes:
            check_choice(f"{key}.reference_attributes key", a, ATTRIBUTES)
        check_finite_map(f"{key}.reference_attributes", self.reference_attributes, *ATTRIBUTE_SCALE)
        check_range(f"{key}.lifetime_years", self.lifetime_years, MIN_LIFETIME_YEARS, 1000.0)
        check_range(f"{key}.churn_per_year", self.churn_per_year, 0.0, 100.0)
        check_range(f"{key}.churn_dissatisfaction_per_year",
                    self.churn_dissatisfaction_per_year, 0.0, 100.0)
        check_range(f"{key}.tickets_per_customer_per_year",
                    self.tickets_per_customer_per_year, 0.0, 10_000.0)


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
        check_range(f"{key}.max_lift", self.max_lift, 0.0, 100.0)
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


SLIP_POLICIES = ("pause", "continue")  # MarketingConfig.during_slip


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
    # a launch that slips past its planned day: the pre-launch campaign stops until the
    # product is on the market ("pause"), or goes on spending ("continue")
    during_slip: str = "pause"
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
        check_range(f"{key}.review_days", self.review_days, MIN_PERIOD_DAYS)
        check_prob(f"{key}.shift_fraction", self.shift_fraction)
        check_range(f"{key}.measurement_noise", self.measurement_noise, 0.0, 10.0)
        check_nonneg(f"{key}.prelaunch_days", self.prelaunch_days)
        check_choice(f"{key}.during_slip", self.during_slip, SLIP_POLICIES)
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
    """List price per unit (durable) or per month (subscription), and a strategy.

    The price may be below the unit cost (a loss leader). ``floor_over_unit_cost`` is an
    optional floor (0: none); where it binds the pricing records a ``price_floor`` event.
    A free trial is shorter than a year (the choice price pays for the rest of the year).
    ``trial_conversion``: the share of trialists who convert when satisfaction sits at the
    support baseline; experienced satisfaction moves it (``sim.firm.support``).
    """

    list_price: float = 400.0
    strategy: str = "list"
    skim_premium: float = 0.4
    skim_half_life_days: float = 180.0
    penetration_discount: float = 0.25
    penetration_days: float = 270.0
    match_offset: float = 0.0
    review_days: float = 28.0
    floor_over_unit_cost: float = 0.0
    promotions: list[PromotionConfig] = field(default_factory=list)
    free_trial_days: float = 0.0
    trial_conversion: float = 0.6

    def check(self, key):
        check_positive(f"{key}.list_price", self.list_price)
        check_choice(f"{key}.strategy", self.strategy, PRICING)
        check_range(f"{key}.skim_premium", self.skim_premium, 0.0, 10.0)
        check_positive(f"{key}.skim_half_life_days", self.skim_half_life_days)
        check_range(f"{key}.penetration_discount", self.penetration_discount, 0.0, 1.0, high_open=True)
        check_nonneg(f"{key}.penetration_days", self.penetration_days)
        check_range(f"{key}.match_offset", self.match_offset, -0.9, 2.0)
        check_range(f"{key}.review_days", self.review_days, MIN_PERIOD_DAYS)
        check_range(f"{key}.floor_over_unit_cost", self.floor_over_unit_cost, 0.0, 100.0)
        for i, pr in enumerate(self.promotions):
            check_range(f"{key}.promotions[{i}].discount", pr.discount, 0.0, 1.0, high_open=True)
            if pr.end_day < pr.start_day:
                raise ValueError(f"{key}.promotions[{i}] ends (day {pr.end_day}) before it starts (day {pr.start_day})")
        check_range(f"{key}.free_trial_days", self.free_trial_days, 0.0, DAYS_PER_YEAR,
                    high_open=True)
        check_prob(f"{key}.trial_conversion", self.trial_conversion)


MAX_GENERATIONS = 6  # a chain's state has 2**K clock patterns per entry group


def generation_chains(products) -> list[list[int]]:
    """The chains of successive generations among ``products`` (ProductConfig, one per
    firm entry, in firm order), each oldest first, as indices into ``products``; raises
    ``ValueError`` naming the key on a dangling, ambiguous, branching or circular
    ``generation_of``, or on entry shares that add up to more than the segment."""
    names = [p.name for p in products]
    succ: dict[int, int] = {}
    for i, p in enumerate(products):
        if p.generation_of is None:
            continue
        key = f"product {p.name!r}.generation_of"
        hits = [k for k, n in enumerate(names) if n == p.generation_of]
        if len(hits) != 1:
            why = "no product has that name" if not hits else "several products have that name"
            raise ValueError(f"{key} must name exactly one earlier product ({why}), got "
                             f"{p.generation_of!r}")
        if hits[0] in succ:
            raise ValueError(f"{key}: {p.generation_of!r} already has a next generation "
                             f"({names[succ[hits[0]]]!r}); a generation has one successor, "
                             f"got {p.generation_of!r}")
        succ[hits[0]] = i
    chains = []
    for first in sorted(set(succ) - set(succ.values())):
        chain = [first]
        while chain[-1] in succ:
            chain.append(succ[chain[-1]])
        chains.append(chain)
    if sum(len(c) for c in chains) != len(set(succ) | set(succ.values())):
        loop = sorted(names[i] for i in set(succ) - {i for c in chains for i in c})
        raise ValueError(f"product generation_of must not go round in a circle, got {loop}")
    for chain in chains:
        key = f"product {names[chain[0]]!r} and its generations"
        if len(chain) > MAX_GENERATIONS:
            raise ValueError(f"{key}: at most {MAX_GENERATIONS} generations in a chain, got "
                             f"{len(chain)}")
        total = sum(products[i].entry_share for i in chain)
        if total > 1.0 + 1e-9:
            raise ValueError(f"{key}: entry_share must add up to at most 1 (the segment), got "
                             f"{total:g} ({', '.join(names[i] for i in chain)})")
    total = sum(products[i].entry_share for c in chains for i in c)
    if len(chains) > 1 and total > 1.0 + 1e-9:
        raise ValueError(f"product entry_share of all generation chains must add up to at most 1 "
                         f"(the segment), got {total:g}")
    return chains
