"""Market research: studies bought at a cost and a duration that return noisy estimates of
segment sizes and attribute weights. Policies act on these estimates, never on the truth.

A study's estimate is the truth times a log-normal error of sd ``noise``; before any study
the firm holds a prior that is the truth with error ``prior_noise``. A study is
discretionary spending: without cash it is cancelled.
"""

import numpy as np


class Research:
    def __init__(self, env, firm: str, cfg, sizes, weights, ledger, recorder, rng):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.ledger = ledger
        self.recorder = recorder
        self.rng = rng
        self._sizes = np.asarray(sizes, dtype=float)
        self._weights = np.asarray(weights, dtype=float)
        self.sizes, self.weights = self._noisy(cfg.prior_noise)
        self.studies_done = 0

    def _noisy(self, sd):
        f_size = np.exp(sd * self.rng.standard_normal(self._sizes.shape))
        f_w = np.exp(sd * self.rng.standard_normal(self._weights.shape))
        return self._sizes * f_size, self._weights * f_w

    def market_size_estimate(self) -> float:
        return float(self.sizes.sum())

    def weight_estimate(self) -> np.ndarray:
        """Size-weighted mean estimated attribute weights (K,)."""
        share = self.sizes / max(self.sizes.sum(), 1e-12)
        return share @ self.weights

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
            yield self.env.timeout(study.duration_days)
            self.sizes, self.weights = self._noisy(study.noise)
            self.studies_done += 1
            self.recorder.event(self.env.now, self.firm, "", "research_result",
                                f"estimated market {self.market_size_estimate():,.0f} customers")
