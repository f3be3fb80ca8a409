"""Comparison plots of a multirun: each KPI against the swept keys (seeds pooled).

The first swept key is the x axis (the second, if any, the colour: its means joined by a
line each on a numeric axis, dodged apart on categories): each option's mean and
the 5th-95th percentiles of its jobs (their spread, not an interval of the mean; their
whole range where some option has fewer than ``MIN_JOBS_FOR_PERCENTILES`` jobs), and the
jobs as dots where there are at most ``MAX_DOTS_PER_VALUE`` per value on average; swept
numbers at their values on a numeric axis (a tick at each), other values as categories; a
grid over more than ``MANY_VALUES`` numbers is drawn as a curve of the means in that
band. The axes name the swept key in full with its unit where the key's name gives it
(``key_unit``: money in the currency, days, weeks, years, rates per period, fractions).
"""

import logging
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from sim.plots.style import money_label, money_scale, save, style
from sim.results.replications import MIN_RUNS_FOR_PERCENTILES

SWEEP_KPIS = [("npv", "NPV"), ("final_market_share", "final unit share"),
              ("launch_day", "launch day"), ("cumulative_profit", "cumulative profit")]
MONEY_KPIS = {"npv", "cumulative_profit"}


MANY_VALUES = 12  # more swept numbers than this: a curve on a numeric axis
MAX_DOTS_PER_VALUE = 50  # more jobs per value (on average) than this: no dots
MAX_LABELS = 12  # category labels shown at most (every k-th beyond)
# fewer jobs than this behind some mean: the band is their whole range, not percentiles
MIN_JOBS_FOR_PERCENTILES = MIN_RUNS_FOR_PERCENTILES


MONEY_WORDS = ("price", "cost", "cash", "budget", "credit_line", "spend")
PEOPLE = ("headcount", "max_heads")


def key_unit(key: str, currency: str = "USD") -> str:
    """The unit of a config key, read from its name the way the schemas name units
    (``sim/config``, STYLE.md "units in names"): ``firm.pricing.list_price`` "USD per unit",
    ``firm.marketing.budget_per_week`` "USD per week", ``horizon_days`` "days",
    ``entry_day`` "day of the run", ``churn_per_year`` "per year", ``tax_rate`` or a channel of
    ``split`` "fraction"; "" where the name does not say (a ratio such as
    ``floor_over_unit_cost``, a weight, a coefficient)."""
    parts = key.removeprefix("override.").split(".")
    name = parts[-1]
    if "_over_" in name:  # a ratio of two amounts: no unit
        return ""
    head, *per = name.split("_per_")
    per_text = " per ".join(p.replace("_", " ") for p in per)
    if head.endswith(MONEY_WORDS):
        if per_text:
            return f"{currency} per {per_text}"
        return f"{currency} per unit" if head.endswith("price") or head == "unit_cost" \
            else currency
    for suffix, unit in (("person_days", "person-days"), ("days", "days"), ("weeks", "weeks"),
                         ("years", "years")):
        if head.endswith(suffix):
            return unit if not per_text else f"{unit} per {per_text}"
    if head == "day" or head.endswith("_day"):
        return "day of the run"
    if per_text:
        return f"per {per_text}"
    if head.endswith(("share", "fraction", "rate")) or (len(parts) > 1 and parts[-2] == "split"):
        return "fraction"
    if head in PEOPLE:
        return "people"
    if head == "size" and "segments" in parts:
        return "customers"
    return ""


def key_label(key: str, currency: str = "USD") -> str:
    """An axis or legend title for a swept key: its full name and, where known, its
    unit (``firm.pricing.list_price (USD per unit)``)."""
    name = key.removeprefix("override.")
    unit = key_unit(name, currency)
    return f"{name} ({unit})" if unit else name


def _all_numbers(values) -> bool:
    return bool(pd.to_numeric(pd.Series(list(values)), errors="coerce").notna().all())


