"""The example sales history of ``marketsim-fit --example``: synthetic, with known p, q, m.

Eight years of sales of a durable, early in its life (the expected peak is in year 9),
drawn from the Bass (1969) closed form with p = 0.01 and q = 0.40 per year and a market
potential of m = 20,000 (thousand households), times 10% normal relative noise per year, seed 2024 (``numpy.random.default_rng``). The draw is exact and
deterministic, so the example works in any clone, with no data files; its known
parameters let a user see what the fit and the forecast recover. The numbers are written
as ``example_sales.csv`` beside the outputs, in the input format ``marketsim-fit`` reads.
"""

from __future__ import annotations

import numpy as np

from sim.calibration.bass import period_sales, unit_bounds
from sim.calibration.data import SalesSeries

P, Q, M = 0.01, 0.40, 20_000.0
YEARS = 8
FIRST_YEAR = 2010
NOISE = 0.10
SEED = 2024
SOURCE = (f"example (synthetic Bass history: p = {P:g}, q = {Q:g} per year, m = {M:,.0f}, "
          f"{YEARS} years, {NOISE:.0%} noise, seed {SEED})")


def example_sales() -> np.ndarray:
    """Sales per year, float64 (YEARS,), rounded to whole units."""
    rng = np.random.default_rng(SEED)
    mean = period_sales(P, Q, M, unit_bounds(YEARS))
    return np.round(mean * (1.0 + NOISE * rng.standard_normal(YEARS)))


def example_series() -> SalesSeries:
    years = FIRST_YEAR + np.arange(YEARS, dtype=float)
    return SalesSeries(source=SOURCE, period_column="year", periods=years,
                       sales=example_sales())


def example_csv() -> str:
    s = example_series()
    rows = [f"{int(y)},{int(v)}" for y, v in zip(s.periods, s.sales, strict=True)]
    return "year,sales\n" + "\n".join(rows) + "\n"
