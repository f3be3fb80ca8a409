"""Figures shared by the runners: KPI distributions per option, lines over time, and the
marking of a heatmap's cells that hold no number."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.results.replications import MIN_RUNS_FOR_PERCENTILES

MIN_SEEDS_FOR_PERCENTILES = MIN_RUNS_FOR_PERCENTILES  # fewer: a band is their range


def seed_band(seeds: int) -> tuple:
    """(seaborn's ``errorbar``, its words) for a band over ``seeds`` seeds: their 5th-95th
    percentiles from ``MIN_SEEDS_FOR_PERCENTILES`` seeds on, their whole range below (the
    5th and 95th percentiles of 3 seeds are interpolated next to the lowest and highest,
    and a quick run's "5th-95th percentile band" claimed a spread it had not measured)."""
    if seeds >= MIN_SEEDS_FOR_PERCENTILES:
        return ("pi", 90), "5th-95th percentile band"
    return ("pi", 100), "range (lowest to highest)"


def kpi_distributions(kpis: pd.DataFrame, specs, order, title: str, by: str = "option"):
    """One panel per KPI: a box per option (5-95% whiskers), seeds as dots, the mean as a
    diamond. ``specs``: ``(column, axis label with unit, scale)``; returns the figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import PercentFormatter

    specs = [s for s in specs if s[0] in kpis and pd.to_numeric(kpis[s[0]], errors="coerce").notna().any()]
    width = max(3.6, 0.75 * len(order) + 1.6)
    fig, axes = plt.subplots(1, len(specs), figsize=(width * len(specs), 4.6), squeeze=False)
    palette = dict(zip(order, sns.color_palette(n_colors=len(order)), strict=False))
    for ax, (col, label, scale) in zip(axes[0], specs, strict=True):
        data = kpis[[by, col]].copy()
        data[col] = pd.to_numeric(data[col], errors="coerce") * scale
        sns.boxplot(data=data, x=by, y=col, order=order, hue=by, hue_order=order,
                    palette=palette, whis=(5, 95), showfliers=False, legend=False, ax=ax,
                    boxprops={"alpha": 0.45})
        sns.stripplot(data=data, x=by, y=col, order=order, color="0.25", size=3, alpha=0.6,
                      ax=ax)
        means = data.groupby(by)[col].mean().reindex(order)
        ax.scatter(range(len(order)), means.to_numpy(), marker="D", color="black", s=28,
                   zorder=5, label="mean")
        ax.set(title=label.split(" (")[0], xlabel="", ylabel=label)
        if "share" in col and scale == 1:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.tick_params(axis="x", rotation=30 if len(order) > 2 else 0)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right" if len(order) > 2 else "center")
    axes[0][0].legend(loc="best", fontsize="small")
    fig.suptitle(title)
    return fig


def over_time(ts: pd.DataFrame, panels, order, title: str, by: str = "option",
              markers=()):
    """Lines over days, the median over seeds with a band across them (``seed_band``: the
    5th-95th percentiles, or the range under 20 seeds), one panel per ``(column, axis label
    with unit, scale)``; ``markers``: ``(day, label)`` vertical lines. The title is
    ``title`` and what the lines and bands are, with the seeds' number."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import PercentFormatter

    seeds = int(ts.groupby(by)["seed"].nunique().min()) if len(ts) else 0
    band, words = seed_band(seeds)
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.4), squeeze=False)
    for k, (ax, (col, label, scale)) in enumerate(zip(axes[0], panels, strict=True)):
        data = ts[[by, "seed", "t", col]].copy()
        data[col] = pd.to_numeric(data[col], errors="coerce") * scale
        sns.lineplot(data=data, x="t", y=col, hue=by, hue_order=order, estimator="median",
                     errorbar=band, ax=ax, legend=k == len(panels) - 1)
        for i, (day, text) in enumerate(markers):  # labels staggered so they never overlap
            ax.axvline(day, color="0.3", ls=":", lw=1)
            ax.text(day, 0.98 - 0.07 * i, f" {text}", transform=ax.get_xaxis_transform(),
                    va="top", fontsize="small", color="0.3",
                    bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 1})
        ax.set(title=label.split(" (")[0], xlabel="day", ylabel=label)
        if "share" in col and scale == 1:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    leg = axes[0][-1].get_legend()
    if leg is not None:
        sns.move_legend(axes[0][-1], "upper left", bbox_to_anchor=(1.01, 1.0), title=by,
                        frameon=False)
    fig.suptitle(f"{title}: median and {words} over {seeds} seed{'s' * (seeds != 1)}")
    return fig


def mark_missing(ax, grid: pd.DataFrame, planned=None) -> list:
    """Mark the cells of a heatmap of ``grid`` that hold no number (seaborn leaves them
    blank, which reads as a value off the colour scale or a drawing fault): grey, hatched
    and annotated "not run" where the option was not in the plan (``planned``: a boolean
    frame like ``grid``; None: every cell was planned), "no result" where it ran but gave
    no number (every job failed). Adds a legend entry for each kind below the axes and
    returns the kinds drawn (empty when every cell has a number)."""
    from matplotlib.patches import Patch, Rectangle

    missing = grid.isna().to_numpy()
    ran = (np.ones_like(missing) if planned is None
           else planned.reindex_like(grid).fillna(False).astype(bool).to_numpy())
    kinds = []
    for i, j in zip(*np.nonzero(missing), strict=True):
        text = "no result" if ran[i, j] else "not run"
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor="0.88", edgecolor="0.6", hatch="//",
                               lw=0.5, zorder=2))
        ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize="small",
                color="0.25", zorder=3, bbox={"facecolor": "0.88", "lw": 0, "pad": 1})
        if text not in kinds:
            kinds.append(text)
    if kinds:
        what = {"not run": "not run: this pair is not among the options",
                "no result": "no result: every job of this option failed"}
        ax.legend(handles=[Patch(facecolor="0.88", edgecolor="0.6", hatch="//",
                                 label=what[k]) for k in kinds],
                  loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False,
                  fontsize="small")
    return kinds


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.figures")
