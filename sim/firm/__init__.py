"""A firm and its SimPy components (ledger, teams, product, development, research,
marketing, pricing, production, support, distribution channels, accounting of sales) and
the competitor strategies. No numba, no plotting, no file I/O."""

from sim.firm.firm import Firm

__all__ = ["Firm"]
