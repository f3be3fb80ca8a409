"""Running a composed config: its replications into a run directory.

``outputs=full`` writes each replication's whole output contract (``rep_NNN/`` when there
are several); ``outputs=compact`` writes only ``kpis.json`` and the tables named in
``output_tables`` (``sim.results.files.write_compact``), and for several replications only
``kpis_replications.parquet`` and the mean ``kpis.json`` (``sim.results.replications``)
unless tables are asked for.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.config import AppConfig

if TYPE_CHECKING:
    import pandas as pd


def run_app(app: AppConfig, run_dir: Path, progress: bool = False,
            table: bool = True) -> pd.DataFrame | None:
    """Run ``app.replications`` seeds of the scenario into ``run_dir``; returns the KPIs, one
    row per replication (``table=False``: None, for a sweep's job, whose KPIs its
    directory holds; a one-row frame of some 200 KPIs costs about 1.5 ms to build)."""
    import pandas as pd  # not at import: a command with bad input never needs it
    from tqdm import tqdm

    from sim.results import atomic_write
    from sim.results.files import write_compact
    from sim.scenario import run_scenario

    compact = app.outputs == "compact"
    plot_run = None
    if app.plots and not compact:  # matplotlib and seaborn take seconds to import
        from sim.plots import plot_run

    scenario = app.scenario()
    reps = app.replications
    rows = []
    steps = int(np.ceil(scenario.horizon_days / scenario.dt_days))
    bar = tqdm(total=reps * steps, disable=None if progress else True, unit="step", leave=False,
               desc=scenario.name, file=sys.stderr)
    try:
        for k in range(reps):
            seed = app.seed + k
            # a compact job that keeps no tables records only what its KPIs read
            res = run_scenario(scenario, seed, on_step=lambda t: bar.update(1),
                               kpis_only=compact and not app.output_tables)
            out = run_dir if reps == 1 else run_dir / f"rep_{k:03d}"
            if not compact:
                res.write(out, plotter=plot_run)
            elif reps == 1 or app.output_tables:
                write_compact(res, out, app.output_tables)
            rows.append(res.kpis)
    finally:
        bar.close()
    if reps == 1 and not table:
        return None
    kpis = pd.DataFrame(rows)
    if reps > 1:
        Path(run_dir).mkdir(parents=True, exist_ok=True)  # compact: no rep_NNN/ made it
        atomic_write(run_dir / "kpis_replications.parquet",
                     lambda p: kpis.to_parquet(p, index=False))
        from sim.results import clean_json
        from sim.results.replications import replication_summary
        from sim.results.sweeps import write_json

        summary = replication_summary(rows)
        summary.update({"replications": reps, "seed": app.seed, "scenario": scenario.name})
        write_json(run_dir / "kpis.json", clean_json(summary))
    return kpis


