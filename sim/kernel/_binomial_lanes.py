"""Keyed binomial draws in batches ("lanes"): the draws of ``sim.kernel.binomial``, the
same numbers, at a fraction of their cost when many are independent.

A draw of ``binomial_lq(n, p, draw_key(key, index), lq)`` (or of ``binomial_approx``) is
a pure function of its arguments, so a batch of them may be computed in any order and in
pieces. Drawn one at a time, the inversion's recurrence ``P(x) = P(x - 1) (n - x + 1) r /
x`` is one long chain of dependent multiplications (about 3 cycles a term, 16 terms at a
mean of 4) that the CPU does not overlap with the next draw's. ``draw_lanes`` takes a
batch in passes:

1. sort (scalar, the only pass with a branch per draw): zero and all at once; the others
   into the approximate draws' rows, BTRD's or the inversion's;
2. per kind, the keys and first uniforms (vectorised);
3. the approximate draws: Acklam's central normal quantile and the count (vectorised); the
   4.85% of uniforms in the quantile's tails redone one at a time;
4. BTRD: the box under the hat, where about 80% of its draws are accepted at once
   (vectorised); the others drawn again by ``_btrd`` itself;
5. the inversion: ``r`` and the exponent of ``(1 - p)^n`` in a loop without a call
   (vectorised), then glibc's ``log1p`` for the lanes whose caller has no ``lq``, in a
   loop of their own, ``(1 - p)^n`` itself by ``exp_nonpositive``
   (vectorised), then 16 terms for every lane (a constant trip count, so the compiler
   unrolls them and vectorises over the lanes: 8 to an AVX-512 register), 16 more, from
   where they stopped, for the lanes whose 16 tests all held, and ``_inversion_search``
   for a count past the lane's bound (a restart).

The operations of each draw are those of ``sim.kernel.binomial``, in the same order and
without fused multiply-adds (``fastmath`` stays off; the shared pieces are the same inline
functions: ``btrd_hat``, ``btrd_box``, ``central_quantile``, ``approx_count``), so every
draw is bit-identical to the one-at-a-time draw with the same key
(``tests/kernel/test_kernel_aggregate_lanes.py``). Running the terms past a draw's own
bound ``kmax`` leaves its count unchanged: the count is the number of tests ``u > P(x)``
that hold, a prefix of x (``_inversion``'s docstring); once one fails ``u`` is at most 0,
and the later terms are at least -0.0.
"""

import numpy as np

from sim.kernel._numba import jit
from sim.kernel.binomial import (
    _Q_LOW,
    APPROX_INVERSION_MEAN,
    INVERSION_MEAN,
    _btrd,
    _inversion_search,
    approx_count,
    approx_uniform,
    btrd_box,
    btrd_hat,
    central_quantile,
    draw_key,
    normal_quantile,
)
from sim.kernel.exp_poly import exp_nonpositive
from sim.kernel.rng import uniform

BLOCK = 16  # inversion terms per unrolled block
# 1 / x for the inversion's recursion; terms past a draw's bound reach x = 32
_INV = np.array([0.0] + [1.0 / x for x in range(1, 2 * BLOCK + 1)])
# rows of the workspace (``workspace``): float64, int64 and uint64; the inversion lanes,
# the approximate ones (``_A_``) and BTRD's (``_B_``) each have rows of their own,
# filled from column 0
# (``_C_``: the inversion lanes that go on past 16 terms)
_U, _PX, _NF, _R, _PP, _A_NF, _A_PP, _A_X, _B_NF, _B_PP, _B_V, _B_X, _C_U, _C_PX, _C_NF, _C_R = (
    range(16))
_SLOT, _KMAX, _X, _FLIP, _IDX, _A_SLOT, _A_IDX, _B_SLOT, _B_IDX, _C_X, _C_LANE = range(11)
_KEY, _A_KEY, _B_KEY = range(3)


@jit
def workspace(lanes):
    """The work arrays of ``draw_lanes`` for up to ``lanes`` draws: (float64 (16, lanes),
    int64 (11, lanes), uint64 (3, lanes))."""
    return (np.empty((16, lanes)), np.empty((11, lanes), np.int64),
            np.empty((3, lanes), np.uint64))


@jit(inline="always")
def _term(u, px, nf, r, x, k):
    """One term of the inversion: the test for x = k, then P(k + 1)."""
    x += u > px
    u -= px
    px = px * ((nf - k) * r * _INV[k + 1])
    return u, px, x


@jit(inline="always")
def _block(u, px, nf, r, x, k0):
    """Terms k0..k0+15 (a constant trip count: unrolled)."""
    for k in range(k0, k0 + BLOCK):
        u, px, x = _term(u, px, nf, r, x, k)
    return u, px, x


@jit
def _powers(fw, c):
    """``P(0) = exp(n log1p(-p))`` of lanes 0..c-1 from the exponents in row ``_PX``
    (vectorised: ``exp_nonpositive`` is arithmetic); 2 where the exponent is the mark 1."""
    px_ = fw[_PX]
    for i in range(c):
        x = px_[i]
        e = exp_nonpositive(x)
        px_[i] = 2.0 if x > 0.0 else e


