"""Risk of one scenario from what we don't know: P(loss), expected shortfall and the input
that drives the downside, with seed noise and input uncertainty kept apart.

    python -m experiments.risk [scenario=NAME] [draws=40] [seeds=4] [nominal_seeds=40]
        [uncertainty=PATH] [inputs=[market_p,...]] [posterior=PATH] [tail=0.1]
        [sample_seed=12345] [quick=true] [<overrides>]

Two sweeps. ``nominal``: the scenario as configured over ``nominal_seeds`` seeds (seed
noise only: what this runner reported before). ``draws``: ``draws`` Latin hypercube draws
of the uncertain inputs (``configs/uncertainty.yaml``: Bass p and q, market size, price
sensitivity, our unit cost, the rivals' price cut; experiments/uncertainty.py), each run
on the same ``seeds`` seeds. A random-effects split of the NPV variance over draws x seeds
separates input uncertainty from seed noise; P(loss), the expected shortfall (mean NPV of
the worst ``tail`` of runs) and their 90% intervals come from a bootstrap over draws (a
draw's seeds stay together); each input's Spearman rank correlation with NPV and its mean
in the worst runs name the driver of the downside.

``posterior=PATH`` (a ``marketsim-fit`` run's ``posterior.csv``, with its ``posterior.json``
beside it) replaces the table's Bass p, q and market-size spreads by the fit's joint
posterior: each draw takes one posterior row (p, q, m together, so their correlation is
kept) as multipliers over the posterior mode; for the market the fit wrote
(``hydra.searchpath=[file://FIT_DIR] market=NAME``), configured at the mode, the draw's p,
q and m are the posterior's exactly.

Full mode (40 draws x 4 seeds + 40 nominal seeds, 5 years) took 7.5 minutes on the
shared 2-core machine at load 7-10 (docs/experiments.md); quick mode (5 draws x 2 seeds and the
nominal scenario on the same 2 seeds, one sweep, 2 years) about 30 s.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from experiments import uncertainty as unc
from experiments.common import (
    ExperimentError,
    base_config,
    currency,
    figure_path,
    fmt,
    load_kpis,
    main_wrapper,
    money_axis,
    parse_args,
    run_sweep,
    save_figure,
    write_report,
    write_summary,
)
from experiments.options import quick_horizon
from sim.results import atomic_write
from sim.results.decision import go_no_go

NAME = "risk"
QUESTION = ("How likely is this launch to lose money, how much could it lose, and which of "
            "our assumptions drives the downside?")
KEYS = {"draws": 40, "nominal_seeds": 40, "uncertainty": "", "inputs": [], "tail": 0.1,
        "sample_seed": 12345, "posterior": ""}
QUICK = {"draws": 5, "nominal_seeds": 2}


def _settings(opts, argv):
    given = {a.split("=", 1)[0] for a in argv}
    if opts.quick:
        opts.keys.update({k: v for k, v in QUICK.items() if k not in given})
    if opts["draws"] < 2 or opts["nominal_seeds"] < 1:
        raise ExperimentError(f"draws must be >= 2 and nominal_seeds >= 1, got draws="
                              f"{opts['draws']}, nominal_seeds={opts['nominal_seeds']}")
    if not 0 < opts["tail"] < 1:
        raise ExperimentError(f"tail must lie in (0, 1), got {opts['tail']}")
    inputs = unc.load(opts["uncertainty"] or None)
    chosen = opts["inputs"] or list(inputs)
    unknown = [k for k in chosen if k not in inputs]
    if unknown:
        raise ExperimentError(f"inputs must be among {', '.join(inputs)}; got {unknown}")
    return {k: inputs[k] for k in chosen}


def _draws(inputs, opts):
    """(input names, draws x inputs multipliers): Latin hypercube draws of the table's
    inputs, the posterior's joint draws for p, q and size when ``posterior`` is given."""
    if not opts["posterior"]:
        return list(inputs), unc.sample(inputs, opts["draws"], seed=opts["sample_seed"])
    mult = unc.load_posterior(opts["posterior"])
    for k in unc.POSTERIOR_INPUTS:
        inputs.pop(k, None)
    post = unc.sample_posterior(mult, opts["draws"], seed=opts["sample_seed"])
    table = (unc.sample(inputs, opts["draws"], seed=opts["sample_seed"]) if inputs
             else np.empty((opts["draws"], 0)))
    inputs.update(unc.posterior_inputs(mult, opts["posterior"]))
    opts.keys["inputs"] = list(inputs)
    return list(inputs), np.column_stack([table, post])


