"""Calibrate a sales history: Bass NLS, Bass OLS, GBM when the mix is given, intervals.

``calibrate`` is the one entry point the command line uses; it returns a ``Calibration``
whose ``to_dict`` is the ``fit.json`` schema (and the ``--json`` output).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.calibration import cautions
from sim.calibration.bass import (
    BassFit,
    OlsFit,
    fit_nls,
    fit_ols,
    fit_statistics,
    peak_sales,
    peak_time,
    period_sales,
    refit_nls,
    unit_bounds,
)
from sim.calibration.bootstrap import (
    dispersion,
    percentile_interval,
    refit_all,
    simulate_conditioned,
)
from sim.calibration.data import SalesSeries
from sim.calibration.gbm import BETA_BOUND, GbmFit, fit_gbm, refit_gbm

CI_METHOD = ("parametric bootstrap of the fitted diffusion process (gamma noise with Pearson "
             "dispersion phi, phi redrawn per replicate from its chi-square distribution, "
             "20 sub-steps per period), percentile intervals")


@dataclass
class Calibration:
    """Everything a fit produced; natural parameters (p, q per period)."""

    series: SalesSeries
    name: str
    bass: BassFit
    ols: OlsFit
    gbm: GbmFit | None
    level: float
    replicates: int
    seed: int
    period_years: float
    phi: float
    bass_draws: np.ndarray  # (k, 3): p, q, m of the bootstrap refits
    gbm_phi: float | None = None
    gbm_draws: np.ndarray | None = None  # (k, 3 + betas)
    failed: int = 0
    takeoff_rate: float = 1.0  # share of simulated runs that took off as the data did
    notes: list[str] = field(default_factory=list)

    # -- derived quantities --------------------------------------------------------
    def interval(self, values):
        ci = percentile_interval(values, self.level)
        return None if ci is None else [float(ci[0]), float(ci[1])]

    def peak(self):
        t = float(peak_time(self.bass.p, self.bass.q))
        return t, float(peak_sales(self.bass.p, self.bass.q, self.bass.m))

    def horizon(self) -> int:
        """Periods to plot: about twice the peak time, at least the data plus two."""
        t_peak = self.peak()[0]
        return int(min(max(self.series.n + 2, math.ceil(2.0 * t_peak) + 1), 5 * self.series.n + 20))

    def curve(self, n_periods: int):
        """Fitted sales per period over ``n_periods`` and its bootstrap band (or None)."""
        b = self.bass
        bounds = unit_bounds(n_periods)
        mean = period_sales(b.p, b.q, b.m, bounds)
        if self.bass_draws.shape[0] < 10:
            return mean, None
        d = self.bass_draws
        sims = period_sales(d[:, :1], d[:, 1:2], d[:, 2:3], bounds)
        return mean, percentile_interval(sims, self.level)

    def period_label(self, t: float) -> float:
        """Position ``t`` periods after the start of the first period, in label units."""
        return float(self.series.periods[0] + t * self.series.period_step)

    # -- report --------------------------------------------------------------------
    def to_dict(self) -> dict:
        s, b = self.series, self.bass
        stats = fit_statistics(s.sales, b.fitted)
        t_peak, s_peak = self.peak()
        d = self.bass_draws
        have = d.shape[0] >= 10
        out = {
            "name": self.name,
            "source": s.source,
            "method": "bass-nls",
            "p": b.p, "q": b.q, "m": b.m,
            "p_ci": self.interval(d[:, 0]) if have else None,
            "q_ci": self.interval(d[:, 1]) if have else None,
            "m_ci": self.interval(d[:, 2]) if have else None,
            "ci_level": self.level,
            "ci_method": CI_METHOD,
            "p_per_year": b.p / self.period_years,
            "q_per_year": b.q / self.period_years,
            "period_years": self.period_years,
            **stats,
            "peak_period": t_peak,
            "peak_period_ci": self.interval(peak_time(d[:, 0], d[:, 1])) if have else None,
            "peak_period_label": self.period_label(t_peak),
            "peak_year": self.period_label(t_peak) if s.is_calendar_years else None,
            "peak_sales": s_peak,
            "peak_sales_ci": (self.interval(peak_sales(d[:, 0], d[:, 1], d[:, 2]))
                              if have else None),
            "n_periods": s.n,
            "period_column": s.period_column,
            "first_period": float(s.periods[0]),
            "last_period": float(s.periods[-1]),
            "trimmed": {"leading": s.trimmed_leading, "trailing": s.trimmed_trailing},
            "bootstrap": {"replicates": self.replicates, "succeeded": int(d.shape[0]),
                          "takeoff_rate": self.takeoff_rate, "seed": self.seed, "phi": self.phi},
            "units": {
                "p, q": "per period (p_per_year, q_per_year: per year)",
                "m, peak_sales, rmse": "units of the sales column (peak_sales per period)",
                "peak_period": "periods after the start of the first period with sales",
                "peak_period_label, peak_year": "in units of the period column",
                "mape": "percent",
            },
            "ols": self._ols_dict(),
            "gbm": self._gbm_dict(),
            "notes": list(self.notes),
        }
        return _clean(out)

    def _ols_dict(self):
        o, s = self.ols, self.series
        out = {"p": o.p, "q": o.q, "m": o.m, "a": o.a, "b": o.b, "c": o.c, "valid": o.valid,
               "note": o.note}
        y_prev = np.concatenate([[0.0], np.cumsum(s.sales)[:-1]])
        stats = fit_statistics(s.sales, o.a + o.b * y_prev + o.c * y_prev**2)
        out["r2"] = stats["r2"]
        if o.valid:
            out["p_per_year"] = o.p / self.period_years
            out["q_per_year"] = o.q / self.period_years
            out["peak_period"] = float(peak_time(o.p, o.q))
        return out

    def _gbm_dict(self):
        g = self.gbm
        if g is None:
            return None
        stats = fit_statistics(self.series.sales, g.fitted)
        out = {"p": g.p, "q": g.q, "m": g.m, "beta_price": g.beta_price,
               "beta_advertising": g.beta_advertising, **stats, "phi": self.gbm_phi,
               "effort": [float(x) for x in g.effort]}
        d = self.gbm_draws
        if d is not None and d.shape[0] >= 10:
            names = ["p", "q", "m"] + [n for n, v in (("beta_price", g.beta_price),
                                                      ("beta_advertising", g.beta_advertising))
                                       if v is not None]
            for j, name in enumerate(names):
                out[f"{name}_ci"] = self.interval(d[:, j])
        return out


def _clean(obj):
    """JSON-safe: NumPy scalars to Python, non-finite floats to None."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def calibrate(series: SalesSeries, name: str, replicates: int = 1000, seed: int = 0,
              level: float = 0.95, period_years: float = 1.0) -> Calibration:
    """Fit Bass by NLS and OLS (and the GBM when price/advertising are given), with intervals.

    Randomness comes only from ``numpy.random.SeedSequence(seed)``: one child stream for
    the Bass bootstrap and one for the GBM bootstrap, so adding the GBM does not change
    the Bass intervals.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    sales = series.sales
    ols = fit_ols(sales)
    bass = fit_nls(sales, starts=[ols.as_start()])
    bass_rng, gbm_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    phi = dispersion(sales, bass.fitted, 3)
    dof = max(series.n - 3, 1)
    draws, failed, rate = np.empty((0, 3)), 0, 1.0
    if replicates > 0:
        sims, rate = simulate_conditioned(bass.p, bass.q, bass.m, np.ones(series.n), phi,
                                           replicates, bass_rng, float(sales.sum()), phi_df=dof)
        thetas, failed = refit_all(sims, lambda x: refit_nls(x, bass.theta).theta)
        draws = np.exp(thetas) if thetas.size else draws
    cal = Calibration(series, name, bass, ols, None, level, replicates, seed, period_years,
                      phi, draws, failed=failed, takeoff_rate=rate)
    if series.price is not None or series.advertising is not None:
        _add_gbm(cal, gbm_rng)
    cal.notes.extend(_notes(cal))
    return cal


def _add_gbm(cal: Calibration, rng):
    s = cal.series
    gbm = fit_gbm(s.sales, s.price, s.advertising, (cal.bass.p, cal.bass.q, cal.bass.m))
    k = 3 + (s.price is not None) + (s.advertising is not None)
    cal.gbm, cal.gbm_phi = gbm, dispersion(s.sales, gbm.fitted, k)
    if cal.replicates > 0:
        sims, _ = simulate_conditioned(gbm.p, gbm.q, gbm.m, gbm.effort, cal.gbm_phi,
                                       cal.replicates, rng, float(s.sales.sum()),
                                       phi_df=max(s.n - k, 1))
        thetas, failed = refit_all(
            sims, lambda x: refit_gbm(x, gbm.theta, s.price, s.advertising).theta)
        if thetas.size:
            thetas[:, :3] = np.exp(thetas[:, :3])
            cal.gbm_draws = thetas
        cal.failed += failed


def _notes(cal: Calibration) -> list[str]:
    s, b = cal.series, cal.bass
    notes = []
    trim = s.trim_note()
    if trim:
        notes.append(trim)
    if b.at_bound:
        notes.append(f"NLS estimate of {', '.join(b.at_bound)} is at the edge of the search "
                     "box (p in [1e-8, 1], q in [1e-8, 10] per period, m in [0.5, 1000] x "
                     "cumulative sales): the data do not pin it down, and the bootstrap's "
                     "refits stop at the same box, so the intervals understate the "
                     "uncertainty (Srinivasan and Mason 1986: NLS estimates of m are "
                     "unstable before the peak)")
    t_peak = float(peak_time(b.p, b.q))
    if b.q <= b.p:
        notes.append("q <= p: the fitted sales fall from launch; there is no interior peak "
                     "(peak_period 0, peak_sales = m p)")
    elif t_peak > s.n:
        notes.append(f"the fitted peak ({t_peak:.1f} periods) lies beyond the data "
                     f"({s.n} periods): m and the peak are extrapolations")
    cum = float(s.sales.sum())
    if b.m < cum:
        notes.append(f"m = {b.m:.6g} is below the cumulative sales observed ({cum:.6g}): the "
                     "least-squares curve trades the tail for the peak; the market config's "
                     "size is smaller than the adopters already seen")
    if not cal.ols.valid:
        notes.append(cal.ols.note)
    notes.extend(_gbm_notes(cal))
    if cal.replicates > 0 and cal.takeoff_rate < 0.9:
        notes.append(f"only {100 * cal.takeoff_rate:.0f}% of the simulated runs of the fitted "
                     "process took off within the observed window as the data did (typical of "
                     "a tiny p with few, lumpy adopters); the intervals are conditional on "
                     "take-off and only rough")
    if cal.failed:
        notes.append(f"{cal.failed} bootstrap refits failed and were dropped")
    if cal.replicates == 0:
        notes.append("no bootstrap replicates: intervals are not computed")
    done = cal.replicates - cal.failed  # the refits that succeeded make the intervals
    notes.extend(cautions.thin_tails(done, cal.level, "bootstrap replicates"))
    stats = fit_statistics(s.sales, b.fitted)
    notes.extend(cautions.poor_fit(stats["r2"], stats["mape"]))
    notes.extend(cautions.cumulative_like(s.sales))
    return notes


def _gbm_notes(cal: Calibration) -> list[str]:
    """A Generalized Bass coefficient at the edge of its search box (or with an interval
    as wide as the box) is not an estimate; a price coefficient above 0 says a price cut
    slowed adoption, the opposite of Bass, Krishnan and Jain's (1994) sign. ``adv2.csv``
    (a falling price, noisy advertising) had printed beta_price = 20, its interval the
    whole box [-20, 20], and no note."""
    g = cal.gbm
    if g is None:
        return []
    d = cal._gbm_dict()
    notes = []
    for name in ("beta_price", "beta_advertising"):
        value = d.get(name)
        if value is None:
            continue
        low, high = d.get(f"{name}_ci", (None, None))
        wide = low is not None and high - low >= 1.98 * BETA_BOUND
        edge = abs(value) >= BETA_BOUND * (1.0 - 1e-6)
        if edge or wide:
            notes.append(f"Generalized Bass: {name} = {value:.3g} "
                         + ("is at the edge of its search box" if edge else
                            f"has an interval [{low:.3g}, {high:.3g}] as wide as its "
                            "search box")
                         + f" [-{BETA_BOUND:g}, {BETA_BOUND:g}]: the data do not pin it "
                         "down; read the plain Bass fit, not the GBM's")
    if d.get("beta_price") is not None and d["beta_price"] > 0:
        notes.append(f"Generalized Bass: beta_price = {d['beta_price']:.3g} > 0 says a price "
                     "cut slowed adoption, the opposite of the expected sign (Bass, Krishnan "
                     "and Jain 1994); likely noise or a price that moved with something else")
    return notes
