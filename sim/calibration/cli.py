"""``marketsim-fit``: fit the diffusion model to a sales history, then simulate from the fit.

Exit status 0 on success; 2 with one line on stderr (no traceback) when the input or the
arguments cannot be used. SciPy, seaborn and Matplotlib are imported only after the data
passed their checks, so a bad file is rejected quickly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DESCRIPTION = """\
Fit the Bass diffusion model to a sales history and write a market config the scenario
engine can simulate from.

Input: a CSV with a header row, a period column (one named period, year or t; otherwise
the first column), a 'sales' column (sales per period, >= 0) and optionally 'price' and
'advertising' columns (> 0). Periods must increase in equal steps. Zero sales are allowed
only as leading/trailing padding (periods outside the product's life); they are trimmed
and the trimming is reported. At least 4 periods with sales are needed.

Fits:
  * Bass (1969) by nonlinear least squares on the closed form, per-period sales
    S_t = m [F(t) - F(t-1)] (Srinivasan and Mason 1986)  -> the reported p, q, m;
  * Bass's discrete OLS estimator, S_t on (1, Y_{t-1}, Y_{t-1}^2), for comparison;
  * the Generalized Bass Model (Bass, Krishnan and Jain 1994) when price and/or
    advertising are given: x(t) = 1 + beta_p dPr/Pr + beta_a max(dAdv/Adv, 0).
Intervals (default 95%) come from a parametric bootstrap that simulates the fitted
diffusion process with the data's noise level and refits each replicate. Also reported:
R^2, MAPE (%), RMSE, the peak time t* = ln(q/p)/(p+q) and peak sales m (p+q)^2/(4q).

Outputs in --out DIR: fit.json (the --json object), fit.png (data, fit, forecast to about
twice the peak with the bootstrap band) and market/NAME.yaml (p, q converted to per year
with --period-years; size = m rounded).
"""

EPILOG = """\
example:
  marketsim-fit data/room_air_conditioners_1949_1961.csv --name room_ac --out fits/room_ac
  marketsim hydra.searchpath=[file://fits/room_ac] market=room_ac

  marketsim-fit sales.csv --json --bootstrap 500 --seed 7 > fit.json
  marketsim-fit quarterly.csv --period-years 0.25      # quarterly periods
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for bad data
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="marketsim-fit", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", metavar="SALES.csv", help="sales history to fit")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="output directory (default: ./fit_NAME)")
    parser.add_argument("--json", action="store_true",
                        help="print the fit as one JSON object on stdout and nothing else "
                             "(notes go to stderr); files are still written")
    parser.add_argument("--period-years", type=float, default=None, metavar="Y",
                        help="length of one period in years, to convert p and q to per "
                             "year in the market config (default: the step of the period "
                             "column when it holds calendar years, else 1.0)")
    parser.add_argument("--name", default=None,
                        help="market name: config file name and its 'name' key (default: "
                             "from the CSV file name)")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="bootstrap replicates for the intervals (default 1000; 0 skips "
                             "them)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="seed of the bootstrap (default 0); same seed, same output")
    parser.add_argument("--level", type=float, default=0.95,
                        help="confidence level of the intervals (default 0.95)")
    parser.add_argument("--no-plot", action="store_true", help="skip fit.png")
    return parser


def _fail(message: str) -> int:
    sys.stderr.write(f"marketsim-fit: error: {message}\n")
    return 2


def _check_args(args):
    from sim.calibration.output import check_name, default_name

    if args.bootstrap < 0:
        raise ValueError(f"--bootstrap must be >= 0, got {args.bootstrap}")
    if not 0.5 <= args.level < 1.0:
        raise ValueError(f"--level must be in [0.5, 1), got {args.level}")
    if args.period_years is not None and not args.period_years > 0:
        raise ValueError(f"--period-years must be > 0, got {args.period_years}")
    name = check_name(args.name) if args.name is not None else default_name(args.csv)
    return name


def _period_years(args, series, notes):
    if args.period_years is not None:
        if series.is_calendar_years and abs(args.period_years - series.period_step) > 1e-9:
            notes.append(f"--period-years {args.period_years:g} differs from the step of the "
                         f"year column ({series.period_step:g}); using --period-years")
        return args.period_years
    return series.period_step if series.is_calendar_years else 1.0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from sim.calibration.data import SalesDataError, read_sales_csv

    try:
        name = _check_args(args)
        series = read_sales_csv(args.csv)
    except (SalesDataError, ValueError) as exc:
        return _fail(str(exc))
    notes = []
    period_years = _period_years(args, series, notes)

    from sim.calibration.fit import calibrate
    from sim.calibration.output import market_yaml, write_outputs

    cal = calibrate(series, name, replicates=args.bootstrap, seed=args.seed,
                    level=args.level, period_years=period_years)
    cal.notes[:0] = notes
    out_dir = Path(args.out) if args.out else Path(f"fit_{name}")
    try:
        market_yaml(cal)  # refuse an unusable market size before writing anything
    except ValueError as exc:
        return _fail(f"{args.csv}: {exc}")
    try:
        paths = write_outputs(cal, out_dir, plot=not args.no_plot)
    except OSError as exc:
        return _fail(f"cannot write outputs to {out_dir}: {exc}")
    report = cal.to_dict()
    if args.json:
        sys.stdout.write(json.dumps(report) + "\n")
        for note in report["notes"]:
            sys.stderr.write(f"note: {note}\n")
    else:
        sys.stdout.write(_summary(report, paths))
    return 0


def _num(value, fmt):
    return "n/a" if value is None else format(value, fmt)


def _ci(ci, fmt):
    return "" if ci is None else f"  [{format(ci[0], fmt)}, {format(ci[1], fmt)}]"


def _summary(r: dict, paths: dict) -> str:
    lvl = f"{100 * r['ci_level']:g}%"
    lines = [
        f"{r['name']}: Bass model fitted by NLS to {r['n_periods']} periods of {r['source']}",
        f"  p = {r['p']:.5g} per period{_ci(r['p_ci'], '.5g')}",
        f"  q = {r['q']:.5g} per period{_ci(r['q_ci'], '.5g')}",
        f"  m = {r['m']:,.1f}{_ci(r['m_ci'], ',.1f')}",
        f"  ({lvl} intervals, {r['bootstrap']['succeeded']} bootstrap replicates)",
        f"  per year: p = {r['p_per_year']:.5g}, q = {r['q_per_year']:.5g} "
        f"(one period = {r['period_years']:g} year{'' if r['period_years'] == 1 else 's'})",
        f"  R^2 = {_num(r['r2'], '.4f')}, MAPE = {_num(r['mape'], '.2f')}%, "
        f"RMSE = {r['rmse']:.4g}",
        f"  peak: t* = {r['peak_period']:.2f} periods"
        + (f" (year {r['peak_year']:.1f})" if r["peak_year"] is not None else "")
        + f", peak sales = {r['peak_sales']:,.1f} per period",
    ]
    o = r["ols"]
    if o["valid"]:
        lines.append(f"  Bass OLS (1969): p = {o['p']:.5g}, q = {o['q']:.5g}, m = {o['m']:,.1f}")
    else:
        lines.append(f"  Bass OLS (1969): {o['note']}")
    g = r["gbm"]
    if g is not None:
        betas = ", ".join(f"{k} = {g[k]:.4g}" for k in ("beta_price", "beta_advertising")
                          if g[k] is not None)
        lines.append(f"  Generalized Bass: p = {g['p']:.5g}, q = {g['q']:.5g}, "
                     f"m = {g['m']:,.1f}, {betas}; R^2 = {_num(g['r2'], '.4f')}")
    lines += [f"  note: {n}" for n in r["notes"]]
    lines += [f"wrote {p}" for p in paths.values()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
