"""Schema of a firm's finance: the credit line's interest, the cash reserve that stops
discretionary spending, the band that recovers it (hysteresis), and the layoffs when the
headroom falls below ``layoff_weeks`` or a payment cannot be met. The credit line's limit itself is ``FirmConfig.credit_line``.

Weeks are weeks of the firm's fixed obligations (payroll plus interest), reviewed weekly
(``sim.firm.solvency``). Ranges: ``sim.config.bounds``.
"""

from dataclasses import dataclass

from sim.config._checks import check_range


@dataclass
class FinanceConfig:
    interest_per_year: float = 0.10
    reserve_weeks: float = 4.0
    recovery_weeks: float = 13.0
    layoff_weeks: float = 2.0
    layoff_fraction: float = 0.5

    def check(self, key):
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
