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
alike; the inversion's ``(1 - p)^n`` is ``sim.kernel.exp_poly.exp_nonpositive`` (plain
arithmetic, so a loop of draws vectorises; the twin has the same operations). Checked against the exact probability mass function in ``tests/kernel``.

``binomial_approx(n, p, key, min_variance)`` is the approximate sampler of aggregate mode's
``draws="approx"``: where the variance ``n p q`` is at least ``min_variance`` (>= 9) it
returns ``floor(n p + 1/2 + sd z + (q - p) (z^2 - 1) / 6)`` clipped to [0, n], with ``z``
the normal quantile of a uniform from the key (Acklam's rational approximation, relative
error below 1.2e-9): ``sd (z + g (z^2 - 1))`` with ``g = (q - p) / (6 sd)``, the normal law
with a continuity correction and the first Cornish-Fisher term, which matches the
binomial's skewness (written without the division by sd). Its Kolmogorov distance to
the binomial is about ``0.014 / (n p q)`` (1.5e-3 at variance 10, 1.2e-4 at 100; computed
exactly in ``tests/kernel/test_kernel_binomial_approx.py``). Below ``min_variance`` the
draw is exact: the inversion above while ``n p < 20`` (for ``n p < 10`` that is
``binomial`` itself, key for key; between 10 and 20, where ``binomial`` uses BTRD, its
setup costs about twice the inversion), ``binomial`` beyond. ``binomial_lq`` and the
``lq`` arguments take ``log_q(p)`` from a caller whose draws share one p (a step's churn,
replacement and return probabilities): the same draws, one logarithm per p.
"""

import numpy as np

from sim.kernel._numba import jit
from sim.kernel.exp_poly import exp_nonpositive
from sim.kernel.rng import _INV53, _S11, GOLDEN, mix64, uniform

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
def _inversion_search(n, p, key):
    mean = n * p
    u = uniform(key, 0)
    if u <= 1.0 - mean:  # (1 - p)^n >= 1 - n p (Bernoulli): x = 0 without exp and log
        return 0
    q = 1.0 - p
    r = p / q
    qn = exp_nonpositive(n * np.log1p(-p))
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
def _inversion(n, p, key, lq=1.0):
    """BINV as ``_inversion_search``, without its data-dependent loop exit: the search's
    test ``u > P(x)`` holds for every x below the result and never after it (``u`` has
    then gone below 0), so the result is the count of tests that hold over the fixed range
    x = 0 .. floor(min(n, n p + 10)), where the search cannot restart. The same operations
    in the same order, hence the same draws; a count past that range (a restart) falls
    back to the search. A fixed trip count spares the mispredicted exit of the search.
    ``lq``: ``log1p(-p)`` when the caller has it (a step's churn, replacement and return
    probabilities are shared by many draws), any positive number to compute it here."""
    mean = n * p
    u = uniform(key, 0)
    if u <= 1.0 - mean:  # (1 - p)^n >= 1 - n p (Bernoulli): x = 0 without exp and log
        return 0
    kmax = np.int64(min(float(n), mean + 10.0))
    if kmax > 62:  # beyond the table of 1 / x (never for a mean below 10)
        return _inversion_search(n, p, key)
    r = p / (1.0 - p)
    if lq > 0.0:
        lq = np.log1p(-p)
    px = exp_nonpositive(n * lq)
    x = 0
    for k in range(kmax + 1):
        x += u > px
        u -= px
        px = px * ((n - k) * r * _INV[k + 1])
    if x > kmax:
        return _inversion_search(n, p, key)
    return x


@jit(inline="always")
def btrd_hat(nf, p):
    """BTRD's hat for ``n = nf`` trials of probability ``p <= 1/2`` (``n p >= 10``):
    ``(b, a, c, v_r)``, and ``sqrt(n p q)``."""
    spq = np.sqrt(nf * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = nf * p + 0.5
    v_r = 0.92 - 4.2 / b
    return b, a, c, v_r, spq


@jit(inline="always")
def btrd_box(v, b, a, c, v_r):
    """BTRD's draw from a first uniform ``v`` in the box under the hat (``v <= 0.86
    v_r``; accepted at once): a float, integral, in [0, n]."""
    u = v / v_r - 0.43
    return np.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c)


@jit
def _btrd(n, p, key):
    nf = float(n)
    q = 1.0 - p
    m = np.floor((nf + 1.0) * p)
    r = p / q
    nr = (nf + 1.0) * r
    npq = nf * p * q
    b, a, c, v_r, spq = btrd_hat(nf, p)
    alpha = (2.83 + 5.1 / b) * spq
    u_rv_r = 0.86 * v_r
    k_u = 0
    while True:
        v = uniform(key, k_u)
        k_u += 1
        if v <= u_rv_r:  # the box under the hat: accept at once (one uniform)
            return np.int64(btrd_box(v, b, a, c, v_r))
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


@jit(inline="always")
def log_q(p):
    """``log1p(-min(p, 1 - p))``: what ``binomial_lq`` takes for p (its inversion's
    ``log P(0) / n``), computed once where many draws share one p."""
    return np.log1p(-(1.0 - p if p > 0.5 else p))


@jit
def binomial_lq(n, p, key, lq):
    """``binomial(n, p, key)`` given ``lq = log_q(p)`` (or any positive number: computed
    when needed); the same draw, without the logarithm where the caller shares it."""
    if n <= 0 or p <= 0.0:
        return np.int64(0)
    if p >= 1.0:
        return np.int64(n)
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    if n * pp < INVERSION_MEAN:
        x = np.int64(_inversion(n, pp, key, lq))
    else:
        x = _btrd(n, pp, key)
    return n - x if flip else x


@jit
def binomial(n, p, key):
    """Binomial(n, p) variate (int64) from the uniforms of stream ``key``; n >= 0 int64,
    p in [0, 1] float64 (0 when n == 0 or p <= 0, n when p >= 1)."""
    return binomial_lq(n, p, key, 1.0)


@jit
def _binomials(n, p, step_key, start, out):
    for i in range(out.shape[0]):
        out[i] = binomial(n[i], p[i], draw_key(step_key, start + i))


def _checked(n, p):
    """(n, p) as contiguous int64 and float64 1-d arrays of one shape, n >= 0, p in [0, 1]."""
    n = np.ascontiguousarray(n, dtype=np.int64)
    p = np.ascontiguousarray(p, dtype=np.float64)
    if n.shape != p.shape or n.ndim != 1:
        raise ValueError(f"n and p must be 1-d arrays of one shape, got {n.shape}, {p.shape}")
    if np.any(n < 0) or not np.all((p >= 0.0) & (p <= 1.0)):
        raise ValueError("n must be >= 0 and p in [0, 1]")
    return n, p


def binomials(n, p, step_key: int, start: int = 0) -> np.ndarray:
    """Draws ``binomial(n[i], p[i], draw_key(step_key, start + i))`` (int64 array); for
    tests and for checking the sampler against the binomial distribution."""
    n, p = _checked(n, p)
    out = np.empty(n.shape[0], np.int64)
    _binomials(n, p, np.uint64(step_key), np.int64(start), out)
    return out


# Acklam's rational approximation of the normal quantile (relative error below 1.2e-9):
# one rational function on the central 95%, one in sqrt(-2 log u) in each tail
_QA = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
       1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_QB = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
       6.680131188771972e+01, -1.328068155288572e+01)
_QC = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
       -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_QD = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
       3.754408661907416e+00)
_Q_LOW = 0.02425
_HALF_ULP53 = 1.0 / 18014398509481984.0  # 2**-54: a uniform's grid shifted off 0
MIN_APPROX_VARIANCE = 9.0  # below this the skewness term could bend the map z -> x back
# below the variance threshold, ``binomial_approx``'s exact draws use inversion up to this
# mean (``binomial`` switches to BTRD at 10; a small-variance BTRD draw costs about twice
# an inversion's of the same mean)
APPROX_INVERSION_MEAN = 2.0 * INVERSION_MEAN


@jit(inline="always")
def central_quantile(u):
    """``normal_quantile(u)`` where ``_Q_LOW <= u <= 1 - _Q_LOW`` (Acklam's central
    rational function: no branch, no call, so a loop of them vectorises)."""
    q = u - 0.5
    r = q * q
    return ((((((_QA[0] * r + _QA[1]) * r + _QA[2]) * r + _QA[3]) * r + _QA[4]) * r
             + _QA[5]) * q
            / (((((_QB[0] * r + _QB[1]) * r + _QB[2]) * r + _QB[3]) * r + _QB[4]) * r + 1.0))


@jit(inline="always")
def normal_quantile(u):
    """Standard normal quantile of u in (0, 1) (Acklam's algorithm, relative error
    below 1.2e-9)."""
    if _Q_LOW <= u <= 1.0 - _Q_LOW:
        return central_quantile(u)
    q = np.sqrt(-2.0 * np.log(u if u < 0.5 else 1.0 - u))
    z = ((((((_QC[0] * q + _QC[1]) * q + _QC[2]) * q + _QC[3]) * q + _QC[4]) * q + _QC[5])
         / ((((_QD[0] * q + _QD[1]) * q + _QD[2]) * q + _QD[3]) * q + 1.0))
    return z if u < 0.5 else -z


@jit(inline="always")
def binomial_approx(n, p, key, min_variance, lq=1.0):
    """Approximately Binomial(n, p) (int64; module docstring): exact ``binomial`` below
    variance ``min_variance`` (>= ``MIN_APPROX_VARIANCE``), else the Cornish-Fisher
    corrected normal law from one uniform of ``key``; ``lq`` as in ``binomial_lq``."""
    if n <= 0 or p <= 0.0:
        return np.int64(0)
    if p >= 1.0:
        return np.int64(n)
    nf = float(n)
    pp = 1.0 - p if p > 0.5 else p
    var = nf * pp * (1.0 - pp)
    if var < min_variance:
        if nf * pp < APPROX_INVERSION_MEAN:  # exact, by inversion (BTRD's setup costs more)
            x = np.int64(_inversion(n, pp, key, lq))
            return n - x if p > 0.5 else x
        return binomial_lq(n, p, key, lq)
    x = np.int64(approx_count(nf, pp, var, normal_quantile(approx_uniform(key))))
    return n - x if p > 0.5 else x


@jit(inline="always")
def approx_uniform(key):
    """The uniform of an approximate draw: the key is itself a SplitMix64 output, and its
    top 53 bits are the uniform (one hash fewer than ``uniform(key, 0)``; a draw uses
    either this or the exact sampler's)."""
    return np.float64(np.uint64(key) >> _S11) * _INV53 + _HALF_ULP53


@jit(inline="always")
def approx_count(nf, pp, var, z):
    """The approximate count (a float in [0, n]) of ``n = nf`` trials of probability
    ``pp <= 1/2``, variance ``var``, at normal quantile z: ``sd (z + g (z^2 - 1))`` with
    ``g = (q - p) / (6 sd)`` around ``n p + 1/2``, floored (the skewness term needs no sd)."""
    sd = np.sqrt(var)
    y = np.floor(nf * pp + 0.5 + sd * z + (1.0 - 2.0 * pp) / 6.0 * (z * z - 1.0))
    return min(max(y, 0.0), nf)


@jit
def _binomials_approx(n, p, step_key, start, min_variance, out):
    for i in range(out.shape[0]):
        out[i] = binomial_approx(n[i], p[i], draw_key(step_key, start + i), min_variance)


def binomials_approx(n, p, step_key: int, start: int = 0,
                     min_variance: float = 10.0) -> np.ndarray:
    """``binomials`` with ``binomial_approx`` (for tests and the benchmark)."""
    n, p = _checked(n, p)
    if not min_variance >= MIN_APPROX_VARIANCE:
        raise ValueError(f"min_variance must be >= {MIN_APPROX_VARIANCE}, got {min_variance}")
    out = np.empty(n.shape[0], np.int64)
    _binomials_approx(n, p, np.uint64(step_key), np.int64(start), float(min_variance), out)
    return out
