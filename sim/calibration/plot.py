"""The fit figure: data, fitted Bass curve, forecast to about twice the peak, bootstrap band.

Draws on a ``matplotlib.figure.Figure`` with the Agg canvas, so it never touches pyplot's
global state or needs a display; seaborn only supplies the style.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.calibration.bass import cumulative_share, fit_statistics, peak_time


def plot_fit(cal, path) -> None:
    """Write the calibration figure to ``path`` (PNG)."""
    s = cal.series
    horizon = cal.horizon()
    mean, band = cal.curve(horizon)
    x_all = s.periods[0] + np.arange(horizon) * s.period_step
    x_data = s.periods
    pct = int(round(100 * cal.level))
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook"):
        fig = Figure(figsize=(9, 5.5), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        palette = sns.color_palette("deep")
        if band is not None:
            ax.fill_between(x_all, band[0], band[1], color=palette[0], alpha=0.2, lw=0,
                            label=f"{pct}% bootstrap band of the fitted curve")
        ax.plot(x_all[: s.n], mean[: s.n], color=palette[0], lw=2, label="Bass fit (NLS)")
        ax.plot(x_all[s.n - 1:], mean[s.n - 1:], color=palette[0], lw=2, ls="--",
                label="forecast")
        if cal.gbm is not None:
            ax.plot(x_data, cal.gbm.fitted, color=palette[2], lw=1.5, ls="-.",
                    label="Generalized Bass fit (NLS)")
        if cal.ols.valid:
            o = cal.ols
            ax.plot(x_all, o.m * np.diff(_share(horizon, o.p, o.q)), color=palette[7],
                    lw=1, ls=":", label="Bass OLS (1969) estimate")
        ax.scatter(x_data, s.sales, color=palette[3], zorder=3, s=28, label="data")
        t_peak = float(peak_time(cal.bass.p, cal.bass.q))
        if 0 < t_peak <= horizon:
            ax.axvline(cal.period_label(t_peak) - 0.5 * s.period_step, color="0.4", lw=1,
                       ls=":", label=f"fitted peak (t* = {t_peak:.1f} periods)")
        if s.is_calendar_years:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_x_label(cal))
        ax.set_ylabel(_y_label(cal))
        ax.set_ylim(bottom=0)
        b = cal.bass
        r2 = fit_statistics(s.sales, b.fitted)["r2"]
        r2_text = "n/a" if r2 is None else f"{r2:.3f}"
        ax.set_title(f"{cal.name}: Bass model fitted to {s.n} periods\n"
                     f"p = {b.p:.4g}, q = {b.q:.4g} per period, m = {b.m:,.0f}; "
                     f"R\u00b2 = {r2_text}", fontsize=11)
        ax.legend(fontsize=8, loc="best")
        fig.savefig(path, dpi=120)


def _share(n, p, q):
    return cumulative_share(np.arange(n + 1.0), p, q)


def _x_label(cal) -> str:
    s = cal.series
    if s.is_calendar_years:
        return "year (each point: sales during that year)"
    unit = "year" if cal.period_years == 1.0 else "years"
    return f"{s.period_column} (period index; one period = {cal.period_years:g} {unit})"


def _y_label(cal) -> str:
    per = "year" if cal.period_years == 1.0 else "period"
    return f"sales per {per} (units of the CSV's sales column)"


def plot_forecast(cal, path) -> None:
    """Write the default method's figure: data, fitted curve, forecast and its band.

    Two panels: sales per period and the cumulative level, each with the equal-tailed
    predictive band at the report's level.
    """
    s, f = cal.series, cal.fc
    # the periods asked for (--forecast H); without H, the default reach of the figure
    n, h = cal.sales.size, (cal.horizon if cal.horizon > 0 else f.point.size)
    x_data = s.periods[0] + np.arange(n) * s.period_step
    # each forecast drawn from the last observation on (visible with a single period)
    x_fc = s.periods[0] + np.arange(n - 1, n + h) * s.period_step
    last_sale, level = float(cal.sales[-1]), float(f.level)
    f = dataclasses.replace(f, **{
        k: np.concatenate([[last_sale if k.startswith("sales") else level], getattr(f, k)[:h]])
        for k in ("point", "lower", "upper", "sales_point", "sales_lower", "sales_upper")})
    pct = int(round(100 * cal.level))
    post = cal.posterior
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook"):
        fig = Figure(figsize=(11, 5), layout="constrained")
        FigureCanvasAgg(fig)
        palette = sns.color_palette("deep")
        ax1, ax2 = fig.subplots(1, 2)
        ax1.fill_between(x_fc, f.sales_lower, f.sales_upper, color=palette[0], alpha=0.2,
                         lw=0, label=f"{pct}% predictive band")
        ax1.plot(x_data, post.fitted, color=palette[0], lw=2, label="Bass fit (MAP)")
        ax1.plot(x_fc[1:], f.sales_point[1:], color=palette[0], lw=2, ls="--", marker="o",
                 ms=4, label="forecast")
        ax1.plot(x_fc[:2], f.sales_point[:2], color=palette[0], lw=2, ls="--")
        ax1.scatter(x_data, cal.sales, color=palette[3], zorder=3, s=28, label="data")
        ax1.set_ylabel(_y_label(cal))
        cum = np.cumsum(cal.sales)
        ax2.fill_between(x_fc, f.lower, f.upper, color=palette[0], alpha=0.2, lw=0,
                         label=f"{pct}% predictive band")
        ax2.plot(x_data, np.cumsum(post.fitted), color=palette[0], lw=2, label="Bass fit (MAP)")
        ax2.plot(x_fc[1:], f.point[1:], color=palette[0], lw=2, ls="--", marker="o", ms=4,
                 label="forecast")
        ax2.plot(x_fc[:2], f.point[:2], color=palette[0], lw=2, ls="--")
        ax2.scatter(x_data, cum, color=palette[3], zorder=3, s=28, label="data")
        ax2.axhline(cal.m, color="0.4", lw=1, ls=":", label=f"market potential m = {cal.m:,.0f}")
        m_fc = f.posterior.m  # the forecast's own fit (recent periods counting more)
        if abs(m_fc - cal.m) > 0.005 * cal.m:
            ax2.axhline(m_fc, color=palette[0], lw=1, ls=":",
                        label=f"m of the forecast's refit = {m_fc:,.0f}")
        ax2.set_ylabel("cumulative (units of the sales column)")
        for ax in (ax1, ax2):
            if s.is_calendar_years:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(_x_label(cal))
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=8, loc="best")
        fig.suptitle(f"{cal.name}: Bass model with priors, {n} periods, forecast {h} ahead\n"
                     f"p = {cal.p:.4g}, q = {cal.q:.4g} per period, m = {cal.m:,.0f}",
                     fontsize=11)
        fig.savefig(path, dpi=110)
