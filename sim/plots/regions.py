"""A run's regions (``regions.parquet``): small multiples, one panel per region, of each
firm's units per market step (entry days dashed for the focal firm; the labels name the
step's length, per week by default) and of the category's penetration."""

import matplotlib.pyplot as plt
import seaborn as sns

from sim.plots.style import per_full_step, per_step, save


def plot_regions(results, path) -> bool:
    """Units per market step by firm, one panel per region, and the focal firm's entry days;
    drawn only for a market with regions. Returns whether it was drawn."""
    reg = getattr(results, "regions", None)
    if reg is None or reg.empty:
        return False
    names = list(dict.fromkeys(reg["region"]))
    units = per_full_step(reg.groupby(["region", "firm", "t"], sort=False)["units"].sum()
                          .reset_index(), "units", results.config)
    fig, axes = plt.subplots(2, len(names), figsize=(4.2 * len(names), 6.4), sharex=True,
                             squeeze=False)
    firm = results.config.firm.name
    per = per_step(results.config.dt_days)
    for k, name in enumerate(names):
        ax = axes[0][k]
        sns.lineplot(data=units[units["region"] == name], x="t", y="units", hue="firm",
                     estimator=None, errorbar=None, ax=ax, legend=k == len(names) - 1)
        entry = results.kpis.get(f"region_{name}_entry_day")
        if entry is not None and entry == entry:  # not NaN: the focal firm entered
            ax.axvline(entry, color="black", ls="--", lw=1)
        ax.set(title=name, xlabel="", ylabel=f"units {per}" if k == 0 else "")
        rows = reg[reg["region"] == name]
        pen = rows.groupby("t")["installed_base"].sum() / rows["population"].iloc[0]
        axes[1][k].plot(pen.index, pen.to_numpy(), color="0.3")
        axes[1][k].set(xlabel="day", ylabel="category penetration" if k == 0 else "")
        axes[1][k].yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    fig.suptitle(f"Regions: units {per} by firm (firm {firm}: entry dashed) and penetration")
    fig.tight_layout()
    save(fig, path)
    return True
