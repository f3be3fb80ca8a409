"""Launch timing against a disruptor: ship earlier with a lower-quality product, or later
with a better one?

    python -m experiments.launch_timing [entry_day=600] [seeds=20] [quick=true] [<overrides>]

Each option moves the launch by ``shift`` days and the product's quality by ``dq``
together: the planned launch day moves by ``shift``; the whole development plan (every
task's effort and fixed days) is stretched by ``(planned + shift) / planned``, so the
realised launch (the pipeline's critical path, not the plan) moves with it; the product's
target quality attribute moves by ``dq`` and the launch gate's ``min_quality`` by the same
amount (a higher bar for a better product). A disruptor (``competitor/disruptor``) starts
its development at ``entry_day`` in every option and plans its launch as long after it
as its config does (``rival_schedule``). KPIs: NPV, final unit share, launch day
and the quality at launch.

Full mode (4 options x 20 seeds, 5 years) took 35 s on 2 cores on 2026-12-07 (9.7 minutes
earlier, under heavy load); quick mode (3 options x 3 seeds, until half a year after
the disruptor's planned launch: 1,182 days at entry day 600) 9 s (2026-12-07).
"""

import dataclasses
import json
import re
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
from experiments.options import quick_horizon

NAME = "launch_timing"
QUESTION = ("Should we launch earlier with a lower-quality product or later with a better "
            "one, given that a disruptor enters the market at a known time?")
# (launch shift in days, change of the product's quality attribute)
SCHEDULE = [(-60, -0.06), (0, 0.0), (60, 0.05), (120, 0.10)]
QUICK_SCHEDULE = [(-60, -0.06), (0, 0.0), (120, 0.10)]
QUICK_AFTER_RIVAL_DAYS = 182  # a quick run's horizon: the disruptor's planned launch + this
KPIS = ["npv", "final_market_share", "launch_day", "launch_quality", "time_to_market_days",
        "cumulative_profit", "peak_market_share", "disruptor_launch_day"]


def option_name(shift: int, quality: float) -> str:
    when = "plan" if shift == 0 else f"{'early' if shift < 0 else 'late'}{abs(shift)}d"
    return f"{when}_q{round(100 * quality)}"


def schedule_options(base, schedule) -> tuple[dict, pd.DataFrame]:
    """Option name -> overrides, and a table of what each option sets."""
    dev = base.firm.development
    planned = dev.planned_launch_day
    if dev.planned_after_start_days is not None:  # the date shifted here would be unused
        raise ExperimentError("launch_timing shifts firm.development.planned_launch_day; "
                              "firm.development.planned_after_start_days is set "
                              f"({dev.planned_after_start_days:g}) and replaces it: unset it "
                              "(null) to compare launch dates")
    if planned <= 0:
        raise ExperimentError(f"firm.development.planned_launch_day must be > 0 to shift it, "
                              f"got {planned}")
    q0 = base.firm.product.attributes.get("quality", 0.0)
    gate0 = dev.gate.min_quality
    options, rows = {}, []
    for shift, dq in schedule:
        if planned + shift <= 0:
            raise ExperimentError(f"a shift of {shift} days puts the planned launch "
                                  f"(day {planned:g}) at or before day 0")
        scale = (planned + shift) / planned
        tasks = []
        for t in dev.tasks:
            tasks.append({"name": t.name, "stage": t.stage, "team": t.team,
                          "effort_min": round(t.effort_min * scale, 3),
                          "effort_mode": round(t.effort_mode * scale, 3),
                          "effort_max": round(t.effort_max * scale, 3),
                          "fixed_days": round(t.fixed_days * scale, 3),
                          "max_heads": t.max_heads, "cost": t.cost,
                          "depends_on": list(t.depends_on), "testing": t.testing})
        quality = round(q0 + dq, 4)
        gate = round(min(max(gate0 + dq, 0.0), 1.0), 4)
        name = option_name(shift, quality)
        ovr = [f"firm.development.planned_launch_day={planned + shift}",
               f"firm.product.attributes.quality={quality}",
               f"firm.development.gate.min_quality={gate}",
               "firm.development.tasks=" + json.dumps(tasks)]
        if dev.gate.deadline_day is not None:
            ovr.append(f"firm.development.gate.deadline_day={dev.gate.deadline_day + shift}")
        options[name] = ovr
        rows.append({"option": name, "shift_days": shift, "planned_launch_day": planned + shift,
                     "quality_target": quality, "gate_min_quality": gate,
                     "plan_scale": round(scale, 4)})
    return options, pd.DataFrame(rows)


