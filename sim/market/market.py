"""The market: owns the kernel's state and is the one SimPy process that steps it.

Every ``dt`` days it moves the segments' preferences (``sim.market.preferences``: drifting ideal
points and price sensitivity) and the firms' distribution coverage (``sim.firm.distribution``),
gathers the firms' offers (launched products, prices, attributes, availability and fill
rates, awareness times distribution availability and advertising effect per segment,
satisfaction, and the ideal-point utility where segments have ideal points), steps the
demand kernel (aggregate or agent mode), books units and revenue into the
firms' ledgers (durables pay on shipment; subscriptions pay their monthly price per
active paying subscriber for the step; each distribution channel's margin is booked
against the revenue it carried), updates satisfaction from quality and support,
detects each product's lifecycle phase from its sales curve, and records one timeseries
row per product.

Lifecycle phase (after launch), from the 13-week moving average of units: introduction
while the installed base is under 2.5% of the market (Rogers' innovators); then growth
while the average grows by more than 10% a quarter, decline once it falls by more than
10% a quarter from below its peak, maturity otherwise.
"""

import math

import numpy as np

from sim.config import ATTRIBUTES
from sim.firm.support import satisfaction, service_level
from sim.kernel import AgentMarket, AggregateMarket, Offer, Segments, build_network
from sim.market.preferences import Preferences
from sim.seeds import component_rng, component_seed

DAYS_PER_MONTH = 365.0 / 12.0
PHASE_WINDOW_DAYS = 91.0


def build_segments(market_cfg, preferences=None) -> Segments:
    """Kernel segments from the market config (p, q converted from per year to per day).

    ``preferences`` (``sim.market.preferences.Preferences``): where segments have ideal points, the
    attractiveness reference product is valued by the ideal-point utility at day 0.
    """
    segs = market_cfg.segments
    weights = np.array([[s.attribute_weights.get(a, 0.0) for a in ATTRIBUTES] for s in segs])
    alpha = np.array([s.price_sensitivity for s in segs])
    # reference product: attributes at the segment's expectation, at the reference price
    if preferences is not None and preferences.any_ideal:
        base = preferences.reference_utility([s.quality_expectation for s in segs])
        ref = np.array([base[k] - alpha[k] * math.log(s.reference_price)
                        for k, s in enumerate(segs)])
    else:
        ref = np.array([weights[k].sum() * s.quality_expectation - alpha[k] * math.log(s.reference_price)
                        for k, s in enumerate(segs)])
    return Segments.build(
        population=np.array([s.size for s in segs], dtype=np.int64),
        p=np.array([s.p for s in segs]) / 365.0,
        q=np.array([s.q for s in segs]) / 365.0,
        attribute_weights=weights,
        price_sensitivity=alpha,
        outside_utility=np.array([-np.inf if s.outside_utility is None else s.outside_utility
                                  for s in segs]),
        attractiveness_elasticity=np.array([s.attractiveness_elasticity for s in segs]),
        reference_inclusive_value=ref,
        churn_return=np.array([s.churn_return for s in segs]),
        taste_sd=np.array([s.taste_sd for s in segs]),
        price_sensitivity_sd=np.array([s.price_sensitivity_sd for s in segs]),
    )


