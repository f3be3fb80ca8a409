"""Preference formation toward the brands customers know: the pioneer's advantage.

Carpenter and Nakamoto (1989, JMR 26:285-298) show that consumers' preferences form
around the brand that defined the category: it becomes the prototype against which later
entrants are judged, so an identical ("me-too") later entrant wins less than the pioneer
even with the same attributes and price, and the advantage fades only as the later
brands build their own following. Each market step, segment ``s`` adds to the utility of
every product ``j`` on the market

    b[s, j] = prototype_preference[s] * N[s, j] / sum_l N[s, l]

utils, where ``N[s, j]`` is product ``j``'s installed base in the segment (0 before any
owner): the brand that most of the segment's owners have is the most typical one. The
pioneer starts with every owner and a later entrant with none, so the term is largest
for the pioneer and shrinks as the later brands' installed bases grow (a slowly
declining pioneer advantage, as Kalyanaram, Robinson and Urban 1995 summarise). Among
identical brands the symmetric shares are stable while ``prototype_preference`` is below
``1 / (s (1 - s))`` for their share ``s`` of new buyers (4.5 for three brands); above
that the leader locks in. 0 (the schema's default) leaves utility unchanged.
"""

import numpy as np

from sim.kernel.prototype import prototype_bonus


class PrototypePreference:
    def __init__(self, market_cfg):
        self.weight = np.array([s.prototype_preference for s in market_cfg.segments], float)
        self.active = bool(self.weight.any())

    def bonus(self, installed) -> np.ndarray | None:
        """(S, J) utility bonus from the installed bases (S, J), or None when inactive."""
        if not self.active:
            return None
        n = np.asarray(installed, dtype=float)
        out = np.empty(n.shape)
        prototype_bonus(self.weight, n, out)  # compiled: NumPy's operations, in order
        return out
