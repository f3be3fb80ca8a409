"""Organic awareness over one market step, compiled (``sim.market.organic`` states the
model): the unaware of segment s learn of launched product j at the hazard
``base[s] + wom[s] * N[s, j] / M[s]`` per day.

The market calls this every step; as NumPy calls on (products x segments) arrays it was
about a twentieth of a compact scenario run, nearly all of it the calls' own overhead. The
operations are NumPy's, element by element in the same order (``fastmath`` off; Numba's
``np.expm1`` is the C library's, as NumPy's is on a CPU without AVX-512, and the clip is
``np.clip``'s: NaN kept, -0.0 to 0.0), so the result is the same to the bit
(``tests/kernel/test_kernel_awareness.py`` keeps the NumPy form as its twin, with the C
library's ``expm1``: on an AVX-512 CPU NumPy's own vectorised ``expm1`` differs from it by
one unit in the last place on some inputs).
"""

import numpy as np

from sim.kernel._numba import jit


@jit
def organic_awareness(aware, installed, launched, wom, sizes, base, dt, out):
    """Row r of ``out`` (J', S): launched product ``launched[r]``'s awareness ``aware[r]``
    after a step of ``dt`` days, ``installed`` (S, J) its owners, ``wom``, ``sizes`` and
    ``base`` (S,): ``clip(aware + (aware - 1) * expm1(-h * dt), 0, 1)`` with
    ``h = wom * N / sizes + base``."""
    for r in range(launched.shape[0]):
        j = launched[r]
        for s in range(sizes.shape[0]):
            h = wom[s] * installed[s, j]
            h = h / sizes[s]
            h = h + base[s]
            h = h * -dt
            a = aware[r, s]
            v = np.expm1(h) * (a - 1.0)  # (a - 1) e is (1 - a) (-e) to the bit
            v = v + a
            if v == v:  # np.clip: NaN stays NaN; max(v, 0) then min(., 1), -0.0 -> 0.0
                v = v if v > 0.0 else 0.0
                v = v if v < 1.0 else 1.0
            out[r, s] = v
