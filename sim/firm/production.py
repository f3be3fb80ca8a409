"""Production: capacity, capacity expansion with a lead time and a cost, inventory, and a
unit cost on an experience curve (Wright 1936: each doubling of cumulative output
multiplies the unit cost by ``progress_ratio``).

Each market step the plant makes up to its capacity for the step, aiming at
``target_weeks_of_cover`` weeks of recent orders plus any backlog in stock; output is paid
at the current unit cost (not discretionary), and no more is made than cash plus the credit
line pays for (recorded as ``production_cash_limited`` events when that starts and stops). Before the market step it announces a fill
rate (stock that can be sold this step over expected orders); customers who find the
product out of stock stay potential adopters (a lost sale, in ``stockout: lose`` mode) or
order anyway and wait (``defer``: the order joins the backlog). Orders beyond stock always
wait in the backlog, so units shipped never exceed production plus stock. A waiting order
cancels at rate ``1 / backorder_patience_days`` (exponential patience, the abandonment
assumption of the Erlang-A queue: Palm 1943, Garnett, Mandelbaum and Reiman 2002): each step
``backlog * (1 - exp(-dt / patience))`` orders, rounded, leave the backlog unshipped and
unbilled (``cancelled``; cumulative orders = shipped + backlog + cancelled). The market hands
these customers back to the kernel (``cancel_churn``), where they may choose us again, a
rival or nothing. When orders run
above ``expansion_trigger_utilisation`` of capacity for four reviews in a row, the firm
orders an expansion (discretionary), which arrives ``expansion_lead_days`` later.

Digital products and subscriptions have unlimited capacity; for them ``unit_cost`` is the
cost of serving one customer (per unit sold, or per subscriber-month).
"""

import math

from sim.firm import design_cost
from sim.units import DAYS_PER_WEEK


