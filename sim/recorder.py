"""The run's records: plain rows appended by the SimPy processes, turned into tables by
``sim.results`` at the end (no pandas, no I/O here).

The per-segment rows (segments x products every market step, the largest table) are kept
as one block of arrays per step (``segment_block``) rather than one tuple per row: a step
appends six references, and ``segment_columns`` joins the blocks once at the end.
"""

from dataclasses import dataclass, field

import numpy as np

# The timeseries' columns the KPIs read (``sim.results``: the focal firm's and the market's
# KPIs, the statements, the portfolio): all that a run recorded for its KPIs alone
# (``kpis_only``) has; ``tests/scenario/test_scenario_kpis_only.py`` checks that every
# shipped scenario's KPIs come out the same from them.
KPI_COLUMNS = ("t", "firm", "product", "units_sold", "new_adopters", "upgraders",
               "cannibalised", "churners", "produced", "cancelled", "installed_base",
               "revenue", "price", "advertising", "satisfaction", "inventory", "unit_cost",
               "launched", "service_level")
# The timeseries' columns in full (DESIGN.md's output contract), the order of each row's
# tuple; a recorder for the KPIs alone takes tuples of the ``KPI_COLUMNS``
TIMESERIES_COLUMNS = (
    "t", "firm", "product", "units_sold", "orders", "new_adopters", "replacements",
    "upgraders", "cannibalised", "churners", "lost_sales", "produced", "backordered",
    "cancelled", "installed_base", "revenue", "price", "market_share", "awareness",
    "advertising", "quality", "features", "design", "availability", "satisfaction",
    "service_level", "inventory", "backlog", "capacity_per_week", "unit_cost", "launched",
    "phase", "cash", "ledger_rows", "pool", "lapsed", "value_share")


@dataclass
class Recorder:
    """Append-only rows of a run.

    timeseries: one tuple per market step per product, of the ``TIMESERIES_COLUMNS`` (see
    DESIGN.md's output contract; of the ``KPI_COLUMNS`` for the KPIs alone);
    ``timeseries_dicts`` gives them as dicts.
    events: (t, firm, product, kind, detail).
    ledger: (t, firm, account, amount): every cash movement, signed.
    ledger_products: the product of each ledger row ("" for the firm's shared costs).
    tasks: one dict per development task run (firm, product, task, stage, start, end, ...).
    segments: (t, segment, firm, installed_base, new_adopters, pool, product) per step and
    product (a view of the blocks; ``segment_columns`` gives the same as arrays).
    preferences: one dict per step per segment (price sensitivity, ideal of each attribute),
    kept as (t, rows without t) per step in ``preference_blocks``.
    distribution: one dict per step per firm with channels, channel and segment (coverage,
    availability, revenue carried, margin).
    regions: one dict per step per region per product (``sim.market.regions``).

    ``kpis_only``: record only what the KPIs read (a compact sweep's job that asks for no
    tables): the segments, preferences and distribution rows are dropped as they come, and
    the market skips its lifecycle phases and records only the timeseries' ``KPI_COLUMNS``
    (``Market``); see ``run_scenario``.
    """

    timeseries: list = field(default_factory=list)
    events: list = field(default_factory=list)
    ledger: list = field(default_factory=list)
    ledger_products: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    segment_blocks: list = field(default_factory=list)
    preference_blocks: list = field(default_factory=list)
    distribution: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    kpis_only: bool = False

    def event(self, t: float, firm: str, product: str, kind: str, detail: str = "") -> None:
        self.events.append((float(t), firm, product, kind, detail))

    def cash(self, t: float, firm: str, account: str, amount: float, product: str = "") -> None:
        self.ledger.append((float(t), firm, account, float(amount)))
        self.ledger_products.append(product)

    def row(self, fields: tuple) -> None:
        """One timeseries row, a tuple of the ``TIMESERIES_COLUMNS`` in order (of the
        ``KPI_COLUMNS`` for a recorder of the KPIs alone, ``kpis_only``)."""
        self.timeseries.append(fields)

    @property
    def timeseries_columns(self) -> tuple:
        """The names of the values of each timeseries row."""
        return KPI_COLUMNS if self.kpis_only else TIMESERIES_COLUMNS

    def timeseries_dicts(self) -> list[dict]:
        """The timeseries rows recorded so far as dicts of their columns."""
        names = self.timeseries_columns
        return [dict(zip(names, r, strict=True)) for r in self.timeseries]

    def task(self, **fields) -> None:
        self.tasks.append(fields)

    def segment_row(self, t, segment, firm, installed_base, new_adopters, pool,
                    product: str = "") -> None:
        """One row of the segments table (a block of one)."""
        self.segment_block(t, [segment], [firm], [product], [[installed_base]],
                           [[new_adopters]], [pool])

    def segment_block(self, t, segments, firms, products, installed_base, new_adopters,
                      pool) -> None:
        """One step's rows of the segments table: for each segment (S names), for each
        product (J firms and product names), its installed base and new adopters (S, J
        counts) and the segment's pool (S,). The arrays are copied."""
        if self.kpis_only:
            return
        self.segment_blocks.append((float(t), tuple(segments), tuple(firms), tuple(products),
                                    np.array(installed_base, np.int64),
                                    np.array(new_adopters, np.int64),
                                    np.array(pool, np.int64)))

    def segment_columns(self, blocks: int | None = None) -> dict:
        """The segments table as columns (t, segment, firm, installed_base, new_adopters,
        pool, product), rows in the order they were recorded; ``blocks``: only the first
        so many steps' blocks (the table as it was then; default all)."""
        t, seg, firm, base, new, pool, product = [], [], [], [], [], [], []
        for day, segments, firms, products, b, n, p in self.segment_blocks[:blocks]:
            s, j = len(segments), len(products)
            t.append(np.full(s * j, day))
            seg.extend(name for name in segments for _ in range(j))
            firm.extend(firms * s)
            product.extend(products * s)
            base.append(b.reshape(-1))
            new.append(n.reshape(-1))
            pool.append(np.repeat(p, j))
        if not t:
            return {}
        return {"t": np.concatenate(t), "segment": seg, "firm": firm,
                "installed_base": np.concatenate(base), "new_adopters": np.concatenate(new),
                "pool": np.concatenate(pool), "product": product}

    @property
    def segments(self) -> list:
        """The segments table's rows as tuples (in recording order)."""
        cols = self.segment_columns()
        if not cols:
            return []
        return list(zip(cols["t"].tolist(), cols["segment"], cols["firm"],
                        cols["installed_base"].tolist(), cols["new_adopters"].tolist(),
                        cols["pool"].tolist(), cols["product"], strict=True))

    def preference_block(self, t, rows: list) -> None:
        """One step's rows of the preferences table: ``rows`` (dicts without ``t``, kept
        as they are: not to be changed afterwards) at day ``t``."""
        if not self.kpis_only:
            self.preference_blocks.append((t, rows))

    def preference_rows(self, blocks: int | None = None) -> list[dict]:
        """The preferences table's rows as dicts, ``t`` first (``blocks``: only the first
        so many steps' rows)."""
        return [{"t": t, **row} for t, rows in self.preference_blocks[:blocks] for row in rows]

    @property
    def preferences(self) -> list[dict]:
        """The preferences table's rows (``preference_rows``)."""
        return self.preference_rows()

    def distribution_row(self, **fields) -> None:
        if not self.kpis_only:
            self.distribution.append(fields)

    def region_row(self, **fields) -> None:
        self.regions.append(fields)
