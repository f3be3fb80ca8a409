"""Schema of the market: customer segments (tastes, ideal points and their drift, channel
habits) and their social network."""

from dataclasses import dataclass, field

from sim.analogies import lookup
from sim.config._checks import (
    check_choice,
    check_finite_map,
    check_name,
    check_nonneg,
    check_positive,
    check_prob,
    check_range,
)
from sim.config.bounds import INT32_COUNT, check_numbers
from sim.config.region import RegionConfig, apply_regions

ATTRIBUTES = ("quality", "features", "design")
CHANNELS = ("tv", "online", "social", "search")
DISTRIBUTION_CHANNELS = ("direct_online", "retail", "partners")
NETWORK_KINDS = ("fully_mixed", "small_world", "heavy_tailed")


def _weights():
    return {"quality": 1.0, "features": 0.6, "design": 0.4}


def _reach():
    return {"tv": 1.0, "online": 1.0, "social": 1.0, "search": 1.0}


@dataclass
class SegmentConfig:
    """One customer segment.

    ``p`` and ``q`` are Bass coefficients per year (the literature's convention; Sultan,
    Farley and Lehmann 1990 report means of about 0.03 and 0.38).

    Preferences (``sim.market.preferences``; docs/model.md section 1.6): ``ideal_point`` gives
    ideal levels of some attributes; their utility becomes the ideal-point term
    ``-ideal_point_weight * w_k * (a_k - ideal_k)**2`` instead of ``w_k * a_k`` (empty: the
    linear utility, unchanged). Ideals move by ``ideal_drift_per_year`` (attribute units
    per year) plus a random walk of sd ``ideal_noise_per_year`` per sqrt(year); price
    sensitivity by ``price_sensitivity_drift_per_year`` plus a random walk of sd
    ``price_sensitivity_noise_per_year``. ``channel_use``: share of the segment that buys
    through each distribution channel (channels not listed: 1, everyone).

    Organic awareness (``sim.market.organic``; docs/model.md section 3.3): unaware customers
    learn of a launched brand without paid media at ``organic_awareness_per_year`` (press,
    retail presence, search) plus ``brand_word_of_mouth * q`` times the brand's owners'
    share of the segment (owners talk about the brand). 0: paid media only.

    ``prototype_preference`` (``sim.market.pioneer``; docs/model.md section 1.7): utils
    added to a brand's utility times its share of the segment's installed base
    (preference formation toward the pioneer, Carpenter and Nakamoto 1989). 0: none.
    """

    name: str = "mainstream"
    size: int = 200_000
    p: float = 0.03
    q: float = 0.38
    attribute_weights: dict[str, float] = field(default_factory=_weights)
    price_sensitivity: float = 1.5
    outside_utility: float | None = None
    attractiveness_elasticity: float = 0.0
    reference_price: float = 400.0
    churn_return: float = 0.5
    quality_expectation: float = 0.7
    taste_sd: float = 0.0
    price_sensitivity_sd: float = 0.0
    channel_reach: dict[str, float] = field(default_factory=_reach)
    ideal_point: dict[str, float] = field(default_factory=dict)
    ideal_point_weight: float = 10.0
    ideal_drift_per_year: dict[str, float] = field(default_factory=dict)
    ideal_noise_per_year: float = 0.0
    price_sensitivity_drift_per_year: float = 0.0
    price_sensitivity_noise_per_year: float = 0.0
    channel_use: dict[str, float] = field(default_factory=dict)
    organic_awareness_per_year: float = 0.0
    brand_word_of_mouth: float = 0.0
    prototype_preference: float = 0.0

    def __post_init__(self):
        key = f"segment {self.name!r}"
        check_name(f"{key}.name", self.name)
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise ValueError(f"{key}.size must be a whole number of customers, got {self.size!r}")
        check_range(f"{key}.size", self.size, 1, INT32_COUNT)
        check_numbers(self, key)
        check_nonneg(f"{key}.p", self.p)
        check_nonneg(f"{key}.q", self.q)
        check_range(f"{key}.p", self.p, high=5.0)
        check_range(f"{key}.q", self.q, high=20.0)
        for name in self.attribute_weights:
            check_choice(f"{key}.attribute_weights key", name, ATTRIBUTES)
        check_finite_map(f"{key}.attribute_weights", self.attribute_weights)
        check_range(f"{key}.price_sensitivity", self.price_sensitivity, 0.0, 1000.0)
        check_range(f"{key}.outside_utility", self.outside_utility, -50.0, 50.0)
        check_range(f"{key}.attractiveness_elasticity", self.attractiveness_elasticity, 0.0, 100.0)
        check_positive(f"{key}.reference_price", self.reference_price)
        check_prob(f"{key}.churn_return", self.churn_return)
        check_prob(f"{key}.quality_expectation", self.quality_expectation)
        check_range(f"{key}.taste_sd", self.taste_sd, 0.0, 100.0)
        check_range(f"{key}.price_sensitivity_sd", self.price_sensitivity_sd, 0.0, 1000.0)
        for name in self.channel_reach:
            check_choice(f"{key}.channel_reach key", name, CHANNELS)
        check_finite_map(f"{key}.channel_reach", self.channel_reach, 0.0)
        for name in self.ideal_point:
            check_choice(f"{key}.ideal_point key", name, ATTRIBUTES)
        check_finite_map(f"{key}.ideal_point", self.ideal_point, -5.0, 5.0)
        check_range(f"{key}.ideal_point_weight", self.ideal_point_weight, 0.0, 1000.0)
        for name in self.ideal_drift_per_year:
            check_choice(f"{key}.ideal_drift_per_year key (an attribute with an ideal_point)",
                         name, tuple(self.ideal_point))
        check_finite_map(f"{key}.ideal_drift_per_year", self.ideal_drift_per_year, -1.0, 1.0)
        check_range(f"{key}.ideal_noise_per_year", self.ideal_noise_per_year, 0.0, 1.0)
        check_range(f"{key}.price_sensitivity_drift_per_year",
                    self.price_sensitivity_drift_per_year, -10.0, 10.0)
        check_range(f"{key}.price_sensitivity_noise_per_year",
                    self.price_sensitivity_noise_per_year, 0.0, 10.0)
        check_range(f"{key}.organic_awareness_per_year", self.organic_awareness_per_year, 0.0, 50.0)
        check_range(f"{key}.brand_word_of_mouth", self.brand_word_of_mouth, 0.0, 100.0)
        check_range(f"{key}.prototype_preference", self.prototype_preference, 0.0, 20.0)
        for name in self.channel_use:
            check_choice(f"{key}.channel_use key", name, DISTRIBUTION_CHANNELS)
        check_finite_map(f"{key}.channel_use", self.channel_use, 0.0, 1.0)


