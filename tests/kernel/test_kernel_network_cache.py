"""``build_network(..., cache=True)``: the network of a fixed seed is built once per process
and reused, equal entry for entry to a fresh build; any other argument builds anew."""

import numpy as np
import pytest

from sim.kernel import build_network
from sim.kernel.network import clear_network_cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_network_cache()
    yield
    clear_network_cache()


@pytest.mark.parametrize("kind", ["small_world", "heavy_tailed"])
def test_cached_network_is_reused_and_equals_a_fresh_build(kind):
    a = build_network(kind, 5000, 10, seed=7, cache=True)
    b = build_network(kind, 5000, 10, seed=7, cache=True)
    assert b is a
    fresh = build_network(kind, 5000, 10, seed=7)
    assert fresh is not a
    np.testing.assert_array_equal(a.indptr, fresh.indptr)
    np.testing.assert_array_equal(a.indices, fresh.indices)
    # runs share the cached arrays: nobody may write them (nor a fresh build's: runs on
    # it check only its size)
    assert not a.indptr.flags.writeable and not a.indices.flags.writeable
    assert not fresh.indptr.flags.writeable and not fresh.indices.flags.writeable


@pytest.mark.parametrize("change", [{"seed": 8}, {"n_nodes": 5001}, {"mean_degree": 8},
                                    {"rewire": 0.2}, {"kind": "heavy_tailed"}])
def test_any_other_argument_builds_anew(change):
    args = {"kind": "small_world", "n_nodes": 5000, "mean_degree": 10, "seed": 7,
            "rewire": 0.1}
    a = build_network(**args, cache=True)
    b = build_network(**{**args, **change}, cache=True)
    assert b is not a
    fresh = build_network(**{**args, **change})
    np.testing.assert_array_equal(b.indices, fresh.indices)
    assert build_network(**args, cache=True) is not a  # one entry: a was replaced


def test_fully_mixed_is_none_and_unknown_kind_names_the_value():
    assert build_network("fully_mixed", 100, cache=True) is None
    with pytest.raises(ValueError, match="'ring'"):
        build_network("ring", 100, cache=True)


@pytest.mark.parametrize("cache", [True, False])
def test_a_built_network_is_checked_for_its_size_only(cache):
    """A run on a network build_network returned (valid by construction, read-only), cached
    or not, skips the full check, not the size check; any other network, or one made
    writable again, gets the full check."""
    from sim.kernel.network import Network, check_network

    net = build_network("small_world", 3000, 10, seed=7, cache=cache)
    assert check_network(net, 3000) is net
    with pytest.raises(ValueError, match="3001 nodes"):
        check_network(net, 3001)
    bad = Network(net.indptr.copy(), net.indices.copy())
    bad.indices[5] = 3000  # out of range: only a full check sees it
    with pytest.raises(ValueError, match="network.indices must lie in"):
        check_network(bad, 3000)
    net.indices.flags.writeable = True  # the guarantee is gone: the full check runs
    net.indices[5] = -1
    with pytest.raises(ValueError, match="network.indices must lie in"):
        check_network(net, 3000)
