"""Records -> pandas DataFrames -> files (the output contract of DESIGN.md).

``Results.write(run_dir)`` writes ``timeseries.parquet``, ``events.parquet``,
``ledger.parquet`` (each posting with the product it belongs to, "" for a firm's shared
costs), ``tasks.parquet`` (development Gantt, per product), ``segments.parquet`` (installed
base per segment, firm and product), ``preferences.parquet`` (each segment's price sensitivity and
ideal attribute levels per step; NaN where a segment has no ideal point),
``regions.parquet`` (only for a market with regions: per step, region and product,
``sim.results.regions``), ``distribution.parquet`` (coverage, availability, revenue and margin per step, firm with
channels, product, channel and segment), ``pnl.parquet`` and ``balance.parquet`` (income
statement, balance sheet and cash-flow statement per firm per quarter,
``sim.results.statements``), ``config.json`` and ``kpis.json``; ``plots/`` when the caller passes a plotter. Every
file is written atomically (``sim.results.files``).
"""

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.recorder import KPI_COLUMNS
from sim.results.annual import firm_statement_kpis, statement_kpis
from sim.results.arrays import ledger_codes
from sim.results.files import atomic_write, clean_json
from sim.results.frames import frame_of_dicts, frame_of_tuples
from sim.results.kpis import compute_kpis
from sim.results.pipeline import pipeline_kpis
from sim.results.regions import REGION_COLUMNS, region_kpis, region_table
from sim.results.statements import build_statements, stack, statement_parts

EVENT_COLUMNS = ["t", "firm", "product", "kind", "detail"]
LEDGER_COLUMNS = ["t", "firm", "account", "amount", "product"]
SEGMENT_COLUMNS = ["t", "segment", "firm", "installed_base", "new_adopters", "pool", "product"]
PREFERENCE_COLUMNS = ["t", "segment", "price_sensitivity", "ideal_quality", "ideal_features",
                      "ideal_design"]
DISTRIBUTION_COLUMNS = ["t", "firm", "channel", "segment", "coverage", "availability",
                        "revenue", "margin", "product"]


