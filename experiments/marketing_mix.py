"""Marketing mix: channel splits and the total budget against NPV, share and marketing
ROI; a fixed split against test-and-shift (budget moves to the best-measured channel).

    python -m experiments.marketing_mix [budgets=[20000,40000,...]] [seeds=12] [quick=true]
        [<overrides>]

Options are (allocation, weekly budget) pairs: three fixed splits (the scenario's own,
TV-heavy, digital) and test-and-shift starting from the scenario's split, each at five
budgets (a quarter to four times the scenario's). The KPI-against-budget plot shows the
channels' saturation as diminishing returns. Every split names all four channels (tv,
online, social, search): a split given on the command line merges with the defaults.

Full mode (4 allocations x 5 budgets x 10 seeds, 5 years) took 14.5 minutes on the shared
2-core machine (under load; about half that idle); quick mode (3 options x 3 seeds, 700
days) 22 s.
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
    figure_path,
    fmt,
    load_kpis,
    load_timeseries,
    main_wrapper,
    money_axis,
    over_time,
    paired_difference,
    parse_args,
    run_sweep,
    save_figure,
    signed_points,
    summarise,
    summary_table,
    winner,
    winner_sentence,
    write_report,
    write_summary,
)
from experiments.figures import mark_missing, seed_band
from experiments.options import quick_horizon
from sim.plots import per_step
from sim.results.decision import LEVEL, edge_note, paired_interval, recommend

NAME = "marketing_mix"
QUESTION = ("How should we split the marketing budget across channels, how large should it "
            "be, and does test-and-shift beat a fixed split?")
CHANNELS = ("tv", "online", "social", "search")
SPLITS = {"tv_heavy": {"tv": 0.7, "online": 0.1, "social": 0.1, "search": 0.1},
          "digital": {"tv": 0.0, "online": 0.4, "social": 0.3, "search": 0.3}}
BUDGET_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
QUICK_FACTORS = (0.5, 2.0)
KPIS = ["npv", "final_market_share", "marketing_roi", "marketing_spend", "cac",
        "cumulative_profit", "new_customers", "contribution"]


def marginal_roi(kpis: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Marginal ROI of each budget step of each allocation, on common seeds (Farris et al.,
    Marketing Metrics 10.1): per seed ``(d contribution - d spend) / d spend`` between
    the step's two options run on the same seed; its mean and a normal 95% interval."""
    rows = []
    for alloc, sub in plan.sort_values("budget_per_week").groupby("allocation", sort=False):
        names, budgets = sub["option"].tolist(), sub["budget_per_week"].tolist()
        for lo, hi, b0, b1 in zip(names, names[1:], budgets, budgets[1:], strict=False):
            wide = {k: kpis.assign(**{k: pd.to_numeric(kpis[k], errors="coerce")}).pivot_table(
                index="seed", columns="option", values=k) for k in ("contribution",
                                                                     "marketing_spend")}
            if any(lo not in w or hi not in w for w in wide.values()):
                continue
            d_c = (wide["contribution"][hi] - wide["contribution"][lo]).dropna()
            d_m = (wide["marketing_spend"][hi] - wide["marketing_spend"][lo]).reindex(d_c.index)
            r = ((d_c - d_m) / d_m.where(d_m > 0)).dropna()
            # Student t over the paired seeds (a normal 1.96 made 2 seeds' interval
            # [-2.68, -0.96] where t gives [-7.4, +3.8]); NaN with fewer than two
            low, high = paired_interval(r, LEVEL)  # the answer's 90% (it had said 95%)
            rows.append({"allocation": alloc, "from_budget": b0, "to_budget": b1,
                         "marginal_roi": float(r.mean()) if len(r) else float("nan"),
                         "low": low, "high": high, "n": int(len(r))})
    return pd.DataFrame(rows, columns=["allocation", "from_budget", "to_budget", "marginal_roi",
                                       "low", "high", "n"])


def _signed(v) -> str:
    """A ratio to two places with its sign ("+0.25", "-1.82"); under 0.005 to one
    significant figure ("-0.002": "0.00" had read as an ROI of zero); "0.00" for zero
    (never a signed zero); "n/a" where it is not a number."""
    if v is None or not np.isfinite(v):
        return "n/a"
    text = f"{v:+.2f}"
    if text in ("+0.00", "-0.00"):  # under 0.005: its size, not a bare zero
        return "0.00" if v == 0 else f"{v:+.1g}"
    return text


