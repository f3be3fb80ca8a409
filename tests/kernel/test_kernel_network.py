"""Network generators: symmetric CSR without loops or repeats, degrees as requested."""

import numpy as np
import pytest

from sim.kernel import Network, build_network, heavy_tailed, watts_strogatz


def check_csr(net: Network, n: int):
    """Symmetric, sorted rows, no self-loops, no repeats, valid types."""
    net.validate(n)
    rows = np.repeat(np.arange(n), np.diff(net.indptr))
    cols = net.indices.astype(np.int64)
    assert np.all(rows != cols), "self-loop"
    same_row = rows[1:] == rows[:-1]
    assert np.all(cols[1:][same_row] > cols[:-1][same_row]), "rows not strictly increasing"
    forward = np.sort(rows * n + cols)
    backward = np.sort(cols * n + rows)
    np.testing.assert_array_equal(forward, backward)  # (i, j) present iff (j, i) present
    assert net.n_edges * 2 == net.indices.shape[0]


@pytest.mark.parametrize("rewire", [0.0, 0.05, 0.5, 1.0])
def test_watts_strogatz_structure(rewire):
    n, k = 20_000, 10
    net = watts_strogatz(n, k, rewire, seed=3)
    check_csr(net, n)
    # only duplicates created by rewiring are dropped: a loss of order k * rewire / n
    assert abs(net.degrees().mean() - k) < 0.01 * k
    if rewire == 1.0:
        # a fully rewired lattice: every customer keeps at least its own k/2 edges
        assert net.degrees().min() >= k // 2 - 1


