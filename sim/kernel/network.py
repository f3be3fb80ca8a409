"""Social networks for agent-mode word of mouth, as symmetric CSR adjacency.

A network is undirected and stored in both directions: the neighbours of customer ``i``
are ``indices[indptr[i]:indptr[i + 1]]``, sorted, without self-loops or repeats.
Generators are parallel Numba code drawing from the counter-based generator, so a network
depends only on its seed and size (not on the thread count), and 10^7 customers build in
seconds:

- ``watts_strogatz``: a ring lattice where each customer knows ``mean_degree / 2``
  neighbours on each side, each edge rewired to a uniformly random customer with
  probability ``rewire`` (Watts and Strogatz 1998). Customers are numbered segment by
  segment, so the lattice also makes neighbours mostly share a segment (homophily).
- ``heavy_tailed``: Chung-Lu random graph (Chung and Lu 2002) with expected degrees
  following a power law of exponent ``exponent`` (degree distribution ~ k^-exponent) and
  mean ``mean_degree``; endpoints of ``n * mean_degree / 2`` edges are drawn in proportion
  to the expected degree, then self-loops and repeats are dropped.

``None`` stands for a fully mixed market (word of mouth from the whole segment).
"""

import math
import weakref
from dataclasses import dataclass

import numpy as np
from numba import prange

from sim.kernel._numba import jit_parallel
from sim.kernel._ring_csr import ring_csr
from sim.kernel.rng import STREAM_NETWORK, STREAM_NETWORK_REWIRE, key_of, uniform


