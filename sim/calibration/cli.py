"""``marketsim-fit``: fit the diffusion model to a sales history, forecast, and write a market
config the scenario engine can simulate from.

Exit status 0 on success; 2 with one line ``marketsim-fit: error: ...`` on stderr (no
traceback) when the input or the arguments cannot be used. Every check runs before
anything is written, so a failing command leaves an earlier output directory as it was.
SciPy, seaborn and Matplotlib are imported only after the data passed their checks.
"""

from __future__ import annotations

import argparse
import json
import sys

from sim.calibration.args import DEFAULT_OUT_ROOT, check_args, check_work, nls_replicates

DESCRIPTION = """\
Fit the Bass diffusion model to a sales history, forecast the next periods with predictive
intervals, and write a market config the scenario engine can simulate from.

Input: a CSV with a header row, a period column (one named period, year or t; otherwise
the first column), a 'sales' column (sales per period, >= 0) and optionally 'price' and
'advertising' columns (> 0). Periods must increase in equal steps. Zeros are data: leading
zeros (before launch) are trimmed and reported, zeros inside the series are kept. At least
4 periods with sales; at most 10,000 rows. --example uses a built-in synthetic history
with known p = 0.01, q = 0.4 per year and m = 20,000 instead of a file.

Methods:
  * bayes (default): the Bass model with priors for p and q from published analogies
    (the analogy table; --analogy picks a category) and for the market potential
    (--ceiling, optional), fitted at its posterior mode with a Laplace approximation;
    --forecast H gives H periods of sales and cumulative adoption with predictive
    intervals, always present (their coverage is measured by benchmarks/bench_forecast.py).
    The posterior (mode, covariance, draws) goes to posterior.json / posterior.csv.
  * --generations A.csv B.csv ...: the Norton-Bass (1987) model of successive generations
    (common p, q; one potential m_k and launch per generation) fitted to all series at once
    by least squares on per-period sales, with parametric-bootstrap intervals; writes
    scenario/NAME.yaml and market/NAME.yaml that marketsim simulates.
  * nls: Bass (1969) by nonlinear least squares on the closed form (Srinivasan and Mason
    1986) with parametric-bootstrap intervals, Bass's discrete OLS, and the
    Generalized Bass Model (Bass, Krishnan and Jain 1994) when price or advertising is given.

Outputs in --out DIR (default outputs/fit/NAME): fit.json (the --json object), fit.png,
market/NAME.yaml (p, q per year with --period-years; size = m rounded) and, for bayes,
posterior.json, posterior.csv and forecast.csv.
"""

EPILOG = """\
examples:
  marketsim-fit --example --forecast 5
  marketsim scenario=bass_only hydra.searchpath=[file://outputs/fit/example] market=example

  marketsim-fit sales.csv --forecast 8 --json > fit.json
  marketsim-fit sales.csv --analogy color_tv --ceiling 120000 --forecast 5
  marketsim-fit sales.csv --method nls --json --bootstrap 500 --seed 7
  marketsim-fit quarterly.csv --period-years 0.25      # quarterly periods
  marketsim-fit --generations ibm_siu1.csv ibm_siu2.csv ibm_siu3.csv ibm_siu4.csv
  marketsim hydra.searchpath=[file://outputs/fit/generations] scenario=generations
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for bad data
        sys.stderr.write(f"{self.prog}: error: {' '.join(message.split())}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="marketsim-fit", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", metavar="SALES.csv", nargs="?", help="sales history to fit")
    parser.add_argument("--example", action="store_true",
                        help="fit the built-in synthetic history (p = 0.01, q = 0.4 per year, "
                             "m = 20,000) instead of a file")
    parser.add_argument("--method", choices=("bayes", "nls"), default="bayes",
                        help="bayes: Bass with priors, posterior and forecast (default); "
                             "nls: the plain least-squares fit with bootstrap intervals")
    parser.add_argument("--forecast", type=int, default=0, metavar="H",
                        help="forecast H periods ahead with predictive intervals (bayes)")
    parser.add_argument("--analogy", default=None, metavar="CATEGORY",
                        help="centre the p, q prior on a category of the analogy table "
                             "(`marketsim list analogies`); default: the table's median")
    parser.add_argument("--ceiling", type=float, default=None, metavar="M",
                        help="market-potential input in sales units (households, population "
                             "x a ceiling share); a prior, not a bound")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help=f"output directory (default: {DEFAULT_OUT_ROOT}/NAME)")
    parser.add_argument("--json", action="store_true",
                        help="print the fit as one JSON object on stdout and nothing else "
                             "(notes go to stderr); files are still written")
    parser.add_argument("--period-years", type=float, default=None, metavar="Y",
                        help="length of one period in years, in [0.001, 100] (default: from "
                             "a period column named month, quarter, week or day; the step of "
                             "a column of calendar years; else 1)")
    parser.add_argument("--name", default=None,
                        help="market name: config file name and its 'name' key (default: "
                             "from the CSV file name)")
    parser.add_argument("--bootstrap", type=int, default=None, metavar="N",
                        help="nls: bootstrap replicates, 0..10000 (default 1000; 0 skips "
                             "the intervals)")
    parser.add_argument("--draws", type=int, default=2000, metavar="N",
                        help="bayes: posterior draws, 100..100000 (default 2000)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="seed, 0..2**32-1 (default 0); same seed, same output")
    parser.add_argument("--level", type=float, default=0.95,
                        help="central probability of the intervals, in [0.5, 0.999] "
                             "(default 0.95)")
    parser.add_argument("--no-plot", action="store_true", help="skip fit.png")
    parser.add_argument("--generations", nargs="+", default=None, metavar="SALES.csv",
                        help="fit the Norton-Bass model of successive generations to these "
                             "series at once (one per generation, oldest first; zeros outside "
                             "a generation's life); writes scenario/NAME.yaml as well")
    return parser


def _fail(message: str) -> int:
    sys.stderr.write(f"marketsim-fit: error: {' '.join(str(message).split())}\n")
    return 2


def check_not_overwritten(args, name: str, out_dir) -> None:
    """Refuse an ``--out`` where one of the fit's outputs would replace the input file."""
    if args.csv is None:
        return
    from pathlib import Path

    from sim.calibration.output import output_paths

    out = Path(out_dir)
    outputs = output_paths(out, name, args.method == "bayes", args.forecast > 0,
                           not args.no_plot, args.example).values()
    source = Path(args.csv).resolve()
    if any(p.resolve() == source for p in outputs):
        raise ValueError(f"SALES.csv {args.csv!r} would be overwritten by the fit's outputs "
                         f"in --out {str(out)!r}: give another --out or rename the file")


