"""Schema of a firm's product line: the extra products, how shared teams are allocated
across the firm's development projects, and when a product is retired.

A firm's first product is the one its ``product``, ``development``, ``pricing``,
``production`` and ``marketing`` describe (a single-product config is unchanged); each
entry of ``line`` adds one more product with its own development project, positioning,
price, plant and marketing. A part an entry leaves out (``None``) is a copy of the firm's
own part: the same tasks, the same pricing rule, the same plant, the same marketing plan.
Money in the model's one currency; durations in days. Ranges: ``sim.config.bounds``.
"""

from dataclasses import dataclass, field

from sim.config._checks import check_choice, check_finite_map, check_nonneg, check_range
from sim.config.commercial import MarketingConfig, PricingConfig, ProductConfig
from sim.config.development import DevelopmentConfig
from sim.config.operations import ProductionConfig

POLICIES = ("priority", "fixed", "value")
RETIRE_RULES = ("none", "date", "end_of_life")
STOCK_AT_RETIREMENT = ("run_down", "write_off")


@dataclass
class RetireConfig:
    """When a product leaves the market and what happens to its stock and its customers.

    ``rule``: ``none`` (never retired), ``date`` (on ``day``) or ``end_of_life`` (once its
    orders stay below ``min_units_per_week`` for ``weeks_below`` weekly reviews in a row,
    after launch). At the decision the plant stops; the stock is sold off until it is gone
    (``run_down``) or written off at once (``write_off``: its book value goes to cost of
    goods sold, disposal is paid at ``disposal_cost_per_unit``). Support for the installed
    base continues for ``support_days`` after the product leaves the market.
    """

    rule: str = "none"
    day: float | None = None
    min_units_per_week: float = 0.0
    weeks_below: int = 8
    stock: str = "run_down"
    disposal_cost_per_unit: float = 0.0
    support_days: float = 365.0

    def check(self, key):
        check_choice(f"{key}.rule", self.rule, RETIRE_RULES)
        check_choice(f"{key}.stock", self.stock, STOCK_AT_RETIREMENT)
        if self.rule == "date" and self.day is None:
            raise ValueError(f"{key}.day must be set when {key}.rule is 'date', got None")
        check_nonneg(f"{key}.day", self.day)
        check_nonneg(f"{key}.min_units_per_week", self.min_units_per_week)
        check_range(f"{key}.weeks_below", self.weeks_below, 1, 520)
        check_nonneg(f"{key}.disposal_cost_per_unit", self.disposal_cost_per_unit)
        check_nonneg(f"{key}.support_days", self.support_days)


@dataclass
class AllocationConfig:
    """How a team shared by several of the firm's development projects splits its heads.

    ``priority``: projects in line order (or ``order``, by product name) take the heads
    their running tasks can use (``max_heads`` each) before the next gets any;
    ``fixed``: ``shares`` by product name (renormalised over the projects that have work
    for the team at the moment; a product not listed has share 0 and waits);
    ``value``: shares in proportion to each project's expected value, its unit margin at
    list price times its planned weekly output (``sim.firm.allocation``).
    With one project every policy gives it the whole team.
    """

    policy: str = "priority"
    order: list[str] = field(default_factory=list)
    shares: dict[str, float] = field(default_factory=dict)

    def check(self, key, products):
        check_choice(f"{key}.policy", self.policy, POLICIES)
        for i, name in enumerate(self.order):
            check_choice(f"{key}.order[{i}]", name, products)
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"{key}.order must name each product once, got {self.order}")
        for name in self.shares:
            check_choice(f"{key}.shares key", name, products)
        check_finite_map(f"{key}.shares", self.shares, 0.0, 1e6)
        if self.policy == "fixed" and len(products) > 1 and sum(self.shares.values()) <= 0:
            raise ValueError(f"{key}.shares must give some product a share > 0 when "
                             f"{key}.policy is 'fixed', got {dict(self.shares)}")


@dataclass
class LineProductConfig:
    """One more product of the firm (see the module docstring); ``launched``: on the market
    from day 0 without development."""

    product: ProductConfig = field(default_factory=ProductConfig)
    development: DevelopmentConfig | None = None
    pricing: PricingConfig | None = None
    production: ProductionConfig | None = None
    marketing: MarketingConfig | None = None
    retire: RetireConfig = field(default_factory=RetireConfig)
    launched: bool = False
    initial_awareness: float | None = None

    def check(self, key):
        self.product.check(f"{key}.product")
        for part in ("development", "pricing", "production", "marketing"):
            value = getattr(self, part)
            if value is not None:
                value.check(f"{key}.{part}")
        self.retire.check(f"{key}.retire")
        if self.initial_awareness is not None:
            check_range(f"{key}.initial_awareness", self.initial_awareness, 0.0, 1.0)


def check_line(key: str, firm) -> None:
    """The firm's line: each entry valid, product names unique within the firm, the
    allocation naming only the firm's products."""
    names = [firm.product.name]
    for i, entry in enumerate(firm.line):
        entry.check(f"{key}.line[{i}]")
        name = entry.product.name
        if name in names:
            raise ValueError(f"{key}.line[{i}].product.name must differ from the firm's other "
                             f"products ({', '.join(names)}), got {name!r}")
        names.append(name)
    firm.retire.check(f"{key}.retire")
    firm.allocation.check(f"{key}.allocation", names)
