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
from typing import NamedTuple

import pandas as pd

from sim.recorder import KPI_COLUMNS, TIMESERIES_COLUMNS
from sim.results.annual import firm_statement_kpis, statement_kpis, tax_present_value
from sim.results.columns import (
    EVENT_COLUMNS,
    LEDGER_COLUMNS,
    RunColumns,
    dict_columns,
    ledger_codes,
    ledger_columns,
    object_array,
    table_columns,
    tuple_columns,
)
from sim.results.files import atomic_write, clean_json
from sim.results.frames import frame_of_dicts, frame_of_tuples
from sim.results.kpis import compute_kpis
from sim.results.pipeline import pipeline_kpis
from sim.results.plant import capex_lead_days
from sim.results.regions import REGION_COLUMNS, region_kpis, region_table
from sim.results.statements import build_statements, stack, statement_parts

SEGMENT_COLUMNS = ["t", "segment", "firm", "installed_base", "new_adopters", "pool", "product"]
PREFERENCE_COLUMNS = ["t", "segment", "price_sensitivity", "ideal_quality", "ideal_features",
                      "ideal_design"]
DISTRIBUTION_COLUMNS = ["t", "firm", "channel", "segment", "coverage", "availability",
                        "revenue", "margin", "product"]


class _Table:
    """A table of ``Results``, built on its first read (the KPIs read the run's columns,
    ``sim.results.columns``: a sweep's compact output that asks for no table never builds
    one); assigning one sets it."""

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


class _Rows(NamedTuple):
    """The rows of the tables the KPIs read, as recorded up to now (copies of the lists:
    a game goes on recording after its results are taken)."""

    timeseries: list
    events: list
    ledger: list
    ledger_products: list
    tasks: list
    kpis_only: bool

    @classmethod
    def of(cls, recorder) -> "_Rows":
        return cls(recorder.timeseries[:], recorder.events[:], recorder.ledger[:],
                   recorder.ledger_products[:], recorder.tasks[:],
                   bool(getattr(recorder, "kpis_only", False)))

    @property
    def timeseries_columns(self) -> list:
        """The names of the values of a timeseries row (``Recorder.timeseries_columns``)."""
        return list(KPI_COLUMNS if self.kpis_only else TIMESERIES_COLUMNS)

    # each table's DataFrame: by columns, the same as pd.DataFrame(rows) (sim.results.frames)
    def timeseries_frame(self) -> pd.DataFrame:
        if not self.timeseries:  # no rows, no columns (as pd.DataFrame([]))
            return pd.DataFrame([])
        return frame_of_tuples(self.timeseries, self.timeseries_columns)

    def events_frame(self) -> pd.DataFrame:
        return frame_of_tuples(self.events, EVENT_COLUMNS, ("t",))

    def ledger_frame(self) -> pd.DataFrame:
        ledger = frame_of_tuples(self.ledger, LEDGER_COLUMNS[:4], ("t", "amount"))
        ledger["product"] = pd.Series(self.ledger_products, dtype=object)
        return ledger

    def tasks_frame(self) -> pd.DataFrame:
        return frame_of_dicts(self.tasks)

    def columns(self, built: dict) -> RunColumns:
        """The tables' columns, made from the rows (of the timeseries, its
        ``KPI_COLUMNS``); a table whose rows do not make them (none, or rows of other
        shapes) from its DataFrame, built now and kept in ``built``."""
        def frame(name):
            built[name] = getattr(self, f"{name}_frame")()
            return table_columns(built[name])

        # of the timeseries, the columns the KPIs read (``KPI_COLUMNS``, all that a run
        # recorded for its KPIs alone has: the KPIs are the same from them)
        ts = (tuple_columns(self.timeseries, self.timeseries_columns, keep=KPI_COLUMNS)
              or frame("timeseries"))
        events = tuple_columns(self.events, EVENT_COLUMNS, ("t",)) or frame("events")
        made = ledger_columns(self.ledger, self.ledger_products)
        if made is not None:  # the columns and their codes at once
            ledger, codes = made
        else:
            ledger = tuple_columns(self.ledger, LEDGER_COLUMNS[:4], ("t", "amount"))
            if ledger is None:
                ledger = frame("ledger")
            else:
                ledger["product"] = object_array(self.ledger_products)
            codes = ledger_codes(ledger)
        tasks = dict_columns(self.tasks) or frame("tasks")
        return RunColumns(ts, events, ledger, tasks, codes)


