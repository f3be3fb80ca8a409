"""Figures of one run: adoption and share, cash, the development Gantt, the generations
(when the run has any), the perceptual map, and for a firm with a product line its revenue
by product (``sim.plots.portfolio``), and for a market with regions the units and
penetration per region (``sim.plots.regions``)."""

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from sim.plots.generations import plot_generations
from sim.plots.perceptual import perceptual_map
from sim.plots.portfolio import portfolio_revenue
from sim.plots.regions import plot_regions
from sim.plots.style import (
    PALETTE,
    money_label,
    money_scale,
    per_step,
    product_styles,
    save,
    style,
)


def critical_path(tasks: pd.DataFrame, stages) -> set:
    """Names of the tasks on the realised critical path of the last (re)run of each task.

    Walks back from the task that finished last: a task's binding predecessor is the
    dependency or earlier-stage task that finished latest, at or before its start.
    """
    if tasks.empty:
        return set()
    last = tasks.sort_values("end").groupby("task").tail(1).set_index("task")
    order = {s: k for k, s in enumerate(stages)}
    current = last["end"].idxmax()
    path = {current}
    while True:
        row = last.loc[current]
        deps = [d for d in str(row["depends_on"]).split(",") if d]
        earlier = [n for n, r in last.iterrows()
                   if order.get(r["stage"], 0) < order.get(row["stage"], 0)]
        cands = [n for n in set(deps) | set(earlier)
                 if n in last.index and last.loc[n, "end"] <= row["start"] + 1e-9]
        if not cands:
            return path
        current = max(cands, key=lambda n: last.loc[n, "end"])
        path.add(current)


def _mark_insolvency(ax, events, cash, order) -> None:
    """A cross where a firm's cash line ends because it became insolvent (it left the
    market that day: the ``insolvent`` event), labelled with the day."""
    if events.empty:
        return
    colors = sns.color_palette(n_colors=max(len(order), 1))
    gone = events[events["kind"] == "insolvent"]
    for firm, day in zip(gone["firm"], gone["t"], strict=True):
        mine = cash[(cash["firm"] == firm) & (cash["t"] <= day)]
        if mine.empty or firm not in order:
            continue
        y = float(mine["cash"].iloc[-1])
        ax.plot([day], [y], marker="X", ms=10, color=colors[order.index(firm)],
                markeredgecolor="black", zorder=5)
        ax.annotate(f"{firm} insolvent, day {day:,.0f}", (day, y), xytext=(6, 8),
                    textcoords="offset points", fontsize=8)


