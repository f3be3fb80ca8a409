"""The Watts-Strogatz network's CSR, built row by row (``network.watts_strogatz``).

The ring's edges are ``e = i * half + o - 1`` from customer i to ``dst[e]`` (its lattice
neighbour ``i + o``, or a uniformly drawn customer when rewired). Customer i's row is its
own ``half`` targets, the lattice predecessors ``i - o`` whose edge still ends at i, and
the sources of the edges moved onto i, sorted and deduplicated: the rows
``network.from_edges`` gives for the same edges (checked entry for entry in
``tests/kernel/test_kernel_network.py``), without bucket-sorting every edge. Work is split
into fixed chunks, so the result does not depend on the thread count.
"""

import numpy as np
from numba import prange

from sim.kernel._numba import jit, jit_parallel

_CHUNKS = 64


def ring_csr(n, half, dst):
    """``from_edges(n, src, dst)`` of the ring's edges (edge ``e = i * half + o - 1`` from
    ``i`` to ``dst[e]``), built row by row: customer i's row is its own ``half`` targets,
    the lattice predecessors ``i - o`` whose edge still ends at i, and the sources of the
    edges moved onto i (listed by a counting sort of the ~``rewire`` share of moved edges),
    sorted and deduplicated. Same rows as the general path, without sorting every edge.

    One pass builds the rows: each chunk writes its rows, one after the other, from an
    offset with room for its rows before deduplication; the chunks are then moved down
    into place (the deduplicated rows are never longer), so no row is built twice."""
    moved_ptr, moved_src = _moved_edges(n, half, dst)
    chunks = min(4 * _CHUNKS, n)
    bounds = np.arange(chunks + 1, dtype=np.int64) * n // chunks
    room = np.zeros(chunks + 1, np.int64)
    np.cumsum(2 * half * np.diff(bounds) + np.diff(moved_ptr[bounds]), out=room[1:])
    buf = np.empty(int(room[-1]), np.int32)
    unique = np.empty(n, np.int64)
    _ring_rows(n, half, dst, moved_ptr, moved_src, bounds, room, unique, buf)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(unique, out=indptr[1:])
    _move_down(bounds, room, indptr, buf)
    return indptr, buf[:int(indptr[-1])]


_SHIFT = 16  # targets per bucket of the moved edges' sort: 65,536 (a bucket's counts fit in cache)


@jit_parallel
def _moved_edges(n, half, dst):
    """CSR (by target) of the sources of edges whose target is not their lattice one, in
    source order within a target (rows are sorted afterwards anyway). A counting sort in
    three parallel passes: each fixed chunk of sources counts its moved edges per bucket
    of ``2^_SHIFT`` targets, then scatters them into the buckets (chunk after chunk, so in
    source order), then each bucket sorts its edges by target in cache."""
    chunks = min(_CHUNKS, n)
    n_buckets = (n >> _SHIFT) + 1
    counts = np.zeros((chunks, n_buckets), np.int64)
    for c in prange(chunks):
        for i in range(n * c // chunks, n * (c + 1) // chunks):
            for o in range(1, half + 1):
                lattice = i + o if i + o < n else i + o - n
                t = dst[i * half + o - 1]
                if t != lattice:
                    counts[c, t >> _SHIFT] += 1
    start = np.zeros(n_buckets + 1, np.int64)  # bucket b's edges: start[b]:start[b + 1]
    offsets = np.empty((chunks, n_buckets), np.int64)  # chunk c's first place in bucket b
    for b in range(n_buckets):
        at = start[b]
        for c in range(chunks):
            offsets[c, b] = at
            at += counts[c, b]
        start[b + 1] = at
    pair_src = np.empty(start[n_buckets], np.int32)
    pair_dst = np.empty(start[n_buckets], np.int32)
    for c in prange(chunks):
        pos = offsets[c]
        for i in range(n * c // chunks, n * (c + 1) // chunks):
            for o in range(1, half + 1):
                lattice = i + o if i + o < n else i + o - n
                t = dst[i * half + o - 1]
                if t != lattice:
                    b = t >> _SHIFT
                    pair_src[pos[b]] = i
                    pair_dst[pos[b]] = t
                    pos[b] += 1
    ptr = np.empty(n + 1, np.int64)
    ptr[0] = 0
    out = np.empty(start[n_buckets], np.int32)
    for b in prange(n_buckets):
        first = b << _SHIFT
        size = min(1 << _SHIFT, n - first)
        if size <= 0:
            continue
        fill = np.zeros(size, np.int64)
        for e in range(start[b], start[b + 1]):
            fill[pair_dst[e] - first] += 1
        at = start[b]
        for r in range(size):  # the bucket's targets' list ends and starts
            k = fill[r]
            fill[r] = at
            at += k
            ptr[first + r + 1] = at
        for e in range(start[b], start[b + 1]):
            r = pair_dst[e] - first
            out[fill[r]] = pair_src[e]
            fill[r] += 1
    return ptr, out


@jit_parallel
def _ring_rows(n, half, dst, moved_ptr, moved_src, bounds, room, unique, buf):
    """Row i sorted and deduplicated: its length into ``unique[i]``, its entries into
    ``buf``, the rows of chunk c (customers ``bounds[c]:bounds[c + 1]``) one after the
    other from ``room[c]``. Fixed chunks of rows."""
    widest = 0
    for i in range(n):
        widest = max(widest, moved_ptr[i + 1] - moved_ptr[i])
    for c in prange(bounds.shape[0] - 1):
        row = np.empty(2 * half + widest, np.int64)
        out = room[c]
        for i in range(bounds[c], bounds[c + 1]):
            # nearly sorted for the insertion sort below: the lattice predecessors in
            # ascending order, then the own targets (ascending where not rewired), then
            # the moved sources (a row's order does not change its sorted result)
            k = 0
            for o in range(half, 0, -1):
                j = i - o if i >= o else i - o + n
                if dst[j * half + o - 1] == i:
                    row[k] = j
                    k += 1
            for o in range(half):
                row[k] = dst[i * half + o]
                k += 1
            for e in range(moved_ptr[i], moved_ptr[i + 1]):
                row[k] = moved_src[e]
                k += 1
            for a in range(1, k):  # insertion sort: rows are short
                v = row[a]
                b = a - 1
                while b >= 0 and row[b] > v:
                    row[b + 1] = row[b]
                    b -= 1
                row[b + 1] = v
            u = 0
            for a in range(k):
                v = row[a]
                if v != i and (u == 0 or row[u - 1] != v):
                    row[u] = v
                    u += 1
            for a in range(u):
                buf[out + a] = row[a]
            out += u
            unique[i] = u


@jit
def _move_down(bounds, room, indptr, buf):
    """Chunk c's rows from ``buf[room[c]:]`` to their place ``buf[indptr[bounds[c]]:]``,
    chunk by chunk in order: a place never lies after its room (rows only shrink), so
    copying forward never overwrites rows not yet moved."""
    for c in range(bounds.shape[0] - 1):
        src = room[c]
        to = indptr[bounds[c]]
        for e in range(indptr[bounds[c + 1]] - to):
            buf[to + e] = buf[src + e]
