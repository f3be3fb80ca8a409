"""Schema of a firm's finance: the credit line's interest, the cash reserve that stops
discretionary spending, the band that recovers it (hysteresis), and the layoffs when the
headroom falls below ``layoff_weeks`` or a payment cannot be met. The credit line's limit itself is ``FirmConfig.credit_line``.

Weeks are weeks of the firm's fixed obligations (payroll plus interest), reviewed weekly
(``sim.firm.solvency``). Ranges: ``sim.config.bounds``.

``equity_rounds``: optional equity raised at milestones (``sim.firm.equity``), each
``{at: launch | day N | gate STAGE, amount: X}``; ``gate STAGE`` is the first ``go`` of
that stage's gate. Posted as ``financing:equity``: it is paid-in capital on the balance
sheet, not revenue.
"""

import re
from dataclasses import dataclass, field

from sim.config._checks import check_range
from sim.config.bounds import MONEY

MILESTONE = re.compile(r"^(launch|day\s+(\S+)|gate\s+(\S+))$")


@dataclass
class EquityRoundConfig:
    at: str = "launch"
    amount: float = 0.0
    NUMBER_KINDS = {"amount": "money"}

    def milestone(self) -> tuple[str, object]:
        """``("launch", None)``, ``("day", N)`` or ``("gate", STAGE)``."""
        m = MILESTONE.match(str(self.at).strip())
        if m.group(2) is not None:
            return "day", float(m.group(2))
        if m.group(3) is not None:
            return "gate", m.group(3)
        return "launch", None

    def check(self, key):
        m = MILESTONE.match(str(self.at).strip()) if isinstance(self.at, str) else None
        if m is None:
            raise ValueError(f"{key}.at must be 'launch', 'day N' or 'gate STAGE', "
                             f"got {self.at!r}")
        if m.group(2) is not None:
            try:
                day = float(m.group(2))
            except ValueError:
                raise ValueError(f"{key}.at must be 'day N' with N a number of days, got "
                                 f"{self.at!r}") from None
            check_range(f"{key}.at (day)", day, 0.0, 1e5)
        check_range(f"{key}.amount", self.amount, 0.0, MONEY, low_open=True)


@dataclass
class FinanceConfig:
    interest_per_year: float = 0.10
    reserve_weeks: float = 4.0
    recovery_weeks: float = 13.0
    layoff_weeks: float = 2.0
    layoff_fraction: float = 0.5
    equity_rounds: list[EquityRoundConfig] = field(default_factory=list)

    def check(self, key):
        for i, r in enumerate(self.equity_rounds):
            r.check(f"{key}.equity_rounds[{i}]")
        check_range(f"{key}.interest_per_year", self.interest_per_year, 0.0, 1.0)
        check_range(f"{key}.reserve_weeks", self.reserve_weeks, 0.0, 520.0)
        check_range(f"{key}.recovery_weeks", self.recovery_weeks, 0.0, 520.0)
        if self.recovery_weeks < self.reserve_weeks:
            raise ValueError(f"{key}.recovery_weeks must be >= reserve_weeks "
                             f"({self.reserve_weeks:g}), got {self.recovery_weeks:g}")
        check_range(f"{key}.layoff_weeks", self.layoff_weeks, 0.0, 520.0)
        if self.layoff_weeks > self.reserve_weeks:
            raise ValueError(f"{key}.layoff_weeks must be <= reserve_weeks "
                             f"({self.reserve_weeks:g}), got {self.layoff_weeks:g}")
        check_range(f"{key}.layoff_fraction", self.layoff_fraction, 0.0, 1.0, low_open=True)
