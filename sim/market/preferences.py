"""Segment preferences that can drift: ideal points and price sensitivity.

Utility of product j in segment s (docs/model.md section 1.6). For the attributes k for
which the segment has an ideal level (``ideal_point``) the vector model ``w_sk a_jk`` is
replaced by a weighted ideal-point (unfolding) term, so that the ideal is the most
preferred level and distance from it in either direction costs utility:

    u_sj = sum_{k not in I_s} w_sk a_jk  -  kappa_s sum_{k in I_s} w_sk (a_jk - ideal_sk)^2
           - (alpha_s(t) - alpha_s(0)) log(price_j)

(ideal-point models of preference in a perceptual space: Coombs' unfolding, Carroll's
PREFMAP 1972; for product design, Shocker and Srinivasan 1979). ``kappa_s`` =
``ideal_point_weight`` is utility per unit of attribute weight per squared attribute unit.
The kernel subtracts ``alpha_s(0) log(price)`` itself, so the last term carries only the
change of price sensitivity since day 0.

Drift: every market step of dt days each ideal moves by ``trend * dt/365 + sd *
sqrt(dt/365) * N(0, 1)`` and price sensitivity likewise (floored at 0); the draws come from
the run's own ``"preferences"`` stream (``sim.seeds``), so drift does not change any other
component's draws. With no ideal point and no price-sensitivity drift configured,
``utility`` returns None and the kernel computes ``w . a`` exactly as before.
"""

import math

import numpy as np

from sim.config import ATTRIBUTES
from sim.kernel import libm
from sim.seeds import component_rng
from sim.units import DAYS_PER_YEAR


