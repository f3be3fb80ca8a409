"""A market made of regions (countries): rollout, price levels and cross-region influence.

Regions (``sim.config.region``) group the segments; their p, q and channel use are written
into the segments by the config. Here, outside the demand kernel, through the kernel's
per-segment inputs of each step's ``Offer``:

- **Rollout.** A product is on sale in a region from the day its firm enters it
  (``firm.rollout``: days after the product's launch; empty: at launch; a region the
  rollout leaves out is never entered). Until then its awareness in that region's segments
  is 0 in the offer, so nobody there can choose it (the kernel's reach and shares count
  only products a customer is aware of). A firm pays the region's ``localisation_cost``
  once, on its first entry there (ledger account ``localisation``, general and
  administrative in the statements).
- **Price level.** A region's ``price_level`` L multiplies every list price there: each
  product's utility in its segments falls by ``alpha_s * log L`` (the kernel's price term
  is ``-alpha * log(price)``), and the revenue a step books is scaled by the level-weighted
  mix of the step's units (active subscribers for subscriptions) over the segments (an
  extra ``revenue`` posting of ``revenue * (factor - 1)``).
- **Cross-region influence** (lead-lag; Kumar and Krishnan 2002, Marketing Science 21(3)):
  adopters of the category in region r' raise the adoption hazard of region r by
  ``delta[r <- r'] * F[r']``, ``F`` the share of r''s customers who own a product of the
  category. The term does not depend on r's own adopters, so it is an innovation-like
  hazard: it is added to the segments' advertising effect as ``delta F / p_s`` on every
  product, so that the kernel's ``p_s * advertising_effect`` (a choice-share-weighted mean
  of the products' advertising) gains exactly ``delta F`` per day. Like the rest of the
  category hazard it is scaled by attractiveness, seasonality and reach (zero where
  nothing is on sale). With later entry into a region whose lead has adopters, its
  diffusion is faster after launch (Takada and Jain 1991, J. Marketing 55(2)).

A market without regions gets ``NO_REGIONS``, whose hooks return their inputs unchanged.
Left out: currencies and exchange-rate paths (a price level stands for them), channel
margins on the level-adjusted part of revenue, and regions in the Norton-Bass generations
(``sim.market.generations`` sells to all segments).
"""

import math

import numpy as np

from sim.kernel import dots, libm
from sim.units import per_year_to_per_day


class NoRegions:
    """A market of one region: every hook returns its input."""

    active = False

    def enter(self, t) -> None:
        pass

    def awareness(self, awareness):
        return awareness

    def advertising(self, advertising, installed):
        return advertising

    def utility(self, utility, attributes):
        return utility

    def bill(self, k, offering, revenue, units, active) -> float:
        return revenue

    def record(self, t, out) -> None:
        pass


NO_REGIONS = NoRegions()


