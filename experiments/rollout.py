"""Launch everywhere at once, or region by region? Waterfall against sprinkler entry.

    python -m experiments.rollout [seeds=10] [quick=true] [<overrides>]

Starts from ``scenario=global_rollout`` (three regions: the US lead market, Europe, Asia;
a local rival launching on day 365 in Europe and Asia) and moves our firm's
``firm.rollout``: the *sprinkler* enters every region at launch, the *waterfall* enters
the US at launch, Europe a year later and Asia two years later, the *slow waterfall*
(full mode) two and four years later. Every option runs on the same seeds (paired).
Kalish, Mahajan and Muller (1995, IJRM 12(2)) find the sprinkler better where foreign
competitors can pre-empt a market and where markets are large and adopt fast; the
waterfall better where the lead market's adopters speed up the lag markets
(cross-region influence), where fixed entry costs are high and where the lag markets are
slow. The answer is in our NPV and our share of the three regions' units.

Full mode: 3 rollouts x 10 seeds, 8 years; quick mode: 2 rollouts x 2 seeds, 3 years.
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
    kpi_distributions,
    load_kpis,
    load_timeseries,
    main_wrapper,
    money_axis,
    paired_difference,
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
from sim.plots import per_step

NAME = "rollout"
QUESTION = ("Should we launch in every region at once (sprinkler) or region by region, "
            "starting with the lead market (waterfall)?")
HORIZON_DAYS, QUICK_HORIZON_DAYS = 2920, 1095
LAGS = {"sprinkler": 0, "waterfall": 365, "slow_waterfall": 730}  # days between waves
QUICK_OPTIONS = ["sprinkler", "waterfall"]


def rollout_of(regions, lag: int) -> str:
    """``firm.rollout`` override: region i (config order) enters ``i * lag`` days after
    launch."""
    return "firm.rollout={" + ", ".join(f"{r}: {i * lag}" for i, r in enumerate(regions)) + "}"


def share_facts(regions: pd.DataFrame, firm: str) -> pd.DataFrame:
    """Per job: our share of all the regions' units over the run (``global_unit_share``)."""
    units = regions.groupby(["option", "seed"])["units"].sum()
    mine = regions[regions["firm"] == firm].groupby(["option", "seed"])["units"].sum()
    return (mine / units.where(units > 0)).rename("global_unit_share").reset_index()


def region_panels(regions: pd.DataFrame, firm: str, order, value: str, label: str,
                  title: str):
    """Small multiples, one panel per region: ``value`` of our firm over time, one line per
    option (median over seeds with a band across them, ``seed_band``; the title says which,
    after ``title``)."""
    mine = regions[regions["firm"] == firm]
    data = mine.groupby(["option", "seed", "region", "t"], sort=False)[value].sum().reset_index()
    seeds = int(data.groupby("option")["seed"].nunique().min()) if len(data) else 0
    band, words = seed_band(seeds)
    grid = sns.relplot(data=data, x="t", y=value, hue="option", hue_order=order,
                       col="region", col_order=list(dict.fromkeys(regions["region"])),
                       kind="line", estimator="median", errorbar=band,
                       height=3.6, aspect=1.1, facet_kws={"sharey": False})
    grid.set_axis_labels("day", label)
    grid.set_titles("{col_name}")
    _legend_beside(grid)
    grid.figure.subplots_adjust(top=0.82)
    grid.figure.suptitle(f"{title} (median over {seeds} seeds, {words})")
    return grid.figure


def _legend_beside(grid) -> None:
    """The options' legend beside the last panel, as an axes legend (the figure legend
    of ``relplot`` sat on the last panel's lines once ``save`` tightened the layout)."""
    leg = grid.legend
    if leg is None:
        return
    handles, labels = leg.legend_handles, [t.get_text() for t in leg.texts]
    leg.remove()
    grid.axes.flat[-1].legend(handles, labels, title="option", loc="upper left",
                              bbox_to_anchor=(1.02, 1.0), frameon=False)


def share_panels(regions: pd.DataFrame, firm: str, order):
    """Small multiples: our share of each region's units in each market step (median
    over seeds)."""
    tot = regions.groupby(["option", "seed", "region", "t"], sort=False)["units"].sum()
    mine = regions[regions["firm"] == firm].groupby(
        ["option", "seed", "region", "t"], sort=False)["units"].sum()
    share = (mine / tot.where(tot > 0)).rename("share").reset_index().dropna()
    grid = sns.relplot(data=share, x="t", y="share", hue="option", hue_order=order,
                       col="region", col_order=list(dict.fromkeys(regions["region"])),
                       kind="line", estimator="median", errorbar=None, height=3.6, aspect=1.1)
    grid.set(ylim=(0, 1.02))
    grid.set_axis_labels("day", "our share of the region's units")
    grid.set_titles("{col_name}")
    _legend_beside(grid)
    grid.figure.subplots_adjust(top=0.82)
    grid.figure.suptitle("Our unit share by region (median over seeds)")
    return grid.figure


