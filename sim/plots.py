"""Seaborn figures of a run (and helpers shared by sweep and experiment plots).

One style for every figure: seaborn ``whitegrid``, the colour-blind-safe palette, titles,
units on the axes, days on the x axis. ``perceptual_map`` (``sim.perceptual``) places the
products and the segments' ideal points in attribute space.
"""

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

PALETTE = "colorblind"


def style() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")


def save(fig, path) -> None:
    from sim.results import atomic_write

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


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


def plot_run(results, out_dir) -> list:
    """Adoption and share per firm, cash per firm, the development Gantt; returns paths."""
    style()
    out = Path(out_dir)
    ts = results.timeseries
    paths = []
    if not ts.empty:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
        sns.lineplot(data=ts, x="t", y="installed_base", hue="firm", ax=axes[0],
                     estimator=None, errorbar=None)
        axes[0].set(title="Installed base (adopters)", xlabel="day", ylabel="customers")
        sns.lineplot(data=ts, x="t", y="market_share", hue="firm", ax=axes[1], legend=False,
                     estimator=None, errorbar=None)
        axes[1].set(title="Unit market share per step", xlabel="day", ylabel="share of units")
        axes[1].yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        paths.append(out / "adoption_share.png")
        save(fig, paths[-1])
    led = results.ledger.sort_values("t").copy()
    if not led.empty:
        led["cash"] = led.groupby("firm")["amount"].cumsum()
        cash = led.groupby(["firm", "t"], sort=False)["cash"].last().reset_index()
        fig, ax = plt.subplots(figsize=(8, 4.2))
        sns.lineplot(data=cash, x="t", y="cash", hue="firm", drawstyle="steps-post", ax=ax,
                     estimator=None, errorbar=None)
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set(title="Cash by firm (from the ledger)", xlabel="day", ylabel="cash")
        paths.append(out / "cash.png")
        save(fig, paths[-1])
    tasks = results.tasks
    firm = results.config.firm.name
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
        title = f"Development of {firm}'s product"
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
    if not ts.empty:
        fig, ax = plt.subplots(figsize=(11, 7))
        perceptual_map(results, ax=ax)
        paths.append(out / "perceptual_map.png")
        save(fig, paths[-1])
    return paths


