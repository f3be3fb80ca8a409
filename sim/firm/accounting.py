"""Accounting of one market step's sales: revenue, subscription billing, free trials and
each distribution channel's margin, booked into the firm's ledger.

- Durables pay once, on shipment: ``revenue = shipped * price``.
- Subscriptions pay their monthly price per active *paying* subscriber for the step,
  ``paying * price * dt / days_per_month``; serving them costs ``unit_cost`` per active
  subscriber-month, trialists included (booked as production, not discretionary: a free
  trial is served like a paid month, and its cost is a cost of the service, ASC 705 / IAS
  1.99). Subscribers inside a free trial pay nothing; the trials that end in a step and do
  not convert leave through an extra churn hazard that the market adds to the product's
  churn (``trial_churn``): a product-level approximation of the cohort. The share that
  converts is ``trial_conversion`` at the satisfaction baseline, moved by the product's
  experienced satisfaction (``sim.firm.support.trial_conversion``). In the step where a
  cohort's trial ends, its leavers have already gone from the active count and its
  converters pay from the trial's last day on (ASC 606-10-25-27: a subscription is earned
  as the service is given): the step's trialists are the cohorts whose trial runs past it
  and the ending cohorts' converters for the part of the step before their trial ends.
  Until 2026-12-07 the whole ending cohort counted as trialists in that step (its leavers
  taken off the paying base a second time) and its converters paid from the next step,
  and trialists cost nothing to serve: ``subscription_trial`` (seed 0) booked 0.85M too
  little revenue and 1.1M too little serving cost. A cohort whose trial is shorter than a
  step churns in the next step (before, its leavers never left). A step's new subscribers
  joined during it, so their trial is dated from the step's middle: dated from its start,
  with their converters paying from the trial's end, the step's length moved the answer
  (a 30-day trial's NPV 4.52M at 7-day steps, 5.39M at 28: the trial half a step short).
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
        # [end_day, count, conversion]: subscribers in a free trial; conversion is None until
        # the step whose churn takes its leavers (``trial_churn``), then the share converting
        self.trial_cohorts = []
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
        ending = 0
        conversion = None
        for cohort in self.trial_cohorts:  # trials ending by this step's end, not yet churned
            if cohort[2] is None and cohort[0] < now + dt:
                if conversion is None:
                    conversion = self.conversion()
                cohort[2] = conversion
                ending += cohort[1]
        if ending > 0 and p.installed_base > 0:
            leave = min((1.0 - conversion) * ending / p.installed_base, 0.999)
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
            self._update_trials(new, dt)
            paying = max(active - p.in_trial, 0.0)
            revenue = paying * p.price * dt / DAYS_PER_MONTH
            serving = active * self.production.unit_cost * dt / DAYS_PER_MONTH
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

    def _update_trials(self, new: int, dt: float) -> None:
        """The step's trialists into ``product.in_trial`` (subscriber-steps; module
        docstring), this step's new subscribers as a cohort; the cohorts churned this step
        are dropped after it."""
        p = self.product
        now = self.env.now
        trial_days = self.cfg_pricing.free_trial_days
        if trial_days > 0 and new > 0:  # they joined during the step: mid-step on average
            self.trial_cohorts.append([now + 0.5 * dt + trial_days, new, None])
        in_trial = 0.0
        keep = []
        for cohort in self.trial_cohorts:
            end, n, conversion = cohort
            if conversion is None:  # in its trial for the whole step
                in_trial += n
                keep.append(cohort)
            elif end > now:  # its leavers went this step; its converters pay from the end
                in_trial += conversion * n * min((end - now) / dt, 1.0)
        self.trial_cohorts = keep
        p.in_trial = in_trial

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