def _thin_labels(ax) -> None:
    """Label every k-th category where there are more than ``MAX_LABELS``."""
    labels = ax.get_xticklabels()
    step = -(-len(labels) // MAX_LABELS)
    if step > 1:
        for i, text in enumerate(labels):
            text.set_visible(i % step == 0)


def _value_order(values: pd.Series) -> list:
    """Distinct swept values, in numeric order when they are all numbers (199 < 1000)."""
    distinct = list(pd.unique(values.astype(str)))
    numbers = pd.to_numeric(pd.Series(distinct), errors="coerce")
    if numbers.notna().all():
        return [v for _, v in sorted(zip(numbers, distinct, strict=True))]
    return sorted(distinct)


def plot_sweep(table: pd.DataFrame, out_dir, currency: str = "USD") -> list:
    """Comparison plots of a multirun: each KPI against the swept keys (seeds pooled);
    money axes name ``currency``."""
    style()
    ok = table[table["status"] == "ok"] if "status" in table else table
    keys = [c for c in ok.columns if c.startswith("override.") and c != "override.seed"
            and ok[c].nunique() > 1]
    if ok.empty:
        return []
    data = ok.copy()
    if keys:
        x = keys[0]
        hue = keys[1] if len(keys) > 1 else None
    else:
        data["all jobs"] = "all"
        x, hue = "all jobs", None
    kpis = [(k, label) for k, label in SWEEP_KPIS if k in data and data[k].notna().any()]
    if not kpis:
        return []
    for key in (x, hue):
        if key is not None:
            data[key] = data[key].astype(str)
    order = _value_order(data[x])
    hue_order = _value_order(data[hue]) if hue else None
    # a grid over many numbers (a price range) reads as a curve on a numeric axis; dozens
    # of categories would overlap their labels
    curve = len(order) > MANY_VALUES and _all_numbers(order)
    # dots only where they can be told apart: with hundreds of jobs per value they hide
    # the means and intervals
    groups = len(order) * (len(hue_order) if hue else 1)
    dots = not curve and len(data) <= MAX_DOTS_PER_VALUE * groups
    fewest = int(data.groupby([x] + ([hue] if hue else [])).size().min())
    if fewest < MIN_JOBS_FOR_PERCENTILES:
        band, band_text = ("pi", 100), "range of jobs"
    else:
        band, band_text = ("pi", 90), "5th-95th percentile of jobs"
    # swept values are override strings; matplotlib logs (at INFO, which Hydra prints) each
    # time it meets strings that parse as numbers on a categorical axis
    logging.getLogger("matplotlib.category").setLevel(logging.WARNING)
    fig, axes = plt.subplots(1, len(kpis), figsize=(4.2 * len(kpis), 4.2), squeeze=False)
    # swept numbers sit at their values (40k, 80k, 88k, 120k, 200k are not evenly spaced)
    numeric = _all_numbers(order)
    if numeric:
        data["_x"] = pd.to_numeric(data[x])
    for ax, (k, label) in zip(axes[0], kpis, strict=True):
        data[k] = pd.to_numeric(data[k], errors="coerce")
        scale = ""
        if k in MONEY_KPIS:  # in millions (or thousands, ...) of the currency
            divisor, scale = money_scale(data[k])
            data[k] = data[k] / divisor
        legend = ax is axes[0][-1] and hue is not None
        if curve:
            sns.lineplot(data=data, x="_x", y=k, hue=hue, hue_order=hue_order,
                         estimator="mean", errorbar=band, marker="o", markersize=4,
                         ax=ax, legend=legend)
        else:
            at = ({"x": "_x", "native_scale": True} if numeric
                  else {"x": x, "order": order})
            # on a numeric axis a value is where it sits: the second key's means are not
            # dodged sideways (a price of 199 had read as about 190) but joined by a line
            # each; categories are dodged apart
            apart = hue is not None and not numeric
            if dots:
                sns.stripplot(data=data, y=k, hue=hue, hue_order=hue_order, dodge=apart,
                              jitter=not numeric, alpha=0.45, legend=False, ax=ax, **at)
            sns.pointplot(data=data, y=k, hue=hue, hue_order=hue_order,
                          dodge=0.4 if apart else False, errorbar=band,
                          linestyle="-" if hue is not None and numeric else "none",
                          marker="D", ax=ax, legend=legend, **at)
            if numeric:
                ax.margins(x=0.08)  # the end values' dots clear of the frame
                # a tick at each swept value, labelled as it was given (not 0, 50k, ...)
                ax.set_xticks(pd.to_numeric(pd.Series(order)).to_list(), labels=order)
            else:
                _thin_labels(ax)
        if legend:  # beside the last panel, not over its data, titled by the key
            sns.move_legend(ax, "upper left", bbox_to_anchor=(1.02, 1.0),
                            title=key_label(hue, currency), frameon=False)
        ax.set(title=label, xlabel=key_label(x, currency) if keys else x,
               ylabel=money_label(label, currency, scale) if k in MONEY_KPIS else label)
        for text in ax.get_xticklabels():  # slanted, each ending under its tick
            text.set(rotation=30, ha="right", rotation_mode="anchor")
    if curve:
        title = f"Sweep: mean (line) and {band_text} (band)"
    else:
        title = (f"Sweep: mean (diamond) and {band_text}"
                 + ("; dots are jobs" if dots else ""))
    fig.suptitle(title)
    path = Path(out_dir) / "sweep_kpis.png"
    save(fig, path)
    return [path]
