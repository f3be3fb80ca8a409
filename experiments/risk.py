"""Risk of one scenario: the NPV distribution, the probability of a loss, P10/P50/P90 and
the launch-slip distribution, over many seeds.

    python -m experiments.risk [scenario=NAME] [seeds=200] [quick=true] [<overrides>]

Full mode (200 seeds of the 5-year baseline) takes about 1-2 minutes on 2 cores; quick
mode (12 seeds, 2 years) about 20 s.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from experiments.common import (
    figure_path,
    fmt,
    load_kpis,
    load_timeseries,
    main_wrapper,
    parse_args,
    run_sweep,
    save,
    summarise,
    write_report,
    write_summary,
)

NAME = "risk"
QUESTION = ("How much could this launch lose, how likely is a loss, and how late might "
            "we launch?")


def run(argv):
    opts = parse_args(NAME, argv, {}, quick_seeds=12, seeds=200)
    extra = ["horizon_days=730"] if opts.quick else []
    started = time.perf_counter()
    scenario = next((o.split("=", 1)[1] for o in opts.overrides if o.startswith("scenario=")),
                    "baseline")
    sweep = run_sweep(opts, {scenario: []}, extra)
    kpis = load_kpis(sweep)
    out = opts.out.resolve()
    npv = kpis["npv"].astype(float)
    slip = kpis["launch_slip_days"].astype(float)
    p10, p50, p90 = np.percentile(npv, [10, 50, 90])
    p_loss = float((npv < 0).mean())
    summary = summarise(kpis, ["npv", "cumulative_profit", "launch_slip_days",
                               "final_market_share", "cash_min"])
    summary["npv_p10"], summary["npv_p50"], summary["npv_p90"] = p10, p50, p90
    summary["prob_loss"] = p_loss
    summary["prob_cash_exhausted"] = float(kpis["cash_exhausted"].astype(bool).mean())
    summary["launch_slip_p90"] = float(np.nanpercentile(slip, 90)) if slip.notna().any() else np.nan
    write_summary(out, summary)

    fig, ax = plt.subplots(figsize=(7, 4.2))
    sns.histplot(npv / 1e6, kde=True, ax=ax, color=sns.color_palette()[0])
    for q, label, ls in ((p10, "P10", ":"), (p50, "P50", "--"), (p90, "P90", ":")):
        ax.axvline(q / 1e6, color="black", ls=ls, lw=1)
        ax.text(q / 1e6, ax.get_ylim()[1] * 0.95, f" {label}", va="top")
    ax.axvline(0, color=sns.color_palette()[3], lw=1.5)
    ax.set(title=f"NPV over {len(npv)} seeds: P(loss) = {p_loss:.0%}",
           xlabel="NPV (millions)", ylabel="seeds")
    npv_png = figure_path(out, "npv_distribution")
    save(fig, npv_png)

    fig, ax = plt.subplots(figsize=(7, 4.2))
    sns.histplot(slip.dropna(), ax=ax, color=sns.color_palette()[1])
    ax.axvline(0, color="black", lw=1)
    ax.set(title="Launch slip against the planned day (negative: early)",
           xlabel="slip (days)", ylabel="seeds")
    slip_png = figure_path(out, "launch_slip")
    save(fig, slip_png)

    firm = kpis["firm"].iloc[0]
    ts = load_timeseries(sweep, firm)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    sns.lineplot(data=ts, x="t", y="installed_base", errorbar=("pi", 90), ax=ax)
    ax.set(title=f"{firm}'s installed base: median and 90% band over seeds", xlabel="day",
           ylabel="customers")
    band_png = figure_path(out, "installed_base_band")
    save(fig, band_png)

    late = float((slip > 0).mean()) if slip.notna().any() else float("nan")
    text = [
        f"Over {len(npv)} seeds of scenario **{scenario}**, the NPV has median "
        f"{fmt(p50)} (P10 {fmt(p10)}, P90 {fmt(p90)}); the probability of a loss (NPV < 0) "
        f"is **{p_loss:.0%}**.",
        f"The launch slips past the planned day in {late:.0%} of seeds; the 90th percentile "
        f"of the slip is {fmt(summary['launch_slip_p90'].iloc[0])} days. Cash ran out in "
        f"{summary['prob_cash_exhausted'].iloc[0]:.0%} of seeds.",
    ]
    sections = [("Answer", text, [npv_png, slip_png, band_png])]
    write_report(out, f"Risk of scenario {scenario}", QUESTION, sections, opts,
                 time.perf_counter() - started)
    return out


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