def split_override(split: dict) -> str:
    return "firm.marketing.split={" + ", ".join(f"{c}: {float(split.get(c, 0.0))}"
                                                 for c in CHANNELS) + "}"


def mix_options(base, budgets, quick: bool) -> tuple[dict, pd.DataFrame]:
    own = {c: float(base.firm.marketing.split.get(c, 0.0)) for c in CHANNELS}
    allocations = {"own_split": ("fixed", own), **{k: ("fixed", v) for k, v in SPLITS.items()},
                   "test_and_shift": ("test_and_shift", own)}
    options, rows = {}, []
    for alloc, (policy, split) in allocations.items():
        for budget in budgets:
            if quick and alloc not in ("own_split", "test_and_shift"):
                continue
            if quick and alloc == "test_and_shift" and budget != max(budgets):
                continue
            name = f"{alloc}_{budget / 1000:g}k"
            options[name] = [f"firm.marketing.policy={policy}", split_override(split),
                             f"firm.marketing.budget_per_week={float(budget)}"]
            total = sum(split.values()) or 1.0
            rows.append({"option": name, "allocation": alloc, "policy": policy,
                         "budget_per_week": float(budget),
                         **{f"split_{c}": round(split[c] / total, 4) for c in CHANNELS}})
    return options, pd.DataFrame(rows)


def npv_heatmap(summary: pd.DataFrame, plan: pd.DataFrame, allocs, budgets, base):
    """Mean NPV by allocation and weekly budget; a pair that was not among the options
    (quick mode tries test-and-shift at the top budget only) is a grey "not run" cell,
    not a blank one."""
    grid = (summary.pivot_table(index="allocation", columns="budget_per_week",
                                values="npv_mean", dropna=False)
            .reindex(index=allocs, columns=budgets))
    planned = (plan.assign(planned=True)
               .pivot_table(index="allocation", columns="budget_per_week", values="planned",
                            aggfunc="any")
               .reindex(index=allocs, columns=budgets).fillna(False).astype(bool))
    fig, ax = plt.subplots(figsize=(1.5 * len(budgets) + 3.5, 0.7 * len(allocs) + 2.6))
    sns.heatmap(grid / 1e6, annot=True, fmt=".2f", cmap="viridis", ax=ax,
                cbar_kws={"label": money_axis("mean NPV", base)},
                xticklabels=[f"{b / 1000:g}k" for b in grid.columns])
    kinds = mark_missing(ax, grid, planned)
    title = money_axis("Mean NPV by allocation and weekly budget", base)
    if kinds:
        title += "\n(grey: " + " or ".join(kinds) + ")"
    ax.set(title=title, xlabel=money_axis("marketing budget", base, "per week"),
           ylabel="allocation")
    ax.tick_params(axis="y", rotation=0)
    ax.grid(False)
    return fig


