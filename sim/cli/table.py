"""The KPI table printed after a run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.formatting import unsigned_zero

if TYPE_CHECKING:
    import pandas as pd

KPI_TABLE = ["npv", "npv_after_tax", "npv_with_customer_equity", "cumulative_revenue",
             "cumulative_profit", "launch_day", "time_to_market_days", "launch_slip_days",
             "final_market_share", "peak_market_share", "breakeven_day", "csat", "churn_rate", "cac", "ltv",
             "marketing_roi", "installed_base_final", "cash_min"]
PRODUCT_ROWS = ("product_revenue.", "product_profit.")


# each KPI's unit and how its value is written (docs/kpis.md): money in the scenario's
# currency, days, fractions and scores in [0, 1], rates, counts
_MONEY = ("npv", "npv_after_tax", "npv_with_customer_equity", "cumulative_revenue",
          "cumulative_profit", "cash_min", "pipeline_strength")
_UNITS = {"launch_day": ("day", "day"), "breakeven_day": ("day", "day"),
          "time_to_market_days": ("days", "day"), "launch_slip_days": ("days", "day"),
          "final_market_share": ("fraction of units", "fraction"),
          "peak_market_share": ("fraction of units", "fraction"),
          "csat": ("score 0-1", "fraction"), "churn_rate": ("per year", "fraction"),
          "marketing_roi": ("ratio", "fraction"), "installed_base_final": ("customers", "count"),
          "cac": ("{cur}/customer", "money"), "ltv": ("{cur}/customer", "money")}


def table_rows(kpis: pd.DataFrame) -> list:
    """The KPIs the table shows for ``kpis``, in order: ``KPI_TABLE``, with a product line
    its products' revenue and profit, with projects still in development at the end
    ``pipeline_strength`` (the studio's what-if table shows the same rows)."""
    import pandas as pd

    cols = [c for c in KPI_TABLE if c in kpis.columns]
    per_product = [c for c in kpis.columns if c.startswith(PRODUCT_ROWS)]
    if len(per_product) > len(PRODUCT_ROWS):  # a product line: revenue and profit by product
        cols += per_product
    if "pipeline_projects" in kpis and (pd.to_numeric(kpis["pipeline_projects"]) > 0).any():
        cols.append("pipeline_strength")  # projects still in development at the end
    return cols


def unit_of(kpi: str, currency: str = "USD") -> tuple[str, str]:
    """``(unit, kind)`` of a KPI of the table: kind ``money``, ``day``, ``fraction``,
    ``count`` or ``number``."""
    if kpi in _MONEY or kpi.startswith(PRODUCT_ROWS):
        return currency, "money"
    unit, kind = _UNITS.get(kpi, ("", "number"))
    return unit.format(cur=currency), kind


def format_table(kpis: pd.DataFrame, currency: str = "USD",
                 to_date: float | None = None) -> str:
    """KPI table: the value for one replication, else mean, 5th and 95th percentiles; each
    row with its unit (money in ``currency``); the warnings of ``table_warnings`` under it
    (``to_date``: the day a run still going on has reached, ``launch_warning``)."""
    import pandas as pd  # not at import: a command with bad input never needs it

    cols = table_rows(kpis)
    w = max([22, *(len(c) + 2 for c in cols)])
    lines = []
    if len(kpis) == 1:
        lines.append(f"{'kpi':<{w}}{'value':>16}  unit")
        for c in cols:
            unit, kind = unit_of(c, currency)
            lines.append(f"{c:<{w}}{fmt_value(kpis[c].iloc[0], kind):>16}  {unit}".rstrip())
    else:
        lines.append(f"{'kpi':<{w}}{'mean':>16}{'p5':>16}{'p95':>16}{'n':>5}  unit")
        for c in cols:
            unit, kind = unit_of(c, currency)
            v = pd.to_numeric(kpis[c], errors="coerce").dropna()
            if len(v) == 0:
                lines.append(f"{c:<{w}}{'-':>16}{'-':>16}{'-':>16}{0:>5}  {unit}".rstrip())
                continue
            lines.append(f"{c:<{w}}{fmt_value(v.mean(), kind):>16}"
                         f"{fmt_value(v.quantile(0.05), kind):>16}"
                         f"{fmt_value(v.quantile(0.95), kind):>16}{len(v):>5}  {unit}".rstrip())
    said = (table_warnings(kpis, currency, to_date) + table_notes(kpis, cols, currency)
            + slip_note(kpis))
    return "\n".join(lines + ([""] + said if said else []))


def table_notes(kpis, cols, currency: str = "USD") -> list:
    """Lines that say how rows add up where a reader would add them otherwise: a product
    line's ``product_profit.<p>`` rows are direct profits before the shared costs (hub_pro
    -9.2M and hub_lite +12.1M had read against a cumulative_profit of -16.9M)."""
    import pandas as pd

    if not any(str(c).startswith("product_profit.") for c in cols):
        return []
    shared = (pd.to_numeric(kpis["shared_costs"], errors="coerce").mean()
              if "shared_costs" in kpis else None)
    amount = "" if shared is None or not np.isfinite(shared) else (
        f", {fmt_value(shared, 'money')} {currency}" + (" on average" if len(kpis) > 1 else ""))
    return [f"Note: product_profit.<p> is each product's direct profit, before the firm's "
            f"shared costs (salaries, research, interest{amount}); the products' sum less "
            "the shared costs is cumulative_profit."]


def table_warnings(kpis: pd.DataFrame, currency: str = "USD",
                   to_date: float | None = None) -> list:
    """The lines under the KPI table ("Warning: ..."), for one run or its replications:
    cash short or insolvent, a product that never launched within the run, support
    outgrown; [] when none applies (the studio shows the same lines)."""
    return (cash_warnings(kpis) + launch_warning(kpis, currency, to_date)
            + support_warning(kpis))


def cash_warnings(kpis: pd.DataFrame) -> list:
    """Lines that say when the firm ran out of cash or became insolvent (the table's
    figures are those of a firm that left the market, or stopped its discretionary
    spending, from that day on); none when it never did."""
    import pandas as pd

    n = len(kpis)

    def days(col):
        if col not in kpis:
            return pd.Series([], dtype=float)
        return pd.to_numeric(kpis[col], errors="coerce").dropna()

    insolvent, short = days("insolvent_day"), days("cash_exhausted_day")
    if n == 1:
        out = []
        if len(short):
            out.append(f"cash ran short on day {short.iloc[0]:,.0f}: cash plus the credit "
                       "line fell below the reserve kept for payroll and interest, and "
                       "discretionary spending (marketing, hiring, development materials) "
                       "stopped")
        if len(insolvent):
            out.append(f"insolvent on day {insolvent.iloc[0]:,.0f}: the firm could not pay "
                       "its payroll and interest, everybody left and it left the market")
        return [f"Warning: {line}" for line in out]
    out = []
    if len(short):
        # "short" is below the reserve, not below zero: cash_min can stay positive
        out.append(f"cash ran short in {len(short)} of {n} replications (first on day "
                   f"{short.min():,.0f}: cash plus the credit line below the reserve kept for "
                   "payroll and interest; discretionary spending stopped)")
    if len(insolvent):
        out.append(f"insolvent in {len(insolvent)} of {n} replications (first on day "
                   f"{insolvent.min():,.0f}): the firm left the market")
    return ["Warning: " + "; ".join(out)] if out else []


def launch_warning(kpis: pd.DataFrame, currency: str = "USD",
                   to_date: float | None = None) -> list:
    """A line when the first product never launched in the run (a project stalled, a gate
    that never passed, a horizon that ends before the launch): nothing was sold (or, in a
    line whose other products sold, nothing of it), so no
    lever that acts on sales (price, marketing, capacity) can show an effect, and the NPV
    is the project's cost alone; with the marketing it was paid, if any. None for a killed
    project (its kill is the news). Until 2026-12-07 it needed marketing paid: a 364-day
    run of the baseline (launch planned on day 420) showed every price and budget with no
    effect and no word of why. ``to_date``: the day a run still going on (a game) has
    reached; its product not launched yet is said as progress, not as a warning."""
    import pandas as pd

    if "launch_day" not in kpis.columns:
        return []
    launched = pd.to_numeric(kpis["launch_day"], errors="coerce").notna()
    killed = kpis["killed"].fillna(False).astype(bool) if "killed" in kpis else False
    spent = (pd.to_numeric(kpis["marketing_spend"], errors="coerce").fillna(0.0)
             if "marketing_spend" in kpis else pd.Series(0.0, index=kpis.index))
    none = ~launched & ~killed
    if not none.any():
        return []
    if to_date is not None:  # a run still going on (a game): before its launch, no trouble
        return [f"Not launched yet on day {to_date:g}: nothing sold to date, so price and "
                "marketing show no effect yet"]
    # a line whose other products sold: the first product's levers alone show nothing
    sold = (pd.to_numeric(kpis["cumulative_revenue"], errors="coerce").fillna(0.0) > 0
            if "cumulative_revenue" in kpis else pd.Series(False, index=kpis.index))
    if len(kpis) == 1:
        if sold.iloc[0]:
            return ["Warning: the first product did not launch within the run (no launch "
                    "event; the events say where its project waits, or the horizon ends "
                    "before its launch): the line's other products sold, but this "
                    "product's own levers cannot show an effect"]
        paid = (f"; its marketing, {fmt_value(spent.iloc[0], 'money')} {currency}, went to a "
                "product not on sale" if spent.iloc[0] > 0 else "")
        return ["Warning: the product did not launch within the run (no launch event; the "
                "events say where its project waits, or the horizon ends before the "
                f"launch): nothing was sold, so price and marketing cannot show an "
                f"effect{paid}"]
    if (sold[none]).all():
        return [f"Warning: the first product did not launch in {int(none.sum())} of "
                f"{len(kpis)} replications: the line's other products sold, but this "
                "product's own levers cannot show an effect there"]
    paid = ", though its marketing was paid" if (spent[none] > 0).any() else ""
    return [f"Warning: the product did not launch in {int(none.sum())} of {len(kpis)} "
            f"replications{paid}: nothing was sold in those, so price and marketing "
            "cannot show an effect there"]


LOW_SERVICE = 0.5  # below it, the KPI table warns that support is understaffed


def support_warning(kpis: pd.DataFrame) -> list:
    """A line when support answered under half the tickets at the end (on average over
    replications): satisfaction and churn then reflect a team the base outgrew."""
    import pandas as pd

    if "service_level_final" not in kpis:
        return []
    level = pd.to_numeric(kpis["service_level_final"], errors="coerce").dropna()
    if level.empty or level.mean() >= LOW_SERVICE:
        return []
    csat = pd.to_numeric(kpis.get("csat", pd.Series(dtype=float)), errors="coerce").dropna()
    if len(csat) and csat.min() >= 1.0 - 1e-9:  # satisfaction fixed at 1 (bass_only): the
        return []  # unanswered tickets moved neither csat nor churn, so nothing to warn of
    mean = "" if len(kpis) == 1 else " on average"
    return [f"Warning: support answered {level.mean():.0%} of the tickets at the end{mean} "
                "(service_level_final): csat and churn reflect a support team the installed "
                "base outgrew; firm.support.staffing=to_load hires agents to the load"]


def fmt_value(v, kind: str = "number") -> str:
    """A KPI's value written by its kind (``unit_of``): money whole above 100 and where it
    rounds to zero ("0", as whole amounts are written, not "0.00"), fractions to 3 places,
    days and counts whole; "-" for none; never a signed zero."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    v = float(v)
    if kind == "fraction":
        text = f"{v:.3f}"
    elif kind == "count" or (kind == "money" and (abs(v) >= 100 or round(v, 2) == 0.0)):
        text = f"{v:,.0f}"
    elif kind == "day":  # whole days without a decimal, also where a mean rounds to one
        text = f"{v:,.1f}".removesuffix(".0")
    elif kind == "money":
        text = f"{v:,.2f}"
    elif abs(v) >= 1e4:
        text = f"{v:,.0f}"
    elif abs(v) < 10 and v != round(v):
        text = f"{v:.3f}"
    else:
        text = f"{v:,.1f}"
    # a value that rounds to zero is written without a sign (never "-0" or "-0.000")
    return unsigned_zero(text)


def slip_note(kpis: pd.DataFrame) -> list:
    """A line when a launch slipped past its planned day and its pre-launch campaign
    stopped meanwhile (``prelaunch_paused_day``, any of the firm's products): the
    marketing figures are those of a campaign that paused, which a reader of
    ``launch_slip_days`` alone would not know. It says until when only where the first
    product launched (else the no-launch warning above it says the rest)."""
    import pandas as pd

    if "prelaunch_paused_day" not in kpis:
        return []
    days = pd.to_numeric(kpis["prelaunch_paused_day"], errors="coerce").dropna()
    if not len(days):
        return []
    n = len(kpis)
    when = (f"on day {days.iloc[0]:,.0f}" if n == 1 else
            f"in {len(days)} of {n} replications (first on day {days.min():,.0f})")
    launched = ("launch_day" in kpis
                and pd.to_numeric(kpis["launch_day"], errors="coerce").notna().all())
    until = " until the product was on the market" if launched else ""
    return [f"Note: a launch slipped past its planned day and its pre-launch marketing "
            f"stopped {when}{until} (marketing.during_slip=continue, in that product's "
            "marketing settings, keeps it spending)"]
