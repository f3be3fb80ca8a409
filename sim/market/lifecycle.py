"""Lifecycle phase of each product, read from its sales curve.

The phases are those of Mahajan, Muller and Srivastava (1990) for the Bass model: a product
is in *introduction* until the first inflection point of its non-cumulative sales curve, in
*growth* until the curve's peak, in *maturity* until its second inflection point (the
steepest fall), in *decline* after. Before launch it is in *development*; after a kill,
*withdrawn*. A product already on the market with customers when the run starts was
introduced before it: it starts in growth.

The curve is the product's units ordered per step since launch (for a durable, first
purchases and replacements; for a subscription, new subscriptions). The detector smooths it
with a local quadratic fit over ``WINDOW_DAYS`` centred on each step (cut short at launch),
so it knows the smoothed level and slope up to half a window ago. A turning point is taken
once the curve has clearly moved away from its extremum for ``HOLD_DAYS``: the slope has
fallen from its maximum (growth), the level from its maximum (maturity), the slope has risen
from its most negative value while sales still fall (decline). Clearly: by more than
``MARGIN_REL`` of the extremum, and each recent value's upper bound (``MARGIN_Z`` standard
errors; the noise of the series is estimated from its second differences) lies below an
earlier value's lower bound. The phase is dated at the extremum, refined as the
vertex of a parabola fitted to the smoothed series within ``REFINE_DAYS`` of it. Phases only
move forward (a product does not grow again after its peak; a relaunch is a new product), so
they cannot flip-flop. Each change is one ``lifecycle_phase`` event, recorded on the day it
is detected, with the day the phase began: ``"growth -> maturity (from day 1092)"``.
"""

import numpy as np

from sim.kernel import lifecycle as compiled
from sim.kernel.lifecycle import LAST_PHASE, LEVEL, MARGIN_REL, MARGIN_Z, SLOPE
from sim.units import steps_in

WINDOW_DAYS = 364.0   # weekly steps: 53 points, half-width 26
REFINE_DAYS = 91.0
HOLD_DAYS = 91.0
PHASES = ("introduction", "growth", "maturity", "decline")
__all__ = ["HOLD_DAYS", "Lifecycle", "MARGIN_REL", "MARGIN_Z", "PHASES", "REFINE_DAYS",
           "WINDOW_DAYS"]
# smoothing weights by half-width (``_weights``): a function of it alone, shared by every
# run of the process
_WEIGHTS: dict = {}


def _weights(half: int):
    """For ``off`` = 0..half, the rows (zero-padded to 2 half + 1 columns) of weights giving
    the level and slope at offset 0 of a quadratic fitted by least squares to the offsets
    -off..half, and the root sum of squares of each row (the standard errors of level and
    slope per unit of noise sd): (half + 1, 2, 2 half + 1) and (half + 1, 2)."""
    found = _WEIGHTS.get(half)
    if found is None:
        weights = np.zeros((half + 1, 2, 2 * half + 1))
        norms = np.empty((half + 1, 2))
        for off in range(half + 1):
            u = np.arange(-off, half + 1, dtype=float)
            x = np.vstack([np.ones_like(u), u, u * u]).T
            w = np.linalg.pinv(x)[:2]
            weights[off, :, :u.shape[0]] = w
            norms[off] = np.sqrt((w * w).sum(axis=1))
        weights.flags.writeable = norms.flags.writeable = False
        found = _WEIGHTS[half] = (weights, norms)
    return found


