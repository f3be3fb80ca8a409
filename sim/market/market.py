"""The market: owns the kernel's state and is the one SimPy process that steps it.

Every ``dt`` days it moves the segments' preferences (``sim.market.preferences``: drifting
ideal points and price sensitivity) and the firms' distribution coverage, gathers the
offers of every product of every firm's line (one kernel column per offering,
``sim.firm.offering``: launched products, prices, attributes, availability and fill rates,
awareness times distribution availability and advertising effect per segment,
satisfaction, and the ideal-point utility where segments have ideal points), steps the
demand kernel (aggregate or agent mode), hands each offering its outcome
(``Offering.settle_step``: shipping, accounting, satisfaction), tracks each product's
lifecycle phase (``sim.market.lifecycle``), records one timeseries row per product, and
shows rivals a snapshot per firm (``sim.market.observer``: the firm's unit share summed
over its line; price and attributes of its first product on the market; the step's orders
per segment, from which a rival reads its share of one segment).
"""


import numpy as np

from sim.config import ATTRIBUTES
from sim.kernel import AgentMarket, AggregateMarket, Offer, build_network, dots
from sim.market.generations import Generations
from sim.market.lifecycle import Lifecycle
from sim.market.organic import OrganicAwareness
from sim.market.pioneer import PrototypePreference
from sim.market.preferences import Preferences
from sim.market.regions import Regions
from sim.market.seasonality import Seasonality
from sim.market.segments import build_segments
from sim.market.targeting import apply_targeting
from sim.market.waitlist import Waitlist
from sim.recorder import TIMESERIES_COLUMNS
from sim.seeds import component_rng, component_seed
from sim.units import is_market_day, step_days

_QUALITY, _FEATURES, _DESIGN = (ATTRIBUTES.index(a) for a in ("quality", "features", "design"))
_clip = np._core.umath.clip  # ndarray.clip's ufunc (the same values) without its wrappers
_IDEAL_KEYS = tuple(f"ideal_{a}" for a in ATTRIBUTES)
_REVENUE = TIMESERIES_COLUMNS.index("revenue")


