"""Exact binomial draws from the counter-based generator (aggregate mode's fast path).

``binomial(n, p, key)`` returns a Binomial(n, p) variate that is a pure function of
``(n, p, key)``: its k-th uniform is ``rng.uniform(key, k)`` (k = 0, 1, ...), so a plain-
Python twin (``tests/naive.py``) reproduces it exactly, and no generator state crosses
into compiled code (the cost of unboxing a ``numpy.random.Generator`` on every call is
gone). Two exact algorithms, switched on the mean, as in NumPy and TensorFlow:

- ``n * p < 10``: inversion by sequential search (BINV, Kachitvichyanukul and Schmeiser
  1988), one uniform per draw (plus one per restart: the search restarts, as NumPy's does,
  when it passes ``n p + 10 sd``, which leaves the draw exactly binomial conditioned on
  that bound, a tail of probability below 1e-20). ``u <= 1 - n p`` returns 0 at once
  (``P(0) = (1 - p)^n >= 1 - n p``), and the recursion ``P(x) = P(x - 1) (n - x + 1) r / x``
  (``r = p / q``) multiplies by a table of ``1 / x``;
- ``n * p >= 10``: transformed rejection with decomposition (BTRD, Hoermann 1993, "The
  generation of binomial random variates", J. Statist. Comput. Simul. 46, 101-110; the
  form Boost.Random's ``binomial_distribution`` implements): one uniform accepts at once
  in the box under the hat (86% of ``v_r``); otherwise ``f(k) / f(m)`` is evaluated by its
  recursion when ``|k - m| <= 15``, else through a squeeze and then ``log f(k) / f(m)``
  with Stirling's series (exact to within rounding).

``p > 0.5`` draws ``n - Binomial(n, 1 - p)``. Only ``log``, ``log1p``, ``exp``, ``sqrt``
and ``floor`` are used: glibc's in both the kernel and the Python twin, so both round
alike. Checked against the exact probability mass function in ``tests/kernel``.
"""

import numpy as np

from sim.kernel._numba import jit
from sim.kernel.rng import GOLDEN, mix64, uniform

INVERSION_MEAN = 10.0  # below this mean, inversion; BTRD needs n p >= 10

# Stirling's series tail fc(k) = log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2]
# for k = 0..9 (computed to 50 digits, rounded to double); beyond, the series.
_FC = np.array([0.08106146679532726, 0.0413406959554093, 0.02767792568499834,
                0.020790672103765093, 0.016644691189821193, 0.013876128823070748,
                0.01189670994589177, 0.010411265261972096, 0.009255462182712733,
                0.00833056343336287])


@jit(inline="always")
def draw_key(step_key, index):
    """Key of draw ``index`` of a step: element ``index`` of the SplitMix64 sequence at
    ``step_key`` (its uniforms are then ``uniform(draw_key, k)``)."""
    return mix64(np.uint64(step_key) + (np.uint64(index) + np.uint64(1)) * GOLDEN)


@jit(inline="always")
def _fc(k):
    if k <= 9.0:
        return _FC[np.int64(k)]
    kp1sq = (k + 1.0) * (k + 1.0)
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / (k + 1.0)


# 1 / x for the inversion's recursion (x < 64): a multiply on the loop's critical path
# instead of a division
_INV = np.array([0.0] + [1.0 / x for x in range(1, 64)])


@jit
def _inversion(n, p, key):
    mean = n * p
    u = uniform(key, 0)
    if u <= 1.0 - mean:  # (1 - p)^n >= 1 - n p (Bernoulli): x = 0 without exp and log
        return 0
    q = 1.0 - p
    r = p / q
    qn = np.exp(n * np.log1p(-p))
    # the restart bound min(n, mean + 10 sd) is at least min(n, mean + 10): computed only
    # when the search gets that far
    near = min(float(n), mean + 10.0)
    bound = -1.0
    k = 1
    x = 0
    px = qn
    while u > px:
        x += 1
        if x > near and bound < 0.0:
            bound = min(float(n), mean + 10.0 * np.sqrt(mean * q + 1.0))
        if x > near and x > bound:
            x = 0
            px = qn
            u = uniform(key, k)
            k += 1
        else:
            u -= px
            if x < 64:
                px = px * ((n - x + 1) * r * _INV[x])
            else:
                px = px * ((n - x + 1) * r / x)
    return x


