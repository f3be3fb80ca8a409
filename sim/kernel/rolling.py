"""pandas' trailing rolling sum, compiled: ``pd.Series(x).rolling(window,
min_periods=minp).sum()`` as its Cython ``roll_sum`` computes it, the same floats.

A run's market shares (``sim.results.shares``) take rolling quarterly sums of each firm's
weekly sales; through pandas each call on a few hundred values costs about 0.3 ms of
framework around microseconds of arithmetic. The algorithm is pandas' (its
``pandas/_libs/window/aggregations.pyx``, mirrored by ``pandas/core/_numba/kernels/sum_``):
a fixed trailing window slides one value at a time; a value entering is added and one
leaving subtracted, each with its own Kahan compensation; NaN is skipped and not counted;
where every value in the window equals the last one added, the sum is that value times
the count (pandas' guard against leftover rounding, GH#42064); fewer than ``minp``
values give NaN. pandas turns infinities into NaN before it sums; so does this.
``tests/kernel/test_kernel_rolling.py`` holds it to pandas itself, bit for bit.
"""

import numpy as np

from sim.kernel._numba import jit


@jit
def _rolling_sum(values, window, minp, out):
    n = values.shape[0]
    nobs = 0
    sum_x = 0.0
    comp_add = 0.0
    comp_remove = 0.0
    same = 0
    prev = values[0] if n else 0.0
    for i in range(n):
        if i >= window:  # the value leaving the window
            val = values[i - window]
            if val == val:  # (NaN was never added)
                nobs -= 1
                y = -val - comp_remove
                t = sum_x + y
                comp_remove = t - sum_x - y
                sum_x = t
        val = values[i]  # the value entering
        if val == val:
            nobs += 1
            y = val - comp_add
            t = sum_x + y
            comp_add = t - sum_x - y
            sum_x = t
            if val == prev:
                same += 1
            else:
                same = 1
            prev = val
        if nobs == 0 and minp == 0:
            out[i] = 0.0
        elif nobs >= minp:
            out[i] = prev * nobs if same >= nobs else sum_x
        else:
            out[i] = np.nan


def rolling_sum(values, window: int, min_periods: int = 1) -> np.ndarray:
    """``pd.Series(values).rolling(window, min_periods=min_periods).sum().to_numpy()``
    for a 1-D array of numbers (float64 out, infinities counted as NaN, as pandas)."""
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if not 0 <= min_periods <= window:
        raise ValueError(f"min_periods must be in [0, window={window}], got {min_periods}")
    x = np.ascontiguousarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {x.shape}")
    inf = np.isinf(x)
    if inf.any():
        x = np.where(inf, np.nan, x)
    out = np.empty(x.shape[0])
    if x.shape[0]:
        _rolling_sum(x, int(window), int(min_periods), out)
    return out