def _npv_matrix(kpis, names, seeds):
    npv = pd.to_numeric(kpis["npv"], errors="coerce")
    table = (kpis.assign(npv=npv).pivot_table(index="option", columns="seed", values="npv")
             .reindex(index=names))
    keep = table.notna().all(axis=1) if seeds > 1 else table.notna().any(axis=1)
    if (~keep).any():
        print(f"[{NAME}] {int((~keep).sum())} draws with failed jobs left out")
    return table[keep], keep.to_numpy()


def run(argv):
    opts = parse_args(NAME, argv, KEYS, quick_seeds=2, seeds=4)
    inputs = _settings(opts, argv)
    started = time.perf_counter()
    extra = quick_horizon(opts, 730)
    base = base_config(opts, extra)
    if "rival_price_cut" in inputs and not unc.cutters(base):
        inputs.pop("rival_price_cut")
        print(f"[{NAME}] no incumbent or disruptor rival: rival_price_cut dropped")
    if not inputs:
        raise ExperimentError("no uncertain input left to sample")
    opts.keys["inputs"] = list(inputs)
    scenario = next((o.split("=", 1)[1] for o in opts.overrides if o.startswith("scenario=")),
                    "baseline")
    names, x = _draws(inputs, opts)
    draws = {f"draw_{i:03d}": unc.overrides_for(base, dict(zip(names, map(float, row),
                                                                strict=True)))
             for i, row in enumerate(x)}

    if opts["nominal_seeds"] == opts.seeds:  # one sweep (saves a sweep's fixed cost)
        kpis = load_kpis(run_sweep(opts, {"nominal": [], **draws}, extra))
        nominal_kpis, draw_kpis = kpis[kpis["option"] == "nominal"], kpis[kpis["option"] != "nominal"]
        raw = "`sweep/` (option `nominal` and the draws)"
    else:
        nominal_kpis = load_kpis(run_sweep(opts, {"nominal": []}, extra,
                                           seeds=opts["nominal_seeds"], sweep_name="nominal"))
        draw_kpis = load_kpis(run_sweep(opts, draws, extra, sweep_name="draws"))
        raw = "`nominal/` and `draws/`"
    nom = pd.to_numeric(nominal_kpis["npv"], errors="coerce").dropna().to_numpy()
    table, kept = _npv_matrix(draw_kpis, list(draws), opts.seeds)
    if len(table) < 2:
        raise ExperimentError(f"only {len(table)} draws ran on every seed; see "
                              f"{opts.out.resolve() / 'draws.log'}", code=1)
    npv, x = table.to_numpy(), x[kept]
    tail = opts["tail"]

    def stats_fn(a):
        return unc.risk_stats(a, tail)

    est, ci = stats_fn(npv), unc.cluster_bootstrap(npv, stats_fn)
    ci["prob_loss"] = loss_interval(est["prob_loss"], ci["prob_loss"], len(npv))
    nom_es_ci = unc.cluster_bootstrap(nom.reshape(-1, 1),
                                      lambda a: {"es": unc.expected_shortfall(a, tail)})["es"]
    n_loss = int((nom < 0).sum())
    nom_ci = unc.wilson(n_loss, len(nom))
    drv = pd.DataFrame(unc.drivers(x, npv, names, tail))
    boot = _driver_intervals(x, npv, names, tail)
    drv["rank_corr_lo"], drv["rank_corr_hi"] = boot[:, 0], boot[:, 1]
    drv["label"] = [unc.INPUTS[k] for k in names]
    drv["distribution"] = [inputs[k].describe() for k in names]
    drv["source"] = [inputs[k].source for k in names]
    drv = drv.reindex(drv["rank_corr"].abs().sort_values(ascending=False).index)
    drv = drv.reset_index(drop=True)

    out = opts.out.resolve()
    rows = [_row("nominal", nom.reshape(-1, 1), nominal_kpis, tail)
            | {"prob_loss_lo": nom_ci[0], "prob_loss_hi": nom_ci[1], "es_lo": nom_es_ci[0],
               "es_hi": nom_es_ci[1]},
            _row("uncertain", npv, draw_kpis, tail)
            | {"prob_loss_lo": ci["prob_loss"][0], "prob_loss_hi": ci["prob_loss"][1],
               "es_lo": ci["es"][0], "es_hi": ci["es"][1], "draws": len(npv),
               "seeds_per_draw": npv.shape[1], "share_inputs": est["share_inputs"],
               "share_inputs_lo": ci["share_inputs"][0], "share_inputs_hi": ci["share_inputs"][1],
               "var_inputs": est["var_inputs"], "var_seeds": est["var_seeds"],
               "top_driver": drv["input"].iloc[0]}]
    summary = pd.DataFrame(rows)
    write_summary(out, summary)
    atomic_write(out / "drivers.csv", lambda p: drv.to_csv(p, index=False))
    per_draw = pd.DataFrame(x, columns=names, index=table.index).assign(
        npv_mean=npv.mean(axis=1), npv_min=npv.min(axis=1))
    atomic_write(out / "draws.csv", lambda p: per_draw.to_csv(p, index_label="option"))

    pngs = _plots(out, nom, npv, x, drv, names, summary, tail, opts, base)
    u, n = summary.iloc[1], summary.iloc[0]
    top = drv.iloc[0]
    answer = [
        (f"**Quick mode** ({len(npv)} draws x {_seeds(npv.shape[1])}, "
         f"{base.horizon_days:,.0f} days): these numbers "
         f"check that the runner works; they are not an answer." if opts.quick else ""),
        f"With the uncertainty of what we assumed, scenario **{scenario}** loses money "
        f"(NPV < 0) with probability **{u['prob_loss']:.0%}** (90% interval "
        f"{u['prob_loss_lo']:.0%} to {u['prob_loss_hi']:.0%}; {len(npv)} input draws x "
        f"{_seeds(npv.shape[1])}). The expected shortfall, the mean NPV of the worst "
        f"{tail:.0%} of runs, is **{fmt(u['es'])}** (90% interval {fmt(u['es_lo'])} to "
        f"{fmt(u['es_hi'])}); the median NPV is {fmt(u['npv_p50'])}.",
        driver_sentence(top, tail),
        f"Seed noise alone (the scenario as configured, {_seeds(len(nom))}) gives P(loss) = "
        f"{n['prob_loss']:.0%} (90% interval {n['prob_loss_lo']:.0%} to "
        f"{n['prob_loss_hi']:.0%}) and an expected shortfall of {fmt(n['es'])}"
        + _compare(n, u) + (
            " Input uncertainty explains "
            f"{_pct(u['share_inputs'])} of the NPV variance (90% interval "
            f"{_pct(u['share_inputs_lo'])} to {_pct(u['share_inputs_hi'])}), seed noise the "
            "rest." if npv.shape[1] > 1 else
            " With one seed per draw, input uncertainty and seed noise cannot be told apart "
            "(seeds=2 or more splits the variance)."),
    ]
    others = [f"**{r.input}**: rank correlation {r.rank_corr:+.2f} ({r.rank_corr_lo:+.2f} to "
              f"{r.rank_corr_hi:+.2f}"
              + ("; includes 0: not told apart from noise" if _spans_zero(r._asdict()) else "")
              + f"); mean {r.mean_worst:.2f} in the worst runs, {r.mean_all:.2f} in all."
              for r in drv.iloc[1:].itertuples()]
    assumptions = [f"**{r.input}** ({r.label}): {r.distribution}. Source: {r.source}."
                   for r in drv.sort_values("input").itertuples()]
    assumptions.append("Every input multiplies the scenario's configured value; the draws are "
                       "a Latin hypercube (scipy.stats.qmc), one option per draw, every draw "
                       "on the same seeds. Intervals: P(loss) with seed noise only is a Wilson "
                       "interval, and so is P(loss) with input uncertainty where it is 0% or "
                       "100% (over the draws: every resample would give the same); the rest "
                       "are 90% bootstrap intervals over draws.")
    if opts["posterior"]:
        assumptions.append("Bass p, q and the market size come from the calibration's "
                           "posterior: each draw is one posterior row (drawn without "
                           "replacement), not a Latin hypercube stratum.")
    sections = [("Findings", [a for a in answer if a], pngs[:1]),
                ("What drives the downside", others, pngs[1:]),
                ("Assumptions: the input uncertainty", assumptions, [])]
    write_report(out, f"Risk of scenario {scenario}", QUESTION, sections, opts,
                 time.perf_counter() - started,
                 answer=go_no_go(npv.mean(axis=1), u["prob_loss"], scenario, currency(base)),
                 config=base, varied=[f"{', '.join(names)} (drawn once per input draw, shared by its seeds)"],
                 intervals="the answer's interval is a Student t interval over the input "
                           "draws; P(loss) with seed noise only has a Wilson interval (with "
                           "input uncertainty too where it is 0% or 100%), the other figures "
                           "90% bootstrap intervals over draws",
                 raw=f"{raw}: {len(nom)} seeds of the scenario as configured and "
                     f"{len(npv)} input draws x {_seeds(npv.shape[1])} (the inputs of each draw "
                     f"in `draws.csv`), one job directory per option and seed")
    return out