@jit
def _terms16(fw, iw, c):
    """Terms 0..15 of the inversion for lanes 0..c-1, vectorised over the lanes; rows
    ``_U`` and ``_PX`` left as they are after them (where a lane goes on)."""
    u_, px_, nf_, r_, x_ = fw[_U], fw[_PX], fw[_NF], fw[_R], iw[_X]
    for i in range(c):
        u, px, x = _block(u_[i], px_[i], nf_[i], r_[i], 0, 0)
        u_[i] = u
        px_[i] = px
        x_[i] = x


@jit
def _terms_next16(fw, iw, c):
    """Terms 16..31 of the lanes in the ``_C_`` rows, from the state ``_terms16`` left
    (all its 16 tests held: x = 16)."""
    u_, px_, nf_, r_, x_ = fw[_C_U], fw[_C_PX], fw[_C_NF], fw[_C_R], iw[_C_X]
    for i in range(c):
        x_[i] = _block(u_[i], px_[i], nf_[i], r_[i], BLOCK, BLOCK)[2]


@jit
def _approx_counts(fw, kw, c):
    """The approximate counts of lanes 0..c-1 into row ``_A_X`` (central quantile for all)."""
    nf_, pp_, out, keys = fw[_A_NF], fw[_A_PP], fw[_A_X], kw[_A_KEY]
    for i in range(c):
        nf = nf_[i]
        pp = pp_[i]
        z = central_quantile(approx_uniform(keys[i]))
        out[i] = approx_count(nf, pp, nf * pp * (1.0 - pp), z)


@jit
def _approx_keys(key, iw, kw, c):
    """The keys of the approximate lanes 0..c-1 (vectorised)."""
    index, keys = iw[_A_IDX], kw[_A_KEY]
    for i in range(c):
        keys[i] = draw_key(key, index[i])


@jit
def _uniforms(key, fw, iw, kw, c, r_index, r_key, r_u):
    """The keys of lanes 0..c-1 (from index row ``r_index`` of ``iw``, into row ``r_key``
    of ``kw``) and their first uniforms (into row ``r_u`` of ``fw``), vectorised."""
    index, keys, u_ = iw[r_index], kw[r_key], fw[r_u]
    for i in range(c):
        k = draw_key(key, index[i])
        keys[i] = k
        u_[i] = uniform(k, 0)


@jit
def draw_lanes(key, min_variance, n, p, lq, index, count, out, fw, iw, kw):
    """``out[i] = binomial_approx(n[i], p[i], draw_key(key, index[i]), min_variance,
    lq[i])`` for i < count; with ``min_variance`` infinite, ``binomial_lq(n[i], p[i], ...,
    lq[i])`` (the exact draws of ``draws="counter"``). ``lq[i]``: ``log_q(p[i])`` where the
    caller shares it, else any positive number. ``fw``, ``iw``, ``kw``: ``workspace``.
    The draws are sorted by kind (one at a time: the branches), then each kind is drawn
    in its own passes."""
    approx = min_variance < np.inf
    inv_mean = APPROX_INVERSION_MEAN if approx else INVERSION_MEAN
    c_inv = 0
    c_apx = 0
    c_btrd = 0
    for i in range(count):
        ni = n[i]
        pi = p[i]
        if ni <= 0 or pi <= 0.0:
            out[i] = 0
            continue
        if pi >= 1.0:
            out[i] = ni
            continue
        flip = pi > 0.5
        pp = 1.0 - pi if flip else pi
        nf = float(ni)
        if approx and nf * pp * (1.0 - pp) >= min_variance:
            fw[_A_NF, c_apx] = nf
            fw[_A_PP, c_apx] = pp
            iw[_A_SLOT, c_apx] = i
            iw[_A_IDX, c_apx] = index[i]
            c_apx += 1
        elif nf * pp >= inv_mean:
            fw[_B_NF, c_btrd] = nf
            fw[_B_PP, c_btrd] = pp
            iw[_B_SLOT, c_btrd] = i
            iw[_B_IDX, c_btrd] = index[i]
            c_btrd += 1
        else:
            fw[_PX, c_inv] = lq[i]
            fw[_NF, c_inv] = nf
            fw[_PP, c_inv] = pp
            iw[_SLOT, c_inv] = i
            iw[_IDX, c_inv] = index[i]
            iw[_FLIP, c_inv] = flip
            c_inv += 1
    # (the passes take the work arrays whole and view their rows themselves: a row view
    # handed to a call costs its reference count, about 3 ns, 30 of them a call)
    if c_apx > 0:
        _approx_keys(key, iw, kw, c_apx)
        _approx_lanes(fw, iw, kw, c_apx, n, p, out)
    if c_btrd > 0:
        _uniforms(key, fw, iw, kw, c_btrd, _B_IDX, _B_KEY, _B_V)
        _btrd_lanes(fw, iw, kw, c_btrd, n, p, out)
    if c_inv > 0:
        _uniforms(key, fw, iw, kw, c_inv, _IDX, _KEY, _U)
        _inversion_lanes(fw, iw, kw, c_inv, n, out)


