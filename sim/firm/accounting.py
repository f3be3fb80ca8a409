"""Accounting of one market step's sales: revenue, subscription billing, free trials and
each distribution channel's margin, booked into the firm's ledger.

- Durables pay once, on shipment: ``revenue = shipped * price``.
- Subscriptions pay their monthly price per active *paying* subscriber for the step,
  ``paying * price * dt / days_per_month``; serving them costs ``unit_cost`` per paying
  subscriber-month (booked as production, not discretionary). Subscribers inside a free
  trial pay nothing; the trials that end in a step and do not convert leave through an
  extra churn hazard that the market adds to the product's churn (``trial_churn``): a
  product-level approximation of the cohort. The share that converts is
  ``trial_conversion`` at the satisfaction baseline, moved by the product's experienced
  satisfaction (``sim.firm.support.trial_conversion``).
- With distribution channels, each channel's margin is booked against the revenue it
  carried (``sim.firm.distribution``), with one row per channel and segment in the
  distribution table.
"""

import math

import numpy as np

from sim.firm.support import logit, trial_conversion_from_logit
from sim.units import DAYS_PER_MONTH


class SalesAccounting:
    def __init__(self, env, firm: str, cfg_pricing, product, production, distribution, ledger,
                 recorder, support_cfg=None):
        self.env = env
        self.firm = firm
        self.cfg_pricing = cfg_pricing
        self.product = product
        self.production = production
        self.distribution = distribution
        self.ledger = ledger
        self.recorder = recorder
        self.trial_cohorts = []  # (end_day, count) of subscribers in a free trial
        self.support_cfg = support_cfg  # None: trials convert at the configured share
        self._base_logit = (None, 0.0)  # (trial_conversion, its log-odds), kept

    def conversion(self) -> float:
        """Share of the trials ending now that convert (module docstring)."""
        base = self.cfg_pricing.trial_conversion
        if self.support_cfg is None:
            return base
        if self._base_logit[0] != base:
            self._base_logit = (base, logit(base))
        return trial_conversion_from_logit(base, self._base_logit[1], self.product.satisfaction,
                                           self.support_cfg.baseline)

    def trial_churn(self, dt: float) -> float:
        """Extra churn hazard per day so that, in expectation, the subscribers whose free
        trial ends this step and do not convert leave."""
        if not self.trial_cohorts:  # nobody in a free trial
            return 0.0
        now = self.env.now
        p = self.product
        ending = sum(n for end, n in self.trial_cohorts if now <= end < now + dt)
        if ending > 0 and p.installed_base > 0:
            leave = min((1.0 - self.conversion()) * ending / p.installed_base,
                        0.999)
            return -math.log1p(-leave) / dt
        return 0.0

    def bill(self, t: float, dt: float, new: int, active: int, shipped: float,
             units_by_segment, active_by_segment, segment_names, price_level=None) -> float:
        """Book the step's revenue (and serving cost, channel margins); returns revenue.
        ``price_level`` (S,): each segment's regional price level, where the market's
        regions price differently (``sim.market.regions``, which books the revenue's
        difference after this): the channels keep their margin of the revenue at those
        levels."""
        p = self.product
        if p.kind == "subscription":
            self._update_trials(new)
            paying = max(active - p.in_trial, 0.0)
            revenue = paying * p.price * dt / DAYS_PER_MONTH
            serving = paying * self.production.unit_cost * dt / DAYS_PER_MONTH
            if serving > 0:
                self.ledger.spend("production", serving, discretionary=False)
        else:
            revenue = shipped * p.price
        if revenue > 0:
            self.ledger.post("revenue", revenue)
        if self.distribution.active:
            basis = active_by_segment if p.kind == "subscription" else units_by_segment
            self._book_channels(t, revenue, basis, segment_names, price_level)
        return revenue

    def _update_trials(self, new: int) -> None:
        p = self.product
        now = self.env.now
        trial_days = self.cfg_pricing.free_trial_days
        if trial_days > 0 and new > 0:
            self.trial_cohorts.append((now + trial_days, new))
        keep = [(end, n) for end, n in self.trial_cohorts if end > now]
        self.trial_cohorts = keep
        p.in_trial = float(sum(n for _, n in keep))

    def _book_channels(self, t, revenue, basis, segment_names, price_level=None) -> None:
        """Book each channel's margin on the revenue it carried (each segment's at its
        ``price_level``); one row per channel and segment into the distribution table."""
        dist = self.distribution
        n_seg = len(segment_names)
        split = dist.revenue_split(revenue, basis) if revenue > 0 else np.zeros(
            (n_seg, len(dist.names)))
        if price_level is not None:  # a segment's revenue at its region's price level
            # (the margins were taken at list price: 30.31% of global_rollout's revenue
            # for a 30% channel)
            split = split * np.asarray(price_level, float)[:, None]
        margins = dist.margins(split)
        for c, name in enumerate(dist.names):
            if margins[c] > 0:
                self.ledger.post(f"channel_margin:{name}", -float(margins[c]))
        avail = dist.availability(n_seg)
        for si, seg in enumerate(segment_names):
            for c, name in enumerate(dist.names):
                self.recorder.distribution_row(
                    t=t, firm=self.firm, channel=name, segment=seg,
                    coverage=float(dist.coverage[c, si]), availability=float(avail[si]),
                    revenue=float(split[si, c]), margin=float(split[si, c] * dist.margin[c]),
                    product=self.product.name)
