"""``marketsim-fit --generations A.csv B.csv ...``: fit Norton-Bass to several generations and
write a scenario that simulates them.

Outputs in ``--out DIR`` (default ``outputs/fit/NAME``, NAME default ``generations``):
``fit.json`` (the ``--json`` object), ``market/NAME.yaml`` (one segment sized at the sum of
the potentials, p and q per year) and ``scenario/NAME.yaml`` (generation 1 is our product,
launched at day 0; generation k a product of a passive rival entry ``gK`` launched at its
fitted day, with ``generation_of`` the one before and ``entry_share`` = m_k / size), so that
``marketsim hydra.searchpath=[file://DIR] scenario=NAME`` simulates the fit. Until a firm
can hold a product line, the later generations are rival entries in name only.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import yaml

from sim.calibration.args import BOOTSTRAP_MAX, DEFAULT_OUT_ROOT, LEVEL, PERIOD_YEARS, SEED_MAX, _in
from sim.calibration.output import MAX_SIZE, _write, check_name

DEFAULT_REPLICATES = 200
DAYS_PER_YEAR = 365.0
# the fit says nothing of the firms' money: deep pockets keep an insolvency (payroll with
# no revenue before a late generation's launch) out of the diffusion
DEEP_POCKETS = 1e11


def _check(args):
    if args.csv is not None or args.example:
        raise ValueError("give either --generations A.csv B.csv ... or SALES.csv / --example, "
                         f"not both (got {args.csv or '--example'!r})")
    if args.method != "bayes" or args.forecast or args.analogy or args.ceiling:
        raise ValueError("--generations fits Norton-Bass by least squares; it takes --bootstrap, "
                         "--seed, --level, --period-years, --name, --out and --json only")
    _in("--seed", args.seed, 0, SEED_MAX)
    _in("--level", args.level, *LEVEL)
    if args.bootstrap is not None:
        _in("--bootstrap", args.bootstrap, 0, BOOTSTRAP_MAX)
    if args.period_years is not None:
        _in("--period-years", args.period_years, *PERIOD_YEARS)
    name = check_name(args.name) if args.name is not None else "generations"
    out = Path(args.out) if args.out is not None else Path(DEFAULT_OUT_ROOT) / name
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} exists and is not a directory")
    return name, out


def scenario_docs(fit) -> tuple[dict, dict]:
    """(market config, scenario config) dicts for a ``GenerationsFit``."""
    years = fit.period_years
    m = fit.m
    size = int(math.ceil(float(m.sum())))
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"the potentials add up to {m.sum():.6g} customers, outside the "
                         f"segment size range 1..{MAX_SIZE}; rescale the sales columns")
    # floored to 6 digits, so that the shares never add up to more than the segment
    shares = [math.floor(1e6 * mk / size) / 1e6 for mk in m]
    market = {"name": fit.name, "segments": [{"name": "all", "size": size,
                                              "p": float(f"{fit.p / years:.6g}"),
                                              "q": float(f"{fit.q / years:.6g}")}]}
    quiet = {"budget_per_week": 0.0, "forgetting_per_week": 0.0, "prelaunch_days": 0.0}
    end = max(float(s) + len(y) for s, y in zip(fit.starts, fit.sales, strict=True))
    defaults = [{"/market": fit.name}, {"/firm": "challenger"}]
    competitors = {}
    for k in range(1, len(m)):
        key = f"g{k + 1}"
        defaults.append({f"/competitor@competitors.{key}": "challenger_twin"})
        competitors[key] = {
            "name": key, "initial_cash": DEEP_POCKETS, "initial_awareness": 1.0, "hiring": [], "research": {"studies": []},
            "product": {"name": f"gen{k + 1}", "kind": "durable", "generation_of": f"gen{k}",
                        "entry_share": shares[k]},
            "marketing": dict(quiet),
            "development": {"planned_launch_day": round(float(fit.tau[k]) * years * DAYS_PER_YEAR, 3)}}
    scenario = {
        "defaults": [*defaults, "_self_"],
        "name": fit.name,
        "description": f"Norton-Bass generations fitted by marketsim-fit ({len(m)} generations)",
        "horizon_days": round(end * years * DAYS_PER_YEAR, 3),
        "firm": {"launched": True, "initial_cash": DEEP_POCKETS, "initial_awareness": 1.0, "hiring": [],
                 "research": {"studies": []}, "development": {"roadmap": []},
                 "product": {"name": "gen1", "kind": "durable", "entry_share": shares[0]},
                 "marketing": {k: v for k, v in quiet.items() if k != "prelaunch_days"}},
        "competitors": competitors,
    }
    return market, scenario


def write_generations(fit, out_dir) -> dict:
    """Write fit.json, market/NAME.yaml and scenario/NAME.yaml; return their paths."""
    market, scenario = scenario_docs(fit)  # raises before anything is written
    out = Path(out_dir)
    for sub in ("market", "scenario"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "fit.json", "market": out / "market" / f"{fit.name}.yaml",
             "scenario": out / "scenario" / f"{fit.name}.yaml"}
    sources = json.dumps(fit.sources)
    _write(paths["json"], json.dumps(fit.to_dict(), indent=2) + "\n")
    _write(paths["market"], f"# Fitted by marketsim-fit --generations from {sources}: "
           "Norton-Bass p, q per year; size = the potentials' sum.\n"
           + yaml.safe_dump(market, sort_keys=False))
    _write(paths["scenario"], "# @package _global_\n# Norton-Bass generations fitted by "
           f"marketsim-fit --generations from {sources} (../fit.json).\n"
           + yaml.safe_dump(scenario, sort_keys=False))
    return paths


def summary(report: dict, paths: dict) -> str:
    """The human-readable result: estimates, intervals, files."""
    def ci(iv):
        return "" if iv is None else f"  [{iv[0]:.4g}, {iv[1]:.4g}]"

    lines = [f"Norton-Bass fit of {len(report['generations'])} generations "
             f"({report['level']:.0%} bootstrap intervals, {report['replicates']} replicates)",
             f"  p per year {report['p_per_year']:.4g}{ci(report['p_interval_per_year'])}",
             f"  q per year {report['q_per_year']:.4g}{ci(report['q_interval_per_year'])}"]
    for k, g in enumerate(report["generations"]):
        lines.append(f"  generation {k + 1}: m {g['m']:,.0f}{ci(g['m_interval'])}, launch period "
                     f"{g['launch_period']:g} (day {g['launch_day']:g}), {g['periods_fitted']} "
                     f"periods fitted  ({g['source']})")
    lines.append(f"  R^2 {report['r2']:.3f}, Pearson dispersion phi {report['phi']:.4g}")
    lines += [f"note: {n}" for n in report["notes"]]
    lines += [f"wrote {p}" for p in paths.values()]
    name = report["name"]
    lines.append(f"simulate: marketsim hydra.searchpath=[file://{Path(paths['json']).parent}] "
                 f"scenario={name}")
    return "\n".join(lines) + "\n"


def main_generations(args) -> int:
    """The ``--generations`` branch of ``marketsim-fit`` (exit status as the command's)."""
    from sim.calibration.data import SalesDataError, period_length, read_sales_csv

    def fail(message):
        sys.stderr.write(f"marketsim-fit: error: {' '.join(str(message).split())}\n")
        return 2

    try:
        name, out = _check(args)
        series = [read_sales_csv(path) for path in args.generations]
    except (SalesDataError, ValueError) as exc:
        return fail(exc)
    notes: list = []
    period_years = period_length(series[0], args.period_years, notes)
    from sim.calibration.generations import calibrate_generations

    replicates = DEFAULT_REPLICATES if args.bootstrap is None else args.bootstrap
    try:
        fit = calibrate_generations(series, name, replicates=replicates, seed=args.seed,
                                    level=args.level, period_years=period_years)
        paths = write_generations(fit, out)
    except (ValueError, FloatingPointError, ArithmeticError) as exc:
        # once: the alignment's own messages already name --generations
        text = str(exc)
        return fail(text if text.startswith("--generations") else f"--generations: {text}")
    except OSError as exc:
        return fail(f"--out {str(out)!r}: cannot write outputs: {exc.strerror or exc}")
    fit.notes[:0] = notes
    report = fit.to_dict()
    if args.json:
        sys.stdout.write(json.dumps(report) + "\n")
    else:
        sys.stdout.write(summary(report, paths))
    return 0
