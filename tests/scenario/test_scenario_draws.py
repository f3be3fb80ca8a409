"""The ``draws`` key: aggregate mode's binomial draws from NumPy's generator (default), the
exact counter-based sampler, or the approximation; the three agree in distribution on the
baseline, and a wrong value or mode gets one clear error."""

import numpy as np
import pytest

from sim.cli import compose
from sim.scenario import run_scenario

SEEDS = range(8)


def _category_units(draws):
    cfg = compose([f"draws={draws}", "horizon_days=730"]).scenario()
    out = []
    for seed in SEEDS:
        ts = run_scenario(cfg, seed).timeseries
        out.append(float(ts["new_adopters"].sum()))
    return np.array(out)


@pytest.mark.parametrize("draws", ["counter", "approx"])
def test_draw_paths_agree_with_the_generator_in_distribution(draws):
    base, other = _category_units("generator"), _category_units(draws)
    se = np.sqrt(base.var(ddof=1) / len(base) + other.var(ddof=1) / len(other))
    assert abs(other.mean() - base.mean()) < 4 * se + 1e-9 * base.mean()
    assert not np.array_equal(base, other)  # other draws, not the same stream


@pytest.mark.parametrize("overrides,words", [
    (["draws=fast"], "draws must be one of generator, counter, approx; got 'fast'"),
    (["draws=approx", "mode=agent"], "draws=approx chooses aggregate mode's binomial draws"),
])
def test_bad_draws_is_refused(overrides, words):
    with pytest.raises(Exception, match=words):
        compose(overrides)