def check_ceiling(args, series) -> None:
    """Refuse a ``--ceiling`` below the sales already made: it cannot be the market
    potential in the sales column's units (a share in percent, say, where the sales are
    units: ``--ceiling 100`` against 14,418 room air conditioners sold forecast zero sales
    for ever)."""
    if args.ceiling is None:
        return
    sold = float(series.sales.sum())
    if args.ceiling < sold:
        raise ValueError(f"--ceiling {args.ceiling:g} is below the {sold:,.6g} already sold "
                         f"(the sum of {series.source}'s sales column): give the market "
                         "potential in the sales column's units")


def _load(args):
    from sim.calibration.data import read_sales_csv

    if args.example:
        from sim.calibration.example import example_csv, example_series

        return example_series(), example_csv()
    return read_sales_csv(args.csv), None


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.generations is not None:
        from sim.calibration.generations_cli import main_generations

        return main_generations(args)
    from sim.calibration.data import SalesDataError, period_length

    try:
        name, out_dir = check_args(args)
        series, example = _load(args)
        check_work(args, series.n)
        check_ceiling(args, series)
        check_not_overwritten(args, name, out_dir)
    except (SalesDataError, ValueError) as exc:
        return _fail(exc)
    notes = []
    if args.method == "bayes" and args.bootstrap is not None:
        notes.append(f"--bootstrap {args.bootstrap} applies to --method nls; the default method "
                     "draws from its posterior (--draws)")
    if series.ignored:
        notes.append(f"columns not read: {', '.join(repr(c) for c in series.ignored)} (read: "
                     "the period column, 'sales', and 'price' and 'advertising' for --method "
                     "nls)")
    if args.method == "bayes" and (series.price is not None or series.advertising is not None):
        notes.append("the price and advertising columns are read by --method nls (the "
                     "Generalized Bass Model); the default Bayesian fit is of the plain Bass "
                     "model")
    period_years = period_length(series, args.period_years, notes)
    try:
        if args.method == "nls":
            from sim.calibration.fit import calibrate

            cal = calibrate(series, name, replicates=nls_replicates(args), seed=args.seed,
                            level=args.level, period_years=period_years)
        else:
            from sim.calibration.bayes import calibrate_bayes

            cal = calibrate_bayes(series, name, horizon=args.forecast, level=args.level,
                                  seed=args.seed, period_years=period_years,
                                  analogy=args.analogy, ceiling=args.ceiling, draws=args.draws)
    except (ValueError, FloatingPointError, ArithmeticError) as exc:
        return _fail(f"{series.source}: the fit failed: {exc}")
    cal.notes[:0] = notes

    from sim.calibration.output import market_yaml, write_outputs

    try:
        market_yaml(cal)  # refuse an unusable market size before writing anything
    except ValueError as exc:
        return _fail(f"{series.source}: {exc}")
    try:
        paths = write_outputs(cal, out_dir, plot=not args.no_plot, example_csv=example,
                              keep=() if args.csv is None else (args.csv,))
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return _fail(f"--out {str(out_dir)!r}: cannot write outputs: "
                     f"{exc.strerror or exc}{where}")
    report = cal.to_dict()
    if args.json:
        sys.stdout.write(json.dumps(report) + "\n")
        for note in report["notes"]:
            sys.stderr.write(f"note: {note}\n")
    else:
        from sim.calibration.summary import summary

        sys.stdout.write(summary(report, paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