class _Table:
    """A table of ``Results`` that no KPI reads, built on its first read (a sweep's compact
    output that does not ask for it never builds it); assigning one sets it."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        table = obj._tables.get(self.name)
        if not isinstance(table, pd.DataFrame):
            table = obj._tables[self.name] = (table() if table is not None
                                              else _EMPTY[self.name]())
        return table

    def __set__(self, obj, table):
        obj._tables[self.name] = table


_EMPTY = {"segments": lambda: pd.DataFrame(columns=SEGMENT_COLUMNS),
          "preferences": lambda: pd.DataFrame(columns=PREFERENCE_COLUMNS),
          "distribution": lambda: pd.DataFrame(columns=DISTRIBUTION_COLUMNS),
          "regions": lambda: pd.DataFrame(columns=REGION_COLUMNS)}


def _not_recorded(name: str):
    def fail():
        raise ValueError(f"the {name} table was not recorded: this run recorded only what "
                         "its KPIs read (run_scenario(..., kpis_only=True))")
    return fail


def _lazy_tables(recorder) -> dict:
    """Builders of the tables no KPI reads, each of the rows recorded so far (a game goes
    on recording after its results are taken); a run that recorded for its KPIs alone
    has none of them but the regions table (region KPIs read it)."""
    if getattr(recorder, "kpis_only", False):
        regions = getattr(recorder, "regions", [])[:]
        return {**{name: _not_recorded(name)
                   for name in ("segments", "preferences", "distribution")},
                "regions": lambda: region_table(regions)}
    n_blocks = len(recorder.segment_blocks)
    prefs = recorder.preferences[:]
    dist = recorder.distribution[:]
    regions = getattr(recorder, "regions", [])[:]
    return {
        "segments": lambda: pd.DataFrame(recorder.segment_columns(n_blocks) or [],
                                         columns=SEGMENT_COLUMNS),
        "preferences": lambda: pd.DataFrame(prefs, columns=PREFERENCE_COLUMNS),
        "distribution": lambda: pd.DataFrame(dist, columns=DISTRIBUTION_COLUMNS),
        "regions": lambda: region_table(regions),
    }


@dataclass
class Results:
    """A run's tables and KPIs. ``segments``, ``preferences``, ``distribution`` and
    ``regions`` are built on first read (``_Table``); the others and ``kpis`` at once."""

    config: object
    seed: int
    timeseries: pd.DataFrame
    events: pd.DataFrame
    ledger: pd.DataFrame
    tasks: pd.DataFrame
    kpis: dict
    final_cash: dict = field(default_factory=dict)
    wall_s: float = 0.0
    _tables: dict = field(default_factory=dict, repr=False, compare=False)
    _statements: object = field(default=None, repr=False, compare=False)
    # recorded for its KPIs alone (``run_scenario(..., kpis_only=True)``): not writable
    kpis_only: bool = field(default=False, repr=False, compare=False)

    segments = _Table()
    preferences = _Table()
    distribution = _Table()
    regions = _Table()

    @classmethod
    def from_run(cls, config, seed, recorder, firms, wall_s=0.0) -> "Results":
        # frames by columns: the same as pd.DataFrame(rows) (sim.results.frames)
        ts = (frame_of_tuples(recorder.timeseries, list(KPI_COLUMNS))  # kpis_only: tuples
              if getattr(recorder, "kpis_only", False) and recorder.timeseries
              else frame_of_dicts(recorder.timeseries))
        events = frame_of_tuples(recorder.events, EVENT_COLUMNS, ("t",))
        ledger = frame_of_tuples(recorder.ledger, LEDGER_COLUMNS[:4], ("t", "amount"))
        ledger["product"] = pd.Series(recorder.ledger_products, dtype=object)
        tasks = frame_of_dicts(recorder.tasks)
        codes = ledger_codes(ledger)  # read by the KPIs and the statements
        kpis = compute_kpis(config, ts, events, ledger, codes)
        kpis.update(pipeline_kpis(config, events, tasks))
        kpis["seed"] = int(seed)
        kpis["scenario"] = config.name
        kpis["mode"] = config.mode
        res = cls(config, int(seed), ts, events, ledger, tasks, kpis,
                  {f.name: f.ledger.cash for f in firms}, wall_s, _lazy_tables(recorder))
        res.kpis_only = bool(getattr(recorder, "kpis_only", False))
        if getattr(recorder, "regions", None):  # a market with regions: KPIs read its table
            kpis.update(region_kpis(res.regions, config.firm.name))
        # the statements as columns: the focal firm's now (its KPIs), the others' when the
        # tables are first read (statements(): a compact run's never are)
        firms_, n_q, part = statement_parts(
            ledger, ts, config.horizon_days, getattr(config, "tax_rate", 0.21),
            getattr(config, "depreciation_years", 5.0), codes)
        done = {}
        if config.firm.name in firms_:
            k = firms_.index(config.firm.name)
            p, b = done[k] = part(k)
            kpis.update(firm_statement_kpis(p, b, n_q, config.horizon_days))
        else:  # a focal firm without postings or rows: its KPIs from empty statements
            done = {k: part(k) for k in range(len(firms_))}
            kpis.update(statement_kpis(*stack(firms_, n_q, list(done.values())),
                                       config.firm.name, config.horizon_days))
        res._statements = lambda: stack(firms_, n_q, [done[k] if k in done else part(k)
                                                      for k in range(len(firms_))])
        return res

    def statements(self):
        """(pnl, balance): the firms' quarterly statements (``sim.results.statements``),
        built once."""
        if callable(self._statements):  # from_run's columns, stacked now
            self._statements = self._statements()
        if self._statements is None:
            cfg = self.config
            self._statements = build_statements(self.ledger, self.timeseries,
                                                cfg.horizon_days,
                                                getattr(cfg, "tax_rate", 0.21),
                                                getattr(cfg, "depreciation_years", 5.0))
        return self._statements

    def write(self, run_dir, plotter=None) -> Path:
        """The run's tables, ``config.json`` and ``kpis.json`` (last: its presence marks a
        complete run directory). ``plotter(results, plots_dir)``, if given (for example
        ``sim.plots.plot_run``), draws the figures before ``kpis.json`` is written. A run
        recorded for its KPIs alone (``kpis_only``) is refused before anything is
        written."""
        if self.kpis_only:
            raise ValueError("this run recorded only what its KPIs read "
                             "(run_scenario(..., kpis_only=True)): its tables cannot be "
                             "written; run it without kpis_only")
        out = Path(run_dir)
        out.mkdir(parents=True, exist_ok=True)
        pnl, balance = self.statements()
        for name, df in (("timeseries", self.timeseries), ("events", self.events),
                         ("ledger", self.ledger), ("tasks", self.tasks),
                         ("segments", self.segments), ("preferences", self.preferences),
                         ("distribution", self.distribution), ("pnl", pnl),
                         ("balance", balance)):
            atomic_write(out / f"{name}.parquet", lambda p, df=df: df.to_parquet(p, index=False))
        if len(self.regions):  # a market with regions (sim.market.regions)
            atomic_write(out / "regions.parquet",
                         lambda p: self.regions.to_parquet(p, index=False))
        if plotter is not None:
            plotter(self, out / "plots")
        atomic_write(out / "config.json", lambda p: Path(p).write_text(
            json.dumps(dataclasses.asdict(self.config), indent=1, default=str)))
        # kpis.json last: its presence marks a complete run directory
        atomic_write(out / "kpis.json", lambda p: Path(p).write_text(
            json.dumps(clean_json(self.kpis), indent=2, sort_keys=True)))
        return out
