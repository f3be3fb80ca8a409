"""Analogy priors for the Bass coefficients: published p and q by product category.

Forecasting by analogy (Bass 1969; Lilien, Rangaswamy and Van den Bulte 2000) takes the
diffusion coefficients of a similar, older category when a new product has no sales
history. The table ships as package data (``sim/data/analogies.csv``): every row names its
source and address, and its header says which values are averages of several studies.
p and q there are annual coefficients (estimated on annual data), the unit of
``market.segments[].p`` and ``.q``.

``market.analogy=CATEGORY`` sets every segment's p and q from the table
(``sim.config.market.MarketConfig``); ``marketsim list analogies`` prints the categories.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
from dataclasses import dataclass
from importlib import resources

TABLE = "analogies.csv"


@dataclass(frozen=True)
class Analogy:
    """One category of the table: Bass p and q per year and where they come from."""

    category: str
    label: str
    group: str
    p: float
    q: float
    source: str
    url: str
    note: str


def table_text() -> str:
    """The shipped CSV, comment lines included."""
    return resources.files("sim").joinpath("data", TABLE).read_text(encoding="utf-8")


@functools.cache
def load_analogies() -> dict[str, Analogy]:
    """Category -> Analogy, in the table's order (comment lines starting with # skipped)."""
    lines = [ln for ln in table_text().splitlines() if ln.strip() and not ln.startswith("#")]
    out: dict[str, Analogy] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        a = Analogy(row["category"], row["label"], row["group"], float(row["p"]),
                    float(row["q"]), row["source"], row["url"], row["note"])
        if a.category in out:
            raise ValueError(f"{TABLE}: category {a.category!r} appears twice")
        out[a.category] = a
    return out


def lookup(category: str, key: str = "market.analogy") -> Analogy:
    """The table's row for ``category``; an unknown one raises one ValueError naming ``key``
    and a few valid categories (the closest spellings first)."""
    table = load_analogies()
    if category in table:
        return table[category]
    close = difflib.get_close_matches(str(category), list(table), n=3, cutoff=0.5)
    few = close + [c for c in table if c not in close][: 6 - len(close)]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"{key} must be a category of the analogy table, got {category!r}{hint} "
                     f"(e.g. {', '.join(few)}; `marketsim list analogies` lists all "
                     f"{len(table)})")


def list_analogies() -> None:
    """Print the categories with p, q (per year) and source (``marketsim list analogies``)."""
    table = load_analogies()
    width = max(len(k) for k in table)
    print("Bass analogy priors, p and q per year (use one with: marketsim market.analogy=NAME):")
    print(f"  {'category':<{width}}  {'p':>10}  {'q':>8}  source")
    for name, a in table.items():
        print(f"  {name:<{width}}  {a.p:>10.4g}  {a.q:>8.4g}  {a.source} ({a.note})")
    print("Sources and notes: sim/data/analogies.csv (its header).")