def launch_facts(sweep, firm: str, rival: str) -> pd.DataFrame:
    """Per job: our quality at launch and the disruptor's launch day (from events)."""
    ev = load_timeseries(sweep, table="events")
    launches = ev[ev["kind"] == "launch"]
    ours = launches[launches["firm"] == firm].copy()
    ours["launch_quality"] = ours["detail"].map(
        lambda d: float(m.group(1)) if (m := re.search(r"quality ([0-9.]+)", d)) else np.nan)
    theirs = launches[launches["firm"] == rival].rename(columns={"t": "disruptor_launch_day"})
    facts = ours.groupby(["option", "seed"])["launch_quality"].first().to_frame()
    facts = facts.join(theirs.groupby(["option", "seed"])["disruptor_launch_day"].first(),
                       how="outer")
    return facts.reset_index()


def spread(row, kpi: str, scale: float = 1.0) -> list:
    """``[[mean - p5], [p95 - mean]]`` of ``kpi`` in a summary row, for an error bar; a
    spread of zero that comes out a few ulps below it (the mean of 20 equal launch days
    above their 5th percentile) is 0: the default full run stopped on matplotlib's
    "'xerr' must not contain negative values"."""
    mean = row[f"{kpi}_mean"]
    return [[max(mean - row[f"{kpi}_p5"], 0.0) * scale],
            [max(row[f"{kpi}_p95"] - mean, 0.0) * scale]]


def planned_lead(rival) -> float:
    """The rival's planned development time: its planned launch less its own entry day
    (400 days for ``competitor/disruptor``), or its plan counted from its start
    (``development.planned_after_start_days``) where it has one."""
    after = getattr(rival.development, "planned_after_start_days", None)
    if after is not None:
        return after
    return max(rival.development.planned_launch_day - rival.strategy.entry_day, 0.0)


def rival_schedule(opts, rival) -> list[str]:
    """Overrides that start the disruptor's development on ``entry_day`` and move its
    planned launch with it, its planned development time (planned launch less its own entry
    day: 400 days for ``competitor/disruptor``) kept. A firm launches no earlier than its
    planned day (``launch_not_before_plan``), and the plan is a day of the run, so with the
    entry day alone an earlier disruptor (``entry_day=200``) still launched on day 1,100.
    A planned launch the user sets holds, and a plan counted from the start
    (``planned_after_start_days``) moves with the entry by itself."""
    entry = float(opts["entry_day"])
    out = [f"competitors.disruptor.strategy.entry_day={entry:g}"]
    key = "competitors.disruptor.development.planned_launch_day="
    if getattr(rival.development, "planned_after_start_days", None) is not None:
        return out
    if not any(o.lstrip("+").startswith(key) for o in opts.overrides):
        out.append(f"{key}{entry + planned_lead(rival):g}")
    return out


