"""``exp(x)`` for ``x <= 0`` in plain arithmetic: the keyed binomial inversion's ``(1 - p)^n``.

The inversion draw of ``sim.kernel.binomial`` starts from ``P(0) = (1 - p)^n =
exp(n log1p(-p))``. The C library's ``exp`` is a call: in a loop over many draws
(``sim.kernel._binomial_lanes``) the compiler cannot vectorise it, and about 600 calls a
step of the aggregate benchmark's 20 x 10 market cost about 1.2 us of its 23. Written as
arithmetic, a loop of them vectorises (8 to an AVX-512 register).

The method is the textbook one (Cody and Waite 1980, "Software Manual for the Elementary
Functions"; the reduction of fdlibm's ``e_exp.c``): ``k = round(x / ln 2)``, ``r = x - k
ln 2`` with ``ln 2`` split in a high part whose products with ``k`` are exact and a low
part, so ``|r| <= ln(2) / 2``; ``exp(r)`` by its Taylor series to ``r^13 / 13!`` (the
truncation is below 4e-18 relative, under a tenth of an ulp) in Horner's form; then the
product with ``2^k``, exact, from a table. Only additions, multiplications and ``floor``,
each correctly rounded by IEEE 754 and done in this order (``fastmath`` stays off, so no
fused multiply-adds): the plain-Python twin in ``tests/naive.py`` gets the same bits.
Measured against ``math.exp`` on the inversion's domain: within 1 ulp
(``tests/kernel/test_kernel_exp_poly.py``).

Domain: ``-708 <= x <= 0`` (results above the smallest normal number). The inversion's
``x = n log1p(-p)`` lies in ``[-27.8, 0]``: it runs for a mean ``n p`` below 20 with ``p <=
1/2``, where ``-log1p(-p) <= 2 ln(2) p``. Outside it ``x`` is first held to the domain
(NaN and anything below -708 to -708, anything above 0 to 0), so the table is never read
out of its bounds.
"""

import math

import numpy as np

from sim.kernel._numba import jit

_LOG2E = 1.4426950408889634  # 1 / ln 2
_LN2_HI = 6.93147180369123816490e-01  # ln 2, its low 32 bits zero: k * _LN2_HI exact
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
# 1 / k! for k = 13 down to 0, each the correctly rounded double (Horner's order)
_TAYLOR = np.array([1.0 / math.factorial(k) for k in range(13, -1, -1)])
_MIN_X = -708.0
_POW2 = np.array([2.0 ** k for k in range(-1022, 1)])  # 2^k for k = -1022..0, exact


@jit(inline="always")
def exp_nonpositive(x):
    """``exp(x)`` for ``-708 <= x <= 0`` (module docstring), within 1 ulp."""
    x = x if x > _MIN_X else _MIN_X  # NaN too
    x = x if x < 0.0 else 0.0
    k = np.floor(x * _LOG2E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    y = _TAYLOR[0]
    for m in range(1, 14):  # a constant trip count: unrolled
        y = y * r + _TAYLOR[m]
    return y * _POW2[np.int64(k) + 1022]
