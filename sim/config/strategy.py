"""Schema of a firm's strategy: ours (``focal``) or a competitor's reaction rules."""

from dataclasses import dataclass

from sim.config._checks import check_choice, check_name, check_nonneg, check_prob, check_range
from sim.config.bounds import MIN_PERIOD_DAYS

STRATEGIES = ("focal", "incumbent", "fast_follower", "price_warrior", "premium_niche",
              "disruptor")


@dataclass
class StrategyConfig:
    """How a competitor reacts. It reviews every ``review_days`` what it observed
    ``observation_lag_days`` earlier, with multiplicative noise of sd ``observation_noise``.
    A premium niche player buys ``quality_step`` of quality for ``quality_step_cost``,
    reaching the market ``quality_step_days`` later; its ``share_threshold`` is read on its
    share of its focus segment's orders, the others' on total unit shares."""

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
    quality_step: float = 0.03
    quality_step_cost: float = 400_000.0
    quality_step_days: float = 60.0

    def check(self, key):
        check_choice(f"{key}.kind", self.kind, STRATEGIES)
        check_range(f"{key}.review_days", self.review_days, MIN_PERIOD_DAYS)
        check_nonneg(f"{key}.observation_lag_days", self.observation_lag_days)
        check_range(f"{key}.observation_noise", self.observation_noise, 0.0, 10.0)
        check_prob(f"{key}.share_threshold", self.share_threshold)
        check_range(f"{key}.price_cut", self.price_cut, 0.0, 1.0, high_open=True)
        check_range(f"{key}.marketing_boost", self.marketing_boost, 0.0, 100.0)
        check_range(f"{key}.undercut", self.undercut, 0.0, 1.0, high_open=True)
        check_nonneg(f"{key}.entry_day", self.entry_day)
        if self.entry_day > 0 and self.kind != "disruptor":  # the others would ignore it
            raise ValueError(f"{key}.entry_day is read only by a disruptor's strategy; "
                             f"kind {self.kind!r} starts its development on its own terms, "
                             f"got entry_day={self.entry_day:g}")
        check_range(f"{key}.copy_quality", self.copy_quality, 0.0, 2.0)
        check_range(f"{key}.quality_step", self.quality_step, 0.0, 1.0, low_open=True)
        check_nonneg(f"{key}.quality_step_cost", self.quality_step_cost)
        check_nonneg(f"{key}.quality_step_days", self.quality_step_days)
        if self.segment_focus is not None:
            check_name(f"{key}.segment_focus", self.segment_focus)
