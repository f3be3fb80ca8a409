"""The market's history as rivals can see it: lagged, noisy snapshots.

The market records one snapshot per step (each firm's unit share, price, whether it is on
the market, and its product's attributes). A rival sees the last snapshot at least ``lag``
days old; shares and attributes are multiplied by a log-normal error of sd ``noise``
(estimates), prices are public (only lagged).
"""

import bisect

import numpy as np

from sim.kernel import libm


class Observer:
    """The market's history as rivals can see it: lagged, noisy snapshots."""

    def __init__(self):
        self.history = []  # (t, {firm: {"share", "price", "launched", "attributes"}})
        self._times = []  # the history's days, for bisection

    def record(self, t: float, snapshot: dict) -> None:
        if self._times and t < self._times[-1]:
            raise ValueError(f"snapshots must come in time order: day {t} after day "
                             f"{self._times[-1]}")
        self.history.append((t, snapshot))
        self._times.append(t)

    def view(self, now: float, lag: float, noise: float, rng) -> dict:
        # the last snapshot at least ``lag`` old (history is in time order)
        at = bisect.bisect_right(self._times, now - lag)
        if at == 0:
            return {}
        seen = self.history[at - 1][1]
        # three log-normal errors per firm, drawn in one call: the same normals, in the
        # same order, as one call of three per firm (as Python floats: the same products)
        if noise > 0:
            errors = libm.exp(noise * rng.standard_normal((len(seen), 3))).tolist()
        else:
            errors = [(1.0, 1.0, 1.0)] * len(seen)
        out = {}
        for (firm, d), (e_share, _e, e_attributes) in zip(seen.items(), errors, strict=True):
            # prices are public: only lagged; shares and product quality are estimated
            out[firm] = {"share": d["share"] * e_share, "price": d["price"],
                         "launched": d["launched"],
                         "attributes": np.asarray(d["attributes"]) * e_attributes}
        return out

    def rival_prices(self, firm: str) -> list:
        """Latest prices of the rivals on the market (no lag; used by match pricing)."""
        if not self.history:
            return []
        _, snap = self.history[-1]
        return [d["price"] for f, d in snap.items() if f != firm and d["launched"]]
