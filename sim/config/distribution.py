"""Schema of a firm's distribution channels (``sim.firm.distribution``; docs/model.md section 9)."""

from dataclasses import dataclass, field

from sim.config._checks import (
    check_choice,
    check_finite_map,
    check_nonneg,
    check_prob,
    check_range,
)
from sim.config.market import DISTRIBUTION_CHANNELS


@dataclass
class DistributionChannelConfig:
    """One distribution channel of a firm (``sim.firm.distribution``; docs/model.md section 9).

    Coverage (the share of the channel's outlets that carry the product, per segment)
    moves toward ``target`` (``target_by_segment`` overrides it per segment name) at the
    rate ``build_per_week + build_per_sales_head_per_week * H`` per week, where H is the
    sales team's productive heads given to this channel (its ``sales_effort_share`` of the
    shares of all the firm's channels), and erodes at ``decay_per_week``; it starts at
    ``initial`` (``initial_by_segment``) and moves only from ``start_day``. ``margin``: the
    channel's cut of the revenue it carries, booked as ``channel_margin:<channel>``.
    """

    margin: float = 0.0
    target: float = 1.0
    target_by_segment: dict[str, float] = field(default_factory=dict)
    initial: float = 0.0
    initial_by_segment: dict[str, float] = field(default_factory=dict)
    start_day: float = 0.0
    build_per_week: float = 0.05
    build_per_sales_head_per_week: float = 0.0
    sales_effort_share: float = 1.0
    decay_per_week: float = 0.0

    def check(self, key):
        check_range(f"{key}.margin", self.margin, 0.0, 1.0, high_open=True)
        check_prob(f"{key}.target", self.target)
        check_finite_map(f"{key}.target_by_segment", self.target_by_segment, 0.0, 1.0)
        check_prob(f"{key}.initial", self.initial)
        check_finite_map(f"{key}.initial_by_segment", self.initial_by_segment, 0.0, 1.0)
        check_nonneg(f"{key}.start_day", self.start_day)
        check_range(f"{key}.build_per_week", self.build_per_week, 0.0, 10.0)
        check_range(f"{key}.build_per_sales_head_per_week",
                    self.build_per_sales_head_per_week, 0.0, 10.0)
        check_nonneg(f"{key}.sales_effort_share", self.sales_effort_share)
        check_range(f"{key}.decay_per_week", self.decay_per_week, 0.0, 1.0)


@dataclass
class DistributionConfig:
    """Where customers can buy the product. No channels (the default): everyone can buy
    it and no channel takes a margin, as before channels existed."""

    channels: dict[str, DistributionChannelConfig] = field(default_factory=dict)

    def check(self, key):
        for name, ch in self.channels.items():
            check_choice(f"{key}.channels key", name, DISTRIBUTION_CHANNELS)
            ch.check(f"{key}.channels.{name}")