class Lifecycle:
    def __init__(self, env, recorder, n_products: int, dt: float, market_size: float = 0.0):
        """``market_size`` is not used (the phases read the sales curve alone)."""
        self.env = env
        self.recorder = recorder
        self.dt = float(dt)
        self.half = max(2, steps_in(WINDOW_DAYS, dt) // 2)
        self.hold = steps_in(HOLD_DAYS, dt)
        self.refine = steps_in(REFINE_DAYS, dt)
        self._weights, self._norms = _weights(self.half)
        # each product's curve since launch (``sim.kernel.lifecycle``): units per step,
        # the smoothed series; the steps in use, their days, the curve's phase (index in
        # PHASES) and the step where it began
        self._raw = np.empty((n_products, 64))
        self._smooth = np.empty((n_products, compiled.N_SERIES, 64))
        self._m = [0] * n_products
        self._t = [[] for _ in range(n_products)]
        self._curve_phase = [0] * n_products
        self._since = [0] * n_products
        self.phase = [""] * n_products

    def update(self, k: int, firm: str, product, units: float, active: int = 0) -> str:
        """Record product ``k``'s units ordered in this step (``active``: its installed
        base after the step); returns its phase."""
        if not product.on_market:
            self._set(k, firm, product.name, "withdrawn" if product.killed or product.retired
                      else "development",
                      self.env.now)
            return self.phase[k]
        phase = self._curve_phase[k]
        if phase == LAST_PHASE:  # in the last phase: nothing left to detect
            return self.phase[k]
        self._t[k].append(float(self.env.now))
        m = self._m[k]
        if m == self._raw.shape[1]:
            self._grow()
        self._m[k] = m + 1
        units = float(units)
        if not self.phase[k]:  # on the market from the start: growth if it has customers
            phase = self._curve_phase[k] = 1 if active > units else 0  # customers before
            self.phase[k] = PHASES[phase]                               # this step
        elif self.phase[k] == "development":
            self._set(k, firm, product.name, PHASES[0], self.env.now)
        target, at = compiled.step(self._raw, self._smooth, k, m, units, self.half,
                                   self._weights, self._norms, phase, self._since[k],
                                   self.hold)
        n = m + 1 - self.half  # steps smoothed
        while target > 0:  # a turning point: the phase it starts, dated
            day = self._date(k, target, at, n - 1)
            self._curve_phase[k], self._since[k] = target, at
            self._set(k, firm, product.name, PHASES[target], day)
            if target == LAST_PHASE:
                break
            target, at = compiled.next_turn(self._smooth, k, n, target, at, self.hold)
        return self.phase[k]

    def _grow(self) -> None:
        """Twice the room for steps in every curve."""
        raw, smooth = self._raw, self._smooth
        self._raw = np.empty((raw.shape[0], 2 * raw.shape[1]))
        self._raw[:, :raw.shape[1]] = raw
        self._smooth = np.empty((smooth.shape[0], smooth.shape[1], 2 * smooth.shape[2]))
        self._smooth[:, :, :smooth.shape[2]] = smooth

    def _date(self, k: int, target: int, at: int, now: int) -> float:
        """Day of the turning point: the vertex of a parabola fitted to the smoothed
        series within ``refine`` steps of its extremum ``at`` (an extremum is flat; the
        fit averages the noise out)."""
        n = now + 1
        if target == 2:
            x = self._smooth[k, LEVEL, :n].copy()
        else:
            x = (1.0 if target == 1 else -1.0) * self._smooth[k, SLOPE, :n]
        t = self._t[k]
        since = self._since[k]
        lo, hi = max(since if target > 1 else 0, at - self.refine), min(now, at + self.refine)
        u = np.arange(lo, hi + 1, dtype=float) - at
        if u.size < 5:
            return t[at]
        a2, a1, _ = np.polyfit(u, x[lo:hi + 1], 2)
        if a2 >= 0.0:
            return t[at]
        return t[at] + float(np.clip(-a1 / (2.0 * a2), u[0], u[-1])) * self.dt

    def _set(self, k, firm, name, phase, since) -> None:
        current = self.phase[k]
        if phase == current:
            return
        if current:
            self.recorder.event(self.env.now, firm, name, "lifecycle_phase",
                                f"{current} -> {phase} (from day {since:g})")
        self.phase[k] = phase
