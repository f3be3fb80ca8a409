"""Time units: the model's clock counts days (DESIGN.md); every other unit is defined here.

A year is 365 days (no leap years: the calendar of a simulation, not of the sky), a week 7,
a month a twelfth of a year, a quarter 91 days (13 weeks, the quarter of a 52-week
retail calendar).
"""

import math

import numpy as np

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


def costs_end(horizon_days: float) -> float:
    """The day the weekly costs of a run stop covering: the firms' weekly processes run
    from day 0 while a week starts before the horizon, so they pay to the end of the week
    in which ``horizon_days`` falls (day 1,827 for 1,825 days)."""
    return DAYS_PER_WEEK * math.ceil(horizon_days / DAYS_PER_WEEK)


def step_days(t, dt_days: float, horizon_days: float):
    """The length of the market step that starts at day ``t`` (a number, or an array of
    them: an array): ``dt_days``, but the last step ends where the weekly costs do
    (``costs_end``), so that no sales are counted for days whose costs are not (with
    ``dt_days=28`` and 1,825 days the step from day 1,820 used to run to day 1,848).
    Only a step that would run past that day is cut: never one of a ``dt_days`` that
    divides 7."""
    end, dt = costs_end(horizon_days), float(dt_days)
    # a step within a nanoday of its full length keeps it (the clock adds up dt_days, and
    # with a dt_days such as 7/3 its sums are not exact)
    if isinstance(t, (int, float)):
        left = end - t
        return dt if left >= dt - 1e-9 else left
    left = end - np.asarray(t, dtype=float)
    return np.where(left >= dt - 1e-9, dt, left)


def years(days: float) -> float:
    return days / DAYS_PER_YEAR


def discount_factor(rate_per_year: float, days: float) -> float:
    """``(1 + r)^(-t)`` with ``t`` in years: the present value of one unit paid at ``days``."""
    return math.pow(1.0 + rate_per_year, -days / DAYS_PER_YEAR)
