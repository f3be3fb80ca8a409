"""Pricing against each competitor strategy: a payoff matrix of mean NPV (with 90%
intervals) for skimming, penetration and match-competitor against one rival at a time,
and the best response to each rival.

    python -m experiments.pricing [seeds=12] [quick=true] [<overrides>]

Every job removes the scenario's own competitors and adds one rival from the competitor
library (``+competitor@competitors.rival=<name>``): incumbent, fast_follower,
price_warrior, premium_niche or disruptor; our firm uses ``firm.pricing.strategy`` =
skimming, penetration or match_competitor with the firm's other pricing settings.

Full mode (3 strategies x 5 rivals x 10 seeds, 5 years) took 11 minutes on the shared
2-core machine (under load; about half that idle); quick mode (2 x 2 cells x 3 seeds, 700
days) 22 s.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Rectangle

from experiments.common import (
    ExperimentError,
    answer_text,
    base_config,
    currency,
    figure_path,
    fmt,
    load_kpis,
    load_timeseries,
    main_wrapper,
    money_axis,
    parse_args,
    run_sweep,
    save_figure,
    summarise,
    summary_table,
    winner,
    winner_sentence,
    write_report,
    write_summary,
)
from experiments.figures import mark_missing, seed_band
from experiments.options import quick_horizon

NAME = "pricing"
QUESTION = ("Which pricing strategy (skimming, penetration, match-competitor) should we use "
            "against each kind of competitor, and which is the best response to each?")
STRATEGIES = ("skimming", "penetration", "match_competitor")
RIVALS = ("incumbent", "fast_follower", "price_warrior", "premium_niche", "disruptor")
QUICK_STRATEGIES = ("skimming", "penetration")
QUICK_RIVALS = ("incumbent", "price_warrior")
KPIS = ["npv", "final_market_share", "cumulative_revenue", "cumulative_profit",
        "marketing_roi", "mean_price"]


def run(argv):
    opts = parse_args(NAME, argv, {"strategies": [], "rivals": []}, quick_seeds=3, seeds=10)
    started = time.perf_counter()
    strategies = opts["strategies"] or list(QUICK_STRATEGIES if opts.quick else STRATEGIES)
    rivals = opts["rivals"] or list(QUICK_RIVALS if opts.quick else RIVALS)
    for s in strategies:
        if s not in STRATEGIES:
            raise ExperimentError(f"strategies must be among {', '.join(STRATEGIES)}; got {s!r}")
    for r in rivals:
        if r not in RIVALS:
            raise ExperimentError(f"rivals must be among {', '.join(RIVALS)}; got {r!r}")
    opts.keys.update(strategies=strategies, rivals=rivals)
    scenario = base_config(opts)
    # one rival at a time: drop the scenario's competitors from every job
    extra = [f"~competitor@competitors.{key}" for key in scenario.competitors]
    extra += quick_horizon(opts, 700)
    base = base_config(opts, extra)
    firm = base.firm.name
    options, rows = {}, []
    for rival in rivals:
        for strategy in strategies:
            name = f"{strategy}_vs_{rival}"
            options[name] = [f"+competitor@competitors.rival={rival}",
                             f"firm.pricing.strategy={strategy}"]
            rows.append({"option": name, "pricing": strategy, "rival": rival})
    plan = pd.DataFrame(rows)
    sweep = run_sweep(opts, options, extra)
    ts = load_timeseries(sweep)
    ours = ts[ts["firm"] == firm]
    launched = ours[ours["launched"].astype(bool)]
    mean_price = launched.groupby(["option", "seed"])["price"].mean().rename("mean_price")
    kpis = load_kpis(sweep).merge(plan, on="option").merge(
        mean_price.reset_index(), on=["option", "seed"], how="left")
    out = opts.out.resolve()
    summary = summarise(kpis, KPIS).merge(plan, on="option")
    write_summary(out, summary)

    # payoff matrix: rivals x strategies, mean NPV with its seeds' 5th-95th percentiles
    mean = summary.pivot(index="rival", columns="pricing", values="npv_mean").loc[rivals, strategies]
    lo = summary.pivot(index="rival", columns="pricing", values="npv_p5").loc[rivals, strategies]
    hi = summary.pivot(index="rival", columns="pricing", values="npv_p95").loc[rivals, strategies]
    labels = np.array([[f"{mean.iloc[i, j] / 1e6:.2f}\n[{lo.iloc[i, j] / 1e6:.2f}, "
                        f"{hi.iloc[i, j] / 1e6:.2f}]" for j in range(len(strategies))]
                       for i in range(len(rivals))])
    fig, ax = plt.subplots(figsize=(2.6 * len(strategies) + 3.2, 1.1 * len(rivals) + 2.2))
    sns.heatmap(mean / 1e6, annot=labels, fmt="", cmap="viridis", ax=ax,
                annot_kws={"fontsize": "small"}, linewidths=0.5,
                cbar_kws={"label": money_axis("mean NPV", base)})
    mark_missing(ax, mean)  # every pair ran: a cell without a number had only failed jobs
    best_by_rival = {}
    for i, rival in enumerate(rivals):
        w = winner(kpis[kpis["rival"] == rival], "npv", by="pricing")
        best_by_rival[rival] = w
        for best in w.get("tied") or [w["winner"]]:  # every strategy tied at the best mean
            ax.add_patch(Rectangle((strategies.index(best), i), 1, 1, fill=False,
                                   edgecolor="red", lw=2.5))
    ax.set(title=f"Payoff matrix: our mean NPV in millions of {currency(base)} [5th-95th percentile "
                 "over seeds]\n"
                 "red box: best response to each rival",
           xlabel="our pricing strategy", ylabel="rival's strategy")
    ax.tick_params(axis="y", rotation=0)
    ax.grid(False)
    heat_png = figure_path(out, "payoff_matrix")
    save_figure(fig, heat_png, opts)

    fig, axes = plt.subplots(1, 2, figsize=(max(11, 2.4 * len(rivals) + 5), 4.8))
    for ax, (col, label, scale) in zip(axes, [("npv", money_axis("NPV", base), 1e-6),
                                               ("final_market_share", "final unit share (%)", 100)],
                                       strict=True):
        d = kpis.assign(**{col: pd.to_numeric(kpis[col], errors="coerce") * scale})
        sns.boxplot(data=d, x="rival", y=col, hue="pricing", order=rivals, hue_order=strategies,
                    whis=(5, 95), showfliers=False, ax=ax, legend=ax is axes[-1])
        ax.set(title=f"{label.split(' (')[0]} by rival and pricing (5-95% whiskers)",
               xlabel="rival's strategy", ylabel=label)
        ax.tick_params(axis="x", rotation=20)
    sns.move_legend(axes[-1], "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                    title="our pricing")
    dist_png = figure_path(out, "kpi_distributions")
    save_figure(fig, dist_png, opts)

    data = ours.merge(plan, on="option")
    data = data[data["launched"].astype(bool)].copy()
    data["since_launch"] = data["t"] - data.groupby(["option", "seed"])["t"].transform("min")
    cols = min(3, len(rivals))
    nrows = int(np.ceil(len(rivals) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(4.6 * cols + (1.8 if nrows == 1 else 0),
                                                   3.9 * nrows), sharey=True, squeeze=False)
    band, band_words = seed_band(opts.seeds)
    for ax, rival in zip(axes.flat, rivals, strict=False):
        sns.lineplot(data=data[data["rival"] == rival], x="since_launch", y="price",
                     hue="pricing", hue_order=strategies, estimator="median",
                     errorbar=band, ax=ax, legend=ax is axes.flat[0])
        ax.set(title=f"against {rival}", xlabel="days since our launch",
               ylabel=money_axis("our price", base, "per unit"))
    handles, names = axes.flat[0].get_legend_handles_labels()
    axes.flat[0].get_legend().remove()
    spare = list(axes.flat)[len(rivals):]
    for ax in spare:
        ax.set_axis_off()
    if spare:
        spare[0].legend(handles, names, title="our pricing", loc="center", frameon=False)
    else:
        axes.flat[len(rivals) - 1].legend(handles, names, title="our pricing",
                                          loc="upper left", bbox_to_anchor=(1.01, 1.0),
                                          frameon=False)
    fig.suptitle(f"Price of firm {firm} after launch: median and {band_words} over "
                 f"{opts.seeds} seeds")
    price_png = figure_path(out, "price_over_time")
    save_figure(fig, price_png, opts)

    # our strategy over the rivals (a seed's mean over them): the rival is not ours to
    # choose, so the best cell against its runner-up cell compared one strategy against two
    # rivals ("skimming_vs_incumbent ... more than skimming_vs_price_warrior")
    answer = ["Averaged over the rivals (each weighted equally), "
              + winner_sentence(winner(kpis, "npv", by="pricing"), "NPV")]
    for rival in rivals:
        w = best_by_rival[rival]
        if len(w.get("tied", ())) > 1:
            answer.append(f"Against **{rival}**, " + winner_sentence(w, "NPV"))
            continue
        text = f"Against **{rival}**, the best response is **{w['winner']}** (mean NPV {fmt(w['mean'])}"
        if "runner_up" in w:
            text += (f", {fmt(w['margin'])} more than **{w['runner_up']}**; better in "
                     f"{100 * w['p_beats_runner_up']:.0f}% of {w['paired_seeds']} paired seeds")
        answer.append(text + ").")
    worst = mean.min(axis=0)
    robust = worst.idxmax()
    answer.append(f"The most robust strategy (best worst case over the rivals) is **{robust}**: "
                  f"its lowest mean NPV, against {mean[robust].idxmin()}, is {fmt(worst[robust])}.")
    share_text = []
    for rival in rivals:
        w = winner(kpis[kpis["rival"] == rival], "final_market_share", by="pricing")
        share_text.append(f"Against {rival}, " + winner_sentence(w, "final unit share")
                          if len(w.get("tied", ())) > 1 else
                          f"Against {rival}, **{w['winner']}** has the highest final unit share "
                          f"({fmt(w['mean'], 'share')}).")
    table = summary_table(summary, [("npv", "NPV"), ("final_market_share", "final share"),
                                    ("mean_price", "mean price after launch")])
    sections = [("Findings", answer, [heat_png, dist_png]),
                ("Market share and prices", share_text, [price_png]),
                ("Cells", [f"Each job removes the scenario's competitors "
                           f"({', '.join(scenario.competitors) or 'none'}) and adds one rival.",
                           table], [])]
    write_report(out, "Pricing strategy against each competitor", QUESTION, sections, opts,
                 time.perf_counter() - started,
                 answer=answer_text(kpis, base, by="pricing") + " (Means and pairs over the "
                        "rivals' strategies, each rival weighted equally, as if each were "
                        "as likely to be the one you meet; where you expect one rival, take "
                        "its best response, which follows.)",
                 config=base, varied=["our pricing strategy and the rival's strategy"],
                 competitors=f"one rival a job from the competitor library "
                             f"({', '.join(rivals)}), in place of the scenario's own; each "
                             "reacts to what it observes, late and noisily (docs/model.md, "
                             "competitors).")
    return out


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
