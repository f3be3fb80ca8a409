"""Priors for the Bass coefficients and the market potential, before any sales are seen.

Where they come from (docs/calibration.md has the discussion):

- p and q: the shipped analogy table (``sim/data/analogies.csv``, read through
  ``sim.analogies``), 27 categories whose values are published averages (Van den Bulte's
  compilation, Bass-era durables; rows whose p or q the source gives as essentially zero
  are left out of the spread). With no category the prior is centred on the table's
  median category, p = 0.0087, q = 0.388 per year; q agrees with the meta-analytic mean
  q = 0.38 of Sultan, Farley and Lehmann (1990), and the median p lies below their
  arithmetic mean p = 0.03 as the median of a right-skewed quantity does. With
  ``category`` the prior is centred on that row. Either way the spread is the
  across-category standard deviation of log p and log q in the table (1.34 and 0.55): the
  uncertainty of a forecaster who knows the category's average but not this product's
  deviation from it. (The spreads reported by the meta-analyses of Sultan, Farley and
  Lehmann 1990 and Van den Bulte and Stremersch 2004 could not be retrieved here, so the
  table's own spread stands in for them.)
- m: with a market-potential input (``ceiling``: households, population or a share's
  100), log m ~ N(log(CEILING_SHARE x ceiling), CEILING_SD); without one, a wide prior on
  the remaining potential relative to what has been seen (log((m - Y)/Y) ~ N(1, 1.5):
  ``REMAINING_MEAN``, ``REMAINING_SD``; mean 1, chosen on the development set, puts the
  prior's median m at (1 + e) Y, about 3.7 times what has been seen), which keeps m finite
  when the data cannot pin it (the issue's defect 3) and decides m before the inflection
  (docs/calibration.md).

Units: the table's p and q are per year; ``period_years`` converts them to per period.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

# Market-potential prior relative to a ceiling input, set by hand near the development
# series' final levels (owid_technology_diffusion_us, 44 non-empty series: median 90.6% of
# households, geometric mean 67%, log-sd 0.77, wider than this prior's 0.5) and not tuned
# further; never on the test set.
CEILING_SHARE = 0.8
CEILING_SD = 0.5
# Without a ceiling: log((m - Y) / Y) ~ N(REMAINING_MEAN, REMAINING_SD).
REMAINING_MEAN = 1.0
REMAINING_SD = 1.5


@dataclass(frozen=True)
class Prior:
    """Normal priors on log p and log q (per period) and on the market potential.

    ``log_m`` (mean, sd) applies to log m when a ceiling was given; otherwise
    ``remaining`` (mean, sd) applies to log((m - Y) / Y), Y the level already reached.
    """

    log_p: tuple[float, float]
    log_q: tuple[float, float]
    log_m: tuple[float, float] | None
    remaining: tuple[float, float]
    source: str
    ceiling: float | None = None

    def to_dict(self) -> dict:
        return {
            "p_median_per_period": math.exp(self.log_p[0]), "log_p_sd": self.log_p[1],
            "q_median_per_period": math.exp(self.log_q[0]), "log_q_sd": self.log_q[1],
            "m_median": None if self.log_m is None else math.exp(self.log_m[0]),
            "log_m_sd": None if self.log_m is None else self.log_m[1],
            "ceiling": self.ceiling,
            "remaining_log_mean": self.remaining[0], "remaining_log_sd": self.remaining[1],
            "source": self.source,
        }


@functools.cache
def table_spread() -> dict:
    """Median and standard deviation of log p and log q across the analogy table."""
    from sim.analogies import load_analogies

    rows = [a for a in load_analogies().values()
            if "essentially zero" not in a.note and a.source != "sultan_farley_lehmann_1990"]
    lp = np.log([a.p for a in rows])
    lq = np.log([a.q for a in rows])
    return {"n": len(rows), "log_p": (float(np.median(lp)), float(np.std(lp, ddof=1))),
            "log_q": (float(np.median(lq)), float(np.std(lq, ddof=1)))}


def bass_prior(category: str | None = None, period_years: float = 1.0,
               ceiling: float | None = None) -> Prior:
    """The prior for a series with periods of ``period_years`` years.

    Parameters
    ----------
    category : str, optional
        A row of the analogy table (``marketsim list analogies``); unknown names raise
        ``ValueError`` naming ``--analogy``.
    period_years : float
        Length of one period in years (> 0).
    ceiling : float, optional
        Market-potential input in the units of the sales (> 0).
    """
    spread = table_spread()
    if category is None:
        mp, mq = spread["log_p"][0], spread["log_q"][0]
        source = (f"median of {spread['n']} categories of the analogy table "
                  "(q agrees with Sultan, Farley and Lehmann 1990)")
    else:
        from sim.analogies import lookup

        a = lookup(category, key="--analogy")
        mp, mq = math.log(max(a.p, 1e-6)), math.log(max(a.q, 1e-3))
        source = f"analogy {a.category!r} ({a.source})"
    shift = math.log(period_years)
    log_m = None
    if ceiling is not None:
        log_m = (math.log(CEILING_SHARE * ceiling), CEILING_SD)
        source += f"; market potential around {CEILING_SHARE:g} x ceiling {ceiling:g}"
    return Prior(log_p=(mp + shift, spread["log_p"][1]), log_q=(mq + shift, spread["log_q"][1]),
                 log_m=log_m, remaining=(REMAINING_MEAN, REMAINING_SD), source=source,
                 ceiling=ceiling)