def _compare(n, u):
    """How the seed-noise-only answer misleads: which of P(loss) and the shortfall it gets
    too low or too high."""
    said = []
    if n["prob_loss"] != u["prob_loss"]:
        said.append(f"{'understates' if n['prob_loss'] < u['prob_loss'] else 'overstates'} "
                    f"the chance of a loss")
    if n["es"] > u["es"]:
        said.append(f"misses {fmt(n['es'] - u['es'])} of the downside in the worst "
                    f"runs")
    return (": it " + " and ".join(said) + ".") if said else "."


def loss_interval(prob_loss: float, bootstrap: tuple, draws: int) -> tuple:
    """P(loss)'s interval: the bootstrap's over the draws, but where every run lost or none
    did (every resample alike: 100% to 100% on 5 draws) a Wilson interval over the draws,
    the independent units, as for the nominal seeds."""
    if prob_loss in (0.0, 1.0):
        return unc.wilson(int(round(prob_loss * draws)), draws)
    return bootstrap


def driver_sentence(top, tail: float) -> str:
    """The answer's sentence on the strongest driver (``top``: its row of drivers.csv);
    where its rank correlation's interval includes 0, it says that no input clearly drives
    the downside (the sign is not told apart from noise) instead of naming the driver."""
    noisy = _spans_zero(top)
    head = (f"No input clearly drives the downside: the strongest, **{top['input']}** "
            f"({top['label']}), has a rank " if noisy else
            f"The input that drives the downside is **{top['input']}** ({top['label']}): rank ")
    return (head + f"correlation with NPV {top['rank_corr']:+.2f} (90% interval "
            f"{top['rank_corr_lo']:+.2f} to {top['rank_corr_hi']:+.2f}"
            + (", which includes 0: not told apart from noise; more draws would tell"
               if noisy else "")
            + f"); in the worst {tail:.0%} of runs its mean was {top['mean_worst']:.2f} "
            f"against {top['mean_all']:.2f} over all runs ({top['tail_shift_sd']:+.1f} "
            "standard deviations of it over all runs).")