class Production:
    def __init__(self, env, firm: str, cfg, product, ledger, recorder):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.product = product
        self.ledger = ledger
        self.recorder = recorder
        self.unlimited = product.digital
        self.capacity_per_week = float(cfg.capacity_per_week)
        self.inventory = float(cfg.initial_inventory)
        self.backlog = 0.0
        self.cumulative_output = 0.0
        self.recent_orders_per_week = 0.0
        self.pending_expansion = 0.0
        self.hot_reviews = 0
        self.produced_total = float(cfg.initial_inventory)
        self.shipped_total = 0.0
        self.cancelled = 0.0  # orders cancelled in the last step
        self.backordered = 0.0  # orders of the last step that had to wait
        self.waited_share = 0.0  # share of recent orders that had to wait (smoothed)
        self.cancelled_total = 0.0
        self.cash_limited = False
        self._attribute_rates = design_cost.rates(cfg.attribute_cost)
        self._design_key, self._design_factor = None, 1.0
        self._design_of = -1  # the product's design_version last priced
        # unit_cost's cache: the cumulative output, design_version and configured cost it
        # is for, and the cost
        self._cost_output, self._cost_version, self._cost_base = None, -1, None
        self._cost = 0.0
        self.stopped = False  # the product is being retired: nothing more is made

    @property
    def unit_cost(self) -> float:
        """The experience curve's cost of the reference design times what the product's
        attributes add (``sim.firm.design_cost``)."""
        # kept while its inputs stay (read three times a step, changed by each batch made):
        # the cumulative output, the design and reference (read-only arrays, replaced when
        # changed, which Product.design_version counts) and the configured cost
        if (self._cost_output == self.cumulative_output
                and self._cost_version == self.product.design_version
                and self._cost_base == self.cfg.unit_cost):
            return self._cost
        self._cost_output = self.cumulative_output
        self._cost_version = self.product.design_version
        self._cost_base = self.cfg.unit_cost
        self._cost = self._unit_cost()
        return self._cost

    def _unit_cost(self) -> float:
        cfg = self.cfg
        p = self.product
        # the factor of the design (and its reference), computed again when either changes:
        # their values are compared only when another array came (they are read-only,
        # replaced when changed: Product.design)
        if p.design_version != self._design_of:
            self._design_of = p.design_version
            key = (p.design.tobytes(), p.reference.tobytes())
            if key != self._design_key:
                self._design_key = key
                self._design_factor = design_cost.factor(p.design, p.reference,
                                                         self._attribute_rates)
        design = self._design_factor
        if self.unlimited:
            return cfg.unit_cost * design
        base = cfg.learning_base_units
        output = self.cumulative_output
        ratio = (base if base > output else output) / base  # max(output, base) / base
        return cfg.unit_cost * ratio ** math.log2(cfg.progress_ratio) * design

    def produce(self, dt: float) -> float:
        """Make this step's output (before the market step); returns units made."""
        if self.unlimited or self.stopped or not self.product.on_market:
            return 0.0
        # stock for the cover, and at least for the step's own orders: with a step longer
        # than the cover (dt_days 28 against 2 weeks) the plant made 2 weeks of a 4-week
        # step's orders and stocked out with capacity to spare. (Python's max(a, b), a
        # unless b > a, and min(a, b), a unless b < a, spelt out: this runs every step.)
        weeks = self.cfg.target_weeks_of_cover
        if dt / DAYS_PER_WEEK > weeks:
            weeks = dt / DAYS_PER_WEEK
        target = weeks * self.recent_orders_per_week + self.backlog
        step_capacity = self.capacity_per_week * dt / DAYS_PER_WEEK
        if self.cumulative_output == 0.0 and step_capacity > target:
            target = step_capacity  # launch stock: a full step of capacity
        missing = target - self.inventory
        if 0.0 > missing:
            missing = 0.0
        make = float(math.floor(missing if missing < step_capacity else step_capacity))
        cost = self.unit_cost  # (the output below changes it, after the payment)
        make = self._affordable(make, cost)
        if make > 0.0:
            self.ledger.spend("production", make * cost, discretionary=False)
            self.inventory += make
            self.cumulative_output += make
            self.produced_total += make
        return make

    def weekly_cost(self) -> float:
        """What a week's output will cost at the current rate: a week of recent orders (a
        week of capacity for the launch stock), at most capacity; 0 off the market or for
        unlimited (digital) products, whose serving is paid out of their revenue."""
        if self.unlimited or self.stopped or not self.product.on_market:
            return 0.0
        capacity = self.capacity_per_week
        if self.cumulative_output == 0.0:
            week = capacity
        else:  # min(recent orders, capacity), spelt out (every week, by the solvency review)
            week = self.recent_orders_per_week
            if capacity < week:
                week = capacity
        return week * self.unit_cost

    def _affordable(self, make: float, cost: float) -> float:
        """Output is paid when made, within cash plus credit: the plant makes no more than
        the headroom pays for at the unit ``cost``. The moment this starts to bind, and the
        moment it stops, are ``production_cash_limited`` events."""
        if cost > 0.0:
            headroom = self.ledger.headroom
            afford = math.floor((0.0 if 0.0 > headroom else headroom) / cost)  # max(h, 0)
        else:
            afford = make
        limited = afford < make
        if not limited and not self.cash_limited:  # (most steps: make is the answer)
            return float(make)
        if limited != self.cash_limited:
            self.cash_limited = limited
            detail = (f"makes {afford:,.0f} of {make:,.0f} units: cash plus credit "
                      f"{self.ledger.headroom:,.0f} pays no more" if limited else
                      "output no longer limited by cash")
            self.recorder.event(self.env.now, self.firm, self.product.name,
                                "production_cash_limited", detail)
        return float(min(make, afford))

    def fill_rate(self, dt: float = DAYS_PER_WEEK) -> float:
        """Share of the orders expected in this step of ``dt`` days that stock can serve
        (1 when unlimited)."""
        if self.unlimited:
            return 1.0
        # min(max(free / expected, 0), 1) with expected = max(orders, 1), spelt out (every
        # step): Python's max(a, b) is a unless b > a, min(a, b) is a unless b < a
        expected = self.recent_orders_per_week * (dt / DAYS_PER_WEEK)
        if 1.0 > expected:
            expected = 1.0
        share = (self.inventory - self.backlog) / expected
        if 0.0 > share:
            share = 0.0
        return float(1.0 if 1.0 < share else share)

    def ship(self, orders: float, dt: float) -> float:
        """Book this step's orders; returns units shipped (<= stock)."""
        self.recent_orders_per_week = 0.5 * self.recent_orders_per_week + 0.5 * orders * DAYS_PER_WEEK / dt
        if self.unlimited:
            self.shipped_total += orders
            self.backordered = 0.0
            return float(orders)
        self.cancelled = 0.0 if self.backlog <= 0.0 else self._cancel(dt)  # (none waiting)
        # this step's orders that meet a stock-out and wait (the backlog ships first);
        # max(x, 0.0) spelt out: x unless 0.0 > x
        inventory = self.inventory
        free = inventory - self.backlog
        short = orders - (0.0 if 0.0 > free else free)
        self.backordered = float(0.0 if 0.0 > short else short)
        waited = self.backordered / orders if orders > 0.0 else 0.0
        self.waited_share = 0.5 * self.waited_share + 0.5 * waited
        demand = self.backlog + orders
        shipped = inventory if inventory < demand else demand  # min(demand, inventory)
        self.inventory = inventory - shipped
        self.backlog = demand - shipped
        self.shipped_total += shipped
        return float(shipped)

    def idle(self, dt: float) -> float:
        """A step off the market (not launched, killed, insolvent): nothing ships, no
        order is taken, and the waiting orders keep cancelling; returns 0 units shipped."""
        self.cancelled = self._cancel(dt)
        self.backordered = 0.0
        self.waited_share = 0.5 * self.waited_share
        return 0.0

    def _cancel(self, dt: float) -> float:
        """Orders that waited through this step cancel with probability ``1 - exp(-dt /
        patience)`` (exponential patience); the expected number, rounded, leaves the
        backlog."""
        patience = self.cfg.backorder_patience_days
        if patience is None or self.backlog <= 0.0:
            return 0.0
        n = float(math.floor(self.backlog * -math.expm1(-dt / patience) + 0.5))
        self.backlog -= n
        self.cancelled_total += n
        return n

    def cancel_churn(self, installed: float, dt: float) -> float:
        """Extra churn hazard per day for the next market step so that, in expectation, the
        customers whose orders were cancelled leave our installed base (the kernel sends a
        share ``churn_return`` of them back to the pool, where they choose again)."""
        if self.cancelled <= 0.0 or installed <= 0.0:
            return 0.0
        return -math.log1p(-min(self.cancelled / installed, 0.999)) / dt

    def waiting_share(self) -> float:
        """Share of recent orders (smoothed like ``recent_orders_per_week``) that met a
        stock-out and had to wait."""
        return self.waited_share

    def review(self, orders: float, dt: float) -> None:
        """Expansion decision after the market step."""
        if self.unlimited or self.stopped or self.capacity_per_week <= 0.0 and orders <= 0.0:
            return
        capacity = self.capacity_per_week
        util = orders * DAYS_PER_WEEK / dt / (1e-9 if 1e-9 > capacity else capacity)  # max()
        self.hot_reviews = self.hot_reviews + 1 if util > self.cfg.expansion_trigger_utilisation else 0
        if self.hot_reviews < 4:  # (most steps: no expansion to consider)
            return
        room = self.cfg.max_capacity_per_week - self.capacity_per_week - self.pending_expansion
        if room > 0.0 and self.pending_expansion == 0.0:
            step = min(self.cfg.expansion_units_per_week, room)
            if not self.ledger.can_afford(self.cfg.expansion_cost):
                return
            self.ledger.spend("capacity", self.cfg.expansion_cost)
            self.pending_expansion = step
            self.hot_reviews = 0
            capped = (f" (expansion_units_per_week {self.cfg.expansion_units_per_week:,.0f} "
                      f"capped by max_capacity_per_week {self.cfg.max_capacity_per_week:,.0f})"
                      if step < self.cfg.expansion_units_per_week else "")
            self.recorder.event(self.env.now, self.firm, self.product.name, "capacity_ordered",
                                f"+{step:,.0f}/week, arrives in {self.cfg.expansion_lead_days:g} "
                                f"days{capped}")
            self.env.process(self._arrive(step))

    def _arrive(self, step):
        yield self.env.timeout(self.cfg.expansion_lead_days)
        self.capacity_per_week += step
        self.pending_expansion = 0.0
        self.recorder.event(self.env.now, self.firm, self.product.name, "capacity_added",
                            f"capacity {self.capacity_per_week:,.0f}/week")
