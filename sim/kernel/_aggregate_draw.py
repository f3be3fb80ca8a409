"""Aggregate mode's draws by source, and the split of the considering customers for keyed
draws.

``draw(source, n, p, index, lq)`` is the step's one binomial draw for each kind of source
(``sim.kernel._aggregate_step``'s docstring): the Generator's ``binomial(n, p)`` in call
order, or the keyed samplers of ``sim.kernel.binomial`` at draw ``index`` of the step's key.
``keyed(source)`` says which, a constant of each compiled specialisation.

The split. A segment's considering customers choose among J products and the outside
option (choice J) with the logit shares of ``sim.kernel.choice``: a multinomial count. With
the Generator it is drawn as J sequential binomials, product j taking ``Binomial(remaining,
share_j / (share_j + ... + share_J))``, in the documented order. With keyed draws it is
drawn as a balanced binary tree over the J + 1 choices: a range ``[lo, hi)`` of choices
with ``m`` customers splits at ``mid = (lo + hi) // 2``, its first half taking
``Binomial(m, P[lo, mid) / P[lo, hi))`` (``node_probability``), the second half the rest,
until every range is one choice. Both are the exact multinomial law (a multinomial's
margins over a partition are multinomial, and given them the parts are independent
multinomials). The tree makes as many draws as the sequential split (J a segment), but
in ceil(log2(J + 1)) rounds instead of J, so a batched step has fewer, larger batches (in
the 20 x 10 benchmark the approximate and the exact draws divide as before: about 455
and 364 of a step's 820). The node splitting
at ``mid`` (1 <= mid <= J, one node per mid) draws with slot ``mid`` of the segment, the
slots 1..J the sequential split used.

``tree_split`` draws a segment's tree node by node (the reference: one draw at a time);
``sim.kernel._aggregate_lanes`` draws each level of every segment's tree as one batch, the
same draws.
"""

import numba
import numpy as np
from numba import types
from numba.extending import overload

from sim.kernel._numba import jit
from sim.kernel.binomial import binomial_approx, binomial_lq, draw_key


def _draw_py(source, n, p, index, lq=1.0):
    """Plain-Python dispatch (``NUMBA_DISABLE_JIT=1``): the compiled one is the overload.
    ``lq``: ``log_q(p)`` where the caller shares it over draws, else any positive number."""
    if isinstance(source, np.random.Generator):
        return int(source.binomial(n, p))
    if isinstance(source, tuple):
        return int(binomial_approx(n, p, draw_key(source[0], index), source[1], lq))
    return int(binomial_lq(n, p, draw_key(source, index), lq))


def _draw(source, n, p, index, lq=1.0):
    return _draw_py(source, n, p, index, lq)


@overload(_draw, jit_options={"cache": True})
def _draw_overload(source, n, p, index, lq=1.0):
    if isinstance(source, types.NumPyRandomGeneratorType):
        def impl(source, n, p, index, lq=1.0):
            return source.binomial(n, p)
    elif isinstance(source, types.BaseTuple):
        def impl(source, n, p, index, lq=1.0):
            return binomial_approx(n, p, draw_key(source[0], index), source[1], lq)
    else:
        def impl(source, n, p, index, lq=1.0):
            return binomial_lq(n, p, draw_key(source, index), lq)
    return impl


def _keyed_py(source):
    return not isinstance(source, np.random.Generator)


def _keyed(source):
    return _keyed_py(source)


@overload(_keyed, jit_options={"cache": True})
def _keyed_overload(source):
    """Whether the draws are keyed by their index (counter-based; then their order is
    free), a constant of the compiled specialisation."""
    value = not isinstance(source, types.NumPyRandomGeneratorType)

    def impl(source):
        return value
    return impl


draw = _draw_py if numba.config.DISABLE_JIT else _draw
keyed = _keyed_py if numba.config.DISABLE_JIT else _keyed


@jit(inline="always")
def node_probability(shares, s, lo, mid, hi):
    """The probability that a customer of segment s who chooses in ``[lo, hi)`` chooses in
    ``[lo, mid)``: the shares summed in choice order (0 where they are all 0)."""
    left = 0.0
    for k in range(lo, mid):
        left += shares[s, k]
    right = 0.0
    for k in range(mid, hi):
        right += shares[s, k]
    total = left + right
    return left / total if total > 0.0 else 0.0


@jit
def tree_nodes(width, nodes, starts):
    """The tree's nodes over ``width`` choices, level by level: node q splits the range
    ``[nodes[0, q], nodes[2, q])`` at ``nodes[1, q]``; level l holds the nodes
    ``starts[l]`` to ``starts[l + 1] - 1``. ``nodes`` int64 (3, width - 1), ``starts``
    int64 (width + 1,) or longer; returns the number of levels. A node comes after its
    parent, so the nodes may be drawn in this order."""
    hi_of = np.empty(width, np.int64)  # a range's end, at its first choice
    hi_of[0] = width
    k = 0
    levels = 0
    while True:
        starts[levels] = k
        lo = 0
        while lo < width:
            hi = hi_of[lo]
            if hi - lo >= 2:
                nodes[0, k] = lo
                nodes[1, k] = (lo + hi) // 2
                nodes[2, k] = hi
                k += 1
            lo = hi
        if k == starts[levels]:
            return levels
        for q in range(starts[levels], k):
            hi_of[nodes[0, q]] = nodes[1, q]
            hi_of[nodes[1, q]] = nodes[2, q]
        levels += 1


@jit
def tree_split(source, s, first, considering, shares, new):
    """The split of segment s's ``considering`` customers over the J products (into
    ``new[s]``) and the outside option by the tree of the module docstring, one draw at a
    time, node by node (``tree_nodes``' order); draw indices ``first + mid``."""
    width = new.shape[1] + 1
    nodes = np.empty((3, width - 1), np.int64)
    tree_nodes(width, nodes, np.empty(width + 1, np.int64))
    count = np.zeros(width, np.int64)  # a range's customers, at its first choice
    count[0] = considering
    for q in range(width - 1):
        lo, mid, hi = nodes[0, q], nodes[1, q], nodes[2, q]
        x = draw(source, count[lo], node_probability(shares, s, lo, mid, hi), first + mid)
        count[mid] = count[lo] - x
        count[lo] = x
    for j in range(width - 1):
        new[s, j] = count[j]