@jit
def _approx_lanes(fw, iw, kw, c, n, p, out):
    """The approximate lanes 0..c-1: counts vectorised, tails redone, written to ``out``."""
    _approx_counts(fw, kw, c)
    keys = kw[_A_KEY]
    for a in range(c):
        i = iw[_A_SLOT, a]
        u = approx_uniform(keys[a])
        x = fw[_A_X, a]
        if not (_Q_LOW <= u <= 1.0 - _Q_LOW):  # a tail of Acklam's approximation
            nf = fw[_A_NF, a]
            pp = fw[_A_PP, a]
            x = approx_count(nf, pp, nf * pp * (1.0 - pp), normal_quantile(u))
        xi = np.int64(x)
        out[i] = n[i] - xi if p[i] > 0.5 else xi


@jit
def _btrd_boxes(fw, c):
    """BTRD's draws of lanes 0..c-1 whose first uniform falls in the box under the hat
    (86% of ``v_r``, about 80% of draws) into row ``_B_X``; -1 for the others."""
    nf_, pp_, v_, out = fw[_B_NF], fw[_B_PP], fw[_B_V], fw[_B_X]
    for i in range(c):
        v = v_[i]
        b, a, c_, v_r, _ = btrd_hat(nf_[i], pp_[i])
        x = btrd_box(v, b, a, c_, v_r)
        out[i] = x if v <= 0.86 * v_r else -1.0


@jit
def _btrd_lanes(fw, iw, kw, c, n, p, out):
    """The BTRD lanes 0..c-1: the box's draws vectorised, the others by ``_btrd``."""
    _btrd_boxes(fw, c)
    keys = kw[_B_KEY]
    for a in range(c):
        i = iw[_B_SLOT, a]
        x = np.int64(fw[_B_X, a])
        if x < 0:
            x = _btrd(n[i], fw[_B_PP, a], keys[a])
        out[i] = n[i] - x if p[i] > 0.5 else x


@jit
def _inversion_lanes(fw, iw, kw, c, n, out):
    """The inversion lanes 0..c-1: ``r`` and the exponent ``n lq`` (row ``_PX`` holds the
    lanes' ``lq`` on entry), ``(1 - p)^n`` (``_powers``), the terms, then the counts past a
    lane's bound (a restart) drawn by ``_inversion_search``. A lane with ``u <= 1 - n p``
    is 0 at once, as in ``_inversion``: its ``P(0)`` is set to 2 (> u), so its first test
    fails and u goes below 0 (no logarithm)."""
    u_, px_, r_, pp_, nf_, kmax_, x_ = (fw[_U], fw[_PX], fw[_R], fw[_PP], fw[_NF], iw[_KMAX],
                                        iw[_X])
    keys = kw[_KEY]
    need = 0  # lanes whose logarithm is to be computed (no call here: vectorised)
    for a in range(c):
        pp = pp_[a]
        nf = nf_[a]
        mean = nf * pp
        kmax_[a] = np.int64(min(nf, mean + 10.0))
        r_[a] = pp / (1.0 - pp)
        lq = px_[a]
        zero = u_[a] <= 1.0 - mean  # (1 - p)^n >= 1 - n p: x = 0
        # 1.0 (> 0) marks a lane of x = 0 (n log1p(-p) <= 0); lq (> 0) one to compute
        px_[a] = 1.0 if zero else (lq if lq > 0.0 else nf * lq)
        need += (not zero) & (lq > 0.0)
    if need > 0:
        for a in range(c):
            if px_[a] > 0.0 and not u_[a] <= 1.0 - nf_[a] * pp_[a]:
                px_[a] = nf_[a] * np.log1p(-pp_[a])
    _powers(fw, c)
    _terms16(fw, iw, c)
    # a lane whose 16 tests all held and whose bound is 16 or more (a mean of 6 or more)
    # goes on from where it is: terms 16..31 (kmax <= 29: a mean below 20), in rows of
    # their own
    more = 0
    for a in range(c):
        if x_[a] == BLOCK and kmax_[a] >= BLOCK:
            fw[_C_U, more] = u_[a]
            fw[_C_PX, more] = px_[a]
            fw[_C_NF, more] = nf_[a]
            fw[_C_R, more] = r_[a]
            iw[_C_LANE, more] = a
            more += 1
    if more > 0:
        _terms_next16(fw, iw, more)
        for b in range(more):
            x_[iw[_C_LANE, b]] = iw[_C_X, b]
    for a in range(c):
        i = iw[_SLOT, a]
        x = iw[_X, a]
        if x > kmax_[a]:
            x = _inversion_search(n[i], pp_[a], keys[a])
        out[i] = n[i] - x if iw[_FLIP, a] else x
