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

PALETTE = "colorblind"


def style() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")


def money_label(what: str, currency: str, scale: str = "") -> str:
    """An axis label that names the currency: ``NPV (millions of USD)``, ``cash (USD)``,
    ``price (USD per unit)`` (``scale``: "millions", "thousands", or "per ..." text)."""
    if scale.startswith("per "):
        return f"{what} ({currency} {scale})"
    return f"{what} ({scale} of {currency})" if scale else f"{what} ({currency})"


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
