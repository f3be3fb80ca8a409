"""Schema of a market made of regions (countries) and of a firm's rollout across them.

A region groups some of the market's segments (``segments``: their names; every segment
belongs to exactly one region once regions are given) and may set for them its own Bass
``p`` and ``q`` (per year, replacing the segments' values), a ``price_level`` (a multiplier
on every list price there: purchasing power, duties, a currency's level against the
reporting currency), the share of its customers who buy through each distribution
channel (``channel_use``, replacing the segments' values), a ``localisation_cost`` (paid
once by each firm on entering it: translation, certification, local launch) and the
cross-region influence it receives (``influence``: ``{lead region: delta per year}``,
Kumar and Krishnan 2002; ``sim.market.regions``).

A firm enters the regions on its own schedule (``FirmConfig.rollout``: ``{region: days
after the product's launch}``; empty: every region at launch; listed: only those).
"""

import math
from dataclasses import dataclass, field

from sim.config._checks import check_finite_map, check_name, check_nonneg, check_range


@dataclass
class RegionConfig:
    name: str = "home"
    segments: list[str] = field(default_factory=list)
    p: float | None = None
    q: float | None = None
    price_level: float = 1.0
    channel_use: dict[str, float] = field(default_factory=dict)
    localisation_cost: float = 0.0
    influence: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        key = f"market.regions {self.name!r}"
        check_name(f"{key}.name", self.name)
        if not self.segments:
            raise ValueError(f"{key}.segments must name at least one segment, got []")
        if len(set(self.segments)) != len(self.segments):
            raise ValueError(f"{key}.segments names must be unique, got {list(self.segments)}")
        if self.p is not None:
            check_range(f"{key}.p", self.p, 0.0, 5.0)
        if self.q is not None:
            check_range(f"{key}.q", self.q, 0.0, 20.0)
        check_range(f"{key}.price_level", self.price_level, 0.01, 100.0)
        check_finite_map(f"{key}.channel_use", self.channel_use, 0.0, 1.0)
        check_nonneg(f"{key}.localisation_cost", self.localisation_cost, 1e12)
        check_finite_map(f"{key}.influence", self.influence, 0.0, 20.0)
        if self.name in self.influence:
            raise ValueError(f"{key}.influence names the region itself ({self.name!r}): its "
                             "own adopters act through q")


def apply_regions(segments, regions) -> None:
    """Check the regions against the market's segments and write each region's p, q and
    channel use into its segments (``MarketConfig.__post_init__``)."""
    if not regions:
        return
    names = [r.name for r in regions]
    if len(set(names)) != len(names):
        raise ValueError(f"market.regions names must be unique, got {names}")
    by_name = {s.name: s for s in segments}
    owner = {}
    for r in regions:
        for seg in r.segments:
            if seg not in by_name:
                raise ValueError(f"market.regions {r.name!r}.segments: unknown segment {seg!r} "
                                 f"(segments: {', '.join(by_name)})")
            if seg in owner:
                raise ValueError(f"market.regions: segment {seg!r} is in two regions "
                                 f"({owner[seg]!r} and {r.name!r})")
            owner[seg] = r.name
        for lead in r.influence:
            if lead not in names:
                raise ValueError(f"market.regions {r.name!r}.influence: unknown region {lead!r} "
                                 f"(regions: {', '.join(names)})")
    missing = [s for s in by_name if s not in owner]
    if missing:
        raise ValueError(f"market.regions: segment {missing[0]!r} is in no region (every "
                         "segment belongs to one region once regions are given)")
    for r in regions:
        for seg in r.segments:
            s = by_name[seg]
            if r.p is not None:
                s.p = r.p
            if r.q is not None:
                s.q = r.q
            if r.channel_use:
                s.channel_use = dict(r.channel_use)
            if r.influence and s.p <= 0.0:
                raise ValueError(f"market.regions {r.name!r}.influence needs p > 0 in its "
                                 f"segments (the influence acts through the innovation "
                                 f"term), got segment {seg!r} p={s.p}")


def check_rollout(key: str, rollout) -> None:
    """A firm's ``rollout``: days after launch per region, each finite and >= 0."""
    for region, day in rollout.items():
        check_name(f"{key} key", region)
        if isinstance(day, bool) or not isinstance(day, (int, float)) or not math.isfinite(day):
            raise ValueError(f"{key}.{region} must be a number of days, got {day!r}")
        if day < 0:
            raise ValueError(f"{key}.{region} must be >= 0 days after launch, got {day:g}")
        check_range(f"{key}.{region}", day, 0.0, 36_500.0)


def check_rollouts(market, firms) -> None:
    """Every region a firm's ``rollout`` names is one of the market's regions
    (``ScenarioConfig.__post_init__``); ``firms``: ``{config key: FirmConfig}``."""
    names = [r.name for r in market.regions]
    for key, firm in firms.items():
        for region in firm.rollout:
            if not names:
                raise ValueError(f"{key}.rollout names region {region!r} but the market has no "
                                 "regions (market.regions is empty)")
            if region not in names:
                raise ValueError(f"{key}.rollout: unknown region {region!r} "
                                 f"(regions: {', '.join(names)})")
