"""When to launch the next generation: now, or at the current one's maturity?

    python -m experiments.generation_timing [seeds=10] [quick=true] [<overrides>]

Starts from ``scenario=next_generation`` (v1 on the market from day 0, v2 its successor in
our product line, Norton and Bass 1987) and moves v2's launch day (``firm.line.<i>.
development.planned_launch_day`` of the first line entry with ``product.generation_of``;
v2 has no development tasks left, so it launches on that day). Every
option runs on the same seeds (paired). Mahajan and Muller (1996) show that, for the NPV
of the line, the best launch is either as soon as v2 is available or at v1's maturity
("now or at maturity"); this runner gives the line's NPV, v2's share of the line's units
and the cannibalisation rate for each launch day.

The line's money is our firm's operating ledger (both products and the shared teams),
discounted at the scenario's rate. The horizon is ten years (quick: four), so that a late
v2 has a life inside it.

Full mode: 5 launch days x 10 seeds, 10 years; quick mode: 3 launch days x 2 seeds, 4 years.
"""

import dataclasses
import json
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
from sim.plots import per_step
from sim.units import DAYS_PER_YEAR

NAME = "generation_timing"
QUESTION = ("When should we launch the next generation of our product: as soon as it is "
            "ready, during the current one's growth, or at its maturity?")
LAUNCH_DAYS = [90, 365, 730, 1095, 1460]
QUICK_LAUNCH_DAYS = [90, 365, 730]
HORIZON_DAYS, QUICK_HORIZON_DAYS = 3650, 1460
KPIS = ["line_npv", "v2_unit_share", "cannibalisation_rate", "line_revenue", "v2_launch_day"]


def _days(days) -> str:
    """``day 365`` or ``days 365 and 730`` (``days 90, 365 and 730``)."""
    days = [str(d) for d in days]
    if len(days) == 1:
        return f"day {days[0]}"
    return f"days {', '.join(days[:-1])} and {days[-1]}"


def option_name(day: int) -> str:
    return f"v2_day{day}"


def launch_override(base, index: int, day: float) -> str:
    """``firm.line=[...]``: the scenario's line with entry ``index`` launching on ``day``
    (an option file cannot address one element of a list, so it replaces the list)."""
    line = [dataclasses.asdict(e) for e in base.firm.line]
    line[index]["development"]["planned_launch_day"] = float(day)
    # the option is a date: a plan counted from the start would replace it
    line[index]["development"]["planned_after_start_days"] = None
    return "firm.line=" + json.dumps(line)


def line_facts(sweep, firms, v2_product: str, rate: float) -> pd.DataFrame:
    """Per job: the line's NPV and revenue (the firms' operating ledger), v2's share of
    the line's units sold, and v2's launch day."""
    led = load_timeseries(sweep, table="ledger")
    led = led[led["firm"].isin(firms) & ~led["account"].str.startswith("financing")]
    led = led.assign(pv=led["amount"] * (1.0 + rate) ** (-led["t"] / DAYS_PER_YEAR),
                     revenue=np.where(led["account"] == "revenue", led["amount"], 0.0))
    money = led.groupby(["option", "seed"]).agg(line_npv=("pv", "sum"),
                                                line_revenue=("revenue", "sum"))
    ts = load_timeseries(sweep)
    ts = ts[ts["firm"].isin(firms)]
    units = ts.groupby(["option", "seed"])["units_sold"].sum()
    v2_units = ts[ts["product"] == v2_product].groupby(["option", "seed"])["units_sold"].sum()
    share = (v2_units / units.where(units > 0)).rename("v2_unit_share")
    ev = load_timeseries(sweep, table="events")
    launch = ev[(ev["kind"] == "launch") & (ev["product"] == v2_product)]
    launch = launch.groupby(["option", "seed"])["t"].first().rename("v2_launch_day")
    return money.join(share, how="outer").join(launch, how="left").reset_index()


