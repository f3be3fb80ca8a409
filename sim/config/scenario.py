"""Schema of a whole scenario and of the command line's top-level settings."""

from dataclasses import dataclass, field, fields

from sim.config._checks import check_choice, check_range
from sim.config.firm import FirmConfig
from sim.config.market import MarketConfig

MODES = ("aggregate", "agent")
BACKENDS = ("cpu", "cuda")


@dataclass
class ScenarioConfig:
    """Everything ``sim.run_scenario`` needs besides the seed."""

    name: str = "baseline"
    description: str = "Our product enters a market"
    horizon_days: float = 1825.0
    dt_days: float = 7.0
    mode: str = "aggregate"
    backend: str = "cpu"
    discount_rate_per_year: float = 0.10
    market: MarketConfig = field(default_factory=MarketConfig)
    firm: FirmConfig = field(default_factory=FirmConfig)
    competitors: dict[str, FirmConfig] = field(default_factory=dict)

    def __post_init__(self):
        check_range("horizon_days", self.horizon_days, 0.0, 36_500.0, low_open=True)
        check_range("dt_days", self.dt_days, 0.0, 365.0, low_open=True)
        if self.dt_days > self.horizon_days:
            raise ValueError(f"dt_days must not exceed horizon_days, got {self.dt_days} > {self.horizon_days}")
        check_choice("mode", self.mode, MODES)
        check_choice("backend", self.backend, BACKENDS)
        check_range("discount_rate_per_year", self.discount_rate_per_year, -0.5, 2.0)
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

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be a whole number, got {self.seed!r}")
        check_range("seed", self.seed, 0, 2**63 - 1)
        check_range("replications", self.replications, 1, 100_000)

    def scenario(self) -> ScenarioConfig:
        """The ScenarioConfig part (what ``sim.run_scenario`` takes)."""
        return ScenarioConfig(**{f.name: getattr(self, f.name) for f in fields(ScenarioConfig)})
