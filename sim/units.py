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


_NANODAY = 1e-9


def costs_end(horizon_days: float) -> float:
    """The day the weekly costs of a run stop covering: the firms' weekly processes run
    from day 0 while a week starts before the horizon, so they pay to the end of the week
    in which ``horizon_days`` falls (day 1,827 for 1,825 days)."""
    return DAYS_PER_WEEK * math.ceil(horizon_days / DAYS_PER_WEEK)


def step_days(t, dt_days: float, horizon_days: float):
    """The length of the market step that starts at day ``t`` (a number, or an array of
    them: an array): ``dt_days``, but the run's last step (the one after which the next
    would start at or past the horizon) ends where the weekly costs do (``costs_end``), cut
    or lengthened, so that the market sells on the days the firms pay for. With
    ``dt_days=28`` and 1,825 days the step from day 1,820 is 7 days (it ran to 1,848); with
    ``dt_days=5`` the one from 1,820 is 7 (it stopped at 1,825, two days of costs short);
    with ``dt_days=7`` every step keeps its 7. A ``t`` within a nanoday of the horizon
    takes no step (``is_market_day``)."""
    end, dt = costs_end(horizon_days), float(dt_days)
    if isinstance(t, (int, float)):
        return dt if t + dt < horizon_days - _NANODAY else end - t
    t = np.asarray(t, dtype=float)
    return np.where(t + dt < horizon_days - _NANODAY, dt, end - t)


def market_days(dt_days: float, horizon_days: float) -> np.ndarray:
    """The days the market steps on (``k dt_days`` while ``is_market_day``), as the
    results take them to know how many days of sales each period books."""
    dt = float(dt_days)
    t = np.arange(max(int(math.ceil((horizon_days - _NANODAY) / dt)), 0)) * dt
    return t[t < horizon_days - _NANODAY]


def is_market_day(t: float, horizon_days: float) -> bool:
    """Whether the market steps at day ``t``: before the horizon by more than a nanoday
    (the SimPy clock adds up ``dt_days``; with a ``dt_days`` such as 0.1 its sum stops a
    few ulps short of a horizon it should reach, where no step is due)."""
    return t < horizon_days - _NANODAY


def years(days: float) -> float:
    return days / DAYS_PER_YEAR


def discount_factor(rate_per_year: float, days: float) -> float:
    """``(1 + r)^(-t)`` with ``t`` in years: the present value of one unit paid at ``days``."""
    return math.pow(1.0 + rate_per_year, -days / DAYS_PER_YEAR)
