"""Schema of a whole scenario and of the command line's top-level settings.

A run may take at most ``MAX_STEPS`` market steps (``horizon_days / dt_days``) and, by the
estimate ``estimated_seconds``, at most ``MAX_ESTIMATED_SECONDS`` for all its
replications; the estimate uses costs measured on the project's 2-core CI machine
(``SECONDS_PER_STEP`` for the SimPy world and the aggregate kernel,
``SECONDS_PER_CUSTOMER_STEP`` for the agent kernel): about 5 ms a step and 80 ns a
customer-step. In agent mode the customers of all segments together must fit the kernel's
int32 indices.
"""

import math
from dataclasses import dataclass, field, fields

from sim.config._checks import check_choice, check_name, check_range
from sim.config.bounds import INT32_COUNT, MAX_STEPS
from sim.config.commercial import generation_chains
from sim.config.competitor import CompetitorConfig
from sim.config.firm import FirmConfig
from sim.config.market import MarketConfig
from sim.config.region import check_rollouts

MODES = ("aggregate", "agent")
BACKENDS = ("cpu", "cuda")
DRAWS = ("generator", "counter", "approx")  # aggregate mode's binomial draws (sim.kernel.aggregate)
# what a run writes: the whole output contract, or (for sweeps) its KPIs and the tables
# named in ``output_tables``
OUTPUTS = ("full", "compact")
OUTPUT_TABLES = ("timeseries", "events", "ledger", "tasks", "segments", "preferences",
                 "distribution", "pnl", "balance", "regions")
SECONDS_PER_STEP = 5e-3
SECONDS_PER_CUSTOMER_STEP = 8e-8
MAX_ESTIMATED_SECONDS = 3600.0


def _count(n: float) -> str:
    return f"{n:,.0f}" if n < 1e12 else f"{n:.3g}"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:,.1f} h" if seconds < 3.6e9 else f"{seconds / 3600:.3g} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


@dataclass
class ScenarioConfig:
    """Everything ``sim.run_scenario`` needs besides the seed."""

    name: str = "baseline"
    description: str = "Our product enters a market"
    horizon_days: float = 1825.0
    dt_days: float = 7.0
    mode: str = "aggregate"
    backend: str = "cpu"
    # aggregate mode's binomial draws: exact counter-based draws keyed by (step, index), the
    # default since 2026-12-07 (options compared on one seed keep their draws in step),
    # NumPy's generator drawn in turn, or approx (Cornish-Fisher normal where n p q >= 10);
    # docs/model.md 1.5
    draws: str = "counter"
    # the firm's cost of capital, 0 to 2 a year: a WACC is positive (Koller, Goedhart and
    # Wessels, Valuation, ch. 15); a negative rate made money later worth more than now
    discount_rate_per_year: float = 0.10
    tax_rate: float = 0.21  # on pretax income, losses carried forward (sim/results/statements.py)
    depreciation_years: float = 5.0  # straight-line life of capacity expansion
    currency: str = "USD"  # the one currency of every amount (ISO 4217 code); reports name it
    market: MarketConfig = field(default_factory=MarketConfig)
    firm: FirmConfig = field(default_factory=FirmConfig)
    competitors: dict[str, CompetitorConfig] = field(default_factory=dict)

    def __post_init__(self):
        check_name("name", self.name)
        check_range("horizon_days", self.horizon_days, 0.0, 36_500.0, low_open=True)
        check_range("dt_days", self.dt_days, 0.0, 365.0, low_open=True)
        if self.dt_days > self.horizon_days:
            raise ValueError(f"dt_days must not exceed horizon_days, got {self.dt_days} > {self.horizon_days}")
        check_choice("mode", self.mode, MODES)
        check_choice("backend", self.backend, BACKENDS)
        check_choice("draws", self.draws, DRAWS)
        if self.draws != "counter" and self.mode != "aggregate":
            raise ValueError(f"draws={self.draws} chooses aggregate mode's binomial draws: set "
                             f"mode=aggregate or leave draws=counter (the default), got "
                             f"mode={self.mode!r}")
        if self.backend == "cuda" and self.mode != "agent":
            raise ValueError("backend=cuda runs the agent kernel only: set mode=agent as well, "
                             f"or backend=cpu (mode={self.mode} runs on the CPU), got "
                             f"mode={self.mode!r}")
        steps = self.horizon_days / self.dt_days
        if steps > MAX_STEPS:
            raise ValueError(
                f"dt_days={self.dt_days:g} over horizon_days={self.horizon_days:g} is "
                f"{_count(steps)} market steps (about {_duration(self.estimated_seconds())}); at most "
                f"{MAX_STEPS:,} steps are allowed: use dt_days >= "
                f"{self.horizon_days / MAX_STEPS:.4g} or a shorter horizon_days")
        if self.mode == "agent":
            customers = sum(s.size for s in self.market.segments)
            if customers > INT32_COUNT:
                raise ValueError(f"market.segments sizes total {customers:,} customers; mode=agent "
                                 f"holds at most {INT32_COUNT:,} (the kernel's int32 indices): "
                                 "use mode=aggregate or smaller segments")
        check_range("discount_rate_per_year", self.discount_rate_per_year, 0.0, 2.0)
        check_range("tax_rate", self.tax_rate, 0.0, 1.0, high_open=True)
        check_range("depreciation_years", self.depreciation_years, 0.0, 100.0, low_open=True)
        if not (isinstance(self.currency, str) and len(self.currency) == 3
                and self.currency.isascii() and self.currency.isalpha()
                and self.currency.isupper()):
            raise ValueError("currency must be a three-letter ISO 4217 code in capitals "
                             f"(USD, EUR, GBP, ...), got {self.currency!r}")
        names = [self.firm.name] + [c.name for c in self.competitors.values()]
        if len(set(names)) != len(names):
            raise ValueError(f"firm names must be unique, got {names}")
        if self.firm.strategy.kind != "focal":
            raise ValueError(f"firm.strategy.kind must be 'focal' for our firm, got {self.firm.strategy.kind!r}")
        for key, comp in self.competitors.items():
            if comp.strategy.kind == "focal":
                raise ValueError(f"competitors.{key}.strategy.kind must be a competitor strategy, got 'focal'")
        seg_names = {s.name for s in self.market.segments}
        for firm in [self.firm, *self.competitors.values()]:
            for seg in firm.initial_installed_base:
                check_choice(f"firm {firm.name!r}.initial_installed_base key", seg, sorted(seg_names))
            focus = firm.strategy.segment_focus
            if focus is not None:
                check_choice(f"firm {firm.name!r}.strategy.segment_focus", focus, sorted(seg_names))
        check_rollouts(self.market, {"firm": self.firm, **{f"competitors.{k}": c for k, c
                                                            in self.competitors.items()}})
        owned = [(f, p) for f in self.firms for p in [f.product, *(e.product for e in f.line)]]
        for chain in generation_chains([p for _, p in owned]):
            for i in chain:
                firm = owned[i][0]
                if firm.initial_installed_base:
                    raise ValueError(f"firm {firm.name!r}.initial_installed_base must be empty "
                                     f"for a product with generations ({owned[i][1].name!r}), "
                                     f"got {dict(firm.initial_installed_base)}")
        for i, seg in enumerate(self.market.segments):
            owners = {f.name: f.initial_installed_base[seg.name] for f in self.firms
                      if f.initial_installed_base.get(seg.name)}
            total = sum(owners.values())
            if total > seg.size:
                held = ", ".join(f"{k} {v}" for k, v in owners.items())
                raise ValueError(f"market.segments[{i}] ({seg.name!r}).size must be at least the "
                                 f"firms' initial_installed_base there ({total}: {held}), "
                                 f"got {seg.size}")

    @property
    def steps(self) -> int:
        """Market steps of one run: ``ceil(horizon_days / dt_days)``."""
        return math.ceil(self.horizon_days / self.dt_days)

    def estimated_seconds(self, replications: int = 1) -> float:
        """Rough wall time of ``replications`` runs on a 2-core machine (module docstring)."""
        per_step = SECONDS_PER_STEP
        if self.mode == "agent":
            per_step += SECONDS_PER_CUSTOMER_STEP * sum(s.size for s in self.market.segments)
        return replications * self.steps * per_step

    @property
    def firms(self) -> list[FirmConfig]:
        """Our firm first, then the competitors in config order."""
        return [self.firm, *self.competitors.values()]


