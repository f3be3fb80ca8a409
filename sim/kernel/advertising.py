"""A product's weekly advertising response, compiled: the channels' lifts and the awareness
they build (``sim.firm.marketing``, whose docstring states the model).

The firm's marketing process calls this once a week per product; in plain Python its loops
over segments x channels were about a tenth of a compact scenario run. The advertising
effect is summed here too, by ``sim.kernel.dots.vecdot`` (it was a ``dots.matvec`` call
and an array addition after it, about 1.4 us a call). The operations are the ones
``Marketing`` made in Python, in the same order, on the same IEEE doubles
(``fastmath`` off: no reassociation, no fused multiply-add), so the awareness is the same
to the bit (``tests/kernel/test_kernel_advertising.py`` keeps the Python form as its twin).
"""

import numpy as np

from sim.kernel._numba import jit
from sim.kernel.dots import vecdot


@jit
def advertising_response(adstock, max_lift, half, inv_max_lift, reach, aw_reach, awareness,
                         forget, lift, aware, effect):
    """Channel c's lift ``max_lift[c] * adstock[c] / (adstock[c] + half[c])`` into
    ``lift`` (C,); segment s's advertising effect ``1 + sum_c reach[s, c] * lift[c]`` into
    ``effect`` (S,) (``dots.vecdot``: summed in channel order from 0);
    and its awareness after the week into ``aware`` (S,): the unaware become aware with
    ``1 - prod_c (1 - min(aw_reach[s, c] * lift[c] * inv_max_lift[c], 1))`` (a product in
    channel order), ``forget`` of the aware forget, and the result is clipped to [0, 1]
    (which removes rounding only)."""
    c_count = adstock.shape[0]
    rel = np.empty(c_count)  # each channel's share of its maximum lift
    for c in range(c_count):
        a = adstock[c]
        x = max_lift[c] * a / (a + half[c])
        lift[c] = x
        rel[c] = x * inv_max_lift[c]
    for s in range(awareness.shape[0]):
        effect[s] = 1.0 + vecdot(reach[s], lift)
        p_not = 1.0
        for c in range(c_count):
            v = aw_reach[s, c] * rel[c]
            p_not *= 1.0 - (1.0 if v > 1.0 else v)
        a = awareness[s]
        v = a + (1.0 - a) * (1.0 - p_not) - forget * a
        aware[s] = 0.0 if v < 0.0 else 1.0 if v > 1.0 else v
