"""The simple benchmark forecasters of a cumulative adoption level.

Each takes the cumulative level ``y`` (float64 (n,), oldest first, one value per period)
and a horizon ``h`` and returns the forecast levels for periods n+1..n+h (float64 (h,)):

- ``naive``: no change, the last level (the random-walk forecast);
- ``trend``: the least-squares line through the last three levels, extrapolated;
- ``logistic``: ``K / (1 + exp(-r (t - t0)))`` fitted by nonlinear least squares to the
  levels (K from the highest level seen to 50 times it, so an early fit cannot run off);
- ``gompertz``: ``K exp(-b exp(-c t))``, fitted the same way.

These are the methods that Meade and Islam (2001, 2006) find hard to beat; the forecaster
in ``forecast.py`` is scored against them by ``benchmarks/bench_forecast.py``, and combines
them with the Bass model.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

K_MAX_FACTOR = 50.0


def naive(y, h: int) -> np.ndarray:
    return np.full(h, float(y[-1]))


def trend(y, h: int) -> np.ndarray:
    """Ordinary least-squares line through the last (up to) three levels."""
    y = np.asarray(y, float)[-3:]
    t = np.arange(y.size, dtype=float)
    if y.size == 1:
        return naive(y, h)
    slope, intercept = np.polyfit(t, y, 1)
    return intercept + slope * (t[-1] + np.arange(1, h + 1))


def _logistic(theta, t):
    k, r, t0 = np.exp(theta[0]), np.exp(theta[1]), theta[2]
    with np.errstate(over="ignore"):
        return k / (1.0 + np.exp(-r * (t - t0)))


def _gompertz(theta, t):
    k, b, c = np.exp(theta)
    with np.errstate(over="ignore", under="ignore"):
        return k * np.exp(-b * np.exp(-c * t))


def _starts(kind, y, t):
    top, last, tn = float(np.max(y)), float(y[-1]), float(t[-1])
    for kf in (1.1, 1.5, 2.5, 5.0, 12.0):
        k = kf * top
        for rate in (0.05, 0.15, 0.4, 1.0):
            if kind == "logistic":
                frac = min(max(last / k, 1e-6), 1 - 1e-6)
                t0 = tn - np.log(frac / (1 - frac)) / rate
                yield np.array([np.log(k), np.log(rate), t0])
            else:
                frac = min(max(last / k, 1e-9), 1 - 1e-9)
                b = -np.log(frac) * np.exp(rate * tn)
                yield np.log([k, max(b, 1e-9), rate])


def fit_curve(kind: str, y):
    """Least-squares fit of the logistic or Gompertz curve to levels ``y``; theta or None."""
    y = np.asarray(y, float)
    t = np.arange(y.size, dtype=float)
    model = _logistic if kind == "logistic" else _gompertz
    scale = float(np.max(np.abs(y))) or 1.0
    top = max(float(np.max(y)), 1e-12)
    low = np.array([np.log(top), np.log(1e-4), -1e3 if kind == "logistic" else np.log(1e-9)])
    high = np.array([np.log(K_MAX_FACTOR * top), np.log(20.0),
                     1e3 if kind == "logistic" else np.log(1e9)])
    if kind == "gompertz":
        low[2], high[2] = np.log(1e-4), np.log(20.0)
        low[1], high[1] = np.log(1e-9), np.log(1e9)

    def resid(theta):
        return (model(theta, t) - y) / scale

    starts = [np.clip(s, low + 1e-9, high - 1e-9) for s in _starts(kind, y, t)]
    costs = [(float(np.sum(resid(s) ** 2)), s) for s in starts]
    costs = [c for c in costs if np.isfinite(c[0])]
    costs.sort(key=lambda c: c[0])
    best = None
    for _, s in costs[:4]:
        with np.errstate(all="ignore"):
            res = least_squares(resid, s, bounds=(low, high), method="trf", max_nfev=400)
        if np.isfinite(res.cost) and (best is None or res.cost < best.cost):
            best = res
    return None if best is None else best.x


def curve_forecast(kind: str, y, h: int) -> np.ndarray:
    """Forecast levels from a fitted logistic or Gompertz curve (naive if no fit)."""
    theta = fit_curve(kind, y)
    if theta is None:
        return naive(y, h)
    model = _logistic if kind == "logistic" else _gompertz
    return model(theta, np.arange(len(y), len(y) + h, dtype=float))


def logistic(y, h: int) -> np.ndarray:
    return curve_forecast("logistic", y, h)


def gompertz(y, h: int) -> np.ndarray:
    return curve_forecast("gompertz", y, h)


SIMPLE = {"logistic": logistic, "gompertz": gompertz, "naive": naive, "trend": trend}
