"""Team size: engineering headcount against time to market and NPV, and where extra
engineers stop paying off.

    python -m experiments.team_size [headcounts=[4,8,12,16,24,32]] [seeds=20] [quick=true]
        [<overrides>]

Each option sets ``firm.teams.engineering.headcount``; salaries follow the headcount
(``cost_per_head_per_year``), and a task never uses more than its ``max_heads``, so the
critical path stops shortening once the big tasks are fully staffed.

Full mode (6 headcounts x 20 seeds, 5 years) took 14.5 minutes on the shared 2-core
machine (under load; about half that idle); quick mode (8, 12 and 32 engineers x 3 seeds,
700 days) 23 s.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from experiments.common import (
    ExperimentError,
    answer_text,
    base_config,
    currency,
    figure_path,
    fmt,
    kpi_distributions,
    load_kpis,
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
from experiments.figures import seed_band
from experiments.options import quick_horizon
from sim.results.decision import edge_note, recommend

NAME = "team_size"
QUESTION = ("How many engineers should build the product: what does each extra engineer buy "
            "in time to market and NPV, and where do the returns diminish?")
HEADCOUNTS = [4, 8, 12, 16, 24, 32]
QUICK_HEADCOUNTS = [8, 12, 32]
KPIS = ["time_to_market_days", "npv", "launch_day", "final_market_share", "cumulative_profit"]


def run(argv):
    opts = parse_args(NAME, argv, {"headcounts": []}, quick_seeds=3, seeds=20)
    started = time.perf_counter()
    heads = opts["headcounts"] or (QUICK_HEADCOUNTS if opts.quick else HEADCOUNTS)
    if any(not isinstance(h, int) or isinstance(h, bool) or h < 1 for h in heads):
        raise ExperimentError(f"headcounts must be whole numbers >= 1, got {opts['headcounts']}")
    heads = sorted(set(heads))
    opts.keys["headcounts"] = heads
    # launch as soon as the product is ready: holding it for the planned day would hide
    # what the extra engineers buy
    extra = ["firm.development.launch_not_before_plan=false"]
    extra += quick_horizon(opts, 700)
    base = base_config(opts, extra)
    cost = base.firm.teams["engineering"].cost_per_head_per_year
    options = {f"eng_{h:02d}": [f"firm.teams.engineering.headcount={h}"] for h in heads}
    plan = pd.DataFrame({"option": list(options), "headcount": heads})
    sweep = run_sweep(opts, options, extra)
    kpis = load_kpis(sweep).merge(plan, on="option")
    out = opts.out.resolve()
    summary = summarise(kpis, KPIS).merge(plan, on="option")
    summary["launched_share"] = (kpis.groupby("option")["launch_day"]
                                 .apply(lambda v: pd.to_numeric(v, errors="coerce").notna().mean())
                                 .reindex(summary["option"]).to_numpy())
    ttm = summary["time_to_market_days_mean"].to_numpy()
    h = summary["headcount"].to_numpy()
    saved = np.r_[np.nan, -np.diff(ttm) / np.diff(h)] + 0.0  # days saved per extra engineer (no -0.0)
    saved[np.abs(saved) < 1e-9] = 0.0  # no "-0.0" where the task caps make steps equal
    summary["days_saved_per_extra_engineer"] = saved
    summary["npv_per_extra_engineer"] = np.r_[np.nan, np.diff(summary["npv_mean"]) / np.diff(h)]
    write_summary(out, summary)

    band, words = seed_band(opts.seeds)
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.6))
    for ax, (col, label, scale) in zip(axes, [("time_to_market_days", "time to market (days)", 1),
                                               ("npv", money_axis("NPV", base), 1e-6)], strict=True):
        d = kpis.assign(**{col: pd.to_numeric(kpis[col], errors="coerce") * scale})
        sns.lineplot(data=d, x="headcount", y=col, marker="o", errorbar=band, ax=ax,
                     label=f"mean, {words} over {opts.seeds} seeds")
        sns.scatterplot(data=d, x="headcount", y=col, color="0.3", s=12, alpha=0.4, ax=ax,
                        label="one seed")
        ax.set(title=f"{label.split(' (')[0]} against engineering headcount",
               xlabel="engineers (headcount)", ylabel=label)
        ax.set_xticks(heads)
        ax.legend(fontsize="small")
    fig.suptitle(f"Engineering headcount: {opts.seeds} seeds per headcount "
                 f"(salary {cost / 1000:g}k {currency(base)} per engineer-year)")
    curve_png = figure_path(out, "ttm_npv_vs_headcount")
    save_figure(fig, curve_png, opts)

    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    steps = [f"{a}->{b}" for a, b in zip(h[:-1], h[1:], strict=True)]
    sns.barplot(x=steps, y=saved[1:], color=sns.color_palette()[0], ax=ax)
    ax.axhline(0, color="black", lw=0.8)
    for k, v in enumerate(saved[1:]):
        if np.isfinite(v):
            ax.text(k, v, f"{v:.1f}", ha="center", va="bottom" if v >= 0 else "top",
                    fontsize="small")
        else:
            ax.text(k, 0, "n/a: no launch\nwithin the horizon", ha="center", va="bottom",
                    fontsize="small")
    ax.margins(y=0.12)
    ax.set(title="Marginal time saved per extra engineer (mean time to market)",
           xlabel="headcount step", ylabel="days saved per extra engineer")
    marginal_png = figure_path(out, "marginal_days_saved")
    save_figure(fig, marginal_png, opts)

    fig = kpi_distributions(kpis, [("time_to_market_days", "time to market (days)", 1),
                                   ("npv", money_axis("NPV", base), 1e-6),
                                   ("final_market_share", "final unit share (last quarter)", 1)],
                            list(options), f"KPIs per engineering headcount over {opts.seeds} seeds")
    dist_png = figure_path(out, "kpi_distributions")
    save_figure(fig, dist_png, opts)

    ttm_text = winner_sentence(winner(kpis, "time_to_market_days", higher_is_better=False),
                               "time to market", " days")
    if (summary["launched_share"] < 1).any():  # a time to market exists only where it launched
        ttm_text += (" (Time to market is a mean over the seeds in which the product launched "
                     "within the horizon; "
                     + ", ".join(f"{r.headcount} engineers: {100 * r.launched_share:.0f}%"
                                 for r in summary.itertuples())
                     + " of seeds.)")
    answer = [winner_sentence(winner(kpis, "npv"), "NPV"), ttm_text]
    marg = [f"From {a} to {b} engineers: "
            + (f"{s:.1f} days saved per extra engineer " if np.isfinite(s) else
               "no days saved to measure, the product launching in no seed at one of them ")
            + f"(time to market {fmt(t0)} -> {fmt(t1)} days), NPV {fmt(n)} per extra engineer."
            for a, b, s, t0, t1, n in zip(h[:-1], h[1:], saved[1:], ttm[:-1], ttm[1:],
                                          summary["npv_per_extra_engineer"].to_numpy()[1:],
                                          strict=True)]
    late = summary[summary["launched_share"] < 1]
    for r in late.itertuples():
        marg.append(f"With {r.headcount} engineers the product launched within the horizon in "
                    f"only {100 * r.launched_share:.0f}% of seeds; its time to market is the mean "
                    f"over those seeds (n/a if none).")
    valid = np.isfinite(saved[1:])
    if valid.sum() > 1:
        first, last = saved[1:][valid][0], saved[1:][valid][-1]
        marg.append(f"Diminishing returns: the first step saves {first:.1f} days per engineer, "
                    f"the last {last:.1f}" + (" (less)." if last < first else " (not less)."))
    table = summary_table(summary, [("time_to_market_days", "time to market (days)"),
                                    ("npv", "NPV"), ("final_market_share", "final share")])
    sections = [("Findings", answer, [curve_png, marginal_png]),
                ("Marginal returns", marg, [dist_png]), ("Options", [table], [])]
    write_report(out, "Engineering team size", QUESTION, sections, opts,
                 time.perf_counter() - started,
                 answer=" ".join(t for t in (answer_text(kpis, base), headcount_edge_note(
                     kpis, plan)) if t), config=base,
                 varied=["the engineering headcount"])
    return out


def headcount_edge_note(kpis, plan) -> str:
    """The edge-of-grid warning (``sim.results.decision.edge_note``) where the recommended
    headcount is the lowest or highest tried, or only two were (the quick grid's answer,
    8 engineers, was its lowest, without the note the sweep and marketing_mix print)."""
    best = recommend(kpis, "npv").get("recommendation")
    settings = {r.option: f"engineering headcount={r.headcount}" for r in plan.itertuples()}
    if best not in settings:
        return ""
    return edge_note(list(settings.values()), settings[best])


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
