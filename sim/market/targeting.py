"""Targeting: a firm's ``strategy.segment_focus`` concentrates its paid media on one segment.

Any firm (ours or a competitor) with a ``segment_focus`` has its marketing reach in that
segment multiplied by ``FOCUS_MULTIPLIER`` and in every other segment by
``OTHER_MULTIPLIER``; the spend is unchanged. These are the premium niche player's factors
(``sim.firm.strategies.niche``), which that strategy applies again, identically, when it
starts. Without a focus the reach is untouched.
"""

import numpy as np

FOCUS_MULTIPLIER = 2.0
OTHER_MULTIPLIER = 0.3


def segment_multiplier(segment_names, focus) -> np.ndarray | None:
    """Reach factor per segment for ``focus`` (a segment name), or None without a focus."""
    if focus is None:
        return None
    names = list(segment_names)
    mult = np.full(len(names), OTHER_MULTIPLIER)
    mult[names.index(focus)] = FOCUS_MULTIPLIER
    return mult


def apply_targeting(firms, segment_names) -> None:
    """Focus each firm's marketing on its ``strategy.segment_focus``, if it has one."""
    for f in firms:
        mult = segment_multiplier(segment_names, f.cfg.strategy.segment_focus)
        if mult is not None:
            f.focus_marketing(mult)
