"""Fitting the Bass (1969) model to per-period sales.

Two estimators, both on sales per period ``S_t`` (t = 1..n, period t covering ``[t-1, t)``
in units of one period, t = 0 at the start of the first period with sales):

- Nonlinear least squares on the closed form (Srinivasan and Mason 1986):
  ``S_t = m [F(t) - F(t-1)] + e_t`` with ``F`` the Bass cumulative adoption share
  ``F(t) = (1 - exp(-(p+q) t)) / (1 + (q/p) exp(-(p+q) t))``. The search runs on
  ``log p, log q, log m`` with an analytic Jacobian, from the best point of a grid over
  (p, q) on which m is profiled out exactly (it enters linearly), and from the OLS
  estimate when that is valid.
- The discrete OLS estimator of Bass (1969): regress ``S_t`` on ``1, Y_{t-1}, Y_{t-1}^2``
  (``Y`` cumulative sales) and solve ``a = p m``, ``b = q - p``, ``c = -q / m``.

p and q are per period. ``period_sales`` also takes effective-time boundaries so that the
Generalized Bass Model (``gbm.py``) reuses the same closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

# Search box, per period; m relative to the cumulative sales observed.
P_BOUNDS = (1e-8, 1.0)
Q_BOUNDS = (1e-8, 10.0)
M_BOUNDS_REL = (0.5, 1000.0)


def cumulative_share(x, p, q):
    """Bass cumulative adoption share at (effective) times ``x``; broadcasts p, q, x."""
    x, p, q = np.asarray(x, float), np.asarray(p, float), np.asarray(q, float)
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(-(p + q) * x)
        return (1.0 - e) / (1.0 + (q / p) * e)


def inverse_share(f, p, q):
    """Time at which the Bass share reaches ``f`` in [0, 1): ``ln((1 + r f)/(1 - f))/(p+q)``."""
    f = np.asarray(f, float)
    return np.log((1.0 + (q / p) * f) / (1.0 - f)) / (p + q)


def period_sales(p, q, m, bounds):
    """Expected sales per period ``m [F(x_t) - F(x_{t-1})]`` for boundaries ``x_0..x_n``."""
    return m * np.diff(cumulative_share(bounds, p, q), axis=-1)


def unit_bounds(n: int) -> np.ndarray:
    """Period boundaries 0, 1, ..., n of the plain Bass model."""
    return np.arange(n + 1, dtype=np.float64)


def _cdf_and_grads(x, p, q):
    """F(x) and dF/dlog p, dF/dlog q (x: boundaries)."""
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(-(p + q) * x)
    r = q / p
    den = (1.0 + r * e) ** 2
    f = (1.0 - e) / (1.0 + r * e)
    d_p = ((1.0 + r) * x * e + (1.0 - e) * e * q / p**2) / den
    d_q = ((1.0 + r) * x * e - (1.0 - e) * e / p) / den
    return f, d_p * p, d_q * q


class _Objective:
    """Scaled residuals and Jacobian in (log p, log q, log m) for one series."""

    def __init__(self, sales, bounds):
        self.sales = np.asarray(sales, float)
        self.bounds = bounds
        self.scale = float(np.max(np.abs(self.sales))) or 1.0

    def residuals(self, theta):
        p, q, m = np.exp(theta)
        return (period_sales(p, q, m, self.bounds) - self.sales) / self.scale

    def jacobian(self, theta):
        p, q, m = np.exp(theta)
        f, d_p, d_q = _cdf_and_grads(self.bounds, p, q)
        cols = (m * np.diff(d_p), m * np.diff(d_q), m * np.diff(f))
        return np.column_stack(cols) / self.scale


@dataclass(frozen=True)
class BassFit:
    """A nonlinear least-squares fit; p, q per period, m in sales units."""

    p: float
    q: float
    m: float
    sse: float
    fitted: np.ndarray
    at_bound: tuple[str, ...] = ()

    @property
    def theta(self) -> np.ndarray:
        return np.log([self.p, self.q, self.m])


def search_box(sales):
    """Bounds of (log p, log q, log m) for a series."""
    cum = float(np.sum(sales))
    low = np.log([P_BOUNDS[0], Q_BOUNDS[0], M_BOUNDS_REL[0] * cum])
    high = np.log([P_BOUNDS[1], Q_BOUNDS[1], M_BOUNDS_REL[1] * cum])
    return low, high


def _finish(obj, theta, low, high):
    p, q, m = (float(v) for v in np.exp(theta))
    fitted = period_sales(p, q, m, obj.bounds)
    sse = float(np.sum((fitted - obj.sales) ** 2))
    names = ("p", "q", "m")
    tol = 1e-6
    hit = tuple(n for n, t, lo, hi in zip(names, theta, low, high, strict=True)
                if t <= lo + tol or t >= hi - tol)
    return BassFit(p, q, m, sse, fitted, hit)


def _local(obj, theta0, low, high):
    theta0 = np.clip(theta0, low + 1e-9, high - 1e-9)
    res = least_squares(obj.residuals, theta0, jac=obj.jacobian, bounds=(low, high),
                        method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    return res.x, 2.0 * res.cost


def _grid_start(sales, bounds, low, high):
    """Best (p, q) of a log grid with m profiled out exactly (m enters linearly)."""
    span = float(bounds[-1])
    q_grid = np.geomspace(0.3 / span, min(60.0 / span, Q_BOUNDS[1]), 30)
    ratio = np.geomspace(1e-4, 1.0, 25)
    qq, rr = np.meshgrid(q_grid, ratio, indexing="ij")
    pp = np.clip(qq * rr, P_BOUNDS[0], P_BOUNDS[1])
    shares = np.diff(cumulative_share(bounds, pp[..., None], qq[..., None]), axis=-1)
    denom = np.sum(shares**2, axis=-1)
    m = np.sum(shares * sales, axis=-1) / np.where(denom > 0, denom, np.inf)
    m = np.clip(m, np.exp(low[2]), np.exp(high[2]))
    sse = np.sum((m[..., None] * shares - sales) ** 2, axis=-1)
    order = np.argsort(sse, axis=None)[:3]
    return [np.log([pp.flat[k], qq.flat[k], m.flat[k]]) for k in order]


def fit_nls(sales, bounds=None, starts=()) -> BassFit:
    """Global NLS fit of the Bass closed form to per-period sales.

    Parameters
    ----------
    sales : float64 (n,)
        Sales per period, > 0.
    bounds : float64 (n + 1,), optional
        Period boundaries in (effective) time; default 0..n.
    starts : iterable of (p, q, m)
        Extra starting points (e.g. the OLS estimate); the grid starts are always tried.
    """
    sales = np.asarray(sales, float)
    bounds = unit_bounds(sales.size) if bounds is None else np.asarray(bounds, float)
    obj = _Objective(sales, bounds)
    low, high = search_box(sales)
    candidates = _grid_start(sales, bounds, low, high)
    candidates += [np.log(s) for s in starts if s is not None and np.all(np.asarray(s) > 0)]
    best = None
    for theta0 in candidates:
        theta, sse = _local(obj, theta0, low, high)
        if best is None or sse < best[1]:
            best = (theta, sse)
    return _finish(obj, best[0], low, high)


def refit_nls(sales, theta0, bounds=None) -> BassFit:
    """Local NLS fit from ``theta0`` (used for bootstrap replicates).

    Tries unbounded Levenberg-Marquardt first (about twice as fast) and falls back to the
    bounded trust-region search when the answer leaves the search box.
    """
    sales = np.asarray(sales, float)
    bounds = unit_bounds(sales.size) if bounds is None else np.asarray(bounds, float)
    obj = _Objective(sales, bounds)
    low, high = search_box(sales)
    with np.errstate(all="ignore"):
        res = least_squares(obj.residuals, theta0, jac=obj.jacobian, method="lm",
                            xtol=1e-10, ftol=1e-10)
    theta = res.x
    if not (np.all(np.isfinite(theta)) and np.all(theta > low) and np.all(theta < high)):
        theta, _ = _local(obj, theta0, low, high)
    return _finish(obj, theta, low, high)


@dataclass(frozen=True)
class OlsFit:
    """Bass (1969) discrete OLS estimate; ``valid`` False (with a note) when it has none."""

    a: float
    b: float
    c: float
    p: float | None
    q: float | None
    m: float | None
    valid: bool
    note: str | None = None

    def as_start(self):
        return (self.p, self.q, self.m) if self.valid else None


def fit_ols(sales) -> OlsFit:
    """Regress S_t on (1, Y_{t-1}, Y_{t-1}^2) and solve for m, p, q (Bass 1969)."""
    sales = np.asarray(sales, float)
    y_prev = np.concatenate([[0.0], np.cumsum(sales)[:-1]])
    design = np.column_stack([np.ones_like(y_prev), y_prev, y_prev**2])
    a, b, c = (float(v) for v in np.linalg.lstsq(design, sales, rcond=None)[0])
    # S = p m + (q - p) Y - (q/m) Y^2, so m solves c m^2 + b m + a = 0.
    if c == 0.0:
        roots = np.array([-a / b]) if b != 0.0 else np.array([])
    else:
        disc = b * b - 4.0 * a * c
        if disc < 0:
            return OlsFit(a, b, c, None, None, None, False,
                          f"OLS has no real solution (b^2 - 4ac = {disc:.4g} < 0)")
        roots = np.array([(-b + s * np.sqrt(disc)) / (2.0 * c) for s in (1.0, -1.0)])
    roots = roots[roots > 0]
    if roots.size == 0:
        return OlsFit(a, b, c, None, None, None, False,
                      f"OLS gives no positive market potential (a={a:.4g}, b={b:.4g}, "
                      f"c={c:.4g})")
    m = float(roots.max())
    p, q = a / m, -c * m
    if p <= 0 or q <= 0:
        return OlsFit(a, b, c, p, q, m, False,
                      f"OLS solution is not a Bass model (p={p:.4g}, q={q:.4g} must be > 0)")
    return OlsFit(a, b, c, p, q, m, True)


def peak_time(p, q):
    """Time of the adoption peak ``ln(q/p)/(p+q)`` in periods; 0 when q <= p. Broadcasts."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.log(q / p) / (p + q)
    return np.where(q > p, t, 0.0)


def peak_sales(p, q, m):
    """Peak adoption rate per period: ``m (p+q)^2 / (4q)`` when q > p, else ``m p``."""
    p, q, m = np.asarray(p, float), np.asarray(q, float), np.asarray(m, float)
    return np.where(q > p, m * (p + q) ** 2 / (4.0 * q), m * p)


def fit_statistics(observed, fitted) -> dict:
    """R^2, MAPE in percent (over non-zero observations), RMSE and SSE."""
    observed, fitted = np.asarray(observed, float), np.asarray(fitted, float)
    resid = observed - fitted
    sse = float(np.sum(resid**2))
    sst = float(np.sum((observed - observed.mean()) ** 2))
    nz = observed != 0
    return {
        "r2": 1.0 - sse / sst if sst > 0 else None,
        "mape": float(100.0 * np.mean(np.abs(resid[nz] / observed[nz]))) if nz.any() else None,
        "rmse": float(np.sqrt(sse / observed.size)),
        "sse": sse,
    }