def _spans_zero(driver) -> bool:
    """Whether a driver's 90% interval of its rank correlation includes 0 (its sign is
    not told apart from noise)."""
    return driver["rank_corr_lo"] <= 0.0 <= driver["rank_corr_hi"]


def _seeds(n: int) -> str:
    return f"{n} seed{'s' * (n != 1)}"


def _pct(v):
    return "n/a (one seed per draw)" if not np.isfinite(v) else f"{v:.0%}"


def _row(design, npv, kpis, tail):
    v = npv.ravel()
    p5, p10, p50, p90, p95 = np.percentile(v, [5, 10, 50, 90, 95])
    slip = pd.to_numeric(kpis["launch_slip_days"], errors="coerce").dropna()
    return {"design": design, "n": len(v), "npv_mean": float(v.mean()), "npv_p5": p5,
            "npv_p10": p10, "npv_p50": p50, "npv_p90": p90, "npv_p95": p95,
            "prob_loss": float((v < 0).mean()), "es": unc.expected_shortfall(v, tail),
            "prob_cash_exhausted": float(kpis["cash_exhausted"].astype(bool).mean()),
            "launch_slip_p90": float(np.percentile(slip, 90)) if len(slip) else np.nan}


def _driver_intervals(x, npv, names, tail, n_boot=400, seed=0):
    rng = np.random.default_rng(seed)
    rho = []
    for _ in range(n_boot):
        i = rng.integers(0, len(npv), len(npv))
        rho.append([r["rank_corr"] for r in unc.drivers(x[i], npv[i], names, tail)])
    return np.quantile(np.array(rho), [0.05, 0.95], axis=0).T


