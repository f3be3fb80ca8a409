"""The ``draws`` key: aggregate mode's binomial draws from the exact counter-based sampler
(the default since 2026-12-07), NumPy's generator, or the approximation; the three agree in
distribution on the baseline, a wrong value or mode gets one clear error, and the keyed
draws keep two options run on one seed in step (common random numbers)."""

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


def _pulse_effects(draws):
    """Per seed, the orders a +10% marketing pulse for one quarter (a year after the planned
    launch) adds over that quarter and the year after, over the quarter's orders
    (stylized_facts' pulse)."""
    from experiments.facts import ad_elasticities
    from experiments.stylized_facts import _baseline_options, _pulse
    base = compose(["scenario=baseline", f"draws={draws}"]).scenario()
    pulse = compose(["scenario=baseline", f"draws={draws}",
                     *_baseline_options(base)["ad_pulse"]]).scenario()
    return np.array([ad_elasticities(run_scenario(base, s).timeseries,
                                     run_scenario(pulse, s).timeseries, "us",
                                     _pulse(base))["advertising_elasticity_long_term"]
                     for s in range(8)])


def test_keyed_draws_keep_two_options_on_one_seed_in_step():
    """With keyed draws more marketing buys more orders on every seed, and the effect's
    spread over seeds is a fraction of the Generator's, whose one stream drifts apart once
    a draw takes another number of uniforms (docs/model.md 1.5: measured 0.053 against
    0.33 over 20 seeds)."""
    keyed, stream = _pulse_effects("counter"), _pulse_effects("generator")
    assert (keyed > 0).all(), keyed
    assert np.ptp(keyed) * 3 < np.ptp(stream), (keyed, stream)