@dataclass
class AppConfig(ScenarioConfig):
    """Top level of the ``marketsim`` command: a scenario's fields plus how to run it.

    The scenario group writes the scenario's fields at the top level, so that ``seed``,
    ``replications``, ``horizon_days`` and ``mode`` are top-level keys on the command line.
    """

    seed: int = 0
    replications: int = 1
    progress: bool = True
    plots: bool = True  # each run's plots/
    sweep_plot: bool = True  # a multirun's plots/sweep_kpis.png (kpis.parquet is always written)
    outputs: str = "full"  # compact: kpis.json and the output_tables only, no plots
    output_tables: list[str] = field(default_factory=list)  # with outputs=compact

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be a whole number, got {self.seed!r}")
        check_range("seed", self.seed, 0, 2**63 - 1)
        check_range("replications", self.replications, 1, 100_000)
        check_choice("outputs", self.outputs, OUTPUTS)
        for name in self.output_tables:
            check_choice("output_tables", name, OUTPUT_TABLES)
        if self.output_tables and self.outputs != "compact":
            raise ValueError(f"output_tables={list(self.output_tables)} chooses the tables of "
                             "outputs=compact (outputs=full writes them all): set "
                             f"outputs=compact, got outputs={self.outputs!r}")
        seconds = self.estimated_seconds(self.replications)
        if seconds > MAX_ESTIMATED_SECONDS:
            raise ValueError(
                f"replications={self.replications} of {self.steps:,} steps"
                f"{' in agent mode' if self.mode == 'agent' else ''} would take about "
                f"{_duration(seconds)} (limit {_duration(MAX_ESTIMATED_SECONDS)}): use fewer "
                "replications, or a sweep over seeds (marketsim -m 'seed=range(0,N)')")

    def scenario(self) -> ScenarioConfig:
        """The ScenarioConfig part (what ``sim.run_scenario`` takes)."""
        return ScenarioConfig(**{f.name: getattr(self, f.name) for f in fields(ScenarioConfig)})
