"""The market process (owns the demand kernel's state, steps it, hands the outcomes back to
the firms), the segments' drifting preferences, lifecycle detection and the observer that
rivals watch the market through."""

from sim.market.market import Market
from sim.market.segments import build_segments

__all__ = ["Market", "build_segments"]
