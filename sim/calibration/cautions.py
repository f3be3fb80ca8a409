"""Notes that say when a fit's answer should not be trusted, shared by both methods.

- ``poor_fit``: the curve explains little of the series (R^2 below ``POOR_R2``): a spike,
  a flat or lumpy series, data in the wrong units; the parameters then come from the
  priors (or the search box) more than from the data.
- ``thin_tails``: an interval whose tails rest on fewer than ``MIN_TAIL`` draws is the
  extreme draws, whatever ``--level`` says (10 bootstrap replicates gave a "99.9%" interval
  of q narrower than the 95% interval of 1,000).
"""

from __future__ import annotations

import numpy as np

POOR_R2 = 0.5
MIN_TAIL = 5.0


def poor_fit(r2, mape) -> list[str]:
    """A note when R^2 is below ``POOR_R2`` (none when R^2 is undefined: a constant
    series has no variance to explain)."""
    if r2 is None or r2 >= POOR_R2:
        return []
    fit = f"R^2 {r2:.2f}" + ("" if mape is None else f", MAPE {mape:.0f}%")
    return [f"the Bass curve explains little of this series ({fit}): its p, q, m and peak "
            "rest on the priors or the search's bounds more than on the data; check the "
            "series for outliers, units (sales per period, not cumulative) and the periods "
            "before launch"]


def thin_tails(n: int, level: float, what: str) -> list[str]:
    """A note when ``n`` draws put fewer than ``MIN_TAIL`` in each tail of a ``level``
    interval."""
    tail = n * (1.0 - level) / 2.0
    if n <= 0 or tail >= MIN_TAIL:
        return []
    return [f"the {level:.1%} intervals rest on {tail:.3g} of the {n:,} {what} in each tail: "
            f"their bounds are near the extreme {what}, not the {level:.1%} ones; use at "
            f"least {int(MIN_TAIL * 2 / (1.0 - level) + 0.999):,} {what} for this level"]


def cumulative_like(sales) -> list[str]:
    """A note when the series looks like cumulative adopters given as sales per period: it
    never falls over at least 6 periods and either its last three rises are each under 2%
    of its level (the flat top of an S-curve) or its rises peaked two or more periods
    before the last and the last is under half the largest (an S-curve past its
    inflection). A cumulative Bass curve given as sales fitted with R^2 0.96 and no note;
    running totals of room air conditioners fitted m 126,760 against about 18,000 sold.
    None of the 12 per-period series of the shared diffusion data meets either rule; 7 of
    their running totals meet the second. Sales per period that rise to their peak and stop
    there meet it too (the shapes are the same), so the note says both readings."""
    s = np.asarray(sales, float)
    if s.size < 6 or not (s > 0).all():
        return []
    rises = np.diff(s)
    if (rises < 0).any():
        return []
    if (rises[-3:] < 0.02 * s[-1]).all():
        return ["the series never falls and its last periods barely rise, as cumulative "
                "adopters do at the top of their S-curve: if these are cumulative figures, "
                "give sales per period (the differences between periods)"]
    top = int(np.argmax(rises))
    if top < rises.size - 2 and rises[-1] < 0.5 * rises[top]:
        return ["the series never falls and its rises have slowed to under half their "
                "largest, as cumulative adopters do past the middle of their S-curve: if "
                "these are cumulative figures (a running total), give sales per period (the "
                "differences between periods); if they are sales per period, the product is "
                "near its peak"]
    return []
