"""Organic awareness: how customers learn of a brand without paid media.

Bass's external influence ``p`` stands for every non-interpersonal source (press, retail
presence, search), not only advertising (Bass 1969; Bass, Krishnan and Jain 1994), and
owners talk about the brand they own, not only about the category. Each market step, for
every product on the market, segment ``s``'s unaware customers become aware at the hazard

    h[s, j] = organic_awareness_per_year[s] / 365 + brand_word_of_mouth[s] * q[s] / 365 * N[s, j] / M[s]

per day, where ``N[s, j]`` is product ``j``'s installed base in the segment and ``M[s]``
the segment's size (``q`` the segment's Bass imitation coefficient per year): over a step
of ``dt`` days awareness grows by ``(1 - aware) * (1 - exp(-h * dt))``. Paid media add to
this in ``sim.firm.marketing``; forgetting applies to all awareness alike. Both settings
are 0 by default (awareness from paid media only).
"""

import numpy as np

from sim.kernel.awareness import organic_awareness
from sim.units import DAYS_PER_YEAR


class OrganicAwareness:
    def __init__(self, market_cfg, sizes):
        segs = market_cfg.segments
        self.base = np.array([s.organic_awareness_per_year for s in segs]) / DAYS_PER_YEAR
        self.wom = np.array([s.brand_word_of_mouth * s.q for s in segs]) / DAYS_PER_YEAR
        self.sizes = np.maximum(np.asarray(sizes, dtype=float), 1.0)
        self.active = bool(self.base.any() or self.wom.any())
        self._launched, self._launched_array = None, None  # the last step's launched columns

    def apply(self, products, installed, dt: float) -> None:
        """Raise each launched product's awareness (S,) for one step; ``installed`` (S, J).

        All products at once, by the same elementwise operations as one at a time; each
        launched product gets its own (fresh) row: a row of this step's new (J', S) array,
        which nothing else holds (products replace their awareness, never write into it)."""
        if not self.active:
            return
        launched = [j for j, p in enumerate(products) if p.on_market]
        if not launched:
            return
        if launched != self._launched:  # the products on the market change rarely
            self._launched, self._launched_array = launched, np.array(launched, dtype=np.int64)
        aware = np.array([products[j].awareness for j in launched], dtype=float)  # (J', S)
        new = np.empty_like(aware)
        # compiled (sim.kernel.awareness): NumPy's operations element by element, in order
        organic_awareness(aware, np.asarray(installed, dtype=float), self._launched_array,
                          self.wom, self.sizes, self.base, float(dt), new)
        for row, j in enumerate(launched):
            products[j].awareness = new[row]
