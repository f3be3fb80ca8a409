"""``market.network.seed``: a fixed network shared by every run of a process (built once,
reused), with results identical whether the network came from the cache or was rebuilt;
null (the default) keeps one network per run seed."""

import numpy as np
import pytest

import sim.market.market as market_mod
from sim.cli import compose
from sim.kernel.network import clear_network_cache
from sim.scenario import run_scenario

SMALL = ["mode=agent", "horizon_days=182", "market.segments.0.size=60000",
         "market.segments.1.size=150000", "market.segments.2.size=80000"]


def _cfg(*extra):
    return compose(["scenario=baseline", *SMALL, *extra]).scenario()


def _networks(monkeypatch):
    """Record the networks the market builds."""
    seen = []
    real = market_mod.build_network

    def spy(*a, **k):
        net = real(*a, **k)
        seen.append(net)
        return net

    monkeypatch.setattr(market_mod, "build_network", spy)
    return seen


def _same(a, b):
    for name in ("timeseries", "ledger", "events"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.equals(y), name
    assert a.kpis == b.kpis


def test_fixed_network_seed_is_built_once_and_gives_the_same_results_cached_or_rebuilt(
        monkeypatch):
    cfg = _cfg("market.network.seed=5")
    assert cfg.market.network.kind == "small_world"
    seen = _networks(monkeypatch)
    clear_network_cache()
    first = run_scenario(cfg, 1)
    other_seed = run_scenario(cfg, 2)
    cached = run_scenario(cfg, 1)
    assert seen[1] is seen[0] and seen[2] is seen[0]  # one network for the process
    _same(first, cached)
    clear_network_cache()
    rebuilt = run_scenario(cfg, 1)
    assert seen[3] is not seen[0]
    np.testing.assert_array_equal(seen[3].indices, seen[0].indices)
    _same(first, rebuilt)
    # replications vary the dynamics on the one network
    assert not first.timeseries.equals(other_seed.timeseries)
    clear_network_cache()


def test_null_network_seed_draws_a_network_per_run(monkeypatch):
    cfg = _cfg()
    assert cfg.market.network.seed is None
    seen = _networks(monkeypatch)
    run_scenario(cfg, 1)
    run_scenario(cfg, 2)
    assert seen[0] is not seen[1]
    assert not np.array_equal(seen[0].indices, seen[1].indices)


@pytest.mark.parametrize("value, message", [("-1", "market.network.seed must be >= 0"),
                                            ("1.5", "market.network.seed")])
def test_bad_network_seed_names_the_key(value, message):
    with pytest.raises(Exception, match=message):
        _cfg(f"market.network.seed={value}")