def _plots(out, nom, npv, x, drv, names, summary, tail, opts, base):
    pal = sns.color_palette()
    banner = ""  # quick mode: save_figure stamps the banner on every figure
    fig, ax = plt.subplots(figsize=(8, 4.4))
    bins = np.histogram_bin_edges(np.r_[nom, npv.ravel()] / 1e6, bins=30)
    ax.hist(npv.ravel() / 1e6, bins=bins, density=True, alpha=0.55, color=pal[0],
            label=f"inputs uncertain + seed noise ({npv.size} runs)")
    ax.hist(nom / 1e6, bins=bins, density=True, alpha=0.55, color=pal[1],
            label=f"seed noise only ({len(nom)} runs)")
    for r, c in ((summary.iloc[1], pal[0]), (summary.iloc[0], pal[1])):
        ax.axvline(r["es"] / 1e6, color=c, ls="--", lw=1.2)
    ax.axvline(0, color=pal[3], lw=1.5)
    u, n = summary.iloc[1], summary.iloc[0]
    ax.set(title=f"NPV: P(loss) {u['prob_loss']:.0%} with input uncertainty, "
                 f"{n['prob_loss']:.0%} with seed noise only{banner}\n(dashed: expected "
                 f"shortfall, mean of the worst {tail:.0%}; red: NPV = 0)",
           xlabel=money_axis("NPV", base), ylabel="density")
    ax.legend(fontsize="small")
    npv_png = figure_path(out, "npv_distribution")
    save_figure(fig, npv_png, opts)

    fig, ax = plt.subplots(figsize=(8, 0.55 * len(drv) + 2))
    order = drv.iloc[::-1].reset_index(drop=True)
    colors = [pal[3] if v < 0 else pal[2] for v in order["rank_corr"]]
    ax.barh(order.index, order["rank_corr"], color=colors, height=0.6)
    ax.errorbar(order["rank_corr"], order.index,
                xerr=[np.clip(order["rank_corr"] - order["rank_corr_lo"], 0, None),
                      np.clip(order["rank_corr_hi"] - order["rank_corr"], 0, None)],
                fmt="none", color="black", capsize=3, lw=1)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(order.index, order["label"])
    ax.set(xlim=(-1, 1), xlabel="Spearman rank correlation with NPV (90% interval)",
           title=f"What drives NPV: each uncertain input against NPV{banner}")
    drivers_png = figure_path(out, "drivers")
    save_figure(fig, drivers_png, opts)

    top = drv["input"].iloc[0]
    j = names.index(top)
    fig, ax = plt.subplots(figsize=(7, 4.4))
    xr, y = np.repeat(x[:, j], npv.shape[1]), npv.ravel() / 1e6
    loss = y < 0
    # a legend, not a colour named in the title (it said "red" over the palette's orange)
    for part, colour, label in ((~loss, pal[0], "NPV >= 0"), (loss, pal[3], "loss (NPV < 0)")):
        if part.any():
            ax.scatter(xr[part], y[part], s=14, alpha=0.6, color=colour, label=label)
    ax.axhline(0, color="black", lw=0.8)
    ax.legend(fontsize="small", loc="best")
    ax.set(xlabel=drv["label"].iloc[0], ylabel=money_axis("NPV", base),
           title=f"NPV against the top driver, {top}{banner}")
    top_png = figure_path(out, "top_driver")
    save_figure(fig, top_png, opts)
    return [npv_png, drivers_png, top_png]


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