class Market:
    def __init__(self, env, cfg, firms, recorder, observer, seed: int, on_step=None):
        self.env = env
        self.on_step = on_step
        self.cfg = cfg
        self.firms = firms
        self.recorder = recorder
        self.observer = observer
        self.dt = float(cfg.dt_days)
        self._horizon = float(cfg.horizon_days)
        mcfg = cfg.market
        self.preferences = Preferences(mcfg, seed)
        for f in firms:  # a study observes the (drifting) truth
            f.research.preferences = self.preferences
        self.segments = build_segments(mcfg, self.preferences)
        # successive generations (Norton-Bass) are sold to their own customers, outside the kernel
        self.generations = Generations.of(
            cfg, [o.parts.product for f in firms for o in f.offerings], self.segments, seed)
        self.segments = self.generations.kernel_segments(self.segments)
        self.sizes = np.array([s.size for s in mcfg.segments], dtype=float)
        self.size_share = self.sizes / self.sizes.sum()
        self._per_size = np.maximum(self.sizes, 1.0)[:, None]  # owners -> share (S, 1)
        # the recorded availability of a firm without channels (its availability is ones)
        self._full_availability = dots.vecdot(np.ones(len(self.sizes)), self.size_share)
        self.expectation = float(np.average([s.quality_expectation for s in mcfg.segments],
                                            weights=self.sizes))
        names = [s.name for s in mcfg.segments]
        # the kernel's columns: every firm's offerings, firm by firm, in line order
        self.columns = [o for f in firms for o in f.offerings]
        self._column = {id(o): k for k, o in enumerate(self.columns)}
        self._firm_names = [o.firm.name for o in self.columns]
        self._names = [o.name for o in self.columns]
        j = len(self.columns)
        initial = np.zeros((len(names), j), np.int64)
        for k, o in enumerate(self.columns):
            if o is o.firm.offerings[0]:  # the firm's installed base is its first product's
                for seg, n in o.firm.cfg.initial_installed_base.items():
                    initial[names.index(seg), k] = int(n)
        over = initial.sum(axis=1) > self.sizes
        if np.any(over):
            seg = names[int(np.argmax(over))]
            raise ValueError(f"initial_installed_base in segment {seg!r} exceeds its size "
                             f"({int(initial.sum(axis=1)[over][0])} > {int(self.sizes[over][0])})")
        if cfg.mode == "aggregate":
            self.kernel = AggregateMarket(self.segments, j, initial_active=initial,
                                          draws=cfg.draws)
            self.rng = component_rng(seed, "market")
        else:
            kseed = component_seed(seed, "market")
            # a fixed network seed: the network is the market's, shared by every run
            nseed = mcfg.network.seed
            network = build_network(mcfg.network.kind, int(self.segments.population.sum()),
                                    mcfg.network.mean_degree,
                                    kseed if nseed is None else nseed, mcfg.network.rewire,
                                    mcfg.network.exponent, cache=nseed is not None)
            if cfg.backend == "cuda":
                from sim.kernel.cuda import CudaAgentMarket  # optional extra

                self.kernel = CudaAgentMarket(self.segments, j, seed=kseed, network=network,
                                              initial_active=initial)
            else:
                self.kernel = AgentMarket(self.segments, j, seed=kseed, network=network,
                                          initial_active=initial)
            self.rng = None
        for k, o in enumerate(self.columns):
            o.product.installed_base = int(initial[:, k].sum())
            owned = initial[:, k] / np.maximum(self.sizes, 1.0)
            o.product.awareness = np.maximum(o.product.awareness, owned)
        self.lifecycle = Lifecycle(env, recorder, j, self.dt, float(self.sizes.sum()))
        # the lifecycle phases (timeseries' phase, lifecycle_phase events), the preference
        # rows and the timeseries' columns no KPI reads feed only the tables: a run that
        # records for its KPIs alone skips them (``Recorder.kpis_only``, ``KPI_COLUMNS``)
        self._table_records = not getattr(recorder, "kpis_only", False)
        self.organic = OrganicAwareness(mcfg, self.sizes)
        self.seasonality = Seasonality(mcfg.seasonality)
        self.prototype = PrototypePreference(mcfg)
        self.installed = initial.astype(float)  # (S, J) after the last step
        self.segment_names = names
        apply_targeting(firms, names)
        self.regions = Regions.of(cfg, self.columns, self.segments, names, recorder)
        # what the offer reads of each column and does not change during a run
        self._products = [o.product for o in self.columns]
        self._n_segments = len(self.sizes)
        self._distributions = [(k, o.firm.distribution) for k, o in enumerate(self.columns)]
        switching = mcfg.stockout_switching
        self._loses_sales = [bool(o.production.cfg.stockout == "lose" or switching)
                             for o in self.columns]
        self._backorders = np.array([o.production.cfg.stockout == "defer"
                                     for o in self.columns], dtype=bool)
        self._backorders.flags.writeable = False
        self._zeros = [0] * j
        self.waitlist = Waitlist(mcfg, self.columns, self._products)
        self._pref_rows = None  # (ideal, alpha, rows without t) last recorded
        # each firm and its line's (offering name, column)
        self._lines = [(f, [(o.name, self._column[id(o)]) for o in f.offerings])
                       for f in firms]
        # each column: whether it is its firm's only product (the rivals' snapshot entry)
        self._alone = [len(o.firm.offerings) == 1 for o in self.columns]
        # each step's orders per segment go to the observer as they are (a new array)
        observer.set_layout(names, {f.name: [k for _, k in line] for f, line in self._lines})

    # --- one step ---------------------------------------------------------------------
    def offer(self, fill, season: float = 1.0, dt: float | None = None, silent=None,
              talking=None) -> Offer:
        """What is on the market for a step of ``dt`` days (default ``dt_days``);
        ``season`` scales the category's purchase hazards, first purchases and
        replacements alike (``sim.market.seasonality``); ``silent`` and ``talking`` as
        ``Waitlist.silent`` gives them (None: nobody waits)."""
        cols = self.columns
        prods = self._products
        dt = self.dt if dt is None else dt
        # the per-product numbers, one tuple per product: price, satisfaction, fill rate,
        # churn, churn per dissatisfaction, replacement rate, silent share
        # (``Offer.PACKED_ROWS``)
        per_product = []
        quiet = self._zeros if silent is None else silent.tolist()
        for o, p, stocked, lose, hushed in zip(cols, prods, fill, self._loses_sales, quiet,
                                               strict=True):
            # cancelled backorders leave our installed base and go back to the market
            churn = (p.churn_per_day + o.accounting.trial_churn(dt)
                     + o.production.cancel_churn(p.installed_base, dt))
            per_product.append((
                o.pricing.effective_choice_price(o.accounting.conversion()
                                                 if o.pricing.free_trial else 1.0),
                p.satisfaction,
                # a share of the customers who find no stock buy another product at once;
                # the others stay potential adopters ("lose": lost sales) or order anyway
                # and wait in the backlog ("defer"); with no switching "defer" never
                # stocks out
                stocked if lose else 1.0,
                churn, p.churn_dissatisfaction_per_day,
                season / p.lifetime_days if p.kind == "durable" else 0.0, hushed))
        # (7, J) and (S, J) arrays filled through their transposes: the same values as
        # stacking the rows and transposing, in half the time
        n_products, n_segments = len(prods), self._n_segments
        vectors = np.empty((7, n_products))
        vectors.T[...] = per_product
        price = vectors[0]
        attributes = np.array([p.attributes for p in prods])
        awareness = np.empty((n_segments, n_products))
        awareness.T[...] = [p.awareness for p in prods]
        _clip(awareness, 0.0, 1.0, out=awareness)
        advertising = np.empty((n_segments, n_products))
        advertising.T[...] = [p.advertising for p in prods]
        # each product's advertising effect, as the step records it (nothing sets a
        # product's ``advertising`` between the offer and the record)
        self._offer_advertising = advertising
        for k, dist in self._distributions:  # aware and able to buy through a covered channel
            if dist.active:
                awareness[:, k] *= dist.availability(self._n_segments)
        regions = self.regions  # on sale per region, price levels, cross-region influence
        return Offer.packed(
            self.segments, vectors, attributes,
            available=self.generations.hide([p.on_market for p in prods]),
            awareness=regions.awareness(awareness),
            advertising=regions.advertising(advertising,
                                            self.installed if talking is None else talking),
            utility=regions.utility(self._utility(attributes, price), attributes),
            season=season,
            stockout_switching=self.cfg.market.stockout_switching,
            backorders=self._backorders,
        )

    def _utility(self, attributes, price):
        """The offer's explicit utility (S, J): drifting preferences plus the prototype
        bonus (``sim.market.pioneer``); None when neither applies."""
        u = self.preferences.utility(attributes, price)
        bonus = self.prototype.bonus(self.installed)
        if bonus is None:
            return u
        if u is None:
            u = self.preferences.attribute_utility(attributes)
        return u + bonus

    def close(self) -> None:
        """Drop the demand kernel and its state once the run is over (``run_scenario``).

        A SimPy world is a web of reference cycles (the environment, its processes, their
        generators and the actors they hold), so it is freed only by the garbage
        collector's next full pass, which may come many runs later. An agent-mode kernel
        holds arrays of the customers' states and neighbour counts (about 250 MB at 10^7
        customers with a network); released here, the next run's arrays get that memory
        back at once. Kept alive, each run's new arrays had to be found and zeroed afresh:
        a run of the baseline at 10^7 customers took 3.1-3.9 s instead of 2.7-2.9 s, its
        set-up 0.27-0.30 s instead of 0.09 s. The market cannot step after this."""
        self.kernel = None

    def run(self):
        """Process: step the market every dt days until the end of the run (no step
        within a nanoday of the horizon: ``sim.units.is_market_day``)."""
        while True:
            if is_market_day(self.env.now, self._horizon):
                self.step()
                if self.on_step is not None:
                    self.on_step(self.env.now)
            yield self.env.timeout(self.dt)

    def step(self) -> None:
        t = self.env.now
        # the last step ends where the weekly costs do (sim.units.step_days)
        dt = step_days(t, self.dt, self._horizon)
        self.preferences.advance(t)
        for f in self.firms:
            f.distribution.advance(t)
        cols = self.columns
        self.regions.enter(t)
        produced = [o.production.produce(dt) for o in cols]
        # the offer reads a fill rate only where a stock-out loses the sale
        fill = [o.production.fill_rate(dt) if lose else 1.0
                for o, lose in zip(cols, self._loses_sales, strict=True)]
        # brand word of mouth, cross-region influence and the kernel's hear the owners
        # who have their unit (sim.market.waitlist)
        silent, talking = self.waitlist.silent(self.installed)
        self.organic.apply(self._products, self.installed if talking is None else talking, dt)
        offer = self.offer(fill, self.seasonality.factor(t), dt, silent, talking)
        if self.rng is not None:
            out = self.kernel.step(offer, dt, self.rng)
        else:
            out = self.kernel.step(offer, dt)
        if self.generations.chains:
            upgraders, cannibalised = self.generations.settle(
                out, [p.on_market for p in self._products], offer, self.segments, dt)
            upgraded = upgraders.sum(axis=0).tolist()
            lost_gen = cannibalised.sum(axis=0).tolist()
        else:  # no generations: nobody upgrades or is cannibalised
            upgraded = lost_gen = self._zeros
        self.installed = np.asarray(out.active, dtype=float)
        # per-product totals over segments, in one reduction (int64 sums: exact)
        orders, actives, news, repl, churned, lost = out.product_totals()
        self.waitlist.observe(orders, news)
        total_orders = float(sum(orders))
        support = {}
        for f, line in self._lines:
            if len(line) == 1:  # a single product has all of the firm's agents
                support[id(f.offerings[0])] = 1.0
                continue
            mine = {name: actives[k] for name, k in line}
            support.update(zip(map(id, f.offerings), f.support_shares(mine), strict=True))
        # each segment's share who own each product (S, J), and the pool as floats (S,):
        # one array operation each for all products (the same values as product by product)
        owned = out.active / self._per_size
        pool_f = out.pool.astype(float)
        pool_f.setflags(write=False)  # shared by every product's marketing this step
        snapshot = {}
        revenue_all = 0.0
        regions_active = self.regions.active
        # the segments' regional price levels, where they differ from 1 (the channels'
        # margins are taken at them: sim.firm.accounting)
        price_level = self.regions.level if regions_active and self.regions.priced else None
        if self._table_records:  # the timeseries' pool and lapsed (no KPI reads them)
            pool, lapsed = sum(out.pool.tolist()), sum(out.lapsed.tolist())
        rows = []
        # the size-weighted mean advertising effect of every product in one call: the same
        # sums, in the same order, as one ``dots.vecdot(p.advertising, self.size_share)``
        # per product (a * b is b * a in IEEE arithmetic), 0.9 us a step against 1.3
        advertised = dots.vecmat(self.size_share, self._offer_advertising).tolist()
        # each product's (S,) columns as rows of the transposes (a row view is cheaper)
        units_by, active_by, owned_by = out.units.T, out.active.T, owned.T
        alone = self._alone
        for k, o in enumerate(cols):
            f, p = o.firm, o.product
            new = news[k]
            active = actives[k]
            ordered = float(orders[k])
            shipped, revenue = o.settle_step(
                t, dt, ordered, new, active, units_by[k], active_by[k], owned_by[k],
                pool_f, self.expectation, self.segment_names, support[id(o)], price_level)
            if regions_active:  # revenue at the regions' price levels
                revenue = self.regions.bill(k, o, revenue, units_by[k], active_by[k])
            revenue_all += revenue
            phase = (self.lifecycle.update(k, f.name, p, ordered, active)
                     if self._table_records else "")
            share = ordered / total_orders if total_orders > 0 else 0.0
            if alone[k]:  # a firm's only product: its entry as _snapshot makes it, inline
                snapshot[f.name] = {"share": share, "price": p.price,
                                    "launched": p.on_market, "attributes": p.attributes.copy()}
            else:
                self._snapshot(snapshot, o, share)
            if not self._table_records:  # the KPIs' columns alone, a tuple in the order
                rows.append((  # of sim.recorder.KPI_COLUMNS
                    t, f.name, p.name, shipped, new, upgraded[k], lost_gen[k], churned[k],
                    produced[k], o.production.cancelled, active, revenue, p.price,
                    advertised[k], p.satisfaction,
                    o.production.inventory, o.production.unit_cost, p.on_market,
                    p.service_level))
                continue
            prod = o.production
            # quality, features and design: the same floats as float() of each element
            attributes = p.attributes.tolist()
            rows.append((  # a tuple in the order of sim.recorder.TIMESERIES_COLUMNS
                t, f.name, p.name, shipped, ordered, new, repl[k], upgraded[k], lost_gen[k],
                churned[k], lost[k], produced[k], prod.backordered, prod.cancelled, active,
                revenue, p.price, share,
                # size-weighted means in a fixed order (sim.kernel.dots: the same bits on
                # every CPU)
                dots.vecdot(p.awareness, self.size_share), advertised[k],
                attributes[_QUALITY], attributes[_FEATURES], attributes[_DESIGN],
                (dots.vecdot(f.distribution.availability(len(self.sizes)), self.size_share)
                 if f.distribution.active else self._full_availability),
                p.satisfaction, p.service_level, prod.inventory, prod.backlog,
                prod.capacity_per_week, prod.unit_cost, p.on_market, phase, f.ledger.cash,
                len(self.recorder.ledger), pool, lapsed))
        record = self.recorder.row
        if self._table_records:  # the value share last, once the step's revenue is known
            for row in rows:
                record(row + ((row[_REVENUE] / revenue_all if revenue_all > 0 else 0.0),))
        else:
            for row in rows:
                record(row)
        self.recorder.segment_block(t, self.segment_names, self._firm_names, self._names,
                                    out.active, out.new_adopters, out.pool)
        self.regions.record(t, out)
        if self._table_records:
            self._record_preferences(t)
        self.observer.record(t, snapshot, out.units)

    @staticmethod
    def _snapshot(snapshot: dict, offering, share: float) -> None:
        """The firm's entry in the rivals' snapshot: its unit share summed over its line,
        price, state and attributes of its first product on the market (else its first)."""
        p = offering.product
        seen = snapshot.get(offering.firm.name)
        if seen is None:
            snapshot[offering.firm.name] = {"share": share, "price": p.price,
                                            "launched": p.on_market,
                                            "attributes": p.attributes.copy()}
            return
        seen["share"] += share
        if p.on_market and not seen["launched"]:
            seen.update(price=p.price, launched=True, attributes=p.attributes.copy())

    def _record_preferences(self, t) -> None:
        prefs = self.preferences
        # the rows' values change only when the preferences drift (new arrays)
        if self._pref_rows is None or self._pref_rows[0] is not prefs.ideal \
                or self._pref_rows[1] is not prefs.alpha:
            snap = prefs.snapshot()
            # tolist: the same Python floats as float() of each element, in one call
            alpha, ideal = snap["alpha"].tolist(), snap["ideal"].tolist()
            rows = []
            for si, seg in enumerate(self.segment_names):
                row = {"segment": seg, "price_sensitivity": alpha[si]}
                for k, key in enumerate(_IDEAL_KEYS):
                    row[key] = ideal[si][k]
                rows.append(row)
            self._pref_rows = (prefs.ideal, prefs.alpha, rows)
        self.recorder.preference_block(t, self._pref_rows[2])
