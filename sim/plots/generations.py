"""Figure of a run with successive generations: installed base per generation, stacked,
and the units upgraded from older generations to newer ones per market step (the label
names its length: per week by default)."""

import matplotlib.pyplot as plt
import seaborn as sns

from sim.plots.style import per_full_step, per_step, save


def generation_names(config) -> list[str]:
    """Product names of the run's generation chains (oldest first), or [] when none."""
    from sim.config.commercial import generation_chains

    products = [p for f in config.firms
                for p in [f.product, *(e.product for e in getattr(f, "line", []))]]
    return [products[i].name for chain in generation_chains(products) for i in chain]


def plot_generations(results, path) -> bool:
    """Write the figure to ``path``; False (nothing written) when the run has no
    generations."""
    names = generation_names(results.config)
    ts = results.timeseries
    if not names or ts.empty:
        return False
    mine = ts[ts["product"].isin(names)]
    wide = mine.pivot_table(index="t", columns="product", values="installed_base",
                            aggfunc="sum").reindex(columns=names).fillna(0.0)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    colors = sns.color_palette(n_colors=len(names))
    axes[0].stackplot(wide.index.to_numpy(), *(wide[n].to_numpy() for n in names),
                      labels=names, colors=colors, alpha=0.85)
    axes[0].set(title="Installed base by generation (stacked)", xlabel="day", ylabel="units")
    axes[0].legend(loc="upper left", fontsize="small")
    later = per_full_step(mine[mine["product"].isin(names[1:])], "upgraders", results.config)
    sns.lineplot(data=later, x="t", y="upgraders", hue="product", hue_order=names[1:],
                 palette=colors[1:], ax=axes[1], estimator=None, errorbar=None)
    per = per_step(results.config.dt_days)
    axes[1].set(title="Cannibalisation: upgraders from older generations",
                xlabel="day", ylabel=f"upgraders {per}")
    save(fig, path)
    return True
