"""Rolling-origin benchmark of early-life forecasts of the cumulative adoption level.

For each series and each origin fraction (10%, 25%, 50%), the origin is the first period in
which the cumulative level reached that fraction of the series' final level (its maximum,
so that declining series such as landlines are judged on their diffusion); every method is
given the data up to and including the origin only and forecasts the level 5 and 10
periods later. Scores per (origin, horizon) and method: the median absolute percentage
error of the cumulative level (MdAPE, %), the share of series on which the method has the
smallest error (ties shared), and the coverage of the 95% predictive intervals (a method
or fit with no interval counts as a miss; methods that give none show n/a).

Methods: ``forecast`` (marketsim-fit --forecast: Bass with priors combined with the simple
curves, calibrated intervals), ``bass_prior`` (the Bass MAP part alone, its own intervals),
``bass_nls`` (the plain NLS fit, intervals from its parametric bootstrap), and the simple
benchmarks ``logistic``, ``gompertz``, ``naive``, ``trend`` (sim/calibration/curves.py).

Data (read from ``../shared`` beside the repository; the script exits 0 with a note when it
is absent):
- development set: ``data/forecast/owid_technology_diffusion_us.csv`` (% of US households,
  penetration: first differences give adoptions per year; market-potential input 100) and
  the sales series of ``data/diffusion/`` (no market-potential input);
- test set (``--test-set``, run once when the method is final):
  ``data/forecast/owid_mobile_cellular_subscriptions_per_100.csv``, countries only (rows
  with an ISO code, not OWID_WRL), yearly part (1975 on), market-potential input 100.

Penetration series with gaps: a series is cut at gaps longer than MAX_GAP years and its
longest piece kept; single missing years inside it are linearly interpolated. Zero levels
before launch are dropped but the last one (the level before the first adoptions), as
marketsim-fit trims zero sales before launch.

    python benchmarks/bench_forecast.py            # table, development set
    python benchmarks/bench_forecast.py --json     # one JSON object
    python benchmarks/bench_forecast.py --test-set --json
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DEV_TECH = SHARED / "forecast" / "owid_technology_diffusion_us.csv"
DEV_SALES = SHARED / "diffusion"
TEST = SHARED / "forecast" / "owid_mobile_cellular_subscriptions_per_100.csv"
ORIGINS = (0.10, 0.25, 0.50)
HORIZONS = (5, 10)
MAX_GAP = 2
MIN_POINTS = 3      # levels up to and including the origin
SIMPLE = ("logistic", "gompertz", "naive", "trend")
# The alternative point forecast: equal weights on Bass with priors and the trend line.
COMBINED = ("bass", "trend")
METHODS = ("forecast", "combined", "bass_nls") + SIMPLE


def _runs(years, values):
    """Longest piece without a gap over MAX_GAP years, interpolated to every year."""
    order = np.argsort(years)
    years, values = np.asarray(years, float)[order], np.asarray(values, float)[order]
    cuts = np.flatnonzero(np.diff(years) > MAX_GAP) + 1
    pieces = np.split(np.arange(years.size), cuts)
    best = max(pieces, key=len)
    y0, y1 = years[best[0]], years[best[-1]]
    grid = np.arange(y0, y1 + 1)
    return grid, np.interp(grid, years[best], values[best])


def load_penetration(path: Path, entity_col: int, year_col: int, value_col: int,
                     keep=None, first_year=None) -> list[dict]:
    rows: dict[str, list] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            if keep is not None and not keep(row):
                continue
            year, value = float(row[year_col]), row[value_col]
            if value == "" or (first_year is not None and year < first_year):
                continue
            rows.setdefault(row[entity_col], []).append((year, float(value)))
    out = []
    for name, pts in sorted(rows.items()):
        years, level = _runs(*zip(*pts, strict=True))
        # Zero levels before launch: keep only the last one (the level before the first
        # adoptions), as marketsim-fit trims the zero sales before launch.
        first = int(np.argmax(level > 0)) if np.any(level > 0) else 0
        years, level = years[max(first - 1, 0):], level[max(first - 1, 0):]
        out.append({"name": name, "kind": "penetration", "level": level, "base_known": True,
                    "ceiling": 100.0, "years": years})
    return out


def load_dev() -> list[dict]:
    series = load_penetration(DEV_TECH, 0, 1, 2)
    from sim.calibration.data import read_sales_csv

    for path in sorted(DEV_SALES.glob("*.csv")):
        s = read_sales_csv(path)
        series.append({"name": path.stem, "kind": "sales", "level": np.cumsum(s.sales),
                       "base_known": False, "ceiling": None, "years": s.periods})
    return series


def load_test() -> list[dict]:
    def country(row):
        return row[1].strip() != "" and row[1] != "OWID_WRL"
    return load_penetration(TEST, 0, 2, 3, keep=country, first_year=1975)


def cases(series, origin_frac, h):
    """(series, origin index k) pairs usable at this origin and horizon."""
    y = series["level"]
    final = float(np.max(y))
    if not final > 0:
        return None
    k = int(np.argmax(y >= origin_frac * final))
    if k + 1 < MIN_POINTS or k + h >= y.size:
        return None
    return k


def _history(series, k):
    """(sales, base) given to the Bass-type methods: data up to index k."""
    y = series["level"][: k + 1]
    if series["base_known"]:
        return np.diff(y), float(y[0])
    return y - np.concatenate([[0.0], y[:-1]]), 0.0


def run_methods(series, k, horizons, nls_bootstrap, seed, widen_past_peak=None):
    """Forecasts and 95% intervals of the level at k + h for each method."""
    from sim.calibration import curves
    from sim.calibration.forecast import forecast
    from sim.calibration.priors import bass_prior

    hmax = max(horizons)
    y = series["level"][: k + 1]
    sales, base = _history(series, k)
    prior = bass_prior(ceiling=series["ceiling"])
    out = {}
    try:
        f = forecast(sales, hmax, prior, base=base, seed=seed,
                     widen_past_peak=widen_past_peak)
        out["forecast"] = (f.point, f.lower, f.upper)
        # which fit drove it: the plain one past the peak (forecast.PAST_PEAK_PLAIN)
        out["fit"] = "plain" if f.discount_per_year >= 1.0 else "discounted"
        g = forecast(sales, hmax, prior, base=base, seed=seed, combine=COMBINED)
        out["combined"] = (g.point, g.lower, g.upper)
    except ValueError:
        out["forecast"] = out["combined"] = (np.full(hmax, y[-1]), None, None)
        out["fit"] = None
    out["bass_nls"] = _bass_nls(sales, base, hmax, nls_bootstrap, seed)
    for name in SIMPLE:
        out[name] = (curves.SIMPLE[name](y, hmax), None, None)
    return out


def _bass_nls(sales, base, hmax, replicates, seed):
    """Today's plain fit: NLS on the sales, the fitted curve from t = 0 (no anchoring)."""
    from sim.calibration.bass import cumulative_share
    from sim.calibration.data import SalesSeries
    from sim.calibration.fit import calibrate

    n = sales.size
    t = n + np.arange(1, hmax + 1.0)
    pos = np.clip(sales, 0.0, None)
    if np.count_nonzero(pos) < 3:
        return (np.full(hmax, base + sales.sum()), None, None)
    series = SalesSeries("bench", "period", np.arange(1.0, n + 1), pos)
    with np.errstate(all="ignore"):
        cal = calibrate(series, "bench", replicates=replicates, seed=seed)
    b = cal.bass
    point = base + b.m * cumulative_share(t, b.p, b.q)
    d = cal.bass_draws
    if replicates == 0 or d.shape[0] < 10:
        return (point, None, None)
    lv = base + d[:, 2:3] * cumulative_share(t[None, :], d[:, :1], d[:, 1:2])
    lo, hi = np.quantile(lv, [0.025, 0.975], axis=0)
    return (point, lo, hi)


