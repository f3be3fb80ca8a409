"""Sensitivity of NPV to the uncertain inputs: a one-at-a-time tornado and Sobol indices.

    python -m experiments.sensitivity [inputs=[market_p,market_q,...]] [n=16] [seeds=10]
        [sobol_seeds=1] [quick=true] [<overrides>]

Tornado: each input at its low and at its high value, the others at the scenario's value,
``seeds`` paired seeds each. Sobol: Saltelli's sampling scheme (SALib's ``sobol.sample``,
which replaced ``saltelli.sample``) draws ``n * (inputs + 2)`` points of the input box;
each point is one option run for ``sobol_seeds`` common seeds (seed 0, 1, ...: the same at
every point, so with one seed the indices are those of the deterministic function
"NPV of seed 0 at x") and scored by its mean NPV;
``SALib.analyze.sobol`` gives first-order (S1) and total (ST) indices with 95% bootstrap
confidence intervals, cross-checked by a linear regression on the same points (squared
standardised coefficients, SRC^2). The two designs run in two sweeps.

Inputs (the scenario's value is the base): Bass ``p`` and ``q`` of every segment and the
segments' price sensitivity (as multipliers), our unit cost (multiplier), the development
effort of every task (multiplier) and the price cut of the rivals that cut prices
(incumbent and disruptor strategies; absolute).

Full mode (6 inputs; tornado 13 options x 10 seeds; Sobol n=16: 128 points x 1 seed;
5 years) took 16 minutes on the shared 2-core machine (under load; about half that idle);
quick mode (2 inputs, tornado 5 options x 2 seeds, Sobol n=2: 8 points x 1 seed, 600
days) 44 s. Quick mode's Sobol indices are rough (n=2: intervals wider than the indices),
and even n=16 gives wide intervals: the report says so and leans on the tornado and the
regression check.
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
    base_config,
    currency,
    figure_path,
    fmt,
    load_kpis,
    main_wrapper,
    money_axis,
    paired_difference,
    parse_args,
    run_sweep,
    save_figure,
    write_report,
    write_summary,
)
from experiments.options import quick_horizon
from sim.results.decision import answer_sentence, money, recommend

NAME = "sensitivity"
QUESTION = "Which uncertain inputs drive our NPV most?"
# name: (label with unit, low, high); base is 1 for multipliers, the scenario's value else
INPUTS = {
    "market_p": ("Bass p, innovation (x scenario)", 0.6, 1.4),
    "market_q": ("Bass q, imitation (x scenario)", 0.6, 1.4),
    "price_sensitivity": ("price sensitivity (x scenario)", 0.7, 1.3),
    "unit_cost": ("our unit cost (x scenario)", 0.8, 1.2),
    "dev_effort": ("development effort (x scenario)", 0.8, 1.3),
    "rival_price_cut": ("rivals' defensive price cut (share)", 0.0, 0.3),
}
QUICK_INPUTS = ["market_q", "unit_cost"]
CUTTERS = ("incumbent", "disruptor")  # strategies whose price_cut is used


def cutters(base) -> list:
    return [k for k, c in base.competitors.items() if c.strategy.kind in CUTTERS]


def base_values(base, inputs) -> dict:
    values = {k: 1.0 for k in inputs}
    if "rival_price_cut" in inputs:
        values["rival_price_cut"] = float(np.mean([base.competitors[k].strategy.price_cut
                                                   for k in cutters(base)]))
    return values


def overrides_for(base, values: dict) -> list:
    """Marketsim overrides that set the inputs in ``values`` (others stay as configured)."""
    out = []
    seg_keys = {"market_p": "p", "market_q": "q", "price_sensitivity": "price_sensitivity"}
    if any(k in values for k in seg_keys):
        segments = []
        for seg in base.market.segments:
            d = dataclasses.asdict(seg)
            for k, field in seg_keys.items():
                if k in values:
                    d[field] = round(d[field] * values[k], 6)
            segments.append(d)
        out.append("market.segments=" + json.dumps(segments))
        if base.market.analogy is not None:  # it would overwrite the scaled p and q: a
            out.append("market.analogy=null")  # tornado bar of zero width for market_p
    if "unit_cost" in values:
        out.append(f"firm.production.unit_cost={round(base.firm.production.unit_cost * values['unit_cost'], 4)}")
    if "dev_effort" in values:
        tasks = []
        for t in base.firm.development.tasks:
            d = dataclasses.asdict(t)
            for f in ("effort_min", "effort_mode", "effort_max"):
                d[f] = round(d[f] * values["dev_effort"], 4)
            tasks.append(d)
        out.append("firm.development.tasks=" + json.dumps(tasks))
    if "rival_price_cut" in values:
        for k in cutters(base):
            out.append(f"competitors.{k}.strategy.price_cut={round(values['rival_price_cut'], 4)}")
    return out


def regression_indices(x: np.ndarray, y: np.ndarray) -> dict:
    """Squared standardised regression coefficients of ``y`` on the columns of ``x`` and the
    regression's R^2: for a nearly linear, additive response (R^2 near 1) SRC^2 approximates
    the first-order indices, with far less sampling error than Saltelli's estimator at a
    small n (a cross-check on the same points)."""
    sx, sy = x.std(axis=0), y.std()
    if sy == 0 or (sx == 0).any() or len(y) < 10 * (x.shape[1] + 1):  # too few points
        return {"SRC2": np.full(x.shape[1], np.nan), "R2": np.nan}
    z = np.c_[np.ones(len(y)), (x - x.mean(axis=0)) / sx]
    yz = (y - y.mean()) / sy
    beta, *_ = np.linalg.lstsq(z, yz, rcond=None)
    return {"SRC2": beta[1:] ** 2, "R2": float(1.0 - np.var(yz - z @ beta))}


SOBOL_KINDS = (("S1", "S1_conf", "first order S1: the input alone"),
               ("ST", "ST_conf", "total ST: with its interactions"),
               ("SRC2", None, "SRC²: linear regression check"))


def sobol_figure(summary: pd.DataFrame, title: str, why_no_src2: str = "too few points"):
    """Bars of each input's Sobol indices (S1, ST with their 95% intervals) and of the
    regression check (SRC²) where it was computed: where it is NaN (too few points) it
    has neither bars nor a legend entry (an empty entry had read as bars of zero) and the
    title says why (``why_no_src2``)."""
    pal = sns.color_palette()
    kinds = [k for k in SOBOL_KINDS if k[0] in summary
             and np.isfinite(pd.to_numeric(summary[k[0]], errors="coerce")).any()]
    fig, ax = plt.subplots(figsize=(1.6 * len(summary) + 4, 4.8))
    width = 0.8 / max(len(kinds), 1)
    colors = {"S1": pal[2], "ST": pal[3], "SRC2": "0.6"}
    for m, (col, conf, label) in enumerate(kinds):
        xs = np.arange(len(summary)) + (m - (len(kinds) - 1) / 2) * width
        ax.bar(xs, summary[col], width=width, color=colors[col], label=label)
        if conf is not None and summary[conf].notna().any():
            ax.errorbar(xs, summary[col], yerr=summary[conf], fmt="none", color="black",
                        capsize=3, lw=1)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(len(summary)), summary["input"], rotation=20, ha="right")
    note = "share of NPV variance over the input box"
    sobol = summary[["S1", "ST"]].apply(pd.to_numeric, errors="coerce").to_numpy()
    if np.any((sobol < -0.05) | (sobol > 1.0)):  # the bounds of sobol_caveat's sentence
        note += ";\nan index outside 0 to 1 (impossible for a share) is sampling error"
    if not any(k[0] == "SRC2" for k in kinds):
        note += f"\nno regression check (SRC²): {why_no_src2}"
    ax.set(title=f"{title}\n{note}", xlabel="input", ylabel="share of NPV variance")
    ax.legend(fontsize="small")
    return fig


def run(argv):
    opts = parse_args(NAME, argv, {"inputs": [], "n": 16, "sobol_seeds": 1},
                      quick_seeds=2, seeds=10)
    started = time.perf_counter()
    given = {a.split("=", 1)[0] for a in argv}
    if opts.quick:  # a tiny Sobol design unless asked otherwise
        opts.keys.update({k: v for k, v in (("n", 2),) if k not in given})
    inputs = opts["inputs"] or (QUICK_INPUTS if opts.quick else list(INPUTS))
    unknown = [k for k in inputs if k not in INPUTS]
    if unknown:
        raise ExperimentError(f"inputs must be among {', '.join(INPUTS)}; got {unknown}")
    n, sobol_seeds = opts["n"], opts["sobol_seeds"]
    if n < 1 or sobol_seeds < 1:
        raise ExperimentError(f"n and sobol_seeds must be >= 1, got n={n}, sobol_seeds={sobol_seeds}")
    extra = quick_horizon(opts, 600)
    base = base_config(opts, extra)
    if "rival_price_cut" in inputs and not cutters(base):
        inputs = [k for k in inputs if k != "rival_price_cut"]
        print(f"[{NAME}] no incumbent or disruptor rival: rival_price_cut dropped")
    if len(inputs) < 2:
        raise ExperimentError(f"Sobol indices need at least 2 inputs, got {inputs}")
    opts.keys["inputs"] = inputs
    center = base_values(base, inputs)

    # one at a time: low and high of each input, the rest at base
    tornado = {"base": overrides_for(base, center)}
    for k in inputs:
        for level, value in (("low", INPUTS[k][1]), ("high", INPUTS[k][2])):
            tornado[f"{k}_{level}"] = overrides_for(base, {**center, k: value})
    kpis = load_kpis(run_sweep(opts, tornado, extra, sweep_name="tornado"))
    kpis["npv"] = pd.to_numeric(kpis["npv"], errors="coerce")
    npv = kpis.groupby("option")["npv"].agg(["mean", lambda v: v.quantile(0.05),
                                             lambda v: v.quantile(0.95)])
    npv.columns = ["npv_mean", "npv_p5", "npv_p95"]
    base_npv = npv.loc["base", "npv_mean"]

    # Sobol: Saltelli's scheme, one option per sample point, mean NPV over common seeds
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(inputs), "names": list(inputs),
               "bounds": [[INPUTS[k][1], INPUTS[k][2]] for k in inputs]}
    points = sobol_sample.sample(problem, n, calc_second_order=False, seed=12345)
    sobol = {f"sobol_{i:04d}": overrides_for(base, dict(zip(inputs, map(float, x), strict=True)))
             for i, x in enumerate(points)}
    skpis = load_kpis(run_sweep(opts, sobol, extra, seeds=sobol_seeds, sweep_name="sobol"))
    y = (pd.to_numeric(skpis["npv"], errors="coerce").groupby(skpis["option"]).mean()
         .reindex(list(sobol)))
    if y.isna().any():
        raise ExperimentError(f"{int(y.isna().sum())} Sobol points have no NPV (failed jobs); "
                              f"see {opts.out.resolve() / 'sobol.log'}")
    indices = sobol_analyze.analyze(problem, y.to_numpy(), calc_second_order=False,
                                    num_resamples=500, conf_level=0.95, seed=12345)

    src2 = regression_indices(points, y.to_numpy())
    out = opts.out.resolve()
    summary = []
    for i, k in enumerate(inputs):
        lo, hi = npv.loc[f"{k}_low"], npv.loc[f"{k}_high"]
        d = paired_difference(kpis, "npv", f"{k}_high", f"{k}_low")
        summary.append({"input": k, "label": INPUTS[k][0], "low": INPUTS[k][1],
                        "base": center[k], "high": INPUTS[k][2],
                        "npv_base_mean": base_npv,
                        "npv_low_mean": lo["npv_mean"], "npv_low_p5": lo["npv_p5"],
                        "npv_low_p95": lo["npv_p95"], "npv_high_mean": hi["npv_mean"],
                        "npv_high_p5": hi["npv_p5"], "npv_high_p95": hi["npv_p95"],
                        "swing": abs(hi["npv_mean"] - lo["npv_mean"]),
                        "p_high_beats_low": d["p_better"], "paired_seeds": d["n"],
                        "S1": indices["S1"][i], "S1_conf": indices["S1_conf"][i],
                        "ST": indices["ST"][i], "ST_conf": indices["ST_conf"][i],
                        "SRC2": src2["SRC2"][i]})
    summary = pd.DataFrame(summary).sort_values("swing", ascending=False, ignore_index=True)
    write_summary(out, summary)

    # tornado chart: bars from the base NPV to the low and high NPV
    fig, ax = plt.subplots(figsize=(9, 0.7 * len(inputs) + 2.2))
    pal = sns.color_palette()
    order = summary.iloc[::-1]
    for j, r in enumerate(order.itertuples()):
        for level, color in (("low", pal[0]), ("high", pal[1])):
            v = getattr(r, f"npv_{level}_mean")
            ax.barh(j, (v - base_npv) / 1e6, left=base_npv / 1e6, color=color, height=0.6,
                    label=f"input at its {level} value" if j == 0 else None)
            x = getattr(r, level)
            ax.text(v / 1e6, j, f" {x:g} " if v >= base_npv else f" {x:g} ", va="center",
                    ha="left" if v >= base_npv else "right", fontsize="small")
    ax.axvline(base_npv / 1e6, color="black", lw=1)
    ax.set_yticks(range(len(order)), [f"{r.label}" for r in order.itertuples()])
    ax.set(title=f"Tornado: mean NPV with one input at its low or high value\n"
                 f"(others at the scenario's values; {opts.seeds} paired seeds; base "
                 f"{fmt(base_npv)})", xlabel=money_axis("mean NPV", base))
    ax.margins(x=0.15)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize="small",
              frameon=False)
    tornado_png = figure_path(out, "tornado")
    save_figure(fig, tornado_png, opts)

    need = 10 * (len(inputs) + 1)  # regression_indices' least number of points
    fig = sobol_figure(summary, f"Sobol indices of NPV (n={n}, {len(points)} points x "
                                f"{sobol_seeds} seeds; 95% intervals)",
                       f"too few points ({len(points)}; it needs {need})"
                       if len(points) < need else "NPV or an input does not vary")
    sobol_png = figure_path(out, "sobol_indices")
    save_figure(fig, sobol_png, opts)

    cols = min(3, len(inputs))
    rows_n = int(np.ceil(len(inputs) / cols))
    fig, axes = plt.subplots(rows_n, cols, figsize=(4.3 * cols, 3.6 * rows_n), squeeze=False,
                             sharey=True)
    for ax, (i, k) in zip(axes.flat, enumerate(inputs), strict=False):
        ax.scatter(points[:, i], y.to_numpy() / 1e6, s=12, alpha=0.6, color=pal[0])
        ax.set(xlabel=INPUTS[k][0], ylabel=money_axis("mean NPV", base) if i % cols == 0 else "")
    for ax in list(axes.flat)[len(inputs):]:
        ax.set_visible(False)
    fig.suptitle("NPV over the Sobol sample against each input")
    scatter_png = figure_path(out, "sobol_scatter")
    save_figure(fig, scatter_png, opts)

    top = summary.iloc[0]
    answer = [f"The input that moves NPV most in the tornado is **{top['input']}** "
              f"({top['label']}): from {fmt(top['npv_low_mean'])} at {top['low']:g} to "
              f"{fmt(top['npv_high_mean'])} at {top['high']:g}, a swing of {fmt(top['swing'])}; "
              f"the high value gives the higher NPV in {100 * top['p_high_beats_low']:.0f}% of "
              f"{top['paired_seeds']} paired seeds."]
    for r in summary.iloc[1:].itertuples():
        answer.append(f"**{r.input}** ({r.label}): {fmt(r.npv_low_mean)} at {r.low:g}, "
                      f"{fmt(r.npv_high_mean)} at {r.high:g} (swing {fmt(r.swing)}; high beats "
                      f"low in {100 * r.p_high_beats_low:.0f}% of paired seeds).")
    by_st = summary.sort_values("ST", ascending=False)
    s = by_st.iloc[0]
    sob = [f"By total Sobol index, **{s['input']}** has the largest share of the NPV variance "
           f"over the input box: ST = {s['ST']:.2f} ± {s['ST_conf']:.2f}, S1 = {s['S1']:.2f} ± "
           f"{s['S1_conf']:.2f} (95% bootstrap intervals)."]
    sob += [f"{r.input}: S1 = {r.S1:.2f} ± {r.S1_conf:.2f}, ST = {r.ST:.2f} ± {r.ST_conf:.2f}."
            for r in by_st.iloc[1:].itertuples()]
    interactions = float(by_st["ST"].sum() - by_st["S1"].sum())
    sob.append(f"Sum of ST minus sum of S1: {interactions:.2f} (interactions and sampling "
               f"error). Every point ran on the same {sobol_seeds} seed(s) (common random "
               f"numbers), so the indices describe the mean NPV over those seeds as a function "
               f"of the inputs; the seed-to-seed spread is not part of them.")
    if np.isfinite(src2["R2"]):
        sob.append(f"Cross-check on the same points: a linear regression of NPV on the inputs "
                   f"explains R² = {src2['R2']:.2f} of its variance; its squared standardised "
                   f"coefficients (SRC², close to S1 when R² is near 1) rank the inputs "
                   + ", ".join(f"{r.input} {r.SRC2:.2f}" for r in summary.sort_values(
                       "SRC2", ascending=False).itertuples()) + ".")
    else:
        sob.append(f"Too few points ({len(points)}) for the regression cross-check (it needs "
                   f"{10 * (len(inputs) + 1)}).")
    caveat = sobol_caveat(summary, n, len(points))
    if caveat:
        sob.append(caveat)
    sections = [("Tornado (one at a time)", answer, [tornado_png]),
                ("Sobol indices (all inputs varying together)", sob, [sobol_png, scatter_png]),
                ("Inputs", ["; ".join(f"{k}: {INPUTS[k][0]}, low {INPUTS[k][1]:g}, base "
                                      f"{center[k]:g}, high {INPUTS[k][2]:g}" for k in inputs)
                            + "."], [])]
    write_report(out, "Sensitivity of NPV", QUESTION, sections, opts,
                 time.perf_counter() - started,
                 raw=f"`tornado/` ({opts.seeds} seeds per option) and `sobol/` ({sobol_seeds} "
                     f"seed(s) per sample point), one job directory per option and seed",
                 answer=_answer(kpis, top, base), config=base,
                 varied=[f"{', '.join(inputs)} (each low and high alone, then together)"])
    return out


def _answer(kpis, top, base) -> str:
    """Which input to manage first, and which of its two values is better with the
    paired interval over common seeds."""
    k = top["input"]
    pair = kpis[kpis["option"].isin([f"{k}_high", f"{k}_low"])]
    ans = recommend(pair, "npv")
    return (answer_sentence(ans, "NPV", money, currency(base),
                            lead=f"Manage {k} ({top['label']}) first, the input that moves "
                                 "NPV most; of its two values the better is")
            + " Whether that value can be chosen or only forecast is the reader's call.")


def sobol_caveat(summary, n: int, n_points: int) -> str:
    """The report's warning on Sobol indices too rough to act on: a small sample (n < 64),
    an index outside 0-1 (a share of variance cannot be; a quick run gave unit_cost ST
    1.54 +/- 0.09, its narrow bootstrap interval understating the error), S1 above ST, or
    intervals half as wide as their index; "" where none of these holds."""
    odd = summary[summary["S1"] > summary["ST"] + summary["ST_conf"]]
    outside = summary[(summary[["S1", "ST"]] > 1.0).any(axis=1)
                      | (summary[["S1", "ST"]] < -0.05).any(axis=1)]
    wide = bool(((summary["ST_conf"] >= 0.5 * summary["ST"].abs())
                 & (summary["ST_conf"] > 0)).any())
    if not (n < 64 or len(outside) or len(odd) or wide):
        return ""
    flaws = []
    if len(outside):
        flaws.append(f"{', '.join(outside['input'])} {'has' if len(outside) == 1 else 'have'}"
                     " an index outside 0-1, impossible for a share of variance, so the "
                     "bootstrap intervals, narrow as they may look, understate the error")
    if len(odd):
        flaws.append(f"S1 exceeds ST for {', '.join(odd['input'])}, impossible for exact "
                     "indices")
    if wide:
        flaws.append("some 95% intervals are as wide as half their index or more")
    more = ("run n=64 or more (about 64/n times longer)" if n < 64 else
            f"run n={4 * n} (about 4 times longer)")
    return (f"**These indices are rough**: n={n} gives only {n_points} points"
            + (f" ({'; '.join(flaws)})" if flaws else "")
            + f"; trust the tornado and the regression check more, or {more} before acting "
              "on the Sobol numbers.")


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())

