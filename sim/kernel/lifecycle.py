"""The lifecycle detector's per-step arithmetic, compiled (``sim.market.lifecycle`` holds
the rules, the phases and their events).

Each product's curve is a row of two arrays that grow with the run: ``raw[k, i]`` the units
of step i, ``smooth[k, r, i]`` the smoothed series of step i (rows ``LEVEL``, ``SE_LEVEL``,
``SLOPE``, ``SE_SLOPE``). ``step`` appends a step's units, smooths the newest step whose
window is complete and looks for the next turning point; ``next_turn`` looks again after a
phase change. The detection reads the smoothed history from the phase's start directly
(first maximum, first clear value, floor), as ``tests/market/lifecycle_direct.py`` does
with whole-array NumPy: the same float operations in the same order, so the same phases on
the same steps, to the bit (``tests/market/test_market_incremental.py``).

In Python, with the running state kept in lists, a product-step cost about 10 us, about a
seventh of a default run (measured by leaving the detector out: 81 against 70 ms).
"""

import math

import numpy as np

from sim.kernel._numba import jit
from sim.kernel.dots import vecdot

LEVEL, SE_LEVEL, SLOPE, SE_SLOPE = range(4)  # rows of ``smooth``
N_SERIES = 4
MARGIN_REL = 0.1
MARGIN_Z = 4.0
LAST_PHASE = 3  # decline: nothing left to detect


@jit
def median(x):
    """``np.median`` of a non-empty 1-d float64 array without NaN: the middle element of
    the sorted values, or the mean of the two middle ones."""
    srt = np.sort(x)
    m = srt.shape[0] // 2
    if srt.shape[0] % 2:
        return srt[m]
    return (srt[m - 1] + srt[m]) / 2.0


@jit
def _smooth(raw, smooth, k, i, half, weights, norms):
    """Smooth step ``i`` of product k: the level and slope of a quadratic fitted by least
    squares over its window (``weights[off]``: the rows for the offsets -off..half,
    zero-padded; ``off`` < ``half`` where the window is cut short at launch), and their
    standard errors from the noise sd, 1.4826 times the median |second difference| of the
    window over sqrt 6."""
    lo = max(0, i - half)
    off = i - lo  # steps of the window before i: half, or fewer at launch
    width = off + half + 1
    y = raw[k, lo:lo + width]
    level = vecdot(weights[off, 0, :width], y)  # w @ y in index order
    slope = vecdot(weights[off, 1, :width], y)
    s = 0.0
    if width > 2:
        d2 = np.empty(width - 2)
        for j in range(width - 2):  # as np.diff twice, then abs
            y0, y1, y2 = raw[k, lo + j], raw[k, lo + j + 1], raw[k, lo + j + 2]
            d2[j] = abs((y2 - y1) - (y1 - y0))
        s = 1.4826 * median(d2) / math.sqrt(6.0)
    smooth[k, LEVEL, i] = level
    smooth[k, SE_LEVEL, i] = s * norms[off, 0]
    smooth[k, SLOPE, i] = slope
    smooth[k, SE_SLOPE, i] = s * norms[off, 1]


@jit
def _value(smooth, k, target, i):
    """Item i of the series whose maximum starts phase ``target``: the slope (growth), the
    level (maturity), minus the slope (decline)."""
    if target == 2:
        return smooth[k, LEVEL, i]
    return (1.0 if target == 1 else -1.0) * smooth[k, SLOPE, i]


@jit
def _turn(smooth, k, n, target, since, hold):
    """Index of the turning point that starts phase ``target`` once it is clear (the
    module docstring of ``sim.market.lifecycle``), else -1; ``n`` steps smoothed."""
    now = n - 1
    first = now - hold + 1
    if first <= since:
        return -1
    se_row = SE_LEVEL if target == 2 else SE_SLOPE
    at = since  # the first maximum (np.argmax)
    top = _value(smooth, k, target, since)
    for i in range(since + 1, now + 1):
        x = _value(smooth, k, target, i)
        if x > top:
            at, top = i, x
    if at >= first:
        return -1
    if target != 2:  # the slope clearly rose (fell) somewhere before the recent steps
        rose = False
        for i in range(since, first):
            if _value(smooth, k, target, i) > MARGIN_Z * smooth[k, se_row, i]:
                rose = True
                break
        if not rose:
            return -1
    floor = -math.inf  # the highest lower bound before the recent steps
    for i in range(since, first):
        lower = _value(smooth, k, target, i) - MARGIN_Z * smooth[k, se_row, i]
        if lower > floor:
            floor = lower
    bar = top - MARGIN_REL * abs(top)
    for i in range(first, now + 1):  # each recent upper bound below it, and past the margin
        x = _value(smooth, k, target, i)
        if not x + MARGIN_Z * smooth[k, se_row, i] < floor:
            return -1
        if not x < bar:
            return -1
    if target == 3:  # sales still falling clearly
        for i in range(first, now + 1):
            if not smooth[k, SLOPE, i] < -MARGIN_Z * smooth[k, SE_SLOPE, i]:
                return -1
    return at


@jit
def next_turn(smooth, k, n, phase, since, hold):
    """(target phase, index of its turning point) after phase ``phase`` began at
    ``since``, or (-1, -1): growth, else (sales that never rose clearly) maturity."""
    target = phase + 1
    at = _turn(smooth, k, n, target, since, hold)
    if at < 0 and target == 1:
        target = 2
        at = _turn(smooth, k, n, target, since, hold)
    if at < 0:
        return -1, -1
    return target, at


@jit
def step(raw, smooth, k, m, units, half, weights, norms, phase, since, hold):
    """Append ``units`` as step ``m`` of product k; once step ``m - half`` has its whole
    window, smooth it and return ``next_turn`` (else (-1, -1)). ``phase`` < ``LAST_PHASE``."""
    raw[k, m] = units
    i = m - half
    if i < 0:
        return -1, -1
    _smooth(raw, smooth, k, i, half, weights, norms)
    return next_turn(smooth, k, i + 1, phase, since, hold)