@jit
def _btrd(n, p, key):
    nf = float(n)
    q = 1.0 - p
    m = np.floor((nf + 1.0) * p)
    r = p / q
    nr = (nf + 1.0) * r
    npq = nf * p * q
    spq = np.sqrt(npq)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = nf * p + 0.5
    alpha = (2.83 + 5.1 / b) * spq
    v_r = 0.92 - 4.2 / b
    u_rv_r = 0.86 * v_r
    k_u = 0
    while True:
        v = uniform(key, k_u)
        k_u += 1
        if v <= u_rv_r:  # the box under the hat: accept at once (one uniform)
            u = v / v_r - 0.43
            return np.int64(np.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c))
        if v >= v_r:
            u = uniform(key, k_u) - 0.5
            k_u += 1
        else:
            u = v / v_r - 0.93
            u = (-0.5 if u < 0.0 else 0.5) - u
            v = uniform(key, k_u) * v_r
            k_u += 1
        us = 0.5 - abs(u)
        k = np.floor((2.0 * a / us + b) * u + c)
        if k < 0.0 or k > nf:
            continue
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15.0:  # f(k) / f(m) by its recursion, no logarithm
            f = 1.0
            if m < k:
                i = m
                while i < k:
                    i += 1.0
                    f = f * (nr / i - r)
            elif m > k:
                i = k
                while i < m:
                    i += 1.0
                    v = v * (nr / i - r)
            if v <= f:
                return np.int64(k)
            continue
        v = np.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:
            return np.int64(k)
        if v > t + rho:
            continue
        nm = nf - m + 1.0
        h = (m + 0.5) * np.log((m + 1.0) / (r * nm)) + _fc(m) + _fc(nf - m)
        nk = nf - k + 1.0
        if v <= (h + (nf + 1.0) * np.log(nm / nk) + (k + 0.5) * np.log(nk * r / (k + 1.0))
                 - _fc(k) - _fc(nf - k)):
            return np.int64(k)


@jit
def binomial(n, p, key):
    """Binomial(n, p) variate (int64) from the uniforms of stream ``key``; n >= 0 int64,
    p in [0, 1] float64 (0 when n == 0 or p <= 0, n when p >= 1)."""
    if n <= 0 or p <= 0.0:
        return np.int64(0)
    if p >= 1.0:
        return np.int64(n)
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    if n * pp < INVERSION_MEAN:
        x = np.int64(_inversion(n, pp, key))
    else:
        x = _btrd(n, pp, key)
    return n - x if flip else x


@jit
def _binomials(n, p, step_key, start, out):
    for i in range(out.shape[0]):
        out[i] = binomial(n[i], p[i], draw_key(step_key, start + i))


def binomials(n, p, step_key: int, start: int = 0) -> np.ndarray:
    """Draws ``binomial(n[i], p[i], draw_key(step_key, start + i))`` (int64 array); for
    tests and for checking the sampler against the binomial distribution."""
    n = np.ascontiguousarray(n, dtype=np.int64)
    p = np.ascontiguousarray(p, dtype=np.float64)
    if n.shape != p.shape or n.ndim != 1:
        raise ValueError(f"n and p must be 1-d arrays of one shape, got {n.shape}, {p.shape}")
    if np.any(n < 0) or not np.all((p >= 0.0) & (p <= 1.0)):
        raise ValueError("n must be >= 0 and p in [0, 1]")
    out = np.empty(n.shape[0], np.int64)
    _binomials(n, p, np.uint64(step_key), np.int64(start), out)
    return out
