"""The agent market's set-up passes against plain definitions: neighbour counts (pushed
from the owners) equal the count of each customer's neighbours owning each product."""

import numpy as np
import pytest

from sim.kernel import heavy_tailed, watts_strogatz
from sim.kernel._agent_setup import _neighbour_counts


@pytest.mark.parametrize("make", [lambda n: watts_strogatz(n, 10, 0.3, seed=4),
                                  lambda n: heavy_tailed(n, 8.0, 2.3, seed=4)])
@pytest.mark.parametrize("owners", [0.0, 0.05, 0.9])
def test_neighbour_counts_are_the_owning_neighbours(make, owners):
    n, j = 3001, 3
    net = make(n)
    rng = np.random.default_rng(11)
    held = np.where(rng.random(n) < owners, rng.integers(0, j, n),
                    rng.choice([-1, -2], n)).astype(np.int8)
    counts = np.zeros((n, j), np.int32)
    _neighbour_counts(held, net.indptr, net.indices, counts)
    expected = np.zeros((n, j), np.int64)
    for i in range(n):
        nb = held[net.indices[net.indptr[i]:net.indptr[i + 1]]]
        expected[i] = np.bincount(nb[nb >= 0], minlength=j)
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == np.diff(net.indptr)[held >= 0].sum()  # one per owner's edge