def evaluate(series_list, nls_bootstrap=100, seed=0, origins=ORIGINS, horizons=HORIZONS,
             widen_past_peak=None):
    records = []
    for s in series_list:
        for frac in origins:
            ks = {h: cases(s, frac, h) for h in horizons}
            usable = [h for h, k in ks.items() if k is not None]
            if not usable:
                continue
            k = ks[usable[0]]
            res = run_methods(s, k, usable, nls_bootstrap, seed, widen_past_peak)
            fit = res.pop("fit")
            for h in usable:
                actual = float(s["level"][k + h])
                for method, (point, lo, hi) in res.items():
                    ape = abs(point[h - 1] - actual) / abs(actual) * 100.0
                    cover = None if lo is None else bool(lo[h - 1] <= actual <= hi[h - 1])
                    records.append({"series": s["name"], "origin": frac, "horizon": h,
                                    "method": method, "ape": float(ape), "covered": cover,
                                    "forecast": float(point[h - 1]), "actual": actual,
                                    "lower": None if lo is None else float(lo[h - 1]),
                                    "upper": None if hi is None else float(hi[h - 1]),
                                    "fit": fit if method == "forecast" else None})
    return records


def interval_score(r, alpha=0.05) -> float:
    """The interval score of a central (1 - alpha) interval (Gneiting and Raftery 2007,
    eq. 43; lower is better): its width plus 2/alpha times the miss, relative to the
    outcome."""
    lo, hi, y = r["lower"], r["upper"], r["actual"]
    miss = max(lo - y, 0.0) + max(y - hi, 0.0)
    return ((hi - lo) + 2.0 / alpha * miss) / abs(y)


