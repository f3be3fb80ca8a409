"""The agent kernel's pass 1 (``_agent_screen._screen``) against its definition.

Bit r of ``masks[b]`` marks customer ``lo + 64 b + r`` when its hash is below the
threshold of its state: ``t_pool`` for a potential adopter (POOL), ``t_owner`` for an owner
(held >= 0), nothing for a lapsed customer. The marks are computed here with NumPy from the
same hashes and compared bit for bit, for both of the screen's loops (owners screened or
not), a partial last block and chunks that start mid-array.
"""

import numpy as np
import pytest
from kernel_hashes import hashes

from sim.kernel._agent_screen import LAPSED, POOL, _screen


def _expected(held, lo, n, key_lo, key_hi, t_pool, t_owner):
    h = held[lo:lo + n]
    x = hashes(key_lo, key_hi, lo, n).astype(np.int64)
    flag = ((h == POOL) & (x < t_pool)) | ((h >= 0) & (x < t_owner))
    blocks = (n + 63) // 64
    bits = np.zeros(blocks * 64, bool)
    bits[:n] = flag
    weights = np.uint64(1) << np.arange(64, dtype=np.uint64)
    return (bits.reshape(blocks, 64).astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)


@pytest.mark.parametrize("t_pool, t_owner", [
    (2**32 // 50, 2**32 // 40),   # both screened
    (2**31, 0),                   # no owner events: the pool-only loop
    (0, 2**30),                   # no adoption this step
    (0, 0),                       # nothing can happen
    (2**32, 2**32),               # every pool customer and owner marked
    (1, 1),                       # only a hash of exactly 0 passes
])
@pytest.mark.parametrize("lo, n", [(0, 64 * 40), (0, 64 * 40 + 37), (131, 5000), (7, 50)])
def test_screen_marks_exactly_the_customers_under_their_threshold(t_pool, t_owner, lo, n):
    rng = np.random.default_rng(lo + n)
    held = rng.choice(np.array([POOL, LAPSED, 0, 1, 2], np.int8), lo + n + 100)
    key_lo, key_hi = np.uint32(0x9E3779B9 ^ n), np.uint32(0x7F4A7C15 + lo)
    masks = np.empty((n + 63) // 64, np.uint64)
    _screen(held, lo, n, key_lo, key_hi, np.int64(t_pool), np.int64(t_owner), masks)
    want = _expected(held, lo, n, key_lo, key_hi, t_pool, t_owner)
    np.testing.assert_array_equal(masks, want)
    marked = sum(bin(int(m)).count("1") for m in masks)
    if t_pool == t_owner == 2**32:
        assert marked == np.count_nonzero(held[lo:lo + n] != LAPSED)
    elif t_pool >= 2**32 // 50 and n >= 2000:  # some marked, not all
        assert 0 < marked < n // 2