def stacked_generations(ts: pd.DataFrame, order, products, title: str):
    """Installed base of each generation over time, stacked, one panel per option (the
    median over seeds)."""
    fig, axes = plt.subplots(1, len(order), figsize=(4.2 * len(order), 3.8), sharey=True,
                             squeeze=False)
    colors = sns.color_palette(n_colors=len(products))
    for ax, name in zip(axes[0], order, strict=True):
        mine = ts[ts["option"] == name]
        wide = (mine.groupby(["t", "product"])["installed_base"].median().unstack("product")
                .reindex(columns=products).fillna(0.0))
        ax.stackplot(wide.index.to_numpy(), *(wide[p].to_numpy() / 1e3 for p in products),
                     labels=products, colors=colors, alpha=0.85)
        ax.set(title=name, xlabel="day")
    axes[0][0].set_ylabel("installed base (thousand units)")
    axes[0][-1].legend(loc="upper left", fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def cannibalisation_over_time(ts: pd.DataFrame, order, product: str, dt_days: float = 7.0):
    """v2's upgraders per market step of ``dt_days`` (units taken from v1's installed
    base), median over seeds."""
    mine = ts[ts["product"] == product]
    med = mine.groupby(["option", "t"])["upgraders"].median().reset_index()
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    sns.lineplot(data=med, x="t", y="upgraders", hue="option", hue_order=order, ax=ax)
    ax.set(title=f"Cannibalisation: {product} bought by owners of the earlier generation\n"
                 "(median over seeds)", xlabel="day", ylabel=f"upgraders {per_step(dt_days)}")
    fig.tight_layout()
    return fig


def run(argv):
    opts = parse_args(NAME, argv, {}, quick_seeds=2, seeds=10)
    started = time.perf_counter()
    extra = [] if any(o.startswith("scenario=") for o in opts.overrides) else [
        "scenario=next_generation"]
    horizon = QUICK_HORIZON_DAYS if opts.quick else HORIZON_DAYS
    if not any(o.startswith("horizon_days=") for o in opts.overrides):
        extra.append(f"horizon_days={horizon}")
    base = base_config(opts, extra)
    later = [i for i, e in enumerate(base.firm.line) if e.product.generation_of is not None]
    if not later:
        raise ExperimentError("generation_timing needs a scenario whose firm.line holds the "
                              "next generation (a product with product.generation_of), such "
                              "as scenario=next_generation")
    v2 = base.firm.line[later[0]]
    days = QUICK_LAUNCH_DAYS if opts.quick else LAUNCH_DAYS
    beyond = [d for d in days if d >= base.horizon_days]
    days = [d for d in days if d < base.horizon_days]
    if not days:
        raise ExperimentError(f"horizon_days={base.horizon_days:g} ends on or before every "
                              f"launch day this runner tries ({_days(beyond)}); give a "
                              f"horizon past {min(beyond)}")
    options = {option_name(d): [launch_override(base, later[0], d)] for d in days}
    sweep = run_sweep(opts, options, extra)
    firms = [base.firm.name]
    kpis = load_kpis(sweep).merge(
        line_facts(sweep, firms, v2.product.name, base.discount_rate_per_year),
        on=["option", "seed"], how="left")
    order = list(options)
    out = opts.out.resolve()
    summary = summarise(kpis, KPIS)
    summary["planned_launch_day"] = days
    write_summary(out, summary)

    fig = kpi_distributions(kpis, [("line_npv", money_axis("NPV of the line", base), 1e-6),
                                   ("v2_unit_share", "v2's share of the line's units", 1),
                                   ("cannibalisation_rate", "upgraders / v2 adoptions", 1)],
                            order, f"By v2's launch day, over {opts.seeds} paired seeds")
    dist_png = figure_path(out, "kpi_distributions")
    save_figure(fig, dist_png, opts)
    ts = load_timeseries(sweep)
    ts = ts[ts["firm"].isin(firms)]
    products = [base.firm.product.name, v2.product.name]
    fig = stacked_generations(ts, order, products, "Generations over time (stacked)")
    stack_png = figure_path(out, "stacked_generations")
    save_figure(fig, stack_png, opts)
    fig = cannibalisation_over_time(ts, order, v2.product.name, base.dt_days)
    cann_png = figure_path(out, "cannibalisation")
    save_figure(fig, cann_png, opts)

    answer = [winner_sentence(winner(kpis, "line_npv"), "line NPV"),
              winner_sentence(winner(kpis, "v2_unit_share"), "v2 unit share"),
              winner_sentence(winner(kpis, "cannibalisation_rate", higher_is_better=False),
                              "share of v2's adoptions taken from v1 owners (the "
                              "cannibalisation rate)")]
    if "cannibalised_units" in kpis:  # the rate is a share: the units can rank otherwise
        units = kpis.groupby("option")["cannibalised_units"].mean().reindex(order)
        answer.append("In units of v1 cannibalised (mean over seeds): " + ", ".join(
            f"{n} {fmt(u)}" for n, u in units.items()) + f"; the most with {units.idxmax()} "
            "(the rate is a share of v2's adoptions, so a low rate can still take more v1 "
            "units in all).")
    ref = order[0]
    for name in order[1:]:
        d = paired_difference(kpis, "line_npv", name, ref)
        answer.append(f"**{name}** against **{ref}**: line NPV {'+' if d['diff'] >= 0 else ''}"
                      f"{fmt(d['diff'])} on average, better in {100 * d['p_better']:.0f}% of "
                      f"{d['n']} paired seeds.")
    npv = summary.set_index("option")["line_npv_mean"]
    best = npv.idxmax()
    inner = len(npv) > 2 and npv.iloc[1:-1].min() < min(npv.iloc[0], npv.iloc[-1])
    answer.append(f"The line's NPV is highest with v2 on day "
                  f"{summary.set_index('option').loc[best, 'planned_launch_day']}; "
                  + ("it dips between the earliest and the latest launch, the 'now or at "
                     "maturity' shape of Mahajan and Muller (1996)." if inner else
                     "it does not dip between the earliest and the latest launch here."))
    table = summary_table(summary, [("v2_launch_day", "v2 launch day"),
                                    ("line_npv", "line NPV"),
                                    ("v2_unit_share", "v2 unit share"),
                                    ("cannibalisation_rate", "cannibalisation rate")])
    how = (f"Each option launches v2 ({v2.product.name}) on one day; v1 "
           f"({base.firm.product.name}) is on the market from day 0. Both generations "
           "follow Norton and Bass (1987) with the market's p and q; the line's NPV is our "
           f"firm's operating cash flow discounted at {base.discount_rate_per_year:.0%} a "
           f"year over {base.horizon_days:g} days."
           + (f" Left out: v2 on {_days(beyond)}, on or after the horizon." if beyond else ""))
    sections = [("Findings", answer, [dist_png]),
                ("Options and generations", [how, table], [stack_png, cann_png])]
    write_report(out, "When to launch the next generation", QUESTION, sections, opts,
                 time.perf_counter() - started,
                 answer=answer_text(kpis, base, kpi="line_npv", label="line NPV"), config=base,
                 varied=["the launch day of the next generation (the options above)"])
    return out


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