def coverage_by_fit(records, horizons=HORIZONS):
    """The forecast's 95% coverage of the cumulative level and mean interval score by the
    fit that drove it (the plain fit past the peak, else the discounted one) and horizon,
    over every origin: what ``marketsim-fit``'s note on a past-peak forecast quotes."""
    out = {}
    for fit in ("plain", "discounted"):
        rows = [r for r in records if r["method"] == "forecast" and r["fit"] == fit]
        cells = {}
        for h in horizons:
            cell = [r for r in rows if r["horizon"] == h]
            cells[str(h)] = {
                "n": len(cell),
                "coverage95": float(np.mean([bool(r["covered"]) for r in cell])) if cell else None,
                "interval_score": (float(np.mean([interval_score(r) for r in cell]))
                                   if cell and all(r.get("lower") is not None for r in cell)
                                   else None)}
        out[fit] = cells
    return out


def summarise(records, origins=ORIGINS, horizons=HORIZONS):
    table = []
    for frac in origins:
        for h in horizons:
            cell = [r for r in records if r["origin"] == frac and r["horizon"] == h]
            names = sorted({r["series"] for r in cell})
            if not names:
                continue
            apes = {m: {r["series"]: r["ape"] for r in cell if r["method"] == m} for m in METHODS}
            wins = dict.fromkeys(METHODS, 0.0)
            for name in names:
                vals = {m: apes[m][name] for m in METHODS}
                best = min(vals.values())
                winners = [m for m, v in vals.items() if v <= best + 1e-12]
                for m in winners:
                    wins[m] += 1.0 / len(winners)
            row = {"origin": frac, "horizon": h, "series": len(names), "methods": {}}
            for m in METHODS:
                cov = [r["covered"] for r in cell if r["method"] == m]
                has = any(c is not None for c in cov)
                row["methods"][m] = {
                    "mdape": float(np.median(list(apes[m].values()))),
                    "win_share": wins[m] / len(names),
                    "coverage95": (float(np.mean([bool(c) for c in cov])) if has else None),
                }
            best_simple = min(SIMPLE, key=lambda m: row["methods"][m]["mdape"])
            row["best_simple"] = best_simple
            row["ratio_vs_best_simple"] = (row["methods"]["forecast"]["mdape"]
                                           / max(row["methods"][best_simple]["mdape"], 1e-12))
            table.append(row)
    return table


def format_table(table, title):
    lines = [title, f"{'origin':>6} {'h':>3} {'n':>4}  " + "  ".join(f"{m:>18}" for m in METHODS)]
    lines.append(" " * 16 + "  ".join(f"{'MdAPE% win cov':>18}" for _ in METHODS))
    for row in table:
        cells = []
        for m in METHODS:
            c = row["methods"][m]
            cov = "  n/a" if c["coverage95"] is None else f"{c['coverage95']:5.2f}"
            cells.append(f"{c['mdape']:7.2f} {c['win_share']:4.2f} {cov}")
        lines.append(f"{row['origin']:6.2f} {row['horizon']:3d} {row['series']:4d}  "
                     + "  ".join(f"{x:>18}" for x in cells)
                     + f"   ratio {row['ratio_vs_best_simple']:.2f} vs {row['best_simple']}")
    return "\n".join(lines)


def fit_scaling(rows=(100, 1000, 10_000), replicates=50, seed=0) -> list[dict]:
    """Seconds of each marketsim-fit method against the rows of a series (no data needed).

    A Bass curve with 5% noise stretched over ``rows`` periods (p, q scaled so the life
    cycle spans the series); ``nls`` with ``replicates`` bootstrap replicates, ``bayes``
    with a 10-period forecast and 2,000 draws. Reports seconds and seconds per row.
    """
    from sim.calibration.bass import period_sales, unit_bounds
    from sim.calibration.bayes import calibrate_bayes
    from sim.calibration.data import SalesSeries
    from sim.calibration.fit import calibrate

    out = []
    for n in rows:
        rng = np.random.default_rng(seed)
        sales = period_sales(0.1 / n, 6.0 / n, 1e6, unit_bounds(n))
        sales = sales * (1 + 0.05 * rng.standard_normal(n))
        series = SalesSeries("scaling", "period", np.arange(1.0, n + 1), sales)
        t0 = time.perf_counter()
        calibrate(series, "s", replicates=replicates, seed=seed)
        t1 = time.perf_counter()
        calibrate_bayes(series, "s", horizon=10, seed=seed)
        t2 = time.perf_counter()
        out.append({"rows": n, "nls_bootstrap_replicates": replicates,
                    "nls_seconds": round(t1 - t0, 3), "bayes_seconds": round(t2 - t1, 3),
                    "nls_ms_per_row_per_replicate": round(1e3 * (t1 - t0) / n / replicates, 5),
                    "bayes_ms_per_row": round(1e3 * (t2 - t1) / n, 4)})
    return out