def test_watts_strogatz_without_rewiring_is_the_ring_lattice():
    n, k = 1001, 8
    net = watts_strogatz(n, k, 0.0, seed=5)
    offsets = np.array([o for o in range(-k // 2, k // 2 + 1) if o != 0])
    for i in (0, 1, 2, 500, n - 2, n - 1):
        np.testing.assert_array_equal(net.indices[net.indptr[i]:net.indptr[i + 1]],
                                      np.sort((i + offsets) % n))
    assert np.all(net.degrees() == k)


def test_watts_strogatz_rewired_share():
    """About a share ``rewire`` of lattice edges leave the ring (binomial, 4 sigma)."""
    n, k, rewire = 20_000, 10, 0.1
    net = watts_strogatz(n, k, rewire, seed=8)
    rows = np.repeat(np.arange(n), np.diff(net.indptr))
    gap = np.abs(rows - net.indices)
    ring = (np.minimum(gap, n - gap) <= k // 2).sum() // 2
    edges = n * k // 2
    kept = edges * (1 - rewire)  # plus the few rewired edges landing back on the ring
    assert abs(ring - kept) < 4 * np.sqrt(edges * rewire * (1 - rewire)) + edges * k / n


def expected_chung_lu_degree(n, mean_degree, exponent, top=3000):
    """Expected mean degree after dropping self-loops and repeats.

    Rank r is an edge end with probability ``pi_r = F(r + 1) - F(r)``, F the CDF of the
    density ``(x + 10)^(-1 / (exponent - 1))`` on [0, n); with m edges, the pair {i, j} is
    linked with probability ``1 - (1 - 2 pi_i pi_j)^m``. Summed exactly over pairs of the top
    ranks, and to second order (``lambda - lambda^2 / 2``, lambda = 2 m pi_i pi_j) elsewhere.
    """
    a = 1.0 / (exponent - 1.0)
    x = np.arange(n + 1, dtype=np.float64)
    cdf = ((x + 10.0) ** (1 - a) - 10.0 ** (1 - a)) / ((n + 10.0) ** (1 - a) - 10.0 ** (1 - a))
    pi = np.diff(cdf)
    m = int(round(n * mean_degree / 2))
    s2, s4 = (pi**2).sum(), (pi**4).sum()
    sum_lambda = m * (1.0 - s2)  # over all pairs i < j
    sum_lambda2 = 2.0 * m * m * (s2**2 - s4)
    lam = 2.0 * m * np.outer(pi[:top], pi[:top])[np.triu_indices(top, 1)]
    linked_top = -np.expm1(m * np.log1p(-lam / m)).sum()
    linked = linked_top + (sum_lambda - lam.sum()) - (sum_lambda2 - (lam**2).sum()) / 2.0
    return 2.0 * linked / n


@pytest.mark.parametrize("exponent", [2.2, 2.5, 3.0])
def test_heavy_tailed_structure_and_mean_degree(exponent):
    """The mean degree is the requested one less the dropped loops and repeats (mostly
    between hubs: 2.7% at exponent 2.2, 0.05% at 3), as computed from the model; the count
    of distinct edges E has a standard deviation below sqrt(E), so 4 sigma of the mean
    degree is at most 8 sqrt(E) / n."""
    n, mean_degree = 50_000, 10.0
    net = heavy_tailed(n, mean_degree, exponent, seed=1)
    check_csr(net, n)
    expected = expected_chung_lu_degree(n, mean_degree, exponent)
    assert expected <= mean_degree
    tolerance = 8.0 * np.sqrt(expected * n / 2.0) / n
    assert abs(net.degrees().mean() - expected) < tolerance


def test_heavy_tailed_has_a_power_law_tail():
    """Hubs far above the mean, and a tail exponent near the requested one.

    Hill's estimator on the top k = 2000 of 200,000 degrees estimates gamma with a standard
    error of about (gamma - 1) / sqrt(k) = 0.03; Poisson noise around the expected degrees and
    the cap of the largest hubs (r0 = 10) bias it slightly, so the check is loose: within
    0.25 of the requested exponent. A Watts-Strogatz network of the same mean degree has no
    hubs at all."""
    n, mean_degree, gamma = 200_000, 10.0, 2.5
    degrees = np.sort(heavy_tailed(n, mean_degree, gamma, seed=2).degrees())[::-1]
    assert degrees[0] > 50 * mean_degree
    assert np.median(degrees) < mean_degree  # most customers are below the mean
    k = 2000
    hill = 1.0 + k / np.sum(np.log(degrees[:k] / degrees[k]))
    assert abs(hill - gamma) < 0.25, hill
    lattice = watts_strogatz(n, 10, 0.1, seed=2).degrees()
    assert lattice.max() < 3 * mean_degree


def test_heavy_tailed_exponent_orders_the_tails():
    """A smaller exponent gives a heavier tail: larger hubs at the same mean degree."""
    top = [np.sort(heavy_tailed(50_000, 10.0, g, seed=4).degrees())[-50:].mean()
           for g in (2.2, 2.6, 3.2)]
    assert top[0] > top[1] > top[2]


def test_hubs_spread_over_segments():
    """Hub labels are spread over the customers, not all in the first segment."""
    n = 100_000
    degrees = heavy_tailed(n, 10.0, 2.3, seed=0).degrees()
    hubs = np.argsort(degrees)[-100:]
    counts = np.bincount(hubs * 4 // n, minlength=4)
    assert np.all(counts > 5), counts


def test_build_network_by_name():
    assert build_network("fully_mixed", 100) is None
    small = build_network("small_world", 100, mean_degree=4, seed=1, rewire=0.2)
    np.testing.assert_array_equal(small.indices, watts_strogatz(100, 4, 0.2, seed=1).indices)
    heavy = build_network("heavy_tailed", 500, mean_degree=4.0, seed=1, exponent=2.7)
    np.testing.assert_array_equal(heavy.indices, heavy_tailed(500, 4.0, 2.7, seed=1).indices)


@pytest.mark.parametrize("n, k, rewire", [(3, 2, 0.5), (7, 6, 0.5), (10, 4, 0.3), (1000, 10, 0.1),
                                          (3000, 8, 0.0), (5000, 4, 1.0), (70_000, 10, 0.1)])
def test_watts_strogatz_rows_equal_the_general_csr(n, k, rewire):
    """The ring's row-by-row CSR is ``from_edges`` of the same edges, entry for entry."""
    from sim.kernel.network import _ring_edges, from_edges
    from sim.kernel.rng import STREAM_NETWORK_REWIRE, key_of

    half = k // 2
    src = np.empty(n * half, np.int32)
    dst = np.empty(n * half, np.int32)
    _ring_edges(n, half, float(rewire), key_of(11, 0, STREAM_NETWORK_REWIRE),
                key_of(11, 1, STREAM_NETWORK_REWIRE), src, dst)
    general = from_edges(n, src, dst)
    ring = watts_strogatz(n, k, rewire, seed=11)
    np.testing.assert_array_equal(ring.indptr, general.indptr)
    np.testing.assert_array_equal(ring.indices, general.indices)
    assert ring.indices.dtype == np.int32 and ring.indptr.dtype == np.int64


@pytest.mark.parametrize("n, half, rewire", [(2, 1, 1.0), (65_536, 3, 0.3), (131_075, 5, 0.1),
                                             (140_000, 2, 1.0), (5_000, 4, 0.0)])
def test_moved_edges_are_listed_by_target_in_source_order(n, half, rewire):
    """The moved edges' CSR equals a stable NumPy sort by target of the (source, target)
    pairs whose target is not the lattice one, across buckets of 2^16 targets."""
    from sim.kernel._ring_csr import _moved_edges
    from sim.kernel.network import _ring_edges
    from sim.kernel.rng import STREAM_NETWORK_REWIRE, key_of

    src = np.empty(n * half, np.int32)
    dst = np.empty(n * half, np.int32)
    _ring_edges(n, half, float(rewire), key_of(5, 0, STREAM_NETWORK_REWIRE),
                key_of(5, 1, STREAM_NETWORK_REWIRE), src, dst)
    lattice = (src.astype(np.int64) + np.tile(np.arange(1, half + 1), n)) % n
    moved = dst != lattice
    order = np.argsort(dst[moved], kind="stable")
    want_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(dst[moved], minlength=n), out=want_ptr[1:])
    ptr, out = _moved_edges(n, half, dst)
    np.testing.assert_array_equal(ptr, want_ptr)
    np.testing.assert_array_equal(out, src[moved][order])
    if n > 2:  # with two customers every rewired edge lands on its lattice target
        assert (rewire == 0.0) == (len(out) == 0)
