"""Demand seasonality against its closed form: Bass in seasonal time (Radas and Shugan 1998).

A seasonal index s(t) that multiplies the whole adoption hazard (``Offer.season``) makes
the category follow the Bass curve on a warped clock, ``F(t) = bass_cdf(tau(t))`` with
``tau(t) = integral of s`` (Radas and Shugan 1998, J. Marketing Research 35(3)). The
kernel's expected path is the discrete scheme with step lengths ``s_k dt``; its sampling
error follows the linear noise approximation of that scheme (as in test_kernel_bass.py).
"""

import numpy as np
import pytest

from sim.kernel import AgentMarket, AggregateMarket, Offer, Segments, bass_cdf

P, Q, DT, N_STEPS, POPULATION = 0.003, 0.05, 0.25, 600, 1_000_000
# a 20-day "year": a 10-day high season at 1.6 x the mean rate, then a low one at 0.4
SEASON = np.where((DT * np.arange(N_STEPS)) % 20.0 < 10.0, 1.6, 0.4)


def expected_path_and_sd(season, population):
    """Discrete scheme with step lengths ``season * DT`` and its LNA standard deviation."""
    f, var = 0.0, 0.0
    mean, sd = np.empty(len(season)), np.empty(len(season))
    for k, s in enumerate(season):
        h = s * DT
        pi = -np.expm1(-(P + Q * f) * h)
        slope = (1.0 - pi) * (1.0 + (1.0 - f) * Q * h)
        var = slope * slope * var + (1.0 - f) * pi * (1.0 - pi) / population
        f += (1.0 - f) * pi
        mean[k], sd[k] = f, np.sqrt(var)
    return mean, sd


def paths(mode, seeds, population=POPULATION, n_steps=N_STEPS):
    segments = Segments.build(population=[population], p=[P], q=[Q])
    out = np.empty((len(seeds), n_steps))
    for r, seed in enumerate(seeds):
        if mode == "aggregate":
            market, rng = AggregateMarket(segments, 1), np.random.default_rng(seed)
        else:
            market, rng = AgentMarket(segments, 1, seed=seed), None
        for k in range(n_steps):
            offer = Offer.build(segments, price=[1.0], season=float(SEASON[k]))
            step = market.step(offer, DT, rng) if rng is not None else market.step(offer, DT)
            out[r, k] = step.active[0, 0] / population
    return out


def test_aggregate_follows_bass_in_seasonal_time():
    runs = paths("aggregate", range(20))
    mean = runs.mean(axis=0)
    discrete, sd = expected_path_and_sd(SEASON, POPULATION)
    sd_mean = sd / np.sqrt(runs.shape[0])
    tau = np.cumsum(SEASON * DT)
    closed = bass_cdf(tau, P, Q)
    bias = np.max(np.abs(discrete - closed))
    assert np.all(np.abs(mean - discrete) <= 4.0 * sd_mean + 1e-12)
    assert np.all(np.abs(mean - closed) <= bias + 4.0 * sd_mean)
    # the unwarped curve is far off: the test would see seasonality ignored
    plain = bass_cdf(DT * np.arange(1, N_STEPS + 1), P, Q)
    assert np.max(np.abs(mean - plain)) > 10.0 * (bias + 4.0 * sd_mean.max())


def test_agent_mode_agrees_with_the_scheme():
    n = 100_000
    runs = paths("agent", range(4), population=n, n_steps=200)
    discrete, sd = expected_path_and_sd(SEASON[:200], n)
    assert np.all(np.abs(runs.mean(axis=0) - discrete) <= 4.0 * sd / 2.0 + 1e-12)


def test_high_season_sells_more_per_day_than_low_season():
    runs = paths("aggregate", [3], n_steps=160)[0]
    flow = np.diff(np.concatenate([[0.0], runs]))
    high = flow[SEASON[:160] > 1.0].mean()
    low = flow[SEASON[:160] < 1.0].mean()
    assert high > 2.5 * low  # 1.6 / 0.4 = 4 at equal word of mouth


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf")])
def test_bad_season_is_refused(bad):
    segments = Segments.build(population=[100], p=[P], q=[Q])
    with pytest.raises(ValueError, match="season"):
        Offer.build(segments, price=[1.0], season=bad)