def _lazy_tables(recorder, rows: _Rows) -> dict:
    """Builders of the tables, each of the rows recorded so far; a run that recorded for
    its KPIs alone has none of the segments, preferences and distribution tables."""
    tables = {"timeseries": rows.timeseries_frame, "events": rows.events_frame,
              "ledger": rows.ledger_frame, "tasks": rows.tasks_frame}
    regions = getattr(recorder, "regions", [])[:]
    tables["regions"] = lambda: region_table(regions)
    if rows.kpis_only:
        return {**tables, **{name: _not_recorded(name)
                             for name in ("segments", "preferences", "distribution")}}
    n_blocks = len(recorder.segment_blocks)
    n_prefs = len(recorder.preference_blocks)
    dist = recorder.distribution[:]
    return {
        **tables,
        "segments": lambda: pd.DataFrame(recorder.segment_columns(n_blocks) or [],
                                         columns=SEGMENT_COLUMNS),
        "preferences": lambda: pd.DataFrame(recorder.preference_rows(n_prefs),
                                            columns=PREFERENCE_COLUMNS),
        "distribution": lambda: pd.DataFrame(dist, columns=DISTRIBUTION_COLUMNS),
    }


@dataclass
class Results:
    """A run's tables and KPIs. ``kpis`` are computed at once, from the run's columns
    (``sim.results.columns``); every table is built on its first read (``_Table``)."""

    config: object
    seed: int
    kpis: dict
    final_cash: dict = field(default_factory=dict)
    wall_s: float = 0.0
    _tables: dict = field(default_factory=dict, repr=False, compare=False)
    _statements: object = field(default=None, repr=False, compare=False)
    # recorded for its KPIs alone (``run_scenario(..., kpis_only=True)``): not writable
    kpis_only: bool = field(default=False, repr=False, compare=False)

    timeseries = _Table()
    events = _Table()
    ledger = _Table()
    tasks = _Table()
    segments = _Table()
    preferences = _Table()
    distribution = _Table()
    regions = _Table()

    @classmethod
    def from_run(cls, config, seed, recorder, firms, wall_s=0.0) -> "Results":
        rows = _Rows.of(recorder)
        tables = _lazy_tables(recorder, rows)
        cols = rows.columns(tables)  # a table built for its columns is kept
        kpis = compute_kpis(config, cols.timeseries, cols.events, cols.ledger, cols.codes)
        kpis.update(pipeline_kpis(config, cols.events, cols.tasks))
        kpis["seed"] = int(seed)
        kpis["scenario"] = config.name
        kpis["mode"] = config.mode
        res = cls(config, int(seed), kpis, {f.name: f.ledger.cash for f in firms}, wall_s,
                  tables, kpis_only=rows.kpis_only)
        if getattr(recorder, "regions", None):  # a market with regions: KPIs read its table
            kpis.update(region_kpis(res.regions, config.firm.name))
        # the statements as columns: the focal firm's now (its KPIs), the others' when the
        # tables are first read (statements(): a compact run's never are)
        firms_, n_q, part = statement_parts(
            cols.ledger, cols.timeseries, config.horizon_days, getattr(config, "tax_rate", 0.21),
            getattr(config, "depreciation_years", 5.0), cols.codes, capex_lead_days(config))
        done = {}
        if config.firm.name in firms_:
            k = firms_.index(config.firm.name)
            p, b = done[k] = part(k)
            kpis.update(firm_statement_kpis(p, b, n_q, config.horizon_days, config.dt_days))
            tax = tax_present_value(p["tax"], p["end_day"], config.discount_rate_per_year)
        else:  # a focal firm without postings or rows: its KPIs from empty statements
            done = {k: part(k) for k in range(len(firms_))}
            kpis.update(statement_kpis(*stack(firms_, n_q, list(done.values())),
                                       config.firm.name, config.horizon_days,
                                       config.dt_days))
            tax = 0.0  # no postings: no income, no tax
        # the plan's NPV after the tax its statements accrue (the run's cash never pays it)
        kpis["npv_after_tax"] = kpis["npv"] - tax
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
                                                getattr(cfg, "depreciation_years", 5.0),
                                                capex_lead_days(cfg))
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
