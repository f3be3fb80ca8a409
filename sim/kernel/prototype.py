"""The pioneer's prototype bonus over one market step, compiled (``sim.market.pioneer``
states the model): segment s adds ``weight[s] * N[s, j] / sum_l N[s, l]`` to the utility of
product j, 0 where the segment has no owners yet.

The market calls this every step; as NumPy calls on (segments x products) arrays it cost
about 6 us a step, nearly all of it the calls' own overhead. The operations are NumPy's
(a row's total summed in column order from its first value, as NumPy reduces a short
row), so the bonus is the same to the bit (``tests/kernel/test_kernel_prototype.py``
keeps the NumPy form as its twin).
"""

from sim.kernel._numba import jit


@jit
def prototype_bonus(weight, installed, out):
    """``out[s, j] = weight[s] * installed[s, j] / total[s]`` (share 0.0 where the row's
    total is not positive); ``installed`` (S, J) float64, ``weight`` (S,)."""
    for s in range(installed.shape[0]):
        total = installed[s, 0]
        for j in range(1, installed.shape[1]):
            total += installed[s, j]
        for j in range(installed.shape[1]):
            share = installed[s, j] / total if total > 0.0 else 0.0
            out[s, j] = weight[s] * share