class Market:
    def __init__(self, env, cfg, firms, recorder, observer, seed: int, on_step=None):
        self.env = env
        self.on_step = on_step
        self.cfg = cfg
        self.firms = firms
        self.recorder = recorder
        self.observer = observer
        self.dt = float(cfg.dt_days)
        mcfg = cfg.market
        self.preferences = Preferences(mcfg, seed)
        for f in firms:  # a study observes the (drifting) truth
            f.research.preferences = self.preferences
        self.segments = build_segments(mcfg, self.preferences)
        self.sizes = np.array([s.size for s in mcfg.segments], dtype=float)
        self.size_share = self.sizes / self.sizes.sum()
        self.expectation = float(np.average([s.quality_expectation for s in mcfg.segments],
                                            weights=self.sizes))
        names = [s.name for s in mcfg.segments]
        j = len(firms)
        initial = np.zeros((len(names), j), np.int64)
        for k, f in enumerate(firms):
            for seg, n in f.cfg.initial_installed_base.items():
                initial[names.index(seg), k] = int(n)
        over = initial.sum(axis=1) > self.sizes
        if np.any(over):
            seg = names[int(np.argmax(over))]
            raise ValueError(f"initial_installed_base in segment {seg!r} exceeds its size "
                             f"({int(initial.sum(axis=1)[over][0])} > {int(self.sizes[over][0])})")
        if cfg.mode == "aggregate":
            self.kernel = AggregateMarket(self.segments, j, initial_active=initial)
            self.rng = component_rng(seed, "market")
        else:
            kseed = component_seed(seed, "market")
            network = build_network(mcfg.network.kind, int(self.sizes.sum()),
                                    mcfg.network.mean_degree, kseed, mcfg.network.rewire,
                                    mcfg.network.exponent)
            if cfg.backend == "cuda":
                from sim.kernel.cuda import CudaAgentMarket  # optional extra

                self.kernel = CudaAgentMarket(self.segments, j, seed=kseed, network=network,
                                              initial_active=initial)
            else:
                self.kernel = AgentMarket(self.segments, j, seed=kseed, network=network,
                                          initial_active=initial)
            self.rng = None
        for k, f in enumerate(firms):
            f.product.installed_base = int(initial[:, k].sum())
            owned = initial[:, k] / np.maximum(self.sizes, 1.0)
            f.product.awareness = np.maximum(f.product.awareness, owned)
        self.sales_history = [[] for _ in firms]  # units per step, for lifecycle phases
        self.peak_avg = [0.0] * len(firms)
        self.pending_phase = [("", 0)] * len(firms)
        self.segment_names = names
        self.phase = ["", ] * j
        self.trial_cohorts = [[] for _ in firms]  # (end_day, count) of subscribers in trial

    # --- one step ---------------------------------------------------------------------
    def offer(self, fill) -> Offer:
        prods = [f.product for f in self.firms]
        price = np.array([f.pricing.effective_choice_price() for f in self.firms])
        churn = np.array([p.churn_per_day for p in prods])
        churn = churn + self._trial_churn()
        attributes = np.array([p.attributes for p in prods])
        awareness = np.array([p.awareness for p in prods]).T.clip(0.0, 1.0)
        for k, f in enumerate(self.firms):
            if f.distribution.active:  # aware and able to buy through a covered channel
                awareness[:, k] *= f.distribution.availability(len(self.sizes))
        return Offer.build(
            self.segments,
            price=price,
            attributes=attributes,
            available=np.array([p.on_market for p in prods]),
            awareness=awareness,
            advertising=np.array([p.advertising for p in prods]).T,
            satisfaction=np.array([p.satisfaction for p in prods]),
            churn_rate=churn,
            churn_satisfaction_slope=np.array([p.churn_dissatisfaction_per_day for p in prods]),
            replacement_rate=np.array([1.0 / p.lifetime_days if p.kind == "durable" else 0.0
                                       for p in prods]),
            # "lose": customers who find no stock stay potential adopters (lost sales);
            # "defer": they order anyway and wait in the backlog
            fill_rate=np.array([fill[k] if f.cfg.production.stockout == "lose" else 1.0
                                for k, f in enumerate(self.firms)]),
            utility=self.preferences.utility(attributes, price),
        )

    def _trial_churn(self) -> np.ndarray:
        """Extra churn hazard so that, in expectation, the subscribers whose free trial ends
        this step and do not convert leave (a product-level approximation of the cohort)."""
        out = np.zeros(len(self.firms))
        now = self.env.now
        for k, f in enumerate(self.firms):
            p = f.product
            ending = sum(n for end, n in self.trial_cohorts[k] if now <= end < now + self.dt)
            if ending > 0 and p.installed_base > 0:
                leave = min((1.0 - f.cfg.pricing.trial_conversion) * ending / p.installed_base, 0.999)
                out[k] = -math.log1p(-leave) / self.dt
        return out

    def run(self):
        """Process: step the market every dt days until the end of the run."""
        while True:
            self.step()
            if self.on_step is not None:
                self.on_step(self.env.now)
            yield self.env.timeout(self.dt)

    def step(self) -> None:
        t = self.env.now
        dt = self.dt
        self.preferences.advance(t)
        for f in self.firms:
            f.distribution.advance(t)
        produced = [f.production.produce(dt) for f in self.firms]
        fill = [f.production.fill_rate() for f in self.firms]
        offer = self.offer(fill)
        if self.rng is not None:
            out = self.kernel.step(offer, dt, self.rng)
        else:
            out = self.kernel.step(offer, dt)
        orders = out.units.sum(axis=0)
        total_orders = float(orders.sum())
        snapshot = {}
        revenue_all = 0.0
        rows = []
        for k, f in enumerate(self.firms):
            p = f.product
            new = int(out.new_adopters[:, k].sum())
            active = int(out.active[:, k].sum())
            shipped = f.production.ship(float(orders[k]), dt)
            if p.kind == "subscription":
                self._update_trials(k, new, f.cfg.pricing.free_trial_days)
                paying = max(active - p.in_trial, 0.0)
                revenue = paying * p.price * dt / DAYS_PER_MONTH
                serving = paying * f.production.unit_cost * dt / DAYS_PER_MONTH
                if serving > 0:
                    f.ledger.spend("production", serving, discretionary=False)
            else:
                revenue = shipped * p.price
            if revenue > 0:
                f.ledger.post("revenue", revenue)
            if f.distribution.active:
                basis = out.active[:, k] if p.kind == "subscription" else out.units[:, k]
                self._book_channels(t, f, revenue, basis)
            revenue_all += revenue
            p.installed_base = active
            # awareness never falls below the share who own the product
            owned = out.active[:, k] / np.maximum(self.sizes, 1.0)
            p.awareness = np.maximum(p.awareness, owned)
            agents = f.teams.capacity("support")
            p.service_level = service_level(agents, active, p.tickets_per_customer_per_year,
                                            f.cfg.support.tickets_per_agent_per_week)
            if p.on_market:
                p.satisfaction = satisfaction(f.cfg.support, p.quality, self.expectation,
                                              p.service_level)
            f.marketing.pool = out.pool.astype(float)
            f.production.review(float(orders[k]), dt)
            self.sales_history[k].append(float(orders[k]))
            self._phase(k, f, active)
            share = float(orders[k]) / total_orders if total_orders > 0 else 0.0
            snapshot[f.name] = {"share": share, "price": p.price, "launched": p.on_market,
                                "attributes": p.attributes.copy()}
            rows.append(dict(
                t=t, firm=f.name, product=p.name, units_sold=shipped, orders=float(orders[k]),
                new_adopters=new, replacements=int(out.replacements[:, k].sum()),
                churners=int(out.churners[:, k].sum()), lost_sales=int(out.lost[:, k].sum()),
                produced=produced[k], installed_base=active, revenue=revenue, price=p.price,
                market_share=share,
                awareness=float(p.awareness @ self.size_share),
                advertising=float(p.advertising @ self.size_share),
                quality=p.quality, features=float(p.attributes[ATTRIBUTES.index("features")]),
                design=float(p.attributes[ATTRIBUTES.index("design")]),
                availability=float(f.distribution.availability(len(self.sizes)) @ self.size_share),
                satisfaction=p.satisfaction, service_level=p.service_level,
                inventory=f.production.inventory, backlog=f.production.backlog,
                capacity_per_week=f.production.capacity_per_week,
                unit_cost=f.production.unit_cost, launched=p.on_market, phase=self.phase[k],
                cash=f.ledger.cash, ledger_rows=len(self.recorder.ledger),
                pool=int(out.pool.sum()), lapsed=int(out.lapsed.sum())))
        for row in rows:
            row["value_share"] = row["revenue"] / revenue_all if revenue_all > 0 else 0.0
            self.recorder.row(**row)
        for si, seg in enumerate(self.segment_names):
            for k, f in enumerate(self.firms):
                self.recorder.segment_row(t, seg, f.name, int(out.active[si, k]),
                                          int(out.new_adopters[si, k]), int(out.pool[si]))
        self._record_preferences(t)
        self.observer.record(t, snapshot)

    def _book_channels(self, t, firm, revenue, basis) -> None:
        """Book each channel's margin on the revenue it carried; one row per channel and
        segment into the distribution table."""
        dist = firm.distribution
        split = dist.revenue_split(revenue, basis) if revenue > 0 else np.zeros(
            (len(self.sizes), len(dist.names)))
        margins = dist.margins(split)
        for c, name in enumerate(dist.names):
            if margins[c] > 0:
                firm.ledger.post(f"channel_margin:{name}", -float(margins[c]))
        avail = dist.availability(len(self.sizes))
        for si, seg in enumerate(self.segment_names):
            for c, name in enumerate(dist.names):
                self.recorder.distribution_row(
                    t=t, firm=firm.name, channel=name, segment=seg,
                    coverage=float(dist.coverage[c, si]), availability=float(avail[si]),
                    revenue=float(split[si, c]), margin=float(split[si, c] * dist.margin[c]))

    def _record_preferences(self, t) -> None:
        snap = self.preferences.snapshot()
        for si, seg in enumerate(self.segment_names):
            row = {"t": t, "segment": seg, "price_sensitivity": float(snap["alpha"][si])}
            for k, a in enumerate(ATTRIBUTES):
                row[f"ideal_{a}"] = float(snap["ideal"][si, k])
            self.recorder.preference_row(**row)

    def _update_trials(self, k, new, trial_days):
        p = self.firms[k].product
        now = self.env.now
        if trial_days > 0 and new > 0:
            self.trial_cohorts[k].append((now + trial_days, new))
        keep = [(end, n) for end, n in self.trial_cohorts[k] if end > now]
        self.trial_cohorts[k] = keep
        p.in_trial = float(sum(n for _, n in keep))

    def _phase(self, k, firm, active) -> None:
        p = firm.product
        if not p.on_market:
            phase = "withdrawn" if p.killed else "development"
        else:
            w = max(int(round(PHASE_WINDOW_DAYS / self.dt)), 1)
            hist = self.sales_history[k]
            now_avg = sum(hist[-w:]) / min(len(hist), w)
            before = sum(hist[-2 * w:-w]) / w if len(hist) >= 2 * w else 0.0
            self.peak_avg[k] = peak = max(self.peak_avg[k], now_avg)
            growth = (now_avg - before) / before if before > 0 else math.inf
            if active < 0.025 * self.sizes.sum():
                phase = "introduction"
            elif growth > 0.10:
                phase = "growth"
            elif growth < -0.10 and now_avg < peak:
                phase = "decline"
            else:
                phase = "maturity"
        # hysteresis: a new phase must hold for 4 steps in a row (the first is taken at once)
        if phase != self.phase[k] and self.phase[k] and phase not in ("withdrawn", "development"):
            cand, n = self.pending_phase[k]
            n = n + 1 if cand == phase else 1
            self.pending_phase[k] = (phase, n)
            if n < 4:
                return
        self.pending_phase[k] = ("", 0)
        if phase != self.phase[k]:
            if self.phase[k]:
                self.recorder.event(self.env.now, firm.name, p.name, "lifecycle_phase",
                                    f"{self.phase[k]} -> {phase}")
            self.phase[k] = phase
