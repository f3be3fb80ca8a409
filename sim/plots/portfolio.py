"""The focal firm's portfolio: revenue by product per quarter, stacked."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.plots.style import money_label, money_scale, save
from sim.units import DAYS_PER_QUARTER


def portfolio_revenue(results, path) -> bool:
    """Stacked bars of the focal firm's revenue per quarter by product (from the ledger);
    drawn only for a firm with more than one product. Returns whether it was drawn."""
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
    fig, ax = plt.subplots(figsize=(9, 4.2))
    bottom = np.zeros(len(table))
    for name in names:
        ax.bar(table.index, table[name], bottom=bottom, label=name, width=0.85)
        bottom += table[name].to_numpy()
    ax.set(title=f"Revenue by product, firm {firm.name}", xlabel="quarter",
           ylabel=money_label("revenue", getattr(results.config, "currency", "USD"), scale))
    ax.legend(title="product")
    save(fig, path)
    return True