@dataclass
class NetworkConfig:
    """Social network for agent mode (ignored in aggregate mode).

    ``seed``: null (the default) draws a new network for every run from the run's seed;
    a whole number fixes the network, a property of the market, across runs and
    replications (only the dynamics vary), built once per process and reused
    (``sim.kernel.network.build_network(..., cache=True)``; docs/model.md section 1.5).
    """

    NUMBER_KINDS = {"seed": "count"}

    kind: str = "fully_mixed"
    mean_degree: int = 10
    rewire: float = 0.1
    exponent: float = 2.5
    seed: int | None = None

    def __post_init__(self):
        if self.seed is not None:
            if isinstance(self.seed, bool) or not isinstance(self.seed, int):
                raise ValueError(f"market.network.seed must be null or a whole number, "
                                 f"got {self.seed!r}")
            check_range("market.network.seed", self.seed, 0, INT32_COUNT)
        check_choice("market.network.kind", self.kind, NETWORK_KINDS)
        check_range("market.network.mean_degree", self.mean_degree, 2, 1000)
        if self.kind == "small_world" and self.mean_degree % 2:
            raise ValueError(f"market.network.mean_degree must be even for small_world, got {self.mean_degree}")
        check_prob("market.network.rewire", self.rewire)
        check_range("market.network.exponent", self.exponent, 2.0, 10.0, low_open=True)


@dataclass
class SeasonalityConfig:
    """Demand seasonality (``sim.market.seasonality``; docs/model.md section 1.8).

    ``monthly_index``: twelve relative purchase rates, January first (empty: none); they
    are rescaled to average 1, so seasonality moves purchases within the year, not their
    level. ``start_month``: the calendar month of day 0 (1 = January).
    """

    monthly_index: list[float] = field(default_factory=list)
    start_month: int = 1

    def __post_init__(self):
        key = "market.seasonality"
        if self.monthly_index and len(self.monthly_index) != 12:
            raise ValueError(f"{key}.monthly_index must list 12 months (January first) or none, "
                             f"got {len(self.monthly_index)} values")
        for i, v in enumerate(self.monthly_index):
            check_range(f"{key}.monthly_index[{i}]", v, 0.0, 100.0)
        if self.monthly_index and sum(self.monthly_index) <= 0.0:
            raise ValueError(f"{key}.monthly_index must have a positive sum, got {list(self.monthly_index)}")
        check_range(f"{key}.start_month", self.start_month, 1, 12)


def _segments():
    return [SegmentConfig()]


@dataclass
class MarketConfig:
    """The category market: segments, network, and an optional analogy prior for p, q.

    ``analogy``: a category of the shipped table of published Bass coefficients
    (``sim/data/analogies.csv``, ``marketsim list analogies``); it sets every segment's
    ``p`` and ``q`` (per year), replacing the configured values.
    """

    name: str = "default"
    segments: list[SegmentConfig] = field(default_factory=_segments)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    seasonality: SeasonalityConfig = field(default_factory=SeasonalityConfig)
    # share of customers who find their chosen product out of stock and buy another
    # product at once (the "switch brand" response to retail stock-outs, Gruen, Corsten and
    # Bharadwaj 2002; docs/model.md 4.1); the others wait (stockout: defer) or stay potential
    # adopters (stockout: lose)
    stockout_switching: float = 0.26
    # word of mouth of a customer who ordered and waits for a backordered first unit, as a
    # share of an owner's: 0, they do not talk until they have it (Jain, Mahajan and
    # Muller 1991; Ho, Savin and Terwiesch 2002); Keith, Sterman and Struben (2018) found
    # the Prius's waitlist talked (sim.market.waitlist; docs/model.md section 4)
    waitlist_word_of_mouth: float = 0.0
    analogy: str | None = None
    # regions (countries) grouping the segments, with their own p, q, price level,
    # channels, localisation cost and cross-region influence (sim.config.region)
    regions: list[RegionConfig] = field(default_factory=list)

    def __post_init__(self):
        check_name("market.name", self.name)
        if not self.segments:
            raise ValueError("market.segments must list at least one segment, got []")
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"market.segments names must be unique, got {names}")
        check_prob("market.stockout_switching", self.stockout_switching)
        check_prob("market.waitlist_word_of_mouth", self.waitlist_word_of_mouth)
        if self.analogy is not None:
            prior = lookup(self.analogy, "market.analogy")
            for seg in self.segments:
                seg.p, seg.q = prior.p, prior.q
        apply_regions(self.segments, self.regions)
