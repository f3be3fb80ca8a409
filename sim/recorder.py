"""The run's records: plain rows appended by the SimPy processes, turned into tables by
``sim.results`` at the end (no pandas, no I/O here)."""

from dataclasses import dataclass, field


@dataclass
class Recorder:
    """Append-only rows of a run.

    timeseries: one dict per market step per product (see DESIGN.md's output contract).
    events: (t, firm, product, kind, detail).
    ledger: (t, firm, account, amount): every cash movement, signed.
    ledger_products: the product of each ledger row ("" for the firm's shared costs).
    tasks: one dict per development task run (firm, product, task, stage, start, end, ...).
    segments: (t, segment, firm, installed_base, new_adopters, pool, product) per step.
    preferences: one dict per step per segment (price sensitivity, ideal of each attribute).
    distribution: one dict per step per firm with channels, channel and segment (coverage,
    availability, revenue carried, margin).
    regions: one dict per step per region per product (``sim.market.regions``).
    """

    timeseries: list = field(default_factory=list)
    events: list = field(default_factory=list)
    ledger: list = field(default_factory=list)
    ledger_products: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    segments: list = field(default_factory=list)
    preferences: list = field(default_factory=list)
    distribution: list = field(default_factory=list)
    regions: list = field(default_factory=list)

    def event(self, t: float, firm: str, product: str, kind: str, detail: str = "") -> None:
        self.events.append((float(t), firm, product, kind, detail))

    def cash(self, t: float, firm: str, account: str, amount: float, product: str = "") -> None:
        self.ledger.append((float(t), firm, account, float(amount)))
        self.ledger_products.append(product)

    def row(self, **fields) -> None:
        self.timeseries.append(fields)

    def task(self, **fields) -> None:
        self.tasks.append(fields)

    def segment_row(self, t, segment, firm, installed_base, new_adopters, pool,
                    product: str = "") -> None:
        self.segments.append((float(t), segment, firm, installed_base, new_adopters, pool,
                              product))

    def preference_row(self, **fields) -> None:
        self.preferences.append(fields)

    def distribution_row(self, **fields) -> None:
        self.distribution.append(fields)

    def region_row(self, **fields) -> None:
        self.regions.append(fields)
