"""The market's history as rivals can see it: lagged, noisy snapshots.

The market records one snapshot per step (each firm's unit share, price, whether it is on
the market, and its product's attributes) and the step's orders per segment and product.
A rival sees the last snapshot at least ``lag`` days old; shares and attributes are
multiplied by a log-normal error of sd ``noise`` (estimates), prices are public (only
lagged). A firm's share of one segment's orders (``segment_share``: what a niche player
defends) is read from the same snapshot and carries the same error as its total share.
"""

import bisect

import numpy as np

from sim.kernel import libm


class Observer:
    """The market's history as rivals can see it: lagged, noisy snapshots."""

    def __init__(self):
        self.history = []  # (t, {firm: {"share", "price", "launched", "attributes"}})
        self._times = []  # the history's days, for bisection
        self._orders = []  # each snapshot's (S, J) orders per segment and product, or None
        self.segments: list = []  # the orders' rows: segment names
        self.columns: dict = {}  # firm -> its products' columns of the orders

    def set_layout(self, segments, columns: dict) -> None:
        """The rows (segment names) and each firm's columns of the orders ``record`` is
        given (``Market`` sets them once)."""
        self.segments = list(segments)
        self.columns = {f: list(ks) for f, ks in columns.items()}

    def record(self, t: float, snapshot: dict, orders=None) -> None:
        """One step's snapshot; ``orders``: its (S, J) orders per segment and product
        (kept as given: the market hands over a new array every step)."""
        if self._times and t < self._times[-1]:
            raise ValueError(f"snapshots must come in time order: day {t} after day "
                             f"{self._times[-1]}")
        self.history.append((t, snapshot))
        self._times.append(t)
        self._orders.append(orders)

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
                         "attributes": np.asarray(d["attributes"]) * e_attributes,
                         "share_error": e_share}
        return out

    def segment_share(self, now: float, lag: float, firm: str, segment: str):
        """The true share of ``segment``'s orders that went to ``firm``'s products in the
        snapshot ``view(now, lag, ...)`` shows; None where there is no such snapshot, it
        holds no orders per segment, or the segment ordered nothing (a share of 0 there
        would have made a niche player buy quality on no evidence). A rival's
        estimate multiplies it by the ``share_error`` its view drew for that firm."""
        at = bisect.bisect_right(self._times, now - lag)
        if at == 0 or self._orders[at - 1] is None or firm not in self.columns:
            return None
        row = self._orders[at - 1][self.segments.index(segment)]
        total = float(row.sum())
        if not total > 0:  # nobody ordered in the segment: no share to read
            return None
        return float(sum(row[k] for k in self.columns[firm])) / total

    def rival_prices(self, firm: str) -> list:
        """Latest prices of the rivals on the market (no lag; used by match pricing)."""
        if not self.history:
            return []
        _, snap = self.history[-1]
        return [d["price"] for f, d in snap.items() if f != firm and d["launched"]]
