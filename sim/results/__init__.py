"""Records -> pandas DataFrames -> files, and the KPIs (no matplotlib here: figures are
``sim.plots``, which imports this package, never the reverse)."""

from sim.results.files import atomic_write, clean_json, write_json
from sim.results.results import Results

__all__ = ["Results", "atomic_write", "clean_json", "write_json"]
