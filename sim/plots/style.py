"""One style for every figure, and the atomic PNG writer.

seaborn ``whitegrid``, the colour-blind-safe palette, titles, units on the axes, days on
the x axis. The backend is the caller's choice: the command-line entry points default
``MPLBACKEND`` to ``Agg``; importing this package changes no process state.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns

from sim.results import atomic_write

PALETTE = "colorblind"


def style() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")


def save(fig, path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)
