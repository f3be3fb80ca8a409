"""Fit the Norton and Bass (1987) model of successive generations to several sales series.

Each series holds one generation's sales (or installations) per period; zeros before its
first sale and after its last mark periods outside its life and are not fitted. Generation
k is launched at the start of its first period with sales (``tau_k``, in periods from the
start of the first generation's first period). The model's sales of generation k in a
period are its first adopters plus the upgraders from earlier generations: the difference
of the installed base ``S_k`` plus the units upgraded away (``owned_cumulative``, the
expectation of what ``sim.market.generations`` sells), with one p and one q for all
generations. Norton and Bass's own bookkeeping, the increase of ``A_k = F_k (m_k +
A_{k-1})``, also books a sale of k to a customer who goes straight from k-1 to k+1; the
two agree on the installed bases ``S_k`` and on the newest generation's sales.

Estimates: nonlinear least squares on the per-period sales of all generations at once, in
(log p, log q, log m_k), from the best of a small grid of starts. Intervals: a parametric
bootstrap: every period's sales redrawn from a gamma law with the fitted mean and
variance ``phi`` x mean (``phi`` the Pearson dispersion of the fit), refitted from the
estimate, equal-tailed percentile intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.calibration.bootstrap import percentile_interval
from sim.kernel.bass import norton_bass_reached

SUBSTEPS = 24  # grid points per period for the integral of ``owned_cumulative``
GRID_P = (0.003, 0.01, 0.03)
GRID_Q = (0.1, 0.3, 0.6, 1.0)


def generation_data(series_list):
    """Align several ``SalesSeries`` (trimmed, same period step) on one time axis.

    Returns (tau (K,), starts (K,), sales list of (n_k,) arrays, step): generation k's
    observed periods are ``(starts[k] + i, starts[k] + i + 1]`` in periods, i = 0..n_k-1.
    """
    if len(series_list) < 2:
        raise ValueError(f"--generations needs at least 2 sales series (one per generation), "
                         f"got {len(series_list)}")
    # periods on one axis: the same column name and, for years, calendar years in all
    # (a yearly index 1..24 beside calendar years had read as "list them oldest first"; a
    # month column beside a year index had fitted a generation of m 0 without a word)
    kinds = {(s.period_column.strip().lower(), s.is_calendar_years) for s in series_list}
    if len(kinds) != 1:
        said = "; ".join(f"{s.source}: column {s.period_column!r}"
                         + (" (calendar years)" if s.is_calendar_years else "")
                         for s in series_list)
        raise ValueError(f"--generations: the series' periods are not on one time axis "
                         f"({said}); give every generation's periods in the same column, "
                         "as calendar years or as one index counted from the same start")
    steps = {round(s.period_step, 12) for s in series_list}
    if len(steps) != 1:
        raise ValueError(f"--generations: the series must have the same period step, got "
                         f"{sorted(steps)}")
    step = steps.pop()
    origin = min(float(s.periods[0]) for s in series_list) - step
    starts = np.array([(float(s.periods[0]) - step - origin) / step for s in series_list])
    order = np.argsort(starts, kind="stable")
    if np.any(order != np.arange(len(starts))):
        names = [series_list[i].source for i in order]
        raise ValueError(f"--generations: list the series oldest first (by their first sale), "
                         f"got them in another order; oldest first: {names}")
    return starts.copy(), starts, [np.asarray(s.sales, float) for s in series_list], step


def owned_cumulative(t, tau, m, p, q):
    """(K, len(t)) units of each generation sold by ``t`` (a fine grid from 0): everyone who
    has owned it, ``E_k = sum_e m_e int (1 - F_{k+1}) dG_ek`` with ``G_ek = F_e ... F_k``.

    A customer of entry group e comes to own k when the last of the clocks e..k fires, if
    clock k+1 has not fired before (else the customer goes straight past k): the
    expectation of ``sim.market.generations``' adopters plus upgraders of k. Norton and
    Bass's ``A_k = sum_e m_e G_ek`` also counts those who go straight past (``E_k <= A_k``,
    equal for the newest generation); ``E_k - S_k`` are the units upgraded away.
    """
    _, f = norton_bass_reached(t, tau, np.ones(len(tau)), p, q)
    k_count = len(tau)
    out = np.zeros_like(f)
    for k in range(k_count):
        stay = 1.0 - f[k + 1] if k + 1 < k_count else np.ones(f.shape[1])
        weight = 0.5 * (stay[1:] + stay[:-1])
        for e in range(k + 1):
            g = np.prod(f[e:k + 1], axis=0)
            out[k, 1:] += m[e] * np.cumsum(np.diff(g) * weight)
    return out


def period_sales(theta, tau, starts, lengths):
    """Model sales of each generation in its observed periods (list of arrays)."""
    p, q = math.exp(theta[0]), math.exp(theta[1])
    m = np.exp(np.asarray(theta[2:]))
    end = int(round(max(s + n for s, n in zip(starts, lengths, strict=True))))
    grid = np.arange(0, end * SUBSTEPS + 1) / SUBSTEPS
    owned = owned_cumulative(grid, tau, m, p, q)[:, ::SUBSTEPS]
    out = []
    for k, (s, n) in enumerate(zip(starts, lengths, strict=True)):
        i = int(round(s))
        out.append(np.diff(owned[k, i:i + n + 1]))
    return out


def _residuals(theta, tau, starts, sales):
    fitted = period_sales(theta, tau, starts, [len(y) for y in sales])
    return np.concatenate([y - f for y, f in zip(sales, fitted, strict=True)])


def _solve(theta0, tau, starts, sales):
    from scipy.optimize import least_squares

    scale = max(float(np.max(np.concatenate(sales))), 1.0)
    sol = least_squares(lambda th: _residuals(th, tau, starts, sales) / scale, theta0,
                        method="trf", x_scale=1.0, max_nfev=2000)
    return sol.x, float(np.sum((sol.fun * scale) ** 2))


def _start_m(sales):
    totals = np.array([y.sum() for y in sales])
    m = [totals[0]]
    for k in range(1, len(totals)):
        m.append(max(totals[k] - totals[k - 1], 0.1 * totals[k]))
    return np.log(np.maximum(m, 1.0))


def fit_generations(tau, starts, sales):
    """Least-squares estimate ``theta = (log p, log q, log m_1..K)`` (p, q per period) and
    its sum of squared errors, from the best start of the grid."""
    best = None
    log_m = _start_m(sales)
    for p in GRID_P:
        for q in GRID_Q:
            theta0 = np.concatenate([[math.log(p), math.log(q)], log_m])
            try:
                theta, sse = _solve(theta0, tau, starts, sales)
            except (ValueError, FloatingPointError):
                continue
            if np.all(np.isfinite(theta)) and (best is None or sse < best[1]):
                best = (theta, sse)
    if best is None:
        raise ValueError("the Norton-Bass fit did not converge from any start")
    return best


@dataclass
class GenerationsFit:
    """A Norton-Bass fit of several generations (p, q per period; m in sales units)."""

    name: str
    sources: list[str]
    period_years: float
    tau: np.ndarray  # (K,) launch, periods from the start of the first generation
    starts: np.ndarray
    sales: list
    theta: np.ndarray
    sse: float
    phi: float
    draws: np.ndarray  # (B, 2 + K) bootstrap thetas
    level: float
    replicates: int
    seed: int
    failed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def p(self) -> float:
        return math.exp(self.theta[0])

    @property
    def q(self) -> float:
        return math.exp(self.theta[1])

    @property
    def m(self) -> np.ndarray:
        return np.exp(self.theta[2:])

    def fitted(self):
        return period_sales(self.theta, self.tau, self.starts, [len(y) for y in self.sales])

    def intervals(self):
        """(2, 2 + K) percentile intervals of (p, q, m_1..K) per period, or None."""
        if len(self.draws) == 0:
            return None
        natural = np.exp(self.draws)
        return percentile_interval(natural, self.level)

    def to_dict(self) -> dict:
        ci = self.intervals()
        k = len(self.tau)
        years = self.period_years

        def interval(j, scale=1.0):
            return None if ci is None else [float(ci[0, j] * scale), float(ci[1, j] * scale)]

        gens = []
        for i in range(k):
            gens.append({"source": self.sources[i], "m": float(self.m[i]),
                         "m_interval": interval(2 + i),
                         "launch_period": float(self.tau[i]),
                         "launch_day": float(self.tau[i] * years * 365.0),
                         "periods_fitted": len(self.sales[i])})
        observed = np.concatenate(self.sales)
        fitted = np.concatenate(self.fitted())
        total = float(np.sum((observed - observed.mean()) ** 2))
        return {
            "name": self.name, "model": "norton_bass", "period_years": years,
            "p_per_period": self.p, "q_per_period": self.q,
            "p_per_year": self.p / years, "q_per_year": self.q / years,
            "p_interval_per_year": interval(0, 1.0 / years),
            "q_interval_per_year": interval(1, 1.0 / years),
            "generations": gens, "sse": self.sse, "phi": self.phi,
            "r2": 1.0 - float(np.sum((observed - fitted) ** 2)) / total if total > 0 else None,
            "level": self.level, "replicates": self.replicates,
            "replicates_failed": self.failed, "seed": self.seed,
            "ci_method": "parametric bootstrap (gamma noise, variance phi x mean), percentile",
            "notes": list(self.notes),
        }


def _potential_notes(series_list, m, sales) -> list[str]:
    """Notes where the generations' potentials cannot be taken at face value: the first
    generation sold more than its own potential (Norton-Bass lets later generations take
    its buyers, never add to them), or a later generation's potential is about nothing
    (all its sales explained as upgrades from the ones before: entry_share 0 in the
    scenario)."""
    notes = []
    first = float(np.sum(sales[0]))
    if first > 1.001 * m[0]:
        notes.append(f"{series_list[0].source}: the first generation sold {first:,.0f}, more "
                     f"than its fitted potential m = {m[0]:,.0f}; the fit does not describe "
                     "these series: check that they are generations of one line, oldest "
                     "first")
    for k in range(1, len(m)):
        if m[k] < 1e-3 * max(float(np.sum(sales[k])), 1.0):
            notes.append(f"{series_list[k].source}: generation {k + 1}'s own potential is "
                         f"about 0 (m = {m[k]:.3g}): the fit explains all its "
                         f"{float(np.sum(sales[k])):,.0f} sales as upgrades from the "
                         "generations before, and the scenario gets entry_share 0; check "
                         "the files and their order")
    return notes


def calibrate_generations(series_list, name: str, replicates: int = 200, seed: int = 0,
                          level: float = 0.95, period_years: float = 1.0) -> GenerationsFit:
    """Fit Norton-Bass to ``series_list`` (oldest generation first) with bootstrap
    intervals; see the module docstring."""
    tau, starts, sales, _ = generation_data(series_list)
    theta, sse = fit_generations(tau, starts, sales)
    fitted = period_sales(theta, tau, starts, [len(y) for y in sales])
    observed, mean = np.concatenate(sales), np.maximum(np.concatenate(fitted), 1e-9)
    dof = max(len(observed) - len(theta), 1)
    phi = float(np.sum((observed - mean) ** 2 / mean) / dof)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6E62]))
    draws, failed = [], 0
    for _ in range(int(replicates)):
        fake = [rng.gamma(np.maximum(f, 1e-9) / phi, phi) for f in fitted]
        try:
            th, _ = _solve(theta, tau, starts, fake)
        except (ValueError, FloatingPointError):
            failed += 1
            continue
        if np.all(np.isfinite(th)):
            draws.append(th)
        else:
            failed += 1
    notes = _potential_notes(series_list, np.exp(theta[2:]), sales)
    for s in series_list:
        if s.trimmed_leading or s.trimmed_trailing:
            notes.append(f"{s.source}: {len(s.trimmed_leading)} leading and "
                         f"{len(s.trimmed_trailing)} trailing zero periods are outside the "
                         "generation's life (not fitted)")
    return GenerationsFit(name, [s.source for s in series_list], period_years, tau, starts,
                          sales, theta, sse, phi, np.array(draws).reshape(-1, len(theta)),
                          level, int(replicates), seed, failed, notes)
