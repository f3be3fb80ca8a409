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

import bisect
import math
import operator

import numpy as np

from sim.kernel import dots
from sim.units import steps_in

WINDOW_DAYS = 364.0   # weekly steps: 53 points, half-width 26
REFINE_DAYS = 91.0
HOLD_DAYS = 91.0
MARGIN_REL = 0.1
MARGIN_Z = 4.0
PHASES = ("introduction", "growth", "maturity", "decline")
# smoothing weights by window offsets (``Lifecycle._weights_for``): a function of the
# offsets alone, shared by every run of the process
_WEIGHTS: dict = {}


def _median(x: np.ndarray) -> float:
    """``np.median`` of a non-empty 1-d array without NaN (the same value: the middle
    element, or the mean of the two middle ones), without its general machinery."""
    srt = np.sort(x)
    m = srt.shape[0] // 2
    if srt.shape[0] % 2:
        return float(srt[m])
    return float((srt[m - 1] + srt[m]) / 2.0)


class _Curve:
    """One product's sales since launch, smoothed, and its detected phase.

    Besides the series it keeps what each step's smoothing and detection would otherwise
    recompute from them: the absolute second differences of the units in time order and
    sorted (the window's noise estimate is their median), and, since the current phase
    began, the first maximum of each turning point's series."""

    def __init__(self):
        self.t: list[float] = []       # day of each step
        # units in each step: a buffer that doubles when full, ``m`` entries in use
        self._raw = np.empty(64)
        self.m = 0
        self._last = []                # the last (up to) two units, as Python floats
        # |second difference| of units (steps i, i+1, i+2) for i = 0, 1, ... in time order,
        # and those from ``_d2lo`` on, sorted
        self._d2: list[float] = []
        self._d2sorted: list[float] = []
        self._d2lo = 0
        # smoothed, item i is step i: level, its standard error, slope (units per step per
        # step), its standard error, and minus the slope; ``n`` steps
        self.level: list[float] = []
        self.se_level: list[float] = []
        self.slope: list[float] = []
        self.se_slope: list[float] = []
        self.neg_slope: list[float] = []
        self.z_se_level: list[float] = []
        self.z_se_slope: list[float] = []
        self.slope_bound: list[float] = []
        self.n = 0
        self.phase = 0                 # index in PHASES
        self.since = 0                 # index where the phase began
        # per target phase 1..3: (index, value) of the first maximum of its series from
        # ``since`` on, and the first index from ``since`` on where the series is clearly
        # above zero (x > MARGIN_Z * se; None: not yet); invalid when ``since`` moves
        self._best: list | None = None
        self._clear: list | None = None
        self._floor: list | None = None  # per target: [first, floor] (``floor``)

    def push(self, units: float) -> None:
        """The units of the next step."""
        if self.m == self._raw.shape[0]:
            self._raw = np.concatenate([self._raw, np.empty_like(self._raw)])
        self._raw[self.m] = units
        self.m += 1
        last = self._last
        if len(last) == 2:
            # as np.diff twice then abs: (y2 - y1) - (y1 - y0), in float64
            d = abs((units - last[1]) - (last[1] - last[0]))
            self._d2.append(d)
            bisect.insort(self._d2sorted, d)
            last[0], last[1] = last[1], units
        else:
            last.append(units)

    def window(self, lo: int, hi: int) -> np.ndarray:
        """Units of steps ``lo`` to ``hi - 1``, a fresh (aligned) array."""
        return self._raw[lo:min(hi, self.m)].copy()

    def d2_median(self, lo: int) -> float:
        """Median of |second differences| of the units from step ``lo`` to the last step
        (``_median`` of them); ``lo`` never decreases between calls."""
        srt = self._d2sorted
        while self._d2lo < lo:
            del srt[bisect.bisect_left(srt, self._d2[self._d2lo])]
            self._d2lo += 1
        m = len(srt) // 2
        if len(srt) % 2:
            return srt[m]
        return (srt[m - 1] + srt[m]) / 2.0

    def add(self, level: float, slope: float, se_level: float, se_slope: float) -> None:
        """The smoothed values of the next step."""
        i = self.n
        self.level.append(level)
        self.se_level.append(se_level)
        self.slope.append(slope)
        self.se_slope.append(se_slope)
        self.neg_slope.append(-slope)
        # MARGIN_Z times the standard errors (the same floats as on arrays), and the
        # decline's bound on the slope, -MARGIN_Z * se
        z_level, z_slope = MARGIN_Z * se_level, MARGIN_Z * se_slope
        self.z_se_level.append(z_level)
        self.z_se_slope.append(z_slope)
        self.slope_bound.append(-MARGIN_Z * se_slope)
        self.n += 1
        best, clear = self._best, self._clear
        if best is None:
            return
        # the series of targets 1, 2, 3 (``series``): running first maximum, first index
        # clearly above zero
        if slope > best[1][1]:
            best[1] = (i, slope)
        if level > best[2][1]:
            best[2] = (i, level)
        if -slope > best[3][1]:
            best[3] = (i, -slope)
        if clear[1] is None and slope > z_slope:
            clear[1] = i
        if clear[2] is None and level > z_level:
            clear[2] = i
        if clear[3] is None and -slope > z_slope:
            clear[3] = i

    def series(self, target: int):
        """The lists of the series whose extremum starts phase ``target``, signed so that
        it is a maximum, and of MARGIN_Z times its standard errors."""
        if target == 2:
            return self.level, self.z_se_level
        return (self.slope if target == 1 else self.neg_slope), self.z_se_slope

    def tracked(self):
        """(best, clear) for the current ``since`` (module docstring of ``_Curve``),
        computed from the arrays when ``since`` has moved."""
        if self._best is None:
            level, se_level, slope, se_slope = self.arrays()
            best, clear = [None] * 4, [None] * 4
            for target, x, se in ((1, slope, se_slope), (2, level, se_level),
                                  (3, -slope, se_slope)):
                x, se = x[self.since:], se[self.since:]
                at = int(np.argmax(x))
                best[target] = (self.since + at, float(x[at]))
                above = np.flatnonzero(x > MARGIN_Z * se)
                clear[target] = self.since + int(above[0]) if above.size else None
            self._best, self._clear = best, clear
            self._floor = [None, [self.since, -math.inf], [self.since, -math.inf],
                           [self.since, -math.inf]]
        return self._best, self._clear

    def floor(self, target: int, first: int) -> float:
        """max(x - MARGIN_Z * se) over the steps from ``since`` to ``first - 1`` of the
        series of ``target`` (a running maximum: ``first`` never decreases for a
        ``since``)."""
        state = self._floor[target]
        upto, value = state
        if upto < first:
            x, z_se = self.series(target)
            for i in range(upto, first):
                lower = x[i] - z_se[i]
                if lower > value:
                    value = lower
            state[0], state[1] = first, value
        return value

    def arrays(self):
        """(level, se_level, slope, se_slope) of the steps smoothed so far, as arrays."""
        return (np.array(self.level), np.array(self.se_level), np.array(self.slope),
                np.array(self.se_slope))


