"""The mean ``kpis.json`` of a run of several replications (``replications=R``).

Each KPI is summarised over the replications' own values, never silently over a subset:

- a number defined in every replication: the mean;
- a number defined in only some (a launch day, a break-even day, a day cash ran out; None
  or NaN elsewhere): the mean over the replications that have it, and beside it
  ``KEY_defined_in``, how many they are (the mean of one seed's break-even day out of 20
  had been shown as the runs' break-even day);
- a number defined in none: null (the key had vanished);
- a yes/no KPI (``killed``, ``cash_exhausted``): the share of replications where it holds;
- text (the firm's name, the mode): kept where every replication agrees, else dropped.

``kpis_replications.parquet`` keeps every replication's own row.
"""

from __future__ import annotations

import math
from numbers import Real

# fewer runs (seeds, a sweep's jobs) than this behind a band: the band is their whole
# range, not their 5th-95th percentiles (the percentiles of three runs are interpolated
# next to the lowest and highest, so a "5th-95th" band of 3 seeds is nearly their min-max);
# the sweep plot (``sim.plots.sweep``) and the runners' figures (``experiments.figures``)
MIN_RUNS_FOR_PERCENTILES = 20


def _defined(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def replication_summary(rows: list[dict]) -> dict:
    """The summary of the replications' KPI dicts ``rows`` (module docstring), in the
    order of the keys' first appearance."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    out = {}
    n = len(rows)
    for key in keys:
        values = [row.get(key) for row in rows]
        seen = [v for v in values if _defined(v)]
        if not seen:
            out[key] = None
        elif all(isinstance(v, bool) for v in seen):
            # a yes/no: the share of all replications where it holds (None counts as no)
            out[key] = sum(1 for v in seen if v) / n
        elif all(isinstance(v, Real) for v in seen):
            out[key] = math.fsum(float(v) for v in seen) / len(seen)
            if len(seen) < n:
                out[f"{key}_defined_in"] = len(seen)
        elif len(seen) == n and all(v == seen[0] for v in seen):
            out[key] = seen[0]
    return out