def _numbers(kind, ok, what: str, rule: str):
    """An argparse type: a comma-separated list of ``kind`` values, each passing ``ok``."""
    def parse(text: str) -> tuple:
        try:
            out = tuple(kind(x) for x in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a list of {what}: {text!r}") from None
        if not out or not all(ok(x) for x in out):
            raise argparse.ArgumentTypeError(f"{rule}, got {text!r}")
        return out
    return parse


_fractions = _numbers(float, lambda x: 0.0 < x < 1.0, "fractions", "each origin must be in (0, 1)")
_whole = _numbers(int, lambda x: x >= 1, "whole numbers", "each horizon must be >= 1")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--test-set", action="store_true",
                    help="score the held-out test set (run once, when the method is final)")
    ap.add_argument("--nls-bootstrap", type=int, default=100,
                    help="bootstrap replicates of the plain NLS fit's intervals (default 100)")
    ap.add_argument("--records", metavar="FILE", help="also write every case to FILE (JSON)")
    ap.add_argument("--fit-scaling", action="store_true",
                    help="instead: time marketsim-fit's two methods against the rows")
    ap.add_argument("--origins", type=_fractions, default=ORIGINS, metavar="F,F,...",
                    help="origin fractions of the final level, each in (0, 1) "
                         "(default 0.1,0.25,0.5)")
    ap.add_argument("--horizons", type=_whole, default=HORIZONS, metavar="H,H,...",
                    help="periods ahead, each a whole number >= 1 (default 5,10)")
    ap.add_argument("--widen-past-peak", type=float, default=None, metavar="W",
                    help="try another widening of the past-peak forecasts' intervals "
                         "(default: the forecaster's own; see coverage_by_fit)")
    args = ap.parse_args(argv)
    if args.fit_scaling:
        print(json.dumps({"benchmark": "fit_scaling", "cases": fit_scaling(),
                          "numpy": np.__version__}))
        return 0
    need = [TEST] if args.test_set else [DEV_TECH, DEV_SALES]
    missing = [str(p) for p in need if not p.exists()]
    if missing:
        print(f"bench_forecast: skipped, data not found: {', '.join(missing)} "
              "(../shared beside the repository)", file=sys.stderr)
        return 0
    start = time.perf_counter()
    series = load_test() if args.test_set else load_dev()
    records = evaluate(series, nls_bootstrap=args.nls_bootstrap, origins=args.origins,
                       horizons=args.horizons, widen_past_peak=args.widen_past_peak)
    table = summarise(records, args.origins, args.horizons)
    target = next((r for r in table if r["origin"] == 0.25 and r["horizon"] == 5), None)
    result = {
        "benchmark": "forecast", "set": "test" if args.test_set else "development",
        "series": len(series), "table": table,
        "target_25pct_h5": None if target is None else {
            "mdape_ratio_vs_best_simple": target["ratio_vs_best_simple"],
            "best_simple": target["best_simple"],
            "coverage95": target["methods"]["forecast"]["coverage95"],
            "met": bool(target["ratio_vs_best_simple"] <= 0.8
                        and target["methods"]["forecast"]["coverage95"] >= 0.8)},
        "coverage_by_fit": coverage_by_fit(records, args.horizons),
        "widen_past_peak": args.widen_past_peak,
        "seconds": round(time.perf_counter() - start, 1),
        "numpy": np.__version__, "python": platform.python_version(),
    }
    if args.records:
        Path(args.records).write_text(json.dumps(records, indent=1))
    if args.json:
        print(json.dumps(result))
    else:
        print(format_table(table, f"{result['set']} set, {len(series)} series"))
        print(json.dumps(result["target_25pct_h5"]))
        print("forecast coverage by the fit that drove it (all origins), per horizon:",
              json.dumps(result["coverage_by_fit"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