def response_figure(kpis, budgets, allocs, base, seeds: int):
    """Each KPI against the weekly budget, one line per allocation (the saturation
    curve); two budgets are drawn as two points with their bars, no line between them."""
    panels = [("npv", money_axis("NPV", base), 1e-6), ("final_market_share", "final unit share (%)", 100),
              ("marketing_roi", "marketing ROI\n(paid customers' margin - spend) / spend", 1)]
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    data = kpis.assign(budget_k=kpis["budget_per_week"] / 1000)
    # two budgets are two points, not a response curve: no line drawn between them
    curve = len(budgets) > 2
    # a few seeds have no 5th and 95th percentiles to speak of: their range instead
    spread, spread_text = seed_band(seeds)
    for ax, (col, label, scale) in zip(axes, panels, strict=True):
        d = data.assign(**{col: pd.to_numeric(data[col], errors="coerce") * scale})
        sns.lineplot(data=d, x="budget_k", y=col, hue="allocation", hue_order=allocs,
                     style="allocation", markers=True, dashes=False, errorbar=spread,
                     err_style="band" if curve else "bars",
                     linestyle="-" if curve else "none", ax=ax, legend=ax is axes[-1])
        if not curve:
            ax.set_xticks([b / 1000 for b in budgets], [f"{b / 1000:g}" for b in budgets])
            ax.margins(x=0.15)
        ax.set(title=label.split(" (")[0], xlabel=money_axis("marketing budget per week", base, "thousands"),
               ylabel=label)
        if len(budgets) > 2 and min(budgets) > 0 and max(budgets) / min(budgets) >= 8:
            ax.set_xscale("log", base=2)
            ax.set_xticks([b / 1000 for b in budgets], [f"{b / 1000:g}" for b in budgets])
    sns.move_legend(axes[-1], "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    if not curve:  # the spread at each of the two budgets as a bar
        spread_text = spread_text.removesuffix(" band") + " as bars"
    fig.suptitle(f"Response to the marketing budget: mean and {spread_text} over {seeds} "
                 "seeds")
    return fig


def run(argv):
    opts = parse_args(NAME, argv, {"budgets": []}, quick_seeds=3, seeds=10)
    started = time.perf_counter()
    extra = quick_horizon(opts, 700)
    base = base_config(opts, extra)
    base_budget = base.firm.marketing.budget_per_week
    budgets = opts["budgets"] or [round(f * base_budget) for f in
                                  (QUICK_FACTORS if opts.quick else BUDGET_FACTORS)]
    if any(not isinstance(b, (int, float)) or b < 0 for b in budgets):
        raise ExperimentError(f"budgets must be numbers >= 0, got {opts['budgets']}")
    budgets = sorted(set(float(b) for b in budgets))
    opts.keys["budgets"] = [round(b) for b in budgets]
    options, plan = mix_options(base, budgets, opts.quick)
    sweep = run_sweep(opts, options, extra)
    kpis = load_kpis(sweep).merge(plan, on="option")
    out = opts.out.resolve()
    summary = summarise(kpis, KPIS).merge(plan, on="option")
    write_summary(out, summary)
    allocs = list(dict.fromkeys(plan["allocation"]))

    fig = response_figure(kpis, budgets, allocs, base, opts.seeds)
    sat_png = figure_path(out, "kpis_vs_budget")
    save_figure(fig, sat_png, opts)

    fig = npv_heatmap(summary, plan, allocs, budgets, base)
    heat_png = figure_path(out, "npv_heatmap")
    save_figure(fig, heat_png, opts)

    # share over time at the budget where the allocations all run
    common = [b for b in budgets if plan.loc[plan["budget_per_week"] == b, "allocation"].nunique()
              == len(allocs)]
    at = common[len(common) // 2] if common else budgets[-1]
    names = plan.loc[plan["budget_per_week"] == at, "option"].tolist()
    ts = load_timeseries(sweep, base.firm.name)
    ts = ts[ts["option"].isin(names)]
    fig = over_time(ts, [("installed_base", "installed base (thousand customers)", 1e-3),
                         ("market_share", f"unit market share {per_step(base.dt_days)}", 1)], names,
                    f"{base.firm.name} at {at / 1000:g}k per week")
    time_png = figure_path(out, "adoption_share_over_time")
    save_figure(fig, time_png, opts)

    answer = [winner_sentence(winner(kpis, "npv"), "NPV"),
              winner_sentence(winner(kpis, "final_market_share"), "final unit share"),
              winner_sentence(winner(kpis, "marketing_roi"), "marketing ROI")]
    saturation = []
    for alloc in allocs:
        sub = summary[summary["allocation"] == alloc].sort_values("budget_per_week")
        if len(sub) < 2:
            continue
        b = sub["budget_per_week"].to_numpy()
        npv = sub["npv_mean"].to_numpy()
        share = sub["final_market_share_mean"].to_numpy()
        steps = [f"{b[i] / 1000:g}k -> {b[i + 1] / 1000:g}k: {fmt(npv[i + 1] - npv[i])} NPV, "
                 f"{signed_points(share[i + 1] - share[i])} share points"
                 for i in range(len(b) - 1)]
        text = f"**{alloc}**, each budget step: " + "; ".join(steps) + "."
        if len(b) > 2:  # NPV per extra unit of weekly budget, first step against last step
            first = (npv[1] - npv[0]) / (b[1] - b[0])
            last = (npv[-1] - npv[-2]) / (b[-1] - b[-2])
            gain = (share[1] - share[0]) / (b[1] - b[0]), (share[-1] - share[-2]) / (b[-1] - b[-2])
            text += (f" NPV per extra 1 of weekly budget: {first:,.1f} on the first step, "
                     f"{last:,.1f} on the last; share points per extra 10k a week: "
                     f"{1e6 * gain[0]:.2f} on the first step, {1e6 * gain[1]:.2f} on the last"
                     + (" (diminishing returns)." if gain[1] < gain[0] else "."))
        saturation.append(text)
    margins = marginal_roi(kpis, plan)
    margins.to_csv(out / "marginal_roi.csv", index=False)
    marginal = [f"**{m.allocation}** {m.from_budget / 1000:g}k -> {m.to_budget / 1000:g}k per "
                f"week: marginal ROI {_signed(m.marginal_roi)} ("
                + (f"{100 * LEVEL:.0f}% t interval {_signed(m.low)} to {_signed(m.high)}, "
                   f"{m.n} paired seeds)"
                   if np.isfinite(m.low) else
                   f"no interval from {m.n} paired seed{'s' * (m.n != 1)})")
                for m in margins.itertuples()]
    marginal = marginal or ["Only one budget per allocation: no marginal ROI."]
    marginal.append("Marginal ROI: (extra contribution - extra marketing spend) / extra "
                    "spend, the same seeds at both budgets (common random numbers): it "
                    "compares whole runs, so it counts everything the extra spend buys. The "
                    "average marketing ROI credits marketing only with the margin of its "
                    "paid-attributed customers (docs/kpis.md), leaving out the word of mouth "
                    "and awareness the spend also buys: a lower bound, it can be negative "
                    "where the marginal ROI is positive. Judge a budget by the marginal ROI: "
                    "spend beyond the budget where it turns negative loses money, whatever "
                    "the average says.")
    shift = []
    for budget in budgets:
        a = plan[(plan["allocation"] == "test_and_shift") & (plan["budget_per_week"] == budget)]
        f = plan[(plan["allocation"] == "own_split") & (plan["budget_per_week"] == budget)]
        if len(a) and len(f):
            d = paired_difference(kpis, "npv", a["option"].iloc[0], f["option"].iloc[0])
            r = paired_difference(kpis, "marketing_roi", a["option"].iloc[0], f["option"].iloc[0])
            shift.append(f"At {budget / 1000:g}k per week, test-and-shift against the same fixed "
                         f"split: NPV {'+' if d['diff'] >= 0 else ''}{fmt(d['diff'])} on average, "
                         f"better in {100 * d['p_better']:.0f}% of {d['n']} paired seeds; "
                         f"marketing ROI {_signed(r['diff'])} (a difference of ROIs, not an "
                         "ROI).")
    if not shift:
        shift = ["No budget has both test-and-shift and the fixed split in this run."]
    splits = "; ".join(
        f"{r.allocation}: " + ", ".join(f"{c} {getattr(r, 'split_' + c):.0%}" for c in CHANNELS)
        for r in plan.drop_duplicates("allocation").itertuples())
    table = summary_table(summary, [("npv", "NPV"), ("final_market_share", "final share"),
                                    ("marketing_roi", "marketing ROI"), ("cac", "CAC")])
    sections = [("Findings", answer, [sat_png, heat_png]),
                ("Saturation: what each budget step buys", saturation, []),
                ("Marginal ROI of each budget step", marginal, []),
                ("Fixed split against test-and-shift", shift, [time_png]),
                ("Options", [f"Splits (shares of the weekly budget): {splits}. Test-and-shift "
                             f"starts from the scenario's split.", table], [])]
    write_report(out, "Marketing mix and budget", QUESTION, sections, opts,
                 time.perf_counter() - started,
                 answer=" ".join(t for t in (answer_text(kpis, base),
                                             budget_edge_note(kpis, plan)) if t),
                 config=base,
                 varied=["the weekly marketing budget and its split over channels"])
    return out


def budget_edge_note(kpis, plan) -> str:
    """The edge-of-grid warning (``sim.results.decision.edge_note``) where the recommended
    option's weekly budget is the lowest or highest swept, or only two were: the best
    budget may lie outside what was tried (a grid of 20k-60k recommended 20k, its lowest,
    without a word; the default grid's answer is its lowest budget too)."""
    best = recommend(kpis, "npv").get("recommendation")
    settings = {r.option: f"allocation={r.allocation}, budget_per_week={r.budget_per_week:g}"
                for r in plan.itertuples()}
    if best not in settings or len(set(plan["budget_per_week"])) < 2:
        return ""
    budget = float(plan.loc[plan["option"] == best, "budget_per_week"].iloc[0])
    if budget <= 0.0 and len(set(plan["budget_per_week"])) > 2:
        return ""  # no marketing at all won: there is nothing below it to sweep
    return edge_note(list(settings.values()), settings[best])


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