class Preferences:
    """The market's true preferences over time (S segments, K attributes)."""

    def __init__(self, market_cfg, seed: int):
        segs = market_cfg.segments
        self.names = [s.name for s in segs]
        self.weights = np.array([[s.attribute_weights.get(a, 0.0) for a in ATTRIBUTES]
                                 for s in segs])
        self.has_ideal = np.array([[a in s.ideal_point for a in ATTRIBUTES] for s in segs],
                                  dtype=bool).reshape(len(segs), len(ATTRIBUTES))
        self.ideal = np.array([[float(s.ideal_point.get(a, math.nan)) for a in ATTRIBUTES]
                               for s in segs])
        self.kappa = np.array([s.ideal_point_weight for s in segs])
        self.trend = np.array([[s.ideal_drift_per_year.get(a, 0.0) for a in ATTRIBUTES]
                               for s in segs]) / DAYS_PER_YEAR
        self.noise = np.array([s.ideal_noise_per_year for s in segs]) / math.sqrt(DAYS_PER_YEAR)
        self.alpha0 = np.array([s.price_sensitivity for s in segs], dtype=float)
        self.alpha = self.alpha0.copy()
        self.alpha_trend = np.array([s.price_sensitivity_drift_per_year for s in segs]) / DAYS_PER_YEAR
        self.alpha_noise = (np.array([s.price_sensitivity_noise_per_year for s in segs])
                            / math.sqrt(DAYS_PER_YEAR))
        self.ideal_noisy = bool(np.any(self.noise[:, None] * self.has_ideal > 0))
        self.alpha_noisy = bool(np.any(self.alpha_noise > 0))
        alpha_moves = bool(np.any(self.alpha_trend != 0)) or self.alpha_noisy
        self.drifting = bool(np.any(self.trend != 0)) or self.ideal_noisy or alpha_moves
        # whether the kernel needs an explicit utility at all
        self.active = bool(self.has_ideal.any()) or alpha_moves
        self.rng = component_rng(seed, "preferences") if self.drifting else None
        self.t = 0.0
        self._static = None  # weights, has_ideal and -kappa * weights broadcast (S, 1, K)
        self._last = None    # (inputs, result) of the last attribute_utility

    @property
    def any_ideal(self) -> bool:
        return bool(self.has_ideal.any())

    def advance(self, now: float) -> None:
        """Move the ideals and price sensitivity from the last update to day ``now``."""
        dt = float(now) - self.t
        if dt <= 0.0:
            return
        self.t = float(now)
        if not self.drifting:
            return
        step = self.trend * dt
        if self.ideal_noisy:
            step = step + self.noise[:, None] * math.sqrt(dt) * self.rng.standard_normal(
                self.ideal.shape)
        self.ideal = np.where(self.has_ideal, self.ideal + step, self.ideal)
        d_alpha = self.alpha_trend * dt
        if self.alpha_noisy:
            d_alpha = d_alpha + self.alpha_noise * math.sqrt(dt) * self.rng.standard_normal(
                self.alpha.shape)
        self.alpha = np.maximum(self.alpha + d_alpha, 0.0)

    def attribute_utility(self, attributes) -> np.ndarray:
        """(S, J) attribute utility of products with attributes (J, K) under today's ideals.

        The same values as ``attribute_utility(weights, has_ideal, ideal, kappa,
        attributes)``, by the same operations, with the parts that do not change over a
        run broadcast once; the last result is kept and returned again (the same array:
        not to be modified) while the attributes and ideals are unchanged."""
        a = np.asarray(attributes, dtype=float)
        key = (a.shape, a.tobytes(), self.ideal.tobytes())
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        if self._static is None:
            w = np.asarray(self.weights, dtype=float)[:, None, :]
            h = np.asarray(self.has_ideal, dtype=bool)[:, None, :]
            k = np.asarray(self.kappa, dtype=float)[:, None, None]
            self._static = (w, h, -k * w)
        w, h, nkw = self._static
        i = np.where(h, np.asarray(self.ideal, dtype=float)[:, None, :], 0.0)
        gap = a[None, :, :] - i
        u = np.where(h, nkw * gap * gap, w * a[None, :, :]).sum(axis=-1)
        self._last = (key, u)
        return u

    def utility(self, attributes, price) -> np.ndarray | None:
        """The kernel's ``Offer.utility`` (S, J), or None when preferences are the plain
        linear ones (the kernel then computes ``w . a`` itself)."""
        if not self.active:
            return None
        u = self.attribute_utility(attributes)
        shift = self.alpha - self.alpha0
        if np.any(shift != 0.0):
            u = u - shift[:, None] * libm.log(np.asarray(price, dtype=float))[None, :]
        return u

    def reference_utility(self, expectation) -> np.ndarray:
        """(S,) attribute utility of each segment's reference product (every attribute at
        the segment's quality expectation), for the Generalized-Bass attractiveness."""
        out = np.empty(len(self.names))
        for s, e in enumerate(np.asarray(expectation, dtype=float)):
            row = slice(s, s + 1)
            out[s] = attribute_utility(self.weights[row], self.has_ideal[row], self.ideal[row],
                                       self.kappa[row], np.full((1, len(ATTRIBUTES)), e))[0, 0]
        return out

    def snapshot(self) -> dict:
        """Today's ideals (S, K; NaN where a segment has none) and price sensitivity (S,)."""
        return {"ideal": np.where(self.has_ideal, self.ideal, np.nan), "alpha": self.alpha.copy()}


def attribute_utility(weights, has_ideal, ideal, kappa, attributes) -> np.ndarray:
    """Ideal-point / vector utility (module docstring).

    weights, has_ideal (bool), ideal: (S, K); kappa: (S,); attributes: (J, K).
    Returns float64 (S, J).
    """
    w = np.asarray(weights, dtype=float)[:, None, :]
    h = np.asarray(has_ideal, dtype=bool)[:, None, :]
    i = np.where(h, np.asarray(ideal, dtype=float)[:, None, :], 0.0)
    k = np.asarray(kappa, dtype=float)[:, None, None]
    a = np.asarray(attributes, dtype=float)[None, :, :]
    gap = a - i
    return np.where(h, -k * w * gap * gap, w * a).sum(axis=-1)
