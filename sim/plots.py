"""Seaborn figures of a run (and helpers shared by sweep and experiment plots).

One style for every figure: seaborn ``whitegrid``, the colour-blind-safe palette, titles,
units on the axes, days on the x axis.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
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
        launch = results.kpis.get("launch_day")
        if launch is not None:
            ax.axvline(launch, color="black", ls="--", lw=1)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=colors[3], label="critical path"),
                           Patch(color=colors[0], label="other tasks")],
                  loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / len(mine)), ncol=2)
        ax.set(title=f"Development of {firm}'s product (launch dashed)", xlabel="day")
        paths.append(out / "gantt.png")
        save(fig, paths[-1])
    return paths


SWEEP_KPIS = [("npv", "NPV"), ("final_market_share", "final unit share"),
              ("launch_day", "launch day"), ("cumulative_profit", "cumulative profit")]


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
    fig, axes = plt.subplots(1, len(kpis), figsize=(4.2 * len(kpis), 4.2), squeeze=False)
    for ax, (k, label) in zip(axes[0], kpis, strict=True):
        data[k] = pd.to_numeric(data[k], errors="coerce")
        sns.stripplot(data=data, x=x, y=k, hue=hue, dodge=hue is not None, alpha=0.45,
                      legend=False, ax=ax)
        sns.pointplot(data=data, x=x, y=k, hue=hue, dodge=0.4 if hue else False,
                      errorbar=("pi", 90), linestyle="none", marker="D", ax=ax,
                      legend=ax is axes[0][-1] and hue is not None)
        ax.set(title=label, xlabel=x.removeprefix("override."), ylabel=label)
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle("Sweep: mean (diamond) and 90% interval over jobs; dots are jobs")
    path = Path(out_dir) / "sweep_kpis.png"
    save(fig, path)
    return [path]
