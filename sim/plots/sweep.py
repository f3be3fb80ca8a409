"""Comparison plots of a multirun: each KPI against the swept keys (seeds pooled)."""

import logging
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from sim.plots.style import money_label, money_scale, save, style

SWEEP_KPIS = [("npv", "NPV"), ("final_market_share", "final unit share"),
              ("launch_day", "launch day"), ("cumulative_profit", "cumulative profit")]
MONEY_KPIS = {"npv", "cumulative_profit"}


def _value_order(values: pd.Series) -> list:
    """Distinct swept values, in numeric order when they are all numbers (199 < 1000)."""
    distinct = list(pd.unique(values.astype(str)))
    numbers = pd.to_numeric(pd.Series(distinct), errors="coerce")
    if numbers.notna().all():
        return [v for _, v in sorted(zip(numbers, distinct, strict=True))]
    return sorted(distinct)


def plot_sweep(table: pd.DataFrame, out_dir, currency: str = "USD") -> list:
    """Comparison plots of a multirun: each KPI against the swept keys (seeds pooled);
    money axes name ``currency``."""
    style()
    ok = table[table["status"] == "ok"] if "status" in table else table
    keys = [c for c in ok.columns if c.startswith("override.") and c != "override.seed"
            and ok[c].nunique() > 1]
    if ok.empty:
        return []
    data = ok.copy()
    if keys:
        x = keys[0]
        hue = keys[1] if len(keys) > 1 else None
    else:
        data["all jobs"] = "all"
        x, hue = "all jobs", None
    kpis = [(k, label) for k, label in SWEEP_KPIS if k in data and data[k].notna().any()]
    if not kpis:
        return []
    for key in (x, hue):
        if key is not None:
            data[key] = data[key].astype(str)
    order = _value_order(data[x])
    hue_order = _value_order(data[hue]) if hue else None
    # swept values are override strings; matplotlib logs (at INFO, which Hydra prints) each
    # time it meets strings that parse as numbers on a categorical axis
    logging.getLogger("matplotlib.category").setLevel(logging.WARNING)
    fig, axes = plt.subplots(1, len(kpis), figsize=(4.2 * len(kpis), 4.2), squeeze=False)
    for ax, (k, label) in zip(axes[0], kpis, strict=True):
        data[k] = pd.to_numeric(data[k], errors="coerce")
        scale = ""
        if k in MONEY_KPIS:  # in millions (or thousands, ...) of the currency
            divisor, scale = money_scale(data[k])
            data[k] = data[k] / divisor
        sns.stripplot(data=data, x=x, y=k, hue=hue, order=order, hue_order=hue_order,
                      dodge=hue is not None, alpha=0.45, legend=False, ax=ax)
        sns.pointplot(data=data, x=x, y=k, hue=hue, order=order, hue_order=hue_order,
                      dodge=0.4 if hue else False, errorbar=("pi", 90), linestyle="none",
                      marker="D", ax=ax, legend=ax is axes[0][-1] and hue is not None)
        ax.set(title=label, xlabel=x.removeprefix("override."),
               ylabel=money_label(label, currency, scale) if k in MONEY_KPIS else label)
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle("Sweep: mean (diamond) and 90% interval over jobs; dots are jobs")
    path = Path(out_dir) / "sweep_kpis.png"
    save(fig, path)
    return [path]
