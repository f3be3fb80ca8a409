"""Same seed, same output: in both modes, for any chunk size and any thread count."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from kernel_markets import tiny_offer, tiny_segments

from sim.kernel import AgentMarket, AggregateMarket, heavy_tailed, watts_strogatz

FIELDS = ("new_adopters", "units", "replacements", "churners", "returned", "active", "pool",
          "lapsed")
INITIAL = {"initial_active": np.array([[300, 100, 0], [50, 200, 20]]),
           "initial_lapsed": np.array([40, 90])}
PROBE = pathlib.Path(__file__).resolve().parent / "thread_probe.py"


def trajectory(make_market, steps=15, rng_seed=None):
    seg = tiny_segments((1500, 1100))
    market = make_market(seg)
    rng = None if rng_seed is None else np.random.default_rng(rng_seed)
    outs = []
    for step in range(steps):
        offer = tiny_offer(seg, step)
        out = market.step(offer, 7.0) if rng is None else market.step(offer, 7.0, rng)
        outs.append(np.concatenate([getattr(out, f).ravel() for f in FIELDS]))
    return np.array(outs), market


def test_aggregate_same_seed_same_output():
    a, _ = trajectory(lambda seg: AggregateMarket(seg, 3, **INITIAL), rng_seed=5)
    b, _ = trajectory(lambda seg: AggregateMarket(seg, 3, **INITIAL), rng_seed=5)
    c, _ = trajectory(lambda seg: AggregateMarket(seg, 3, **INITIAL), rng_seed=6)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("kind", ["fully_mixed", "small_world"])
def test_agent_same_seed_same_output_any_chunk_size(kind):
    n = 2600
    net = None if kind == "fully_mixed" else watts_strogatz(n, 6, 0.1, seed=1)

    def make(seed, chunk):
        return lambda seg: AgentMarket(seg, 3, seed=seed, network=net, chunk_size=chunk,
                                       **INITIAL)

    ref, ref_market = trajectory(make(9, 8192))
    for chunk in (1, 13, 500):
        other, market = trajectory(make(9, chunk))
        np.testing.assert_array_equal(other, ref)
        np.testing.assert_array_equal(market.held, ref_market.held)
        np.testing.assert_array_equal(market.counts, ref_market.counts)
    different, _ = trajectory(make(10, 8192))
    assert not np.array_equal(different, ref)


def test_networks_same_seed_same_graph():
    for build in (lambda s: watts_strogatz(5000, 8, 0.2, seed=s),
                  lambda s: heavy_tailed(5000, 6.0, 2.5, seed=s)):
        a, b, c = build(1), build(1), build(2)
        np.testing.assert_array_equal(a.indptr, b.indptr)
        np.testing.assert_array_equal(a.indices, b.indices)
        assert not np.array_equal(a.indices[:1000], c.indices[:1000])


def _probe(threads):
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result.pop("threads") == threads
    return result


def test_identical_for_one_and_two_threads():
    """Networks (parallel CSR build) and a networked agent run, in fresh processes with
    NUMBA_NUM_THREADS=1 and 2: identical digests of every array."""
    one, two = _probe(1), _probe(2)
    assert one == two


@pytest.mark.slow
def test_identical_for_three_threads():
    assert _probe(3) == _probe(1)
