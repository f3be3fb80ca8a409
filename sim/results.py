"""Records -> pandas DataFrames -> files (the output contract of DESIGN.md).

``Results.write(run_dir)`` writes ``timeseries.parquet``, ``events.parquet``,
``ledger.parquet``, ``tasks.parquet`` (development Gantt), ``segments.parquet`` (installed
base per segment and firm), ``preferences.parquet`` (each segment's price sensitivity and
ideal attribute levels per step; NaN where a segment has no ideal point),
``distribution.parquet`` (coverage, availability, revenue and margin per step, firm with
channels, channel and segment), ``config.json``, ``kpis.json`` and ``plots/``. Every file is
written to a temporary name in the same directory and renamed, so a killed run never
leaves a half file that looks complete.
"""

import dataclasses
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.kpis import compute_kpis

_UMASK = os.umask(0)
os.umask(_UMASK)

EVENT_COLUMNS = ["t", "firm", "product", "kind", "detail"]
LEDGER_COLUMNS = ["t", "firm", "account", "amount"]
SEGMENT_COLUMNS = ["t", "segment", "firm", "installed_base", "new_adopters", "pool"]
PREFERENCE_COLUMNS = ["t", "segment", "price_sensitivity", "ideal_quality", "ideal_features",
                      "ideal_design"]
DISTRIBUTION_COLUMNS = ["t", "firm", "channel", "segment", "coverage", "availability",
                        "revenue", "margin"]


@dataclass
class Results:
    config: object
    seed: int
    timeseries: pd.DataFrame
    events: pd.DataFrame
    ledger: pd.DataFrame
    tasks: pd.DataFrame
    segments: pd.DataFrame
    kpis: dict
    final_cash: dict = field(default_factory=dict)
    wall_s: float = 0.0
    preferences: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=PREFERENCE_COLUMNS))
    distribution: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=DISTRIBUTION_COLUMNS))

    @classmethod
    def from_run(cls, config, seed, recorder, firms, wall_s=0.0) -> "Results":
        ts = pd.DataFrame(recorder.timeseries)
        events = pd.DataFrame(recorder.events, columns=EVENT_COLUMNS)
        ledger = pd.DataFrame(recorder.ledger, columns=LEDGER_COLUMNS)
        tasks = pd.DataFrame(recorder.tasks)
        segments = pd.DataFrame(recorder.segments, columns=SEGMENT_COLUMNS)
        preferences = pd.DataFrame(recorder.preferences, columns=PREFERENCE_COLUMNS)
        distribution = pd.DataFrame(recorder.distribution, columns=DISTRIBUTION_COLUMNS)
        kpis = compute_kpis(config, ts, events, ledger)
        kpis["seed"] = int(seed)
        kpis["scenario"] = config.name
        kpis["mode"] = config.mode
        return cls(config, int(seed), ts, events, ledger, tasks, segments, kpis,
                   {f.name: f.ledger.cash for f in firms}, wall_s, preferences, distribution)

    def write(self, run_dir, plots: bool = True) -> Path:
        out = Path(run_dir)
        out.mkdir(parents=True, exist_ok=True)
        for name, df in (("timeseries", self.timeseries), ("events", self.events),
                         ("ledger", self.ledger), ("tasks", self.tasks),
                         ("segments", self.segments), ("preferences", self.preferences),
                         ("distribution", self.distribution)):
            atomic_write(out / f"{name}.parquet", lambda p, df=df: df.to_parquet(p, index=False))
        if plots:
            from sim.plots import plot_run

            plot_run(self, out / "plots")
        atomic_write(out / "config.json", lambda p: Path(p).write_text(
            json.dumps(dataclasses.asdict(self.config), indent=1, default=str)))
        # kpis.json last: its presence marks a complete run directory
        atomic_write(out / "kpis.json", lambda p: Path(p).write_text(
            json.dumps(clean_json(self.kpis), indent=2, sort_keys=True)))
        return out


def clean_json(d: dict) -> dict:
    """Replace NaN/inf floats by None so the JSON is standard."""
    out = {}
    for k, v in d.items():
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[k] = v
    return out


def atomic_write(path, writer) -> None:
    """Call ``writer(tmp_path)`` then rename to ``path`` (same directory, atomic)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are for colleagues too
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