class Regions:
    """The regions of one market and each offering's entry into them (module docstring)."""

    active = True

    def __init__(self, regions, columns, segments, segment_names, recorder):
        self.names = [r.name for r in regions]
        self.cfg = list(regions)
        index = {seg: i for i, r in enumerate(regions) for seg in r.segments}
        self.seg_region = np.array([index[s] for s in segment_names], np.int64)  # (S,)
        self.members = [np.flatnonzero(self.seg_region == i) for i in range(len(regions))]
        pop = np.asarray(segments.population, float)
        self.population = np.bincount(self.seg_region, pop, minlength=len(regions))
        self.level = np.array([regions[i].price_level for i in self.seg_region])  # (S,)
        self.priced = bool(np.any(self.level != 1.0))
        self.log_level = libm.log(self.level)
        self.alpha = np.asarray(segments.price_sensitivity, float)
        self.weights = np.asarray(segments.attribute_weights, float)
        # delta[r, r']: influence of r' on r, per day
        delta = np.zeros((len(regions), len(regions)))
        for i, r in enumerate(regions):
            for lead, d in r.influence.items():
                delta[i, self.names.index(lead)] = per_year_to_per_day(d)
        self.delta = delta
        self.influenced = bool(np.any(delta > 0.0))
        self.p_day = np.asarray(segments.p, float)
        self.columns = list(columns)
        self.recorder = recorder
        self.entered = np.zeros((len(self.columns), len(regions)), bool)
        self.paid = set()  # (firm, region) pairs that paid the localisation cost
        self.mask = np.zeros((len(segment_names), len(self.columns)))  # (S, J) on sale
        self.split = np.zeros((len(self.columns), len(regions)))  # revenue by region, step
        self.revenue = np.zeros(len(self.columns))

    @classmethod
    def of(cls, cfg, columns, segments, segment_names, recorder):
        """``Regions`` of the scenario's market, or ``NO_REGIONS`` where it has none."""
        regions = cfg.market.regions
        if not regions:
            return NO_REGIONS
        return cls(regions, columns, segments, segment_names, recorder)

    # --- rollout --------------------------------------------------------------------------
    def delay(self, offering, region: str) -> float:
        """Days after the product's launch at which it goes on sale in ``region`` (inf:
        never)."""
        rollout = offering.firm.cfg.rollout
        if not rollout:
            return 0.0
        return float(rollout.get(region, math.inf))

    def enter(self, t: float) -> None:
        """Put every launched product on sale in the regions its rollout has reached."""
        for k, o in enumerate(self.columns):
            p = o.product
            if not p.on_market or p.launch_day is None:
                continue
            for i, name in enumerate(self.names):
                if self.entered[k, i] or t + 1e-9 < p.launch_day + self.delay(o, name):
                    continue
                self.entered[k, i] = True
                self.mask[self.members[i], k] = 1.0
                firm = o.firm
                cost = self.cfg[i].localisation_cost
                detail = f"on sale in {name}"
                if (firm.name, name) not in self.paid:
                    self.paid.add((firm.name, name))
                    if cost > 0.0:
                        firm.ledger.spend("localisation", cost, discretionary=False)
                        detail += f" (localisation {cost:,.0f})"
                self.recorder.event(t, firm.name, p.name, "region_entry", detail)

    # --- the offer's inputs ---------------------------------------------------------------
    def awareness(self, awareness):
        """(S, J) awareness, 0 where a product is not on sale in the segment's region."""
        return awareness * self.mask

    def shares(self, installed) -> np.ndarray:
        """(R,) share of each region's customers who own a product of the category."""
        owned = np.asarray(installed, float).sum(axis=1)
        return np.bincount(self.seg_region, owned, minlength=len(self.names)) / self.population

    def extra_hazard(self, installed) -> np.ndarray:
        """(S,) cross-region hazard per day, ``sum_r' delta[r <- r'] F[r']``."""
        return dots.matvec(self.delta, self.shares(installed))[self.seg_region]

    def advertising(self, advertising, installed):
        """(S, J) advertising effect plus the cross-region term divided by p (module
        docstring)."""
        if not self.influenced:
            return advertising
        extra = self.extra_hazard(installed) / self.p_day
        return advertising + extra[:, None]

    def utility(self, utility, attributes):
        """(S, J) utility less ``alpha_s log L_s`` where price levels differ from 1; the
        attribute utility ``w . a`` when no explicit utility is given."""
        if not self.priced:
            return utility
        base = (dots.matmul(self.weights, np.asarray(attributes, float).T) if utility is None
                else utility)
        return base - (self.alpha * self.log_level)[:, None]

    # --- the step's outcome ---------------------------------------------------------------
    def bill(self, k: int, offering, revenue: float, units, active) -> float:
        """The step's revenue of column ``k`` at the regions' price levels (an extra
        ``revenue`` posting when they differ from 1); remembers its split by region."""
        basis = np.asarray(active if offering.product.kind == "subscription" else units, float)
        if basis.sum() <= 0.0:
            basis = np.asarray(active, float)
        weighted = basis * self.level
        total = weighted.sum()
        if revenue != 0.0 and total > 0.0 and basis.sum() > 0.0:
            adjusted = revenue * total / basis.sum()
            if adjusted != revenue:
                offering.ledger.post("revenue", adjusted - revenue)
            revenue = adjusted
        by_region = np.bincount(self.seg_region, weighted, minlength=len(self.names))
        self.split[k] = revenue * by_region / total if total > 0.0 else 0.0
        return revenue

    def record(self, t: float, out) -> None:
        """One row per region and product: units, adopters, installed base, revenue and
        unit share within the region, whether it is on sale there."""
        for i, name in enumerate(self.names):
            rows = self.members[i]
            orders = out.units[rows].sum(axis=0)
            total = float(orders.sum())
            for k, o in enumerate(self.columns):
                self.recorder.region_row(
                    t=float(t), region=name, firm=o.firm.name, product=o.product.name,
                    on_sale=bool(self.entered[k, i]),
                    new_adopters=int(out.new_adopters[rows, k].sum()),
                    units=int(orders[k]),
                    installed_base=int(out.active[rows, k].sum()),
                    revenue=float(self.split[k, i]),
                    unit_share=float(orders[k]) / total if total > 0 else 0.0,
                    population=int(self.population[i]))
