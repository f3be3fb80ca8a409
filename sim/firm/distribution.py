"""Distribution channels of a firm: coverage per segment, availability, channel margins.

A channel c (``direct_online``, ``retail``, ``partners``) covers a share ``cov[c, s]`` of
segment s: the share of the channel's outlets in the segment that carry the product
(weighted distribution, "ACV"; its convex link to market share is Reibstein and Farris
1995). Coverage follows a Vidale-Wolfe (1957) response to effort: it grows toward the
target in proportion to the gap and erodes at a constant rate,

    d cov / dt = lambda_c (target_cs - cov) - delta_c cov,
    lambda_c = build_c + build_per_head_c * H_c,  H_c = sales heads * share_c / sum(share),

solved exactly over each market step of dt days (``lambda`` held at the step's start):
``cov <- cov* + (cov - cov*) exp(-(lambda + delta) dt)`` with ``cov* = lambda target /
(lambda + delta)``. Sales heads are the ``sales`` team's productive capacity (hires ramp
up), so hiring sales people builds retail and partner coverage faster.

A customer of segment s buys through channel c when she shops there (``channel_use[s, c]``
of the segment, ``market.segments[].channel_use``) and the product is stocked there, so
the probability of being able to buy the product at all is

    avail_s = 1 - prod_c (1 - use_sc cov_cs),

which the market multiplies into the product's awareness before the kernel sees it: a
segment with no coverage cannot adopt the product. A buyer reachable through several
channels buys through c with probability ``use_sc cov_cs / sum_c' use_sc' cov_c's``; each
channel keeps ``margin_c`` of the revenue it carries, booked as a negative posting
``channel_margin:<c>``. A firm with no channels configured is available everywhere and
pays no margin (``active`` is False), exactly as before channels existed.
"""

import numpy as np

from sim.kernel import libm
from sim.units import DAYS_PER_WEEK


class Distribution:
    """Coverage state (C channels, S segments) of one firm and its revenue split."""

    def __init__(self, firm: str, cfg, segments, teams):
        self.firm = firm
        self.teams = teams
        self.names = list(cfg.channels)
        self.active = bool(self.names)
        seg_names = [s.name for s in segments]
        n_seg = len(seg_names)
        chans = [cfg.channels[c] for c in self.names]
        for name, ch in zip(self.names, chans, strict=True):
            for field in ("target_by_segment", "initial_by_segment"):
                for seg in getattr(ch, field):
                    if seg not in seg_names:
                        raise ValueError(f"firm {firm!r}.distribution.channels.{name}.{field} "
                                         f"key must be one of {', '.join(seg_names)}; got {seg!r}")

        def per_segment(base, by_segment):
            return [float(by_segment.get(s, base)) for s in seg_names]

        self.target = np.array([per_segment(ch.target, ch.target_by_segment) for ch in chans],
                               dtype=float).reshape(len(chans), n_seg)
        self.coverage = np.array([per_segment(ch.initial, ch.initial_by_segment) for ch in chans],
                                 dtype=float).reshape(len(chans), n_seg)
        self.use = np.array([[s.channel_use.get(c, 1.0) for c in self.names] for s in segments],
                            dtype=float).reshape(n_seg, len(chans))
        self.margin = np.array([ch.margin for ch in chans], dtype=float)
        self.build = np.array([ch.build_per_week for ch in chans], dtype=float) / DAYS_PER_WEEK
        self.per_head = np.array([ch.build_per_sales_head_per_week for ch in chans],
                                 dtype=float) / DAYS_PER_WEEK
        share = np.array([ch.sales_effort_share for ch in chans], dtype=float)
        self.effort_share = share / share.sum() if share.sum() > 0 else share
        self.decay = np.array([ch.decay_per_week for ch in chans], dtype=float) / DAYS_PER_WEEK
        self.start = np.array([ch.start_day for ch in chans], dtype=float)
        self.t = 0.0
        self.heads_at_start = max(teams.capacity("sales"), 0.0) if teams is not None else 0.0
        self._last_basis = None

    def advance(self, now: float) -> None:
        """Move coverage from the last update to day ``now`` (module docstring)."""
        dt = float(now) - self.t
        self.t = float(now)
        if not self.active:  # no coverage to move (and no sales effort to hold)
            return
        # the sales effort is held at the interval's start (docs/model.md section 9): a hire
        # who joins mid-step builds coverage from the next step on
        heads, self.heads_at_start = self.heads_at_start, max(self.teams.capacity("sales"), 0.0)
        if dt <= 0.0:
            return
        rate = self.build + self.per_head * heads * self.effort_share
        total = rate + self.decay
        moving = (now - dt >= self.start) & (total > 0.0)
        if not moving.any():
            return
        safe = np.where(total > 0.0, total, 1.0)
        level = (rate / safe)[:, None] * self.target
        keep = libm.exp(-total * dt)[:, None]
        new = level + (self.coverage - level) * keep
        self.coverage = np.where(moving[:, None], np.clip(new, 0.0, 1.0), self.coverage)

    def availability(self, n_segments: int) -> np.ndarray:
        """(S,) probability that a customer of each segment can buy the product."""
        if not self.active:
            return np.ones(n_segments)
        return 1.0 - np.prod(1.0 - self.use * self.coverage.T, axis=1)

    def revenue_split(self, revenue: float, basis) -> np.ndarray:
        """(S, C) revenue carried by each channel in each segment.

        ``basis`` (S,) distributes the revenue over segments (this step's orders for
        durables, paying subscribers for subscriptions); when it is all zero (shipments
        from the backlog only) the last non-zero basis is used, else the segments' reach.
        """
        basis = np.asarray(basis, dtype=float)
        reach = self.use * self.coverage.T  # (S, C)
        if basis.sum() > 0:
            self._last_basis = basis
        elif self._last_basis is not None:
            basis = self._last_basis
        else:
            basis = reach.sum(axis=1)
        if basis.sum() <= 0:
            basis = np.ones(reach.shape[0])
        seg_share = basis / basis.sum()
        # a segment bought from without coverage (replacements, see docs/model.md section
        # 9) is split by channel habits alone
        weights = np.where(reach.sum(axis=1, keepdims=True) > 0, reach, self.use)
        norm = weights.sum(axis=1, keepdims=True)
        within = np.divide(weights, norm, out=np.full_like(weights, 1.0 / weights.shape[1]),
                           where=norm > 0)
        return revenue * seg_share[:, None] * within

    def margins(self, split) -> np.ndarray:
        """(C,) each channel's cut of the revenue in ``split`` (S, C)."""
        return self.margin * np.asarray(split).sum(axis=0)