class Lifecycle:
    def __init__(self, env, recorder, n_products: int, dt: float, market_size: float = 0.0):
        """``market_size`` is not used (the phases read the sales curve alone)."""
        self.env = env
        self.recorder = recorder
        self.dt = float(dt)
        self.half = max(2, steps_in(WINDOW_DAYS, dt) // 2)
        self.hold = steps_in(HOLD_DAYS, dt)
        self.refine = steps_in(REFINE_DAYS, dt)
        self.curves = [_Curve() for _ in range(n_products)]
        self.phase = [""] * n_products

    def update(self, k: int, firm: str, product, units: float, active: int = 0) -> str:
        """Record product ``k``'s units ordered in this step (``active``: its installed
        base after the step); returns its phase."""
        if not product.on_market:
            self._set(k, firm, product.name, "withdrawn" if product.killed or product.retired
                      else "development",
                      self.env.now)
            return self.phase[k]
        c = self.curves[k]
        if c.phase == len(PHASES) - 1:  # in the last phase: nothing left to detect
            return self.phase[k]
        c.t.append(float(self.env.now))
        c.push(float(units))
        if not self.phase[k]:  # on the market from the start: growth if it has customers
            c.phase = 1 if active > units else 0  # customers before this step
            self.phase[k] = PHASES[c.phase]
        elif self.phase[k] == "development":
            self._set(k, firm, product.name, PHASES[0], self.env.now)
        i = c.m - 1 - self.half  # the newest step whose window is complete
        if i >= 0:
            self._smooth(c, i)
            self._advance(k, firm, product.name, c)
        return self.phase[k]

    # --- smoothing ---------------------------------------------------------------------
    def _weights_for(self, lo: int, hi: int):
        """Rows: weights giving the level and slope at offset 0 of a quadratic fitted by
        least squares to offsets ``lo..hi``; and the root sum of squares of each row (the
        standard error of level and slope per unit of noise sd)."""
        key = (lo, hi)
        found = _WEIGHTS.get(key)
        if found is None:
            u = np.arange(lo, hi + 1, dtype=float)
            x = np.vstack([np.ones_like(u), u, u * u]).T
            w = np.linalg.pinv(x)[:2]
            w.flags.writeable = False
            found = _WEIGHTS[key] = (w, tuple(np.sqrt((w * w).sum(axis=1)).tolist()))
        return found

    def _smooth(self, c: _Curve, i: int) -> None:
        lo = max(0, i - self.half)
        w, norm = self._weights_for(lo - i, self.half)
        y = c.window(lo, i + self.half + 1)
        level, slope = dots.matvec(w, y)  # w @ y in a fixed order (sim.kernel.dots)
        # noise sd from the second differences of the window (a smooth trend cancels; white
        # noise of sd s gives second differences of sd s sqrt(6)); robust: the median (the
        # curve keeps them sorted as they come)
        s = 1.4826 * c.d2_median(lo) / math.sqrt(6.0) if y.shape[0] > 2 else 0.0
        c.add(float(level), float(slope), s * norm[0], s * norm[1])

    # --- detection ---------------------------------------------------------------------
    def _advance(self, k, firm, name, c: _Curve) -> None:
        now = c.n - 1
        while c.phase < len(PHASES) - 1:
            target = c.phase + 1
            at = self._turn(c, target, now)
            if at is None and target == 1:  # sales that never rose clearly: no growth
                target = 2
                at = self._turn(c, target, now)
            if at is None:
                return
            day = self._date(c, target, at, now)
            c.phase, c.since = target, at
            c._best = c._clear = None  # tracked from the new since
            self._set(k, firm, name, PHASES[target], day)

    def _series(self, c: _Curve, target: int):
        """The series whose extremum starts phase ``target``, signed so that it is a
        maximum, with its standard errors."""
        level, se_level, slope, se_slope = c.arrays()
        if target == 2:
            return level, se_level
        sign = 1.0 if target == 1 else -1.0
        return sign * slope, se_slope

    def _turn(self, c: _Curve, target: int, now: int) -> int | None:
        """Index of the turning point that starts phase ``target``, once it is clear: the
        extremum lies before the last ``hold`` points, each of them is past it by the
        margin, and (decline) sales are still falling."""
        first = now - self.hold + 1
        if first <= c.since:
            return None
        best, clear = c.tracked()
        at, top = best[target]  # np.argmax of the series from since on: its first maximum
        if at >= first:
            return None
        if target != 2 and (clear[target] is None or clear[target] >= first):
            return None  # the slope never clearly rose (fell)
        x, z_se = c.series(target)
        # clear: each recent value's upper bound lies below an earlier value's lower bound
        # (the same float operations as on arrays; all(v < b) as max(v) < b)
        floor = c.floor(target, first)
        if not max(map(operator.add, x[first:], z_se[first:])) < floor:
            return None
        if not max(x[first:]) < top - MARGIN_REL * abs(top):
            return None
        if target == 3 and not all(map(operator.lt, c.slope[first:], c.slope_bound[first:])):
            return None
        return at

    def _date(self, c: _Curve, target: int, at: int, now: int) -> float:
        """Day of the turning point: the vertex of a parabola fitted to the smoothed
        series within ``refine`` steps of its extremum ``at`` (an extremum is flat; the
        fit averages the noise out)."""
        x, _ = self._series(c, target)
        lo, hi = max(c.since if target > 1 else 0, at - self.refine), min(now, at + self.refine)
        u = np.arange(lo, hi + 1, dtype=float) - at
        if u.size < 5:
            return c.t[at]
        a2, a1, _ = np.polyfit(u, x[lo:hi + 1], 2)
        if a2 >= 0.0:
            return c.t[at]
        return c.t[at] + float(np.clip(-a1 / (2.0 * a2), u[0], u[-1])) * self.dt

    def _set(self, k, firm, name, phase, since) -> None:
        current = self.phase[k]
        if phase == current:
            return
        if current:
            self.recorder.event(self.env.now, firm, name, "lifecycle_phase",
                                f"{current} -> {phase} (from day {since:g})")
        self.phase[k] = phase
