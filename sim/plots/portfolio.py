"""The focal firm's portfolio: revenue by product per quarter, stacked.

A quarter is 91 days (``sim.units``); the last one usually ends at the horizon after a
few days (day 1,820 to 1,825 of a five-year run), so its bar is hatched, labelled with
its days and named in the title: drawn like the others it read as a revenue collapse.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.plots.style import money_label, money_scale, save
from sim.units import DAYS_PER_QUARTER


def quarter_days(quarters, horizon_days: float) -> np.ndarray:
    """Days of each quarter (0, 1, ...) that lie before the horizon: 91, or fewer for
    the quarter in which the run ends."""
    start = np.asarray(quarters, dtype=float) * DAYS_PER_QUARTER
    return np.clip(np.minimum(start + DAYS_PER_QUARTER, horizon_days) - start, 0.0, None)


def portfolio_revenue(results, path) -> bool:
    """Stacked bars of the focal firm's revenue per quarter by product (from the ledger);
    drawn only for a firm with more than one product; a last quarter cut short by the
    horizon is hatched and labelled with its days. Returns whether it was drawn."""
    firm = results.config.firm
    led = results.ledger
    if not firm.line or led.empty or "product" not in led:
        return False
    rev = led[(led["firm"] == firm.name) & (led["account"] == "revenue")]
    if rev.empty:
        return False
    quarter = np.floor(rev["t"] / DAYS_PER_QUARTER).astype(int)
    names = [firm.product.name] + [e.product.name for e in firm.line]
    table = (rev.assign(quarter=quarter).pivot_table(index="quarter", columns="product",
                                                     values="amount", aggfunc="sum")
             .reindex(columns=names).fillna(0.0))
    table = table.reindex(pd.RangeIndex(0, int(table.index.max()) + 1), fill_value=0.0)
    # in millions (or ...) of the currency: the scale of the tallest quarter's stack
    divisor, scale = money_scale(table.sum(axis=1))
    table = table / divisor
    days = quarter_days(table.index, float(results.config.horizon_days))
    partial = days < DAYS_PER_QUARTER - 1e-9  # cut short by the horizon
    fig, ax = plt.subplots(figsize=(9, 4.2))
    bottom = np.zeros(len(table))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, name in enumerate(names):
        color = colors[k % len(colors)]
        full = table[name].to_numpy()
        ax.bar(table.index[~partial], full[~partial], bottom=bottom[~partial], label=name,
               width=0.85, color=color)
        if partial.any():
            ax.bar(table.index[partial], full[partial], bottom=bottom[partial], width=0.85,
                   color=color, alpha=0.45, hatch="//", edgecolor="0.3", lw=0.5)
        bottom += full
    handles, _ = ax.get_legend_handles_labels()
    title = f"Revenue by product per quarter (91 days), firm {firm.name}"
    if partial.any():
        cut = [f"{d:g}" for d in days[partial]]
        for q, d in zip(table.index[partial], days[partial], strict=True):
            ax.annotate(f"{d:g} days", (q, bottom[q]), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom",
                        rotation=90, fontsize="small")
        handles.append(Patch(facecolor="white", edgecolor="0.3", hatch="//",
                             label=f"partial quarter ({', '.join(cut)} days to the horizon)"))
        title += (f"\nhatched: a quarter cut short by the horizon ({', '.join(cut)} of "
                  f"{DAYS_PER_QUARTER:g} days), not a fall in sales")
    ax.margins(y=0.12)
    ax.set(title=title, xlabel="quarter",
           ylabel=money_label("revenue", getattr(results.config, "currency", "USD"), scale))
    ax.legend(handles=handles, title="product")
    save(fig, path)
    return True
