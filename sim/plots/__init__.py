"""Seaborn figures from results (the edge of the layers: imports results, never the reverse).

Importing this package changes no process state; the backend is the caller's choice (the
command-line entry points default ``MPLBACKEND`` to ``Agg``).
"""

from sim.plots.perceptual import perceptual_map
from sim.plots.run import critical_path, plot_run
from sim.plots.style import PALETTE, money_label, money_scale, per_step, save, style
from sim.plots.sweep import plot_sweep

__all__ = ["PALETTE", "critical_path", "money_label", "money_scale", "per_step",
           "perceptual_map", "plot_run", "plot_sweep", "save", "style"]
