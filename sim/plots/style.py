"""One style for every figure, and the atomic PNG writer.

seaborn ``whitegrid``, the colour-blind-safe palette, titles, units on the axes, days on
the x axis. The backend is the caller's choice: the command-line entry points default
``MPLBACKEND`` to ``Agg``; importing this package changes no process state.
"""

import math
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns

from sim.results import atomic_write
from sim.units import DAYS_PER_WEEK

PALETTE = "colorblind"


def style() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")


def money_label(what: str, currency: str, scale: str = "") -> str:
    """An axis label that names the currency: ``NPV (millions of USD)``, ``cash (USD)``,
    ``price (USD per unit)`` (``scale``: "millions", "thousands", or "per ..." text)."""
    if scale.startswith("per "):
        return f"{what} ({currency} {scale})"
    return f"{what} ({scale} of {currency})" if scale else f"{what} ({currency})"


# the products of one firm's line: its colour in shades (the first product in the firm's
# own colour) and a marker each, so a legend tells them apart in colour and shape
SHADES = (0.0, -0.45, 0.45, -0.7, 0.7)  # < 0: towards black, > 0: towards white
MARKERS = ("o", "s", "^", "D", "v")


def shade(color, amount: float):
    """``color`` mixed with black (``amount`` < 0) or white (> 0) by ``|amount|``."""
    target = 0.0 if amount < 0 else 1.0
    return tuple(c + (target - c) * abs(amount) for c in color[:3])


def product_styles(products) -> dict:
    """``{(firm, product): (colour, marker)}`` of ``products`` (dicts or pairs with a
    ``firm`` and a ``product``): one colour per firm (the palette in the firms' order, as
    every figure of a run colours its firms), its products told apart by shade and
    marker."""
    products = [p if isinstance(p, dict) else {"firm": p[0], "product": p[1]}
                for p in products]
    firms = list(dict.fromkeys(p["firm"] for p in products))
    base = dict(zip(firms, sns.color_palette(PALETTE, max(len(firms), 1)), strict=False))
    seen: dict = {}
    out = {}
    for p in products:
        k = seen[p["firm"]] = seen.get(p["firm"], -1) + 1
        out[(p["firm"], p["product"])] = (shade(base[p["firm"]], SHADES[k % len(SHADES)]),
                                          MARKERS[k % len(MARKERS)])
    return out


def per_step(dt_days: float) -> str:
    """The length of a market step in real units, for a label: "per week" (7 days),
    "per day" (1 day), else "per 28-day step" (``dt_days`` is configurable, so "per step"
    told the reader nothing and "per week" could be wrong)."""
    days = float(dt_days)
    if days == DAYS_PER_WEEK:
        return "per week"
    if days == 1.0:
        return "per day"
    return f"per {days:g}-day step"


def per_full_step(frame, column: str, config):
    """``frame`` with ``column`` (a count per market step, at its step's start ``t``)
    scaled to a full step of ``dt_days``: the run's last step can be shorter or longer
    (``sim.units.step_days``: with ``dt_days=28`` over 2,920 days it lasts 8 days), and its
    count, drawn "per 28-day step", had read as a fall at the end of every series."""
    from sim.units import step_days

    dt = float(config.dt_days)
    days = step_days(frame["t"].to_numpy(dtype=float), dt, float(config.horizon_days))
    return frame.assign(**{column: frame[column].to_numpy(dtype=float) * dt / days})


MONEY_SCALES = ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands"))


def money_scale(values) -> tuple[float, str]:
    """``(divisor, name)`` for an axis of money ``values``: the largest of billions,
    millions and thousands that the largest finite absolute value reaches, so that the
    ticks read ``-18`` with ``NPV (millions of USD)`` instead of ``-1.8`` under a ``1e7``
    offset; ``(1.0, "")`` below a thousand."""
    top = max((abs(float(v)) for v in values if math.isfinite(float(v))), default=0.0)
    for divisor, name in MONEY_SCALES:
        if top >= divisor:
            return divisor, name
    return 1.0, ""


def save(fig, path, banner: str | None = None) -> None:
    """Write ``fig`` as a PNG atomically; ``banner`` (e.g. the quick-mode warning) is
    stamped across the top of the figure in red."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    extra = {}
    if banner:  # above everything: the tight bounding box grows to take it in
        fig.text(0.5, 1.01, banner, ha="center", va="bottom", color="white", weight="bold",
                 fontsize="medium", bbox={"facecolor": "#b00020", "edgecolor": "none",
                                          "pad": 3})
        extra = {"bbox_inches": "tight", "pad_inches": 0.15}
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, format="png", **extra))
    plt.close(fig)
