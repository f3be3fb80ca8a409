"""Agent mode, pass 1 of a step (``_screen``): which customers could have an event.

Every customer's one draw of the step is a 32-bit hash (``sim.kernel.rng.hash32``); the
screen compares it with an upper bound of the customer's event probability and marks the
few that pass, one bit per customer, for pass 2 (``sim.kernel._agent_passes._decide``) to
decide exactly. Customer states (``held``, int8): a product index >= 0 (an owner),
``POOL`` (a potential adopter) or ``LAPSED`` (out of the category).
"""

import numpy as np

from sim.kernel._numba import jit
from sim.kernel.rng import hash32

POOL = -1
LAPSED = -2


@jit(inline="always")
def _flag(h, x, pool_on, pool_le, owner_on, owner_le):
    """1 when state h with draw x could have an event this step (see ``_screen``)."""
    return ((h == POOL) & pool_on & (x <= pool_le)) | ((h >= 0) & owner_on & (x <= owner_le))


# x * _PACK8 >> 56 gathers the low bits of x's eight bytes (each 0 or 1) into one byte,
# byte k to bit k: the terms byte_k * 2**(8k + 56 - 7i) land on distinct bits, and only
# k == i reaches bits 56..63
_PACK8 = np.uint64(0x0102040810204080)
_S56 = np.uint64(56)


@jit(inline="always")
def _packed(words):
    """The 64-bit mask of 64 flag bytes (0 or 1) seen as eight uint64 ``words``: flag r
    to bit r."""
    mask = np.uint64(0)
    for g in range(8):
        mask |= ((words[g] * _PACK8) >> _S56) << np.uint64(8 * g)
    return mask


@jit
def _screen(held, lo, n, key_lo, key_hi, t_pool, t_owner, masks):
    """Pass 1, vectorised: mark customers whose draw could trigger an event.

    ``t_pool`` and ``t_owner`` are integer thresholds of upper bounds on the adoption and
    owner-event probabilities (``rng.threshold32``); since each customer's event is decided
    by the same draw, screening against an upper bound and then deciding exactly (pass 2)
    gives the same result as deciding every customer exactly. Bit r of ``masks[b]`` marks
    customer ``lo + 64 b + r``. The loop over a block of 64 stays in 32-bit lanes (hash and
    comparisons: ``x < t`` is ``x <= t - 1`` for t >= 1, and nothing passes t = 0) and
    stores one byte per customer, so that LLVM vectorises it eight customers wide on AVX2
    (16 on AVX-512); the 64 bytes are then packed into the block's mask eight at a time
    (``_PACK8``). Shifting each flag into a 64-bit mask inside the loop instead had held
    the loop to 64-bit lanes, 2.7 times slower. Pass 2 then finds the marked customers with
    a count of trailing zeros per set bit, without a branch per customer.
    """
    pool_on = t_pool > 0
    pool_le = np.uint32(t_pool - 1) if pool_on else np.uint32(0)
    owner_on = t_owner > 0
    owner_le = np.uint32(t_owner - 1) if owner_on else np.uint32(0)
    sub = held[lo:lo + n]
    full = n // 64
    flags = np.zeros(64, np.uint8)
    words = flags.view(np.uint64)  # the same 64 bytes, eight at a time
    if owner_on:
        for b in range(full):
            base = b * 64
            for r in range(64):
                flags[r] = _flag(sub[base + r], hash32(key_lo, key_hi, lo + base + r), pool_on,
                                 pool_le, True, owner_le)
            masks[b] = _packed(words)
    else:  # no owner can have an event (no churn, no replacement): the cheaper test
        for b in range(full):
            base = b * 64
            for r in range(64):
                flags[r] = (sub[base + r] == POOL) & pool_on & (
                    hash32(key_lo, key_hi, lo + base + r) <= pool_le)
            masks[b] = _packed(words)
    if full * 64 < n:  # the last, partial block
        base = full * 64
        mask = np.uint64(0)
        for r in range(n - base):
            f = _flag(sub[base + r], hash32(key_lo, key_hi, lo + base + r), pool_on, pool_le,
                      owner_on, owner_le)
            mask |= np.uint64(f) << np.uint64(r)
        masks[full] = mask
