"""Time units: the model's clock counts days (DESIGN.md); every other unit is defined here.

A year is 365 days (no leap years: the calendar of a simulation, not of the sky), a week 7,
a month a twelfth of a year, a quarter 91 days (13 weeks, the quarter of a 52-week
retail calendar).
"""

import math

DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
DAYS_PER_QUARTER = 91.0
WEEKS_PER_YEAR = 52.0


def per_year_to_per_day(rate: float) -> float:
    """A rate per year (a hazard, a cost) as a rate per day."""
    return rate / DAYS_PER_YEAR


def steps_in(days: float, dt_days: float) -> int:
    """How many market steps of ``dt_days`` cover ``days`` (at least one)."""
    return max(int(round(days / dt_days)), 1)


def years(days: float) -> float:
    return days / DAYS_PER_YEAR


def discount_factor(rate_per_year: float, days: float) -> float:
    """``(1 + r)^(-t)`` with ``t`` in years: the present value of one unit paid at ``days``."""
    return math.pow(1.0 + rate_per_year, -days / DAYS_PER_YEAR)