@dataclass(frozen=True)
class Network:
    """Symmetric adjacency in CSR form: indptr int64 (N + 1,), indices int32 (nnz,)."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def n_edges(self) -> int:
        """Undirected edges (each stored twice)."""
        return int(self.indices.shape[0] // 2)

    def degrees(self) -> np.ndarray:
        return np.diff(self.indptr)

    def validate(self, n_nodes: int | None = None) -> "Network":
        indptr, indices = self.indptr, self.indices
        if not isinstance(indptr, np.ndarray) or indptr.dtype != np.int64 or indptr.ndim != 1:
            raise ValueError("network.indptr must be a 1-d int64 array")
        if not isinstance(indices, np.ndarray) or indices.dtype != np.int32 or indices.ndim != 1:
            raise ValueError("network.indices must be a 1-d int32 array")
        n = indptr.shape[0] - 1
        if n < 0 or indptr[0] != 0 or indptr[-1] != indices.shape[0]:
            raise ValueError("network.indptr must start at 0 and end at len(indices)")
        if n_nodes is not None and n != n_nodes:
            raise ValueError(f"network must have {n_nodes} nodes (one per customer), got {n}")
        if np.any(np.diff(indptr) < 0):
            raise ValueError("network.indptr must be non-decreasing")
        if indices.shape[0] and (indices.min() < 0 or indices.max() >= n):
            raise ValueError(f"network.indices must lie in [0, {n}), got "
                             f"[{indices.min()}, {indices.max()}]")
        return self


_BUCKET_SHIFT = 16  # 65,536 customers per bucket: a bucket's rows fit in cache
_EDGE_CHUNKS = 64  # fixed, so that the layout does not depend on the thread count


@jit_parallel
def _bucket_counts(src, dst, shift, n_buckets, counts):
    e_count = src.shape[0]
    chunks = counts.shape[0]
    for c in prange(chunks):
        lo = e_count * c // chunks
        hi = e_count * (c + 1) // chunks
        for e in range(lo, hi):
            a = src[e]
            if a >= 0:
                counts[c, a >> shift] += 1
                counts[c, dst[e] >> shift] += 1


@jit_parallel
def _bucket_scatter(src, dst, shift, offsets, out_from, out_to):
    e_count = src.shape[0]
    chunks = offsets.shape[0]
    for c in prange(chunks):
        lo = e_count * c // chunks
        hi = e_count * (c + 1) // chunks
        pos = offsets[c].copy()
        for e in range(lo, hi):
            a = src[e]
            if a >= 0:
                b = dst[e]
                k = a >> shift
                out_from[pos[k]] = a
                out_to[pos[k]] = b
                pos[k] += 1
                k = b >> shift
                out_from[pos[k]] = b
                out_to[pos[k]] = a
                pos[k] += 1


@jit_parallel
def _bucket_rows(n, shift, bucket_start, pair_from, pair_to, indptr, indices):
    n_buckets = bucket_start.shape[0] - 1
    size = 1 << shift
    # degrees, node by node, within each bucket
    for k in prange(n_buckets):
        for e in range(bucket_start[k], bucket_start[k + 1]):
            indptr[pair_from[e] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    for k in prange(n_buckets):
        first = k * size
        fill = np.empty(min(size, n - first), np.int64)
        for i in range(fill.shape[0]):
            fill[i] = indptr[first + i]
        for e in range(bucket_start[k], bucket_start[k + 1]):
            r = pair_from[e] - first
            indices[fill[r]] = pair_to[e]
            fill[r] += 1


@jit_parallel
def _sort_unique_rows(indptr, indices, unique):
    n = indptr.shape[0] - 1
    for i in prange(n):
        lo, hi = indptr[i], indptr[i + 1]
        row = indices[lo:hi]
        if hi - lo <= 32:
            for a in range(1, hi - lo):  # insertion sort: rows are short
                v = row[a]
                b = a - 1
                while b >= 0 and row[b] > v:
                    row[b + 1] = row[b]
                    b -= 1
                row[b + 1] = v
        else:
            row.sort()
        k = 0
        for e in range(hi - lo):
            v = row[e]
            if v != i and (k == 0 or row[k - 1] != v):
                row[k] = v
                k += 1
        unique[i] = k


@jit_parallel
def _compact(indptr, indices, unique):
    n = indptr.shape[0] - 1
    out_ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        out_ptr[i + 1] = out_ptr[i] + unique[i]
    out = np.empty(out_ptr[n], np.int32)
    for i in prange(n):
        lo = indptr[i]
        base = out_ptr[i]
        for e in range(unique[i]):
            out[base + e] = indices[lo + e]
    return out_ptr, out


def from_edges(n_nodes: int, src: np.ndarray, dst: np.ndarray) -> Network:
    """Symmetric CSR of the undirected edges (src[e], dst[e]); src < 0 marks a dropped edge.

    Self-loops and repeated edges are removed; rows are sorted.
    """
    n = int(n_nodes)
    src = np.ascontiguousarray(src, dtype=np.int32)
    dst = np.ascontiguousarray(dst, dtype=np.int32)
    if src.shape != dst.shape or src.ndim != 1:
        raise ValueError(f"src and dst must be 1-d arrays of equal length, got {src.shape}, {dst.shape}")
    keep = src >= 0
    if np.any((src[keep] >= n) | (dst[keep] < 0) | (dst[keep] >= n)):
        raise ValueError(f"edge endpoints must lie in [0, {n})")
    # Two-pass bucket sort of the directed entries (both directions of every edge): edges
    # are scattered to buckets of 2^16 consecutive customers, then each bucket's rows are
    # filled in cache; both passes run in parallel over fixed chunks.
    n_buckets = (n >> _BUCKET_SHIFT) + 1
    counts = np.zeros((_EDGE_CHUNKS, n_buckets), np.int64)
    _bucket_counts(src, dst, _BUCKET_SHIFT, n_buckets, counts)
    per_bucket = counts.sum(axis=0)
    bucket_start = np.zeros(n_buckets + 1, np.int64)
    np.cumsum(per_bucket, out=bucket_start[1:])
    offsets = bucket_start[:-1][None, :] + np.cumsum(counts, axis=0) - counts
    total = int(bucket_start[-1])
    pair_from = np.empty(total, np.int32)
    pair_to = np.empty(total, np.int32)
    _bucket_scatter(src, dst, _BUCKET_SHIFT, np.ascontiguousarray(offsets), pair_from, pair_to)
    indptr = np.zeros(n + 1, np.int64)
    indices = np.empty(total, np.int32)
    _bucket_rows(n, _BUCKET_SHIFT, bucket_start, pair_from, pair_to, indptr, indices)
    del pair_from, pair_to
    unique = np.empty(n, np.int64)
    _sort_unique_rows(indptr, indices, unique)
    out_ptr, out = _compact(indptr, indices, unique)
    return Network(out_ptr, out)


@jit_parallel
def _ring_edges(n, half, rewire, key_rewire, key_target, src, dst):
    """Targets of the ring's edges into ``dst``; sources into ``src`` unless it is empty
    (the row-by-row CSR needs none: edge e starts at e // half)."""
    with_src = src.shape[0] > 0
    for i in prange(n):
        for o in range(1, half + 1):
            e = i * half + (o - 1)
            v = i + o if i + o < n else i + o - n  # (i + o) % n, o < n
            if rewire > 0.0 and uniform(key_rewire, e) < rewire:
                t = np.int64(uniform(key_target, e) * (n - 1))
                if t >= i:
                    t += 1
                v = t
            if with_src:
                src[e] = i
            dst[e] = v


def _check_size(n_nodes, mean_degree, seed):
    n = int(n_nodes)
    if n < 2 or n >= 2**31 - 1:
        raise ValueError(f"n_nodes must be in [2, 2**31 - 1), got {n_nodes}")
    if not np.isfinite(mean_degree) or mean_degree <= 0 or mean_degree >= n:
        raise ValueError(f"mean_degree must be in (0, n_nodes), got {mean_degree}")
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return n


def watts_strogatz(n_nodes: int, mean_degree: int = 10, rewire: float = 0.1,
                   seed: int = 0) -> Network:
    """Small-world network (Watts and Strogatz 1998); ``mean_degree`` even, before dedup."""
    n = _check_size(n_nodes, mean_degree, seed)
    if int(mean_degree) != mean_degree or int(mean_degree) % 2:
        raise ValueError(f"mean_degree must be an even integer, got {mean_degree}")
    if not 0.0 <= rewire <= 1.0:
        raise ValueError(f"rewire must be in [0, 1], got {rewire}")
    half = int(mean_degree) // 2
    dst = np.empty(n * half, np.int32)
    k1 = key_of(seed, 0, STREAM_NETWORK_REWIRE)
    k2 = key_of(seed, 1, STREAM_NETWORK_REWIRE)
    _ring_edges(n, half, float(rewire), k1, k2, np.empty(0, np.int32), dst)
    return Network(*ring_csr(n, half, dst))


@jit_parallel
def _chung_lu_edges(n, a, r0, mult, shift, key_a, key_b, src, dst):
    # Inverse CDF of the continuous weight (x + r0)^(-a) on [0, n): O(1) per endpoint.
    lo = r0 ** (1.0 - a)
    span = (n + r0) ** (1.0 - a) - lo
    inv = 1.0 / (1.0 - a)
    for e in prange(src.shape[0]):
        x = (lo + uniform(key_a, e) * span) ** inv - r0
        y = (lo + uniform(key_b, e) * span) ** inv - r0
        i = min(max(np.int64(x), 0), n - 1)
        j = min(max(np.int64(y), 0), n - 1)
        if i == j:
            src[e] = -1
            dst[e] = -1
        else:
            # relabel ranks by the bijection r -> (r * mult + shift) mod n (mult coprime to n)
            src[e] = (i * mult + shift) % n
            dst[e] = (j * mult + shift) % n


def heavy_tailed(n_nodes: int, mean_degree: float = 10.0, exponent: float = 2.5,
                 seed: int = 0) -> Network:
    """Chung-Lu network with power-law expected degrees (exponent > 2)."""
    n = _check_size(n_nodes, mean_degree, seed)
    if not np.isfinite(exponent) or exponent <= 2.0:
        raise ValueError(f"exponent must be > 2 (finite mean degree), got {exponent}")
    # The node of rank r has expected degree proportional to the integral of
    # (x + r0)^(-1/(exponent - 1)) over [r, r + 1): a degree sequence whose tail is a power
    # law of the given exponent; r0 = 10 bounds the largest hub.
    a = 1.0 / (exponent - 1.0)
    # Hubs get spread-out labels so that they do not all fall in the first segment.
    key = key_of(seed, 2, STREAM_NETWORK)
    mult = int(n * 0.6180339887) | 1
    while math.gcd(mult, n) != 1:
        mult += 2
    shift = int(key % np.uint64(n))
    n_edges = int(round(n * mean_degree / 2.0))
    src = np.empty(n_edges, np.int32)
    dst = np.empty(n_edges, np.int32)
    ka = key_of(seed, 0, STREAM_NETWORK)
    kb = key_of(seed, 1, STREAM_NETWORK)
    _chung_lu_edges(n, a, 10.0, mult, shift, ka, kb, src, dst)
    return from_edges(n, src, dst)


# The network last built with ``cache=True``: (key, network). One entry, so that a process
# holds at most one cached network (about 0.5 GB at 10^7 customers of degree 10).
_CACHE: list = []
# Every network ``build_network`` returned (read-only arrays) while it is alive, by id: a
# run on one checks only its size (``check_network``). (A Network compares and hashes by
# its arrays, so a WeakSet cannot hold it.)
_BUILT: "weakref.WeakValueDictionary[int, Network]" = weakref.WeakValueDictionary()


def clear_network_cache() -> None:
    """Forget the network kept by ``build_network(..., cache=True)``."""
    _CACHE.clear()


def check_network(network: Network, n_nodes: int) -> Network:
    """``network.validate(n_nodes)``, except for a network ``build_network`` returned: its
    generators give valid CSR by construction (``tests/kernel/test_kernel_network.py``) and
    its arrays are read-only, so only its size is checked (a full check reads its 10^8
    indices: about 0.06-0.28 s a run at 10^7 customers). One made writable again gets the
    full check."""
    writeable = network.indptr.flags.writeable or network.indices.flags.writeable
    if _BUILT.get(id(network)) is network and not writeable:
        if network.n_nodes != n_nodes:
            raise ValueError(f"network must have {n_nodes} nodes (one per customer), got "
                             f"{network.n_nodes}")
        return network
    return network.validate(n_nodes)


def build_network(kind: str, n_nodes: int, mean_degree: float = 10.0, seed: int = 0,
                  rewire: float = 0.1, exponent: float = 2.5,
                  cache: bool = False) -> Network | None:
    """Network by name: ``fully_mixed`` (None), ``small_world`` or ``heavy_tailed``.

    ``cache=True`` keeps the network built last and returns it again for the same
    arguments (the network depends on them only), so that runs sharing a fixed network
    seed build it once per process. The network's arrays are read-only (runs share a
    cached one; ``check_network`` then checks only its size).
    """
    if kind == "fully_mixed":
        return None
    if kind not in ("small_world", "heavy_tailed"):
        raise ValueError(f"network kind must be one of fully_mixed, small_world, heavy_tailed; "
                         f"got {kind!r}")
    key = (kind, int(n_nodes), float(mean_degree), int(seed), float(rewire), float(exponent))
    if cache and _CACHE and _CACHE[0][0] == key:
        return _CACHE[0][1]
    if cache:
        _CACHE.clear()  # free the old one before building the next
    if kind == "small_world":
        net = watts_strogatz(n_nodes, int(mean_degree), rewire, seed)
    else:
        net = heavy_tailed(n_nodes, mean_degree, exponent, seed)
    # read-only: the runs that get it check only its size (``check_network``)
    net.indptr.flags.writeable = False
    net.indices.flags.writeable = False
    _BUILT[id(net)] = net
    if cache:
        _CACHE.append((key, net))
    return net
