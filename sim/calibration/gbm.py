"""The Generalized Bass Model (Bass, Krishnan and Jain 1994) fitted by NLS.

Marketing effort stretches or shrinks time: the adoption share is the Bass closed form
evaluated at the cumulative effort ``X(t)`` instead of t,
``F(t) = (1 - exp(-(p+q) X(t))) / (1 + (q/p) exp(-(p+q) X(t)))``, with the per-period effort
(BKJ 1994, eq. for discrete data)

    x(t) = 1 + beta_p [Pr(t) - Pr(t-1)] / Pr(t-1) + beta_a max(0, [A(t) - A(t-1)] / A(t-1))

and ``X(t) = x(1) + ... + x(t)``, ``x(1) = 1`` (no change is observed before the first
period). A price cut with ``beta_p < 0`` or an advertising increase with ``beta_a > 0``
speeds diffusion up. Sales per period are ``m [F(X(t)) - F(X(t-1))]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from sim.calibration.bass import _cdf_and_grads, period_sales, search_box

BETA_BOUND = 20.0
# Effort below this is clipped: time cannot run backwards in the closed form.
MIN_EFFORT = 1e-6


def effort(beta_price, beta_adv, price=None, advertising=None) -> np.ndarray:
    """Per-period effort x(t), t = 1..n (float64 (n,)), from price and advertising paths."""
    paths = [v for v in (price, advertising) if v is not None]
    n = paths[0].size
    x = np.ones(n)
    if price is not None:
        x[1:] += beta_price * np.diff(price) / price[:-1]
    if advertising is not None:
        x[1:] += beta_adv * np.maximum(np.diff(advertising) / advertising[:-1], 0.0)
    return np.maximum(x, MIN_EFFORT)


def _effort_slopes(price, advertising):
    """Columns d x(t) / d beta for the present paths (x before clipping), shape (n, k)."""
    cols = []
    for path, clip in ((price, False), (advertising, True)):
        if path is None:
            continue
        col = np.zeros(path.size)
        change = np.diff(path) / path[:-1]
        col[1:] = np.maximum(change, 0.0) if clip else change
        cols.append(col)
    return np.column_stack(cols)


def effort_bounds(x) -> np.ndarray:
    """Cumulative effort X(0) = 0, X(1), ..., X(n)."""
    return np.concatenate([[0.0], np.cumsum(x)])


@dataclass(frozen=True)
class GbmFit:
    """A Generalized Bass fit; p, q per period (at unit effort), betas dimensionless."""

    p: float
    q: float
    m: float
    beta_price: float | None
    beta_advertising: float | None
    sse: float
    fitted: np.ndarray
    effort: np.ndarray

    @property
    def theta(self) -> np.ndarray:
        betas = [b for b in (self.beta_price, self.beta_advertising) if b is not None]
        return np.concatenate([np.log([self.p, self.q, self.m]), betas])


class _GbmObjective:
    def __init__(self, sales, price, advertising):
        self.sales = np.asarray(sales, float)
        self.price, self.advertising = price, advertising
        self.scale = float(np.max(self.sales)) or 1.0

    def unpack(self, theta):
        p, q, m = np.exp(theta[:3])
        rest = list(theta[3:])
        bp = rest.pop(0) if self.price is not None else None
        ba = rest.pop(0) if self.advertising is not None else None
        return p, q, m, bp, ba

    def model(self, theta):
        p, q, m, bp, ba = self.unpack(theta)
        x = effort(bp or 0.0, ba or 0.0, self.price, self.advertising)
        return period_sales(p, q, m, effort_bounds(x)), x

    def residuals(self, theta):
        return (self.model(theta)[0] - self.sales) / self.scale

    def jacobian(self, theta):
        """Analytic: d/dlog p, d/dlog q at X fixed; d/dbeta through X = cumsum(x)."""
        p, q, m, bp, ba = self.unpack(theta)
        x = effort(bp or 0.0, ba or 0.0, self.price, self.advertising)
        big_x = effort_bounds(x)
        f, d_p, d_q = _cdf_and_grads(big_x, p, q)
        with np.errstate(over="ignore", under="ignore"):
            e = np.exp(-(p + q) * big_x)
        density = (p + q) * (1.0 + q / p) * e / (1.0 + (q / p) * e) ** 2
        slopes = _effort_slopes(self.price, self.advertising) * (x > MIN_EFFORT)[:, None]
        d_big_x = np.vstack([np.zeros(slopes.shape[1]), np.cumsum(slopes, axis=0)])
        cols = [m * np.diff(d_p), m * np.diff(d_q), m * np.diff(f)]
        cols += [m * np.diff(density * d_big_x[:, j]) for j in range(d_big_x.shape[1])]
        return np.column_stack(cols) / self.scale


def _box(obj):
    low, high = search_box(obj.sales)
    k = (obj.price is not None) + (obj.advertising is not None)
    return (np.concatenate([low, np.full(k, -BETA_BOUND)]),
            np.concatenate([high, np.full(k, BETA_BOUND)]))


def _finish(obj, theta):
    p, q, m, bp, ba = obj.unpack(theta)
    fitted, x = obj.model(theta)
    sse = float(np.sum((fitted - obj.sales) ** 2))
    return GbmFit(float(p), float(q), float(m), None if bp is None else float(bp),
                  None if ba is None else float(ba), sse, fitted, x)


def _solve(obj, theta0, low, high):
    theta0 = np.clip(theta0, low + 1e-9, high - 1e-9)
    with np.errstate(all="ignore"):
        res = least_squares(obj.residuals, theta0, jac=obj.jacobian, bounds=(low, high),
                            method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=3000)
    return res.x, 2.0 * res.cost


def fit_gbm(sales, price=None, advertising=None, bass_start=None) -> GbmFit:
    """NLS fit of the GBM, multi-started around a Bass fit ``(p, q, m)`` with betas 0 or +-1."""
    if price is None and advertising is None:
        raise ValueError("fit_gbm needs a price or an advertising path")
    obj = _GbmObjective(sales, price, advertising)
    low, high = _box(obj)
    k = low.size - 3
    base = np.log(bass_start) if bass_start is not None else (low[:3] + high[:3]) / 2
    best = None
    for beta0 in (0.0, -1.0, 1.0):
        theta, sse = _solve(obj, np.concatenate([base, np.full(k, beta0)]), low, high)
        if best is None or sse < best[1]:
            best = (theta, sse)
    return _finish(obj, best[0])


def refit_gbm(sales, theta0, price=None, advertising=None) -> GbmFit:
    """Local GBM fit from ``theta0`` (bootstrap replicates): unbounded LM, bounded if it strays."""
    obj = _GbmObjective(sales, price, advertising)
    low, high = _box(obj)
    theta0 = np.asarray(theta0, float)
    with np.errstate(all="ignore"):
        res = least_squares(obj.residuals, theta0, jac=obj.jacobian, method="lm",
                            xtol=1e-10, ftol=1e-10)
    theta = res.x
    if not (np.all(np.isfinite(theta)) and np.all(theta > low) and np.all(theta < high)):
        theta = _solve(obj, theta0, low, high)[0]
    return _finish(obj, theta)
