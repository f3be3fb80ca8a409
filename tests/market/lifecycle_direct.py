"""The lifecycle detector's rules (sim/market/lifecycle.py, module docstring) computed
directly: every step re-smooths its window and re-reads the whole smoothed history with
whole-array NumPy (np.median, np.argmax, np.max, np.all). A reference for the compiled
detector (sim.kernel.lifecycle, loops over the same values): both must give the same
phases on the same day, to the bit."""

import math

import numpy as np

from sim.kernel import dots
from sim.market.lifecycle import MARGIN_REL, MARGIN_Z, PHASES


def weights(lo: int, hi: int):
    u = np.arange(lo, hi + 1, dtype=float)
    w = np.linalg.pinv(np.vstack([np.ones_like(u), u, u * u]).T)[:2]
    return w, np.sqrt((w * w).sum(axis=1))


def detect(flows, dt: float, half: int, hold: int, refine: int, active_first=False):
    """[(step, phase, day it began)] of a product on the market from step 0 with these
    units per step (``active_first``: it had customers before step 0)."""
    raw, t = [], []
    sm = [[], [], [], []]  # level, se_level, slope, se_slope
    phase = 1 if active_first else 0
    since, events = 0, []
    for step, units in enumerate(flows):
        raw.append(float(units))
        t.append(step * dt)
        i = len(raw) - 1 - half
        if i < 0 or phase == len(PHASES) - 1:
            continue
        lo = max(0, i - half)
        w, norm = weights(lo - i, half)
        y = np.array(raw[lo:i + half + 1])
        level, slope = dots.matvec(w, y)  # w @ y in the module's fixed order
        d2 = np.abs(np.diff(y, 2))
        s = 1.4826 * float(np.median(d2)) / math.sqrt(6.0) if d2.size else 0.0
        for row, v in zip(sm, (level, s * norm[0], slope, s * norm[1]), strict=True):
            row.append(float(v))
        arrays = tuple(np.array(r) for r in sm)
        now = len(sm[0]) - 1

        while phase < len(PHASES) - 1:
            target = phase + 1
            at = _turn(arrays, target, since, now, hold)
            if at is None and target == 1:
                target = 2
                at = _turn(arrays, target, since, now, hold)
            if at is None:
                break
            x, _ = _series(arrays, target)
            lo_r = max(since if target > 1 else 0, at - refine)
            hi_r = min(now, at + refine)
            u = np.arange(lo_r, hi_r + 1, dtype=float) - at
            day = t[at]
            if u.size >= 5:
                a2, a1, _ = np.polyfit(u, x[lo_r:hi_r + 1], 2)
                if a2 < 0.0:
                    day = t[at] + float(np.clip(-a1 / (2.0 * a2), u[0], u[-1])) * dt
            phase, since = target, at
            events.append((step, PHASES[target], day))
    return events


def _series(arrays, target):
    level, se_level, slope, se_slope = arrays
    if target == 2:
        return level, se_level
    return (1.0 if target == 1 else -1.0) * slope, se_slope


def _turn(arrays, target, since, now, hold):
    first = now - hold + 1
    if first <= since:
        return None
    x, se = _series(arrays, target)
    at = since + int(np.argmax(x[since:now + 1]))
    top = float(x[at])
    if at >= first:
        return None
    if target != 2 and not np.any(x[since:first] > MARGIN_Z * se[since:first]):
        return None
    recent = slice(first, now + 1)
    floor = float(np.max(x[since:first] - MARGIN_Z * se[since:first]))
    if not np.all(x[recent] + MARGIN_Z * se[recent] < floor):
        return None
    if not np.all(x[recent] < top - MARGIN_REL * abs(top)):
        return None
    if target == 3 and not np.all(arrays[2][recent] < -MARGIN_Z * se[recent]):
        return None
    return at