def run(argv):
    opts = parse_args(NAME, argv, {"entry_day": 600}, quick_seeds=3, seeds=20)
    if opts["entry_day"] < 0:
        raise ExperimentError(f"entry_day must be >= 0, got {opts['entry_day']}")
    started = time.perf_counter()
    # the scenario's own competitors, without the user's settings of a disruptor it may not
    # have yet (composed without the addition, they had stopped the runner)
    own = dataclasses.replace(opts, overrides=[
        o for o in opts.overrides if not o.lstrip("+~").startswith("competitors.disruptor.")])
    add = "" if "disruptor" in base_config(own).competitors else "+"
    extra = [f"{add}competitor@competitors.disruptor=disruptor"]
    rival = base_config(own, extra).competitors["disruptor"]
    lead = planned_lead(rival)
    extra += rival_schedule(opts, rival)
    # a quick run lasts until half a year after the disruptor can launch (its planned day,
    # or its entry plus its planned development time if it enters after its plan), so that
    # the question can be answered at all (a 700-day quick run had ended before any
    # disruptor launched)
    dev = base_config(opts, extra).competitors["disruptor"].development
    plan = dev.plan_for(max(dev.start_day, float(opts["entry_day"])))
    ready = max(plan, float(opts["entry_day"]) + lead)
    extra += quick_horizon(opts, max(700, int(np.ceil(ready)) + QUICK_AFTER_RIVAL_DAYS))
    base = base_config(opts, extra)
    options, schedule = schedule_options(base, QUICK_SCHEDULE if opts.quick else SCHEDULE)
    sweep = run_sweep(opts, options, extra)
    firm, rival = base.firm.name, base.competitors["disruptor"].name
    kpis = load_kpis(sweep)
    kpis = kpis.merge(launch_facts(sweep, firm, rival), on=["option", "seed"], how="left")
    order = list(options)
    out = opts.out.resolve()

    summary = summarise(kpis, KPIS).merge(schedule, on="option")
    summary["prob_killed"] = kpis.groupby("option")["killed"].mean().reindex(summary["option"]).to_numpy()
    summary["disruptor_launched_share"] = (
        kpis.groupby("option")["disruptor_launch_day"].apply(lambda v: v.notna().mean())
        .reindex(summary["option"]).to_numpy())
    write_summary(out, summary)

    fig = kpi_distributions(kpis, [("npv", money_axis("NPV", base), 1e-6),
                                   ("final_market_share", "final unit share (last quarter)", 1),
                                   ("launch_day", "launch day (day)", 1),
                                   ("launch_quality", "quality at launch (0-1 scale)", 1)],
                            order, f"KPIs per option over {opts.seeds} seeds "
                                   f"(disruptor starts developing on day {opts['entry_day']})")
    dist_png = figure_path(out, "kpi_distributions")
    save_figure(fig, dist_png, opts)

    ts = load_timeseries(sweep, firm)
    rival_launch = kpis["disruptor_launch_day"].dropna()
    markers = [(opts["entry_day"], "disruptor starts")]
    if len(rival_launch):
        markers.append((float(rival_launch.median()), "disruptor launches (median)"))
    fig = over_time(ts, [("installed_base", "installed base (thousand customers)", 1e-3),
                         ("market_share", "unit market share per week", 1)], order,
                    firm, markers=markers)
    time_png = figure_path(out, "adoption_share_over_time")
    save_figure(fig, time_png, opts)

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colors = dict(zip(order, sns.color_palette(n_colors=len(order)), strict=False))
    for _, row in summary.iterrows():
        c = colors[row["option"]]
        ax.errorbar(row["launch_day_mean"], row["npv_mean"] / 1e6,
                    yerr=spread(row, "npv", 1e-6), xerr=spread(row, "launch_day"),
                    fmt="o", color=c, capsize=3, label=f"{row['option']} (target quality "
                                                       f"{row['quality_target']:.2f})")
    ax.set(title="Trade-off: launch day against NPV (mean, 5th-95th percentiles over seeds)",
           xlabel="launch day (day)", ylabel=money_axis("NPV", base))
    ax.legend(fontsize="small", loc="best")
    trade_png = figure_path(out, "tradeoff")
    save_figure(fig, trade_png, opts)

    w_npv = winner(kpis, "npv")
    w_share = winner(kpis, "final_market_share")
    w_launch = winner(kpis, "launch_day", higher_is_better=False)
    answer = [winner_sentence(w_npv, "NPV"), winner_sentence(w_share, "final unit share"),
              winner_sentence(w_launch, "launch day")]
    ref = "plan_q" + str(round(100 * base.firm.product.attributes.get("quality", 0.0)))
    if ref in options:
        for name in order:
            if name == ref:
                continue
            d = paired_difference(kpis, "npv", name, ref)
            s = paired_difference(kpis, "final_market_share", name, ref)
            row = summary.set_index("option").loc[name]
            answer.append(
                f"**{name}** (launch {int(row['shift_days']):+d} days, target quality "
                f"{row['quality_target']:.2f}) against **{ref}**: NPV {'+' if d['diff'] >= 0 else ''}"
                f"{fmt(d['diff'])} on average, better in {100 * d['p_better']:.0f}% of "
                f"{d['n']} paired seeds; final share {signed_points(s['diff'])} points.")
    launched = kpis["disruptor_launch_day"].notna()
    if launched.any():
        rival_text = (f"The disruptor started developing on day {opts['entry_day']} and "
                      f"launched on day {fmt(rival_launch.mean())} on average (in "
                      f"{100 * launched.mean():.0f}% of runs within the horizon).")
    else:
        rival_text = (f"The disruptor started developing on day {opts['entry_day']} and did "
                      f"not launch within the horizon (day {base.horizon_days:,.0f}) in any "
                      "run, so these options were not tried against it: raise horizon_days "
                      f"(it launches no earlier than its planned day, {plan:,.0f}, and "
                      f"needs about {lead:,.0f} days of development after its entry).")
    killed = summary.loc[summary["prob_killed"] > 0, ["option", "prob_killed"]]
    facts = [rival_text] + [f"The launch gate killed **{r.option}** in {100 * r.prob_killed:.0f}% "
                            f"of seeds." for r in killed.itertuples()]
    table = summary_table(summary, [("launch_day", "launch day"),
                                    ("launch_quality", "quality at launch"),
                                    ("npv", "NPV"), ("final_market_share", "final share")])
    how = ("Each option stretches the whole development plan (task efforts and fixed days) "
           "by (planned + shift) / planned, moves the planned launch day by the shift, and "
           "raises the product's quality attribute and the launch gate's min_quality by the "
           "same amount. Quality at launch is the target minus the residual defects' loss.")
    sections = [("Findings", answer, [dist_png, trade_png]),
                ("Options and the competitor", [how, table] + facts, [time_png])]
    write_report(out, "Launch timing against a disruptor", QUESTION, sections, opts,
                 time.perf_counter() - started, answer=answer_text(kpis, base), config=base,
                 varied=["the launch day and the target quality (the options above)"])
    return out


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
