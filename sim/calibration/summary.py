"""The text ``marketsim-fit`` prints without ``--json``: estimates, intervals, the forecast
table and the files written."""

from __future__ import annotations


def _num(value, fmt):
    return "n/a" if value is None else format(value, fmt)


def _ci(ci, fmt):
    return "" if ci is None else f"  [{format(ci[0], fmt)}, {format(ci[1], fmt)}]"


def _label(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def summary(r: dict, paths: dict) -> str:
    head = _nls_head(r) if r["method"] == "bass-nls" else _bayes_head(r)
    lines = head + [
        f"  per year: p = {r['p_per_year']:.5g}, q = {r['q_per_year']:.5g} "
        f"(one period = {r['period_years']:g} year{'' if r['period_years'] == 1 else 's'})",
        f"  R^2 = {_num(r['r2'], '.4f')}, MAPE = {_num(r['mape'], '.2f')}%, "
        f"RMSE = {r['rmse']:.4g}",
        f"  peak: t* = {r['peak_period']:.2f} periods"
        + (f" (year {r['peak_year']:.1f})" if r["peak_year"] is not None else "")
        # the Bass curve's instantaneous peak rate m (p+q)^2 / 4q: with a steep curve (a
        # spike) it exceeds what any one period sold, even m, so it is named a rate
        + f", peak rate = {r['peak_sales']:,.1f} a period (at t*)",
    ]
    if r["method"] == "bass-nls":
        lines += _nls_tail(r)
    elif r.get("forecast"):
        lines += _forecast_table(r)
    lines += [f"  note: {n}" for n in r["notes"]]
    lines += [f"wrote {p}" for p in paths.values()]
    return "\n".join(lines) + "\n"


def _nls_head(r):
    lvl = f"{100 * r['ci_level']:g}%"
    return [
        f"{r['name']}: Bass model fitted by NLS to {r['n_periods']} periods of {r['source']}",
        f"  p = {r['p']:.5g} per period{_ci(r['p_ci'], '.5g')}",
        f"  q = {r['q']:.5g} per period{_ci(r['q_ci'], '.5g')}",
        f"  m = {r['m']:,.1f}{_ci(r['m_ci'], ',.1f')}",
        f"  ({lvl} intervals, {r['bootstrap']['succeeded']} bootstrap replicates)",
    ]


def _bayes_head(r):
    lvl = f"{100 * r['ci_level']:g}%"
    return [
        f"{r['name']}: Bass model with priors fitted to {r['n_periods']} periods of "
        f"{r['source']}",
        f"  p = {r['p']:.5g} per period{_ci(r['p_ci'], '.5g')}",
        f"  q = {r['q']:.5g} per period{_ci(r['q_ci'], '.5g')}",
        f"  m = {r['m']:,.1f}{_ci(r['m_ci'], ',.1f')}",
        f"  (posterior mode; {lvl} posterior intervals from {r['draws']} draws; "
        f"noise cv = {r['noise_cv']:.3g})",
    ]


def _nls_tail(r):
    lines = []
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
    return lines


def _forecast_table(r):
    f = r["forecast"]
    pct = f"{100 * f['level']:g}%"
    col = r["period_column"]
    fit = f.get("fit")
    lines = [f"  forecast, {f['horizon']} periods ({pct} predictive intervals):"]
    if fit is not None and fit["discount_per_year"] < 1.0:  # its own fit: the m and peak
        # printed above are the plain fit's
        lines.append(f"  (the model refitted with recent periods counting more, discounted "
                     f"least squares {fit['discount_per_year']:g} a year: p = {fit['p']:.5g}, "
                     f"q = {fit['q']:.5g}, m = {fit['m']:,.1f})")
    elif fit is not None:
        lines.append("  (past its peak: the forecast runs from the fit above)")
    lines.append(f"  {col:>10} {'sales':>12} {'interval':>25} {'cumulative':>12} "
                 f"{'interval':>25}")
    for row in f["rows"]:
        lines.append(
            f"  {_label(row['period']):>10} {row['sales']:12,.1f} "
            f"{'[' + format(row['sales_lower'], ',.1f') + ', ' + format(row['sales_upper'], ',.1f') + ']':>25} "
            f"{row['cumulative']:12,.1f} "
            f"{'[' + format(row['cumulative_lower'], ',.1f') + ', ' + format(row['cumulative_upper'], ',.1f') + ']':>25}")
    return lines