def plot_run(results, out_dir) -> list:
    """Adoption and share per firm, cash per firm, the development Gantt; returns paths."""
    style()
    out = Path(out_dir)
    ts = results.timeseries
    paths = []
    # one colour per firm in every figure: the firms in the market's order
    firms = list(dict.fromkeys(ts["firm"])) if not ts.empty else []
    if not ts.empty:
        lines = {"hue": "firm", "hue_order": firms}
        if ts.duplicated(["t", "firm"]).any():  # a product line: a line per product, in a
            # shade of its firm's colour with a dash of its own (in one colour with only
            # the dash to tell them apart, a firm's products had read as one in the legend)
            pairs = list(dict.fromkeys(zip(ts["firm"], ts["product"], strict=True)))
            looks = product_styles(pairs)
            names = [f"{f}: {p}" for f, p in pairs]
            ts = ts.assign(line=[f"{f}: {p}" for f, p in zip(ts["firm"], ts["product"],
                                                             strict=True)])
            lines = {"hue": "line", "hue_order": names, "style": "line", "style_order": names,
                     "palette": dict(zip(names, (looks[k][0] for k in pairs), strict=True))}
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
        sns.lineplot(data=ts, x="t", y="installed_base", ax=axes[0], estimator=None,
                     errorbar=None, **lines)
        axes[0].set(title="Installed base (adopters)", xlabel="day", ylabel="customers")
        sns.lineplot(data=ts, x="t", y="market_share", ax=axes[1], legend=False,
                     estimator=None, errorbar=None, **lines)
        per = per_step(results.config.dt_days)
        axes[1].set(title=f"Unit market share {per}", xlabel="day",
                    ylabel=f"share of the units sold {per}")
        axes[1].yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        # the legend beside the figure, where it hides no line
        handles, labels = axes[0].get_legend_handles_labels()
        axes[0].get_legend().remove()
        axes[1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       frameon=False, fontsize="small",
                       title="firm: product" if lines["hue"] == "line" else "firm")
        paths.append(out / "adoption_share.png")
        save(fig, paths[-1])
    led = results.ledger.sort_values("t").copy()
    if not led.empty:
        led["cash"] = led.groupby("firm")["amount"].cumsum()
        cash = led.groupby(["firm", "t"], sort=False)["cash"].last().reset_index()
        divisor, scale = money_scale(cash["cash"])  # millions (or ...) of the currency
        cash["cash"] = cash["cash"] / divisor
        fig, ax = plt.subplots(figsize=(8, 4.2))
        order = firms + [f for f in dict.fromkeys(cash["firm"]) if f not in firms]
        sns.lineplot(data=cash, x="t", y="cash", hue="firm", hue_order=order,
                     drawstyle="steps-post", ax=ax, estimator=None, errorbar=None)
        ax.axhline(0.0, color="black", lw=0.8)
        _mark_insolvency(ax, results.events, cash, order)
        ax.set(title="Cash by firm (from the ledger)", xlabel="day",
               ylabel=money_label("cash", getattr(results.config, "currency", "USD"), scale))
        paths.append(out / "cash.png")
        save(fig, paths[-1])
    tasks = results.tasks
    firm = results.config.firm.name
    if "product" in tasks:  # the Gantt of the first product's project
        tasks = tasks[tasks["product"] == results.config.firm.product.name]
    if not tasks.empty and (tasks["firm"] == firm).any():
        mine = tasks[tasks["firm"] == firm].reset_index(drop=True)
        crit = critical_path(mine, results.config.firm.development.stages)
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(mine) + 1.6))
        colors = sns.color_palette(PALETTE)
        labels = []
        for k, row in mine.iterrows():
            on_path = row["task"] in crit and row["end"] == mine.loc[mine["task"] == row["task"], "end"].max()
            ax.barh(k, row["end"] - row["start"], left=row["start"],
                    color=colors[3] if on_path else colors[0], edgecolor="black", lw=0.5)
            labels.append(f"{row['task']}" + (f" (recycle {row['recycle']})" if row["recycle"] else ""))
        ax.set_yticks(range(len(mine)), labels)
        ax.invert_yaxis()
        from matplotlib.patches import Patch

        handles = [Patch(color=colors[3], label="critical path"),
                   Patch(color=colors[0], label="other tasks")]
        launch = results.kpis.get("launch_day")
        product = results.config.firm.product.name  # the Gantt is the first product's
        title = f"Development of {product}, firm {firm}"
        if launch is not None and np.isfinite(launch):
            ax.axvline(launch, color="black", ls="--", lw=1)
            title += f" (launch on day {launch:.0f}, dashed)"
            ready = float(mine["end"].max())
            if launch > ready + 0.5:  # ready early, held for the planned launch day
                ax.axvspan(ready, launch, color="grey", alpha=0.2, lw=0)
                handles.append(Patch(color="grey", alpha=0.2, label="held for the planned day"))
        ax.legend(handles=handles, loc="upper center",
                  bbox_to_anchor=(0.5, -0.12 - 0.6 / len(mine)), ncol=len(handles))
        ax.set(title=title, xlabel="day")
        paths.append(out / "gantt.png")
        save(fig, paths[-1])
    if plot_generations(results, out / "generations.png"):
        paths.append(out / "generations.png")
    if not ts.empty:
        fig, ax = plt.subplots(figsize=(11, 7))
        perceptual_map(results, ax=ax)
        paths.append(out / "perceptual_map.png")
        save(fig, paths[-1])
    if portfolio_revenue(results, out / "portfolio_revenue.png"):
        paths.append(out / "portfolio_revenue.png")
    if plot_regions(results, out / "regions.png"):
        paths.append(out / "regions.png")
    return paths