def run(argv):
    opts = parse_args(NAME, argv, {}, quick_seeds=2, seeds=10)
    started = time.perf_counter()
    extra = [] if any(o.startswith("scenario=") for o in opts.overrides) else [
        "scenario=global_rollout"]
    if not any(o.startswith("horizon_days=") for o in opts.overrides):
        extra.append(f"horizon_days={QUICK_HORIZON_DAYS if opts.quick else HORIZON_DAYS}")
    base = base_config(opts, extra)
    regions = [r.name for r in base.market.regions]
    if len(regions) < 2:
        raise ExperimentError("rollout needs a market with at least two regions "
                              "(market.regions), such as scenario=global_rollout")
    names = QUICK_OPTIONS if opts.quick else list(LAGS)
    options = {n: [rollout_of(regions, LAGS[n])] for n in names}
    sweep = run_sweep(opts, options, extra)
    firm = base.firm.name
    reg = load_timeseries(sweep, table="regions")
    kpis = load_kpis(sweep).merge(share_facts(reg, firm), on=["option", "seed"], how="left")
    order = list(options)
    out = opts.out.resolve()
    cols = ["npv", "global_unit_share", "cumulative_revenue"]
    for r in regions:
        cols += [f"region_{r}_unit_share", f"region_{r}_revenue", f"region_{r}_entry_day"]
    summary = summarise(kpis, [c for c in cols if c in kpis])
    summary["wave_lag_days"] = [LAGS[n] for n in order]
    write_summary(out, summary)

    fig = kpi_distributions(kpis, [("npv", money_axis("NPV", base), 1e-6),
                                   ("global_unit_share", "our share of all regions' units", 1)],
                            order, f"By rollout, over {opts.seeds} paired seeds")
    dist_png = figure_path(out, "kpi_distributions")
    save_figure(fig, dist_png, opts)
    fig = region_panels(reg, firm, order, "units", f"our units {per_step(base.dt_days)}",
                        "Our sales by region")
    sales_png = figure_path(out, "sales_by_region")
    save_figure(fig, sales_png, opts)
    fig = share_panels(reg, firm, order)
    share_png = figure_path(out, "share_by_region")
    save_figure(fig, share_png, opts)
    plt.close("all")

    answer = [winner_sentence(winner(kpis, "npv"), "NPV"),
              winner_sentence(winner(kpis, "global_unit_share"),
                              "global unit share over the run")]
    ref = order[0]
    for name in order[1:]:
        d = paired_difference(kpis, "npv", name, ref)
        answer.append(f"**{name}** against **{ref}**: NPV {'+' if d['diff'] >= 0 else ''}"
                      f"{fmt(d['diff'])} on average, better in {100 * d['p_better']:.0f}% of "
                      f"{d['n']} paired seeds.")
    means = summary.set_index("option")
    for r in regions:
        col = f"region_{r}_unit_share_mean"
        if col in means:
            # over the whole run: a share of every unit sold there since launch, which a
            # year alone in a region lifts (the plot shows the share quarter by quarter)
            answer.append(f"Our unit share in the region {r} over the run (our units over "
                          "all units sold there; the share by quarter is in the plot): "
                          + ", ".join(f"{n} " + (f"{means.loc[n, col]:.0%}"
                                                 if np.isfinite(means.loc[n, col]) else
                                                 "not entered within the horizon")
                                      for n in order) + ".")
    table = summary_table(summary, [("wave_lag_days", "days between waves"),
                                    ("npv", "NPV"), ("global_unit_share", "global unit share"),
                                    ("cumulative_revenue", "revenue")])
    how = (f"Regions in entry order: {', '.join(regions)}. Each option enters region i "
           "i x (days between waves) after launch and pays that region's localisation cost "
           "on entry; the lag regions' adoption is raised by the lead regions' adopters "
           "(market.regions[].influence, Kumar and Krishnan 2002). NPV is our firm's, "
           f"discounted at {base.discount_rate_per_year:.0%} a year over "
           f"{base.horizon_days:g} days.")
    sections = [("Findings", answer, [dist_png]),
                ("Options and regions", [how, table], [sales_png, share_png])]
    write_report(out, "Waterfall or sprinkler: how to roll out across regions", QUESTION,
                 sections, opts, time.perf_counter() - started,
                 answer=answer_text(kpis, base, kpi="npv", label="NPV")
                 + _unentered_note(means, regions, order, base.horizon_days), config=base,
                 varied=["the days between regional entry waves (the options above)"])
    return out


def _unentered_note(means, regions, order, horizon: float) -> str:
    """A warning naming the options that had not entered some regions by the horizon: their
    NPV leaves out those regions' entry costs and sales, which flatters a slow rollout
    (a 300-day run recommended a waterfall that never entered eu or asia)."""
    parts = []
    for name in order:
        missing = [r for r in regions if f"region_{r}_unit_share_mean" in means
                   and not np.isfinite(means.loc[name, f"region_{r}_unit_share_mean"])]
        if missing:
            parts.append(f"{name} ({', '.join(missing)})")
    if not parts:
        return ""
    return (f" **Warning**: by day {horizon:g} some options had not entered every region: "
            f"{'; '.join(parts)}. Their NPV leaves out those regions' entry costs and sales, "
            "so the horizon is too short to compare the rollouts; run a longer one.")


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
