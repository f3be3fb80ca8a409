"""A firm's plant in its statements: when capacity paid for is in use, and its straight-line
depreciation (``sim.results.statements`` builds the statements with it).

A capacity expansion is paid when ordered and arrives ``production.expansion_lead_days``
later (``sim.firm.production``); it is depreciated from the quarter after it is available
for use (IAS 16.55), carried at cost meanwhile.
"""

import numpy as np


def capex_lead_days(config) -> dict:
    """``{(firm, product): days}`` from a capacity expansion's payment to its arrival
    (``production.expansion_lead_days``) for every firm's products in ``config`` (a
    ``ScenarioConfig``), a line's product taking the firm's production where it leaves it
    out; ``(firm, "")`` (a payment booked to no product: the war game's lever) takes the
    firm's first product's."""
    out = {}
    for firm in [config.firm, *getattr(config, "competitors", {}).values()]:
        lead = float(firm.production.expansion_lead_days)
        out[(firm.name, "")] = out[(firm.name, firm.product.name)] = lead
        for entry in getattr(firm, "line", []):
            prod = entry.production if entry.production is not None else firm.production
            out[(firm.name, entry.product.name)] = float(prod.expansion_lead_days)
    return out


def posting_lead(firm: str, lines, products, lead_days) -> np.ndarray | None:
    """Each of a firm's postings' days from payment to use: its product's lead where it is
    capital expenditure, else 0 (None: no lead given, or no capital expenditure)."""
    if not lead_days:
        return None
    capex = np.flatnonzero(np.asarray(lines, object) == "capex")
    if not len(capex):
        return None
    lead = np.zeros(len(lines))
    default = lead_days.get((firm, ""), 0.0)
    for i in capex:
        product = "" if products is None else products[i]
        lead[i] = lead_days.get((firm, product), default)
    return lead


def depreciation(capex: np.ndarray, life_quarters: float) -> np.ndarray:
    """Straight-line depreciation of each quarter's capital expenditure over
    ``life_quarters``, starting the quarter after it was paid (or, given each quarter's
    capital expenditure by the quarter it became available, after that)."""
    n_q = len(capex)
    dep = np.zeros(n_q)
    for k, c in enumerate(capex):
        if c <= 0.0:
            continue
        left, per = c, c / life_quarters
        for j in range(k + 1, n_q):
            d = min(per, left)
            dep[j] += d
            left -= d
            if left <= 0.0:
                break
    return dep
