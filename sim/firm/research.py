"""Market research: studies bought at a cost and a duration that return noisy estimates of
segment sizes, attribute weights and, where segments have ideal points, the ideal
attribute levels. Policies act on these estimates, never on the truth.

A study's estimate is the truth times a log-normal error of sd ``noise``; before any study
the firm holds a prior that is the truth with error ``prior_noise``. A study is
discretionary spending: without cash it is cancelled.

Ideals drift (``sim.market.preferences``), so an estimate of them is a photograph: a study
reports the ideals as they were at its fieldwork (the day it starts, as of the market's
last step), delivered ``duration_days`` later, and it ages from then on. How often the firm
buys studies is therefore a lever: the roadmap ranks releases by their value under the
latest estimated ideals (``gain_values``); with ``aim_releases`` a release stops at the
estimated best level of an ideal-point attribute (``ideal_targets``, ``aim_gains``).
"""

import numpy as np

from sim.config import ATTRIBUTES
from sim.kernel import dots, libm


class Research:
    def __init__(self, env, firm: str, cfg, sizes, weights, ledger, recorder, rng,
                 ideals=None, kappa=None):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.ledger = ledger
        self.recorder = recorder
        self.rng = rng
        self._sizes = np.asarray(sizes, dtype=float)
        self._weights = np.asarray(weights, dtype=float)
        self.sizes, self.weights = self._noisy(cfg.prior_noise)
        # ideal points: (S, K) truth at day 0, NaN where a segment has none
        ideals = None if ideals is None else np.asarray(ideals, dtype=float)
        self.has_ideals = ideals is not None and bool(np.isfinite(ideals).any())
        self._ideals0 = ideals
        self.kappa = None if kappa is None else np.asarray(kappa, dtype=float)
        self.preferences = None  # the market's true preferences; set by the market
        self.ideals = self._noisy_ideals(ideals, cfg.prior_noise) if self.has_ideals else None
        self.ideals_as_of = 0.0
        self.studies_done = 0

    def _noisy(self, sd):
        f_size = libm.exp(sd * self.rng.standard_normal(self._sizes.shape))
        f_w = libm.exp(sd * self.rng.standard_normal(self._weights.shape))
        return self._sizes * f_size, self._weights * f_w

    def _noisy_ideals(self, truth, sd):
        # drawn after sizes and weights, and only when some segment has an ideal point, so
        # the draws of a market without ideal points are the same as before they existed
        return truth * libm.exp(sd * self.rng.standard_normal(truth.shape))

    def true_ideals(self) -> np.ndarray:
        """Today's true ideals (S, K), as a study's fieldwork sees them."""
        if self.preferences is not None:
            return self.preferences.snapshot()["ideal"]
        return self._ideals0.copy()

    def market_size_estimate(self) -> float:
        return float(self.sizes.sum())

    def weight_estimate(self) -> np.ndarray:
        """Size-weighted mean estimated attribute weights (K,)."""
        share = self.sizes / max(self.sizes.sum(), 1e-12)
        return dots.vecmat(share, self.weights)

    def gain_values(self, attributes, gains) -> np.ndarray:
        """Estimated utility gain (K,) of adding ``gains`` (K,) to a product's ``attributes``
        (K,), per attribute, size-weighted over segments: ``w_k g_k`` for a linear
        attribute, the fall of the ideal-point penalty ``kappa w_k ((a_k - i_k)^2 - (a_k +
        g_k - i_k)^2)`` where the segment has an (estimated) ideal ``i_k``."""
        share = self.sizes / max(self.sizes.sum(), 1e-12)
        a = np.asarray(attributes, dtype=float)[None, :]
        g = np.asarray(gains, dtype=float)[None, :]
        linear = self.weights * g
        if not self.has_ideals:
            return dots.vecmat(share, linear)
        has = np.isfinite(self.ideals)
        ideal = np.where(has, self.ideals, 0.0)
        kappa = self.kappa[:, None] if self.kappa is not None else 1.0
        closer = kappa * self.weights * ((a - ideal) ** 2 - (a + g - ideal) ** 2)
        return dots.vecmat(share, np.where(has, closer, linear))

    def ideal_targets(self) -> np.ndarray:
        """Estimated best level (K,) of each ideal-point attribute: the mean of the estimated
        ideals weighted by each segment's estimated size x ``kappa`` x weight, which
        minimises the summed quadratic penalty ``sum_s n_s kappa_s w_sk (a_k - i_sk)^2``;
        NaN for an attribute no segment has an ideal for (more is better)."""
        out = np.full(self._weights.shape[1], np.nan)
        if not self.has_ideals:
            return out
        has = np.isfinite(self.ideals)
        kappa = self.kappa[:, None] if self.kappa is not None else 1.0
        w = np.where(has, self.sizes[:, None] * kappa * self.weights, 0.0)
        total = w.sum(axis=0)
        ok = total > 0
        out[ok] = (w * np.where(has, self.ideals, 0.0)).sum(axis=0)[ok] / total[ok]
        return out

    def aim_gains(self, attributes, gains: dict) -> dict:
        """A release's gains aimed by research: an ideal-point attribute moves toward its
        estimated best level (``ideal_targets``), by at most the planned gain and never
        past the estimate; a more-is-better attribute takes the planned gain."""
        target = self.ideal_targets()
        out = {}
        for a, g in gains.items():
            k = ATTRIBUTES.index(a)
            if np.isfinite(target[k]) and g > 0:
                out[a] = float(min(g, max(target[k] - attributes[k], 0.0)))
            else:
                out[a] = float(g)
        return out

    def run(self):
        """Process: the planned studies, in order of day."""
        for study in sorted(self.cfg.studies, key=lambda s: s.day):
            if study.day > self.env.now:
                yield self.env.timeout(study.day - self.env.now)
            if not self.ledger.can_afford(study.cost):
                self.recorder.event(self.env.now, self.firm, "", "research_cancelled",
                                    "no cash for the study")
                continue
            self.ledger.spend("research", study.cost)
            fieldwork_day = self.env.now
            seen = self.true_ideals() if self.has_ideals else None
            yield self.env.timeout(study.duration_days)
            self.sizes, self.weights = self._noisy(study.noise)
            detail = f"estimated market {self.market_size_estimate():,.0f} customers"
            if self.has_ideals:
                self.ideals = self._noisy_ideals(seen, study.noise)
                self.ideals_as_of = fieldwork_day
                shown = ", ".join(f"{a} {col[np.isfinite(col)].mean():.2f}"
                                  for a, col in zip(ATTRIBUTES, self.ideals.T, strict=True)
                                  if np.isfinite(col).any())
                detail += f"; ideals ({shown}) as of day {fieldwork_day:g}"
            self.studies_done += 1
            self.recorder.event(self.env.now, self.firm, "", "research_result", detail)
