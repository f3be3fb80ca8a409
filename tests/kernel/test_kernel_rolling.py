"""sim.kernel.rolling against its twin, pandas' own rolling sum, bit for bit."""

import numpy as np
import pandas as pd
import pytest

from sim.kernel.rolling import rolling_sum

EDGES = [0.0, -0.0, 1.0, 0.1, 0.2, 3.0, 1e16, -1e16, np.nan, np.inf, -np.inf]


def _values(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    kind = seed % 6
    if kind == 0:  # magnitudes from 1e-5 to 1e12: compensation at work
        return rng.normal(size=n) * 10.0 ** int(rng.integers(-5, 13))
    if kind == 1:  # signed zeros, NaN, infinities, cancelling 1e16
        return rng.choice(EDGES, size=n)
    if kind == 2:  # runs of one value: pandas' count-times-value rule
        return np.repeat(rng.normal(size=max(n // 5, 1)), 5)[:n] * 1e3
    if kind == 3:
        return rng.integers(-5, 5, size=n) * 0.1
    if kind == 4:
        return np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n))
    return rng.integers(0, 10**12, size=n)  # int64, as pandas reads it: float64


@pytest.mark.parametrize("seed", range(300))
def test_rolling_sum_equals_pandas_to_the_bit(seed):
    x = _values(seed)
    rng = np.random.default_rng(10_000 + seed)
    window = int(rng.integers(1, 20))
    minp = int(rng.integers(0, window + 1))
    want = pd.Series(x).rolling(window, min_periods=minp).sum().to_numpy()
    got = rolling_sum(x, window, minp)
    assert got.tobytes() == want.tobytes(), (x, window, minp, got, want)


def test_a_run_of_equal_values_sums_to_count_times_value():
    """pandas' rule (GH#42064): 0.1 three times is 0.30000000000000004 by adding, but the
    window of three equal values is 3 * 0.1 exactly as pandas gives it."""
    x = np.array([1e16, 0.1, 0.1, 0.1])
    got = rolling_sum(x, 3, 1)
    assert got[-1] == 0.1 * 3
    assert got.tobytes() == pd.Series(x).rolling(3, min_periods=1).sum().to_numpy().tobytes()


@pytest.mark.parametrize("window, minp, message", [
    (0, 0, "window must be at least 1, got 0"),
    (3, 4, "min_periods must be in [0, window=3], got 4"),
])
def test_bad_arguments_are_named(window, minp, message):
    with pytest.raises(ValueError) as err:
        rolling_sum(np.zeros(3), window, minp)
    assert str(err.value) == message
