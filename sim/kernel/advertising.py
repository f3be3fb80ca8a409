"""A product's marketing week, compiled: the spend and its payment, the adstock, the
channels' lifts and the awareness they build (``sim.firm.marketing``, whose docstring
states the model).

The firm's marketing process calls ``advertising_week`` once a week per product
(``Marketing._week``: spend, payment, adstock and response in one call; the spend, the
ledger's rule and the adstock in Python around the response took about 5 us a
product-week, 8% of a default run); ``advertising_response`` is the response alone. In
plain Python the response's loops over segments x channels were about a tenth of a
compact scenario run. The advertising effect is summed here too, by
``sim.kernel.dots.vecdot`` (it was a ``dots.matvec`` call and an array addition after it,
about 1.4 us a call). The operations are the ones ``Marketing`` and ``Ledger`` made in
Python, in the same order, on the same IEEE doubles (``fastmath`` off: no reassociation,
no fused multiply-add), so the payments, adstock and awareness are the same to the bit
(``tests/kernel/test_kernel_advertising.py`` keeps the Python forms as its twins).
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


@jit
def advertising_week(paying, base, split, spend, use_spend, cash, credit, reserve, operating,
                     adstock, decay, max_lift, half, inv_max_lift, reach, aw_reach, awareness,
                     forget, paid, lift, aware, effect):
    """A product's marketing week in one call (``Marketing._week``): the spend, its payment,
    the adstock and the response. Returns ``(total spend, responded)``.

    - ``paying`` (the product is being marketed): channel c's spend is ``spend[c]`` where
      ``use_spend`` (the caller's, with the campaigns added), else ``base * split[c]``;
      each is paid in channel order as ``Ledger.spend_each`` pays a discretionary payment
      (an amount <= 0 pays nothing; else ``min(amount, room)`` with ``room = max(cash +
      credit - reserve, 0)`` while ``operating``, else 0; ``cash`` falls by each payment),
      the paid amounts into ``paid`` (the caller posts them: ``Ledger.post_paid``); a
      channel's spend becomes what was paid where it was above 0; the total is summed in
      channel order from the first channel. Not paying: every spend is 0, the total 0.
    - the adstock ``decay[c] * adstock[c] + spend[c]``, in place;
    - with some adstock (a value not 0): the response (``advertising_response``) into
      ``lift``, ``aware`` and ``effect``, and ``responded`` is True; without any: False,
      and ``aware`` holds ``awareness * (1 - forget)`` (forgetting alone).

    Python's ``max(x, 0.0)`` and ``min(a, b)`` are spelt out (the first argument unless the
    second is greater, resp. smaller), so every value is the one the Python form gives,
    -0.0, infinities and NaN included (``tests/kernel/test_kernel_advertising.py``)."""
    c_count = adstock.shape[0]
    total = 0.0
    for c in range(c_count):
        x = 0.0
        if paying:
            x = spend[c] if use_spend else base * split[c]
            p = 0.0
            if not x <= 0.0:
                room = 0.0
                if operating:
                    v = cash + credit - reserve
                    room = 0.0 if 0.0 > v else v
                p = room if room < x else x
                if p > 0.0:
                    cash += -p
            paid[c] = p
            if x > 0.0:
                x = p
            total = x if c == 0 else total + x
        adstock[c] = decay[c] * adstock[c] + x
    responded = False
    for c in range(c_count):
        if adstock[c] != 0.0:
            responded = True
    if responded:
        advertising_response(adstock, max_lift, half, inv_max_lift, reach, aw_reach,
                             awareness, forget, lift, aware, effect)
    else:
        kept = 1.0 - forget
        for s in range(awareness.shape[0]):
            aware[s] = awareness[s] * kept
    return total, responded
