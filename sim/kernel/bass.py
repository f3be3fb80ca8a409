"""The Bass (1969) diffusion model in closed form.

``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))`` is the cumulative share
of the market potential that has adopted by time t; ``f(t) = dF/dt``. The peak of
``f`` is at ``t* = ln(q / p) / (p + q)`` (for q > p). Units of p, q are per unit of t.
"""

import numpy as np

from sim.kernel import libm


def _check(p, q):
    if not (np.isfinite(p) and p > 0.0):
        raise ValueError(f"p must be a finite number > 0, got {p}")
    if not (np.isfinite(q) and q >= 0.0):
        raise ValueError(f"q must be a finite number >= 0, got {q}")


def cumulative_share(x, p, q):
    """Bass cumulative adoption share F at (effective) times ``x``; broadcasts p, q, x.

    No validation (p > 0 is the caller's business); overflow of ``exp`` for very negative
    times is ignored (F then tends to its limit).
    """
    x, p, q = np.asarray(x, float), np.asarray(p, float), np.asarray(q, float)
    with np.errstate(over="ignore", under="ignore"):
        e = libm.exp(-(p + q) * x)
        return (1.0 - e) / (1.0 + (q / p) * e)


def inverse_share(f, p, q):
    """Time at which the Bass share reaches ``f`` in [0, 1): ``ln((1 + r f)/(1 - f))/(p+q)``
    with ``r = q / p``; broadcasts."""
    f = np.asarray(f, float)
    return libm.log((1.0 + (q / p) * f) / (1.0 - f)) / (p + q)


def cdf_and_log_grads(x, p, q):
    """``F(x)`` and its derivatives with respect to ``log p`` and ``log q`` (x: times)."""
    with np.errstate(over="ignore", under="ignore"):
        e = libm.exp(-(p + q) * x)
    r = q / p
    den = (1.0 + r * e) ** 2
    f = (1.0 - e) / (1.0 + r * e)
    d_p = ((1.0 + r) * x * e + (1.0 - e) * e * q / p**2) / den
    d_q = ((1.0 + r) * x * e - (1.0 - e) * e / p) / den
    return f, d_p * p, d_q * q


def bass_cdf(t, p: float, q: float):
    """Cumulative adoption share F(t) (array-like t >= 0)."""
    _check(p, q)
    return cumulative_share(t, p, q)


def bass_pdf(t, p: float, q: float):
    """Adoption density f(t) = dF/dt."""
    _check(p, q)
    t = np.asarray(t, dtype=np.float64)
    e = libm.exp(-(p + q) * t)
    return ((p + q) ** 2 / p) * e / (1.0 + (q / p) * e) ** 2


def bass_peak_time(p: float, q: float) -> float:
    """Time of peak adoption ``ln(q/p)/(p+q)``; 0 when q <= p (sales fall from launch)."""
    _check(p, q)
    return float(libm.log(q / p) / (p + q)) if q > p else 0.0


def bass_discrete(n_steps: int, p: float, q: float, dt: float = 1.0):
    """Expected adoption share after each of ``n_steps`` steps of the kernel's scheme.

    The kernel holds word of mouth at its start-of-step value and adopts with probability
    ``1 - exp(-(p + q F) dt)``; in a large population the share follows
    ``F[k+1] = F[k] + (1 - F[k]) (1 - exp(-(p + q F[k]) dt))``. The gap between this and
    ``bass_cdf`` is the discretisation bias of the step (O(dt)).
    """
    _check(p, q)
    out = np.empty(int(n_steps))
    f = 0.0
    for k in range(int(n_steps)):
        f = f + (1.0 - f) * (-libm.expm1(-(p + q * f) * dt))
        out[k] = f
    return out


def norton_bass_reached(t, launch_days, potentials, p, q):
    """Customers who have adopted generation k (and may have moved on to a later one),
    ``A_k = F_k (m_k + A_{k-1})`` (Norton and Bass 1987), shape (K, len(t)). Its increase
    over a period is generation k's sales in it (``norton_bass``'s arguments)."""
    t = np.asarray(t, float)
    tau = np.asarray(launch_days, float)
    m = np.asarray(potentials, float)
    age = t[None, :] - tau[:, None]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        f = np.where(age > 0.0, cumulative_share(np.maximum(age, 0.0), p, q), 0.0)
    reached = np.zeros_like(f)
    before = np.zeros(t.shape)
    for k in range(len(tau)):
        reached[k] = f[k] * (m[k] + before)
        before = reached[k]
    return reached, f


def norton_bass(t, launch_days, potentials, p, q):
    """Installed units of each generation (Norton and Bass 1987), shape (K, len(t)).

    ``launch_days`` (K,) the launch times ``tau_k``; ``potentials`` (K,) the customers
    ``m_k`` who first enter the category with generation k; common p and q per unit of t.
    With ``F_k = F(t - tau_k)`` (0 before ``tau_k``) and ``A_k = F_k (m_k + A_{k-1})`` (those
    who have reached generation k or a later one), ``S_k = A_k (1 - F_{k+1})`` and
    ``S_K = A_K``. No validation (p > 0 is the caller's business).
    """
    reached, f = norton_bass_reached(t, launch_days, potentials, p, q)
    installed = reached.copy()
    installed[:-1] *= 1.0 - f[1:]
    return installed