def perceptual_map(results, ax=None, method: str = "attributes", axes=None):
    """Perceptual map of a run: products and segment ideal points, with trails over time.

    Products: their attributes from launch (small dot) to the end of the run (large dot,
    area ~ unit share over the last quarter); a hollow marker for a product never
    launched. Segments: ideal points as stars (area ~ size) with their drift as a dashed
    trail from the open star (day 0); a segment without an ideal on the plotted axes as a
    preference vector (an arrow from the centre: the direction its attribute weights
    favour). ``method``: "attributes" (the two most informative attributes, or
    ``axes=("quality", "features")``) or "mds" (classical MDS of all attributes,
    ``sim.perceptual``). Returns the matplotlib Axes.
    """
    from matplotlib.lines import Line2D

    from sim.perceptual import layout

    lay = layout(results, method=method, axes=axes)
    if ax is None:  # a caller's own Axes keep the caller's style
        style()
        _, ax = plt.subplots(figsize=(11, 7))
    firm_colors = dict(zip([p["firm"] for p in lay.products], sns.color_palette(PALETTE),
                           strict=False))
    seg_colors = sns.color_palette("dark", max(len(lay.segments), 1))
    sizes = np.array([s["size"] for s in lay.segments], dtype=float)
    pts = [p["trail"] for p in lay.products] + [s["trail"] for s in lay.segments if "trail" in s]
    allp = np.vstack(pts)
    for s in lay.segments:  # an ideal level on one axis only: keep its line in view
        if "line" in s:
            axis, value = s["line"]
            extra = allp[:1].copy()
            extra[0, axis] = value
            allp = np.vstack([allp, extra])
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = np.maximum((hi - lo) * 0.15, 0.05)
    centre = (lo + hi) / 2.0
    half = (hi - lo) / 2.0 + pad * 0.5
    handles = []
    for p in lay.products:
        c, tr = firm_colors[p["firm"]], p["trail"]
        label = f"{p['firm']} ({p['product']})"
        if not p["launched"]:
            ax.scatter(*tr[-1], s=90, facecolors="none", edgecolors=c, lw=1.5, zorder=3)
            ax.annotate(f"{p['firm']}: not launched", tr[-1], xytext=(6, -12),
                        textcoords="offset points", color=c, fontsize=9)
            handles.append(Line2D([], [], marker="o", mfc="none", color=c, ls="",
                                  label=f"{label}: not launched"))
            continue
        ax.plot(tr[:, 0], tr[:, 1], color=c, lw=1.6, alpha=0.8)
        if len(tr) > 1 and np.any(tr[-1] != tr[-2]):
            ax.annotate("", tr[-1], xytext=tr[-2],
                        arrowprops=dict(arrowstyle="-|>", color=c, lw=1.6))
        ax.scatter(*tr[0], s=25, color=c, alpha=0.6, zorder=3)
        ax.scatter(*tr[-1], s=60 + 900 * p["share"], color=c, edgecolors="black", lw=0.6,
                   zorder=4)
        ax.annotate(p["firm"], tr[-1], xytext=(8, 6), textcoords="offset points", color=c,
                    fontsize=10, fontweight="bold")
        handles.append(Line2D([], [], marker="o", color=c, ms=8, mec="black", mew=0.5,
                              label=f"{label}: {p['share']:.0%} unit share (last quarter)"))
    vectors: dict = {}  # segments whose preference vectors point the same way share one
    for k, s in enumerate(lay.segments):
        c = seg_colors[k % len(seg_colors)]
        if "trail" in s:
            tr = s["trail"]
            area = 120 + 500 * s["size"] / max(sizes.max(), 1.0)
            ax.plot(tr[:, 0], tr[:, 1], color=c, lw=1.2, ls="--", alpha=0.8)
            ax.scatter(*tr[0], s=area * 0.5, marker="*", facecolors="none", edgecolors=c,
                       zorder=3)
            ax.scatter(*tr[-1], s=area, marker="*", color=c, edgecolors="black", lw=0.5,
                       zorder=5)
            ax.annotate(f"{s['segment']} ideal", tr[-1], xytext=(8, -14),
                        textcoords="offset points", color=c, fontsize=9, style="italic")
            moved = " (dashed: drift from day 0)" if np.any(tr[-1] != tr[0]) else ""
            handles.append(Line2D([], [], marker="*", color=c, ms=12, ls="--" if moved else "",
                                  label=f"ideal point of {s['segment']} "
                                        f"({s['size']:,} customers){moved}"))
        elif "line" in s:
            axis, value = s["line"]
            (ax.axvline if axis == 0 else ax.axhline)(value, color=c, ls=":", lw=1.5)
            name = lay.xlabel if axis == 0 else lay.ylabel
            handles.append(Line2D([], [], color=c, ls=":", label=f"ideal {name} of {s['segment']}"))
        else:
            v = np.asarray(s["vector"], dtype=float)
            norm = float(np.hypot(*(v / np.maximum(half, 1e-12))))
            if norm <= 0:
                continue
            angle = float(np.degrees(np.arctan2(*(v / np.maximum(half, 1e-12))[::-1])))
            near = [a for a in vectors if abs((a - angle + 180.0) % 360.0 - 180.0) < 8.0]
            vectors.setdefault(near[0] if near else angle, (v, norm, c, []))[3].append(
                s["segment"])
    for v, norm, c, names in vectors.values():
        tip = centre + v / norm * 0.75  # 3/4 of the way to the frame, in its proportions
        ax.annotate("", tip, xytext=centre,
                    arrowprops=dict(arrowstyle="-|>", color=c, lw=1.5, alpha=0.75))
        verb = " prefer" if len(names) > 1 else " prefers"
        ax.annotate(" & ".join(names) + verb, tip, xytext=(5, 5), textcoords="offset points",
                    color=c, fontsize=9, style="italic")
        handles.append(Line2D([], [], color=c, marker=">", ms=6,
                              label=f"preference direction of {', '.join(names)} (no ideal point)"))
    for name, vec in lay.attribute_arrows:
        vec = np.asarray(vec, dtype=float)
        norm = float(np.hypot(*(vec / np.maximum(half, 1e-12))))
        if norm > 0:
            tip = centre + vec / norm * 0.5
            ax.annotate("", tip, xytext=centre, arrowprops=dict(arrowstyle="->", color="grey"))
            ax.annotate(f"+{name}", tip, color="grey", fontsize=9)
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
    ax.set(xlabel=lay.xlabel, ylabel=lay.ylabel,
           title="Perceptual map: products (small dot at launch, trail to the end of the run)\n"
                 "and what the segments want")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    return ax


SWEEP_KPIS = [("npv", "NPV"), ("final_market_share", "final unit share"),
              ("launch_day", "launch day"), ("cumulative_profit", "cumulative profit")]


def _value_order(values: pd.Series) -> list:
    """Distinct swept values, in numeric order when they are all numbers (199 < 1000)."""
    distinct = list(pd.unique(values.astype(str)))
    numbers = pd.to_numeric(pd.Series(distinct), errors="coerce")
    if numbers.notna().all():
        return [v for _, v in sorted(zip(numbers, distinct, strict=True))]
    return sorted(distinct)


def plot_sweep(table: pd.DataFrame, out_dir) -> list:
    """Comparison plots of a multirun: each KPI against the swept keys (seeds pooled)."""
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
        sns.stripplot(data=data, x=x, y=k, hue=hue, order=order, hue_order=hue_order,
                      dodge=hue is not None, alpha=0.45, legend=False, ax=ax)
        sns.pointplot(data=data, x=x, y=k, hue=hue, order=order, hue_order=hue_order,
                      dodge=0.4 if hue else False, errorbar=("pi", 90), linestyle="none",
                      marker="D", ax=ax, legend=ax is axes[0][-1] and hue is not None)
        ax.set(title=label, xlabel=x.removeprefix("override."), ylabel=label)
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle("Sweep: mean (diamond) and 90% interval over jobs; dots are jobs")
    path = Path(out_dir) / "sweep_kpis.png"
    save(fig, path)
    return [path]
