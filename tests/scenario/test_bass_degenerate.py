"""The degenerate scenario (one product, no competitors, constant marketing, no churn)
reproduces the demand kernel's Bass curve."""

import numpy as np
import pytest

from sim.cli import compose
from sim.kernel import AggregateMarket, Offer, bass_cdf, bass_discrete
from sim.market import build_segments
from sim.scenario import run_scenario
from sim.seeds import component_rng


@pytest.fixture(scope="module")
def bass_cfg():
    return compose(["scenario=bass_only"]).scenario()


def test_scenario_equals_the_bare_kernel_draw_for_draw(bass_cfg):
    res = run_scenario(bass_cfg, 7)
    seg = build_segments(bass_cfg.market)
    market = AggregateMarket(seg, 1, draws=bass_cfg.draws)  # the scenario's draws
    rng = component_rng(7, "market")
    offer = Offer.build(seg, price=[1.0])
    steps = len(res.timeseries)
    bare = np.array([market.step(offer, bass_cfg.dt_days, rng).active[0, 0] for _ in range(steps)])
    np.testing.assert_array_equal(res.timeseries["installed_base"].to_numpy(), bare)


def test_scenario_follows_the_bass_closed_form(bass_cfg):
    size = bass_cfg.market.segments[0].size
    p, q = bass_cfg.market.segments[0].p / 365.0, bass_cfg.market.segments[0].q / 365.0
    dt = bass_cfg.dt_days
    runs = np.array([run_scenario(bass_cfg, s).timeseries["installed_base"].to_numpy() / size
                     for s in range(6)])
    n = runs.shape[1]
    t = dt * np.arange(1, n + 1)
    discrete = bass_discrete(n, p, q, dt)
    closed = bass_cdf(t, p, q)
    mean = runs.mean(axis=0)
    # sampling error of the mean over 6 seeds, measured, plus a floor for its own noise
    se = runs.std(axis=0, ddof=1) / np.sqrt(len(runs)) + 1e-4
    assert np.all(np.abs(mean - discrete) <= 4 * se)
    # the closed form differs only by the weekly step's discretisation bias (stated here:
    # the largest gap between the discrete recursion and F(t))
    bias = np.max(np.abs(discrete - closed))
    assert bias < 0.01
    assert np.all(np.abs(mean - closed) <= bias + 4 * se)
