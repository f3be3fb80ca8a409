"""``hash32`` over a range of customers, compiled (shared by the kernel tests)."""

import numba
import numpy as np

from sim.kernel import rng as krng


@numba.njit
def hashes(key_lo, key_hi, start, n):
    """``hash32(key_lo, key_hi, i)`` for i = start .. start + n - 1 (uint32 (n,))."""
    out = np.empty(n, np.uint32)
    for r in range(n):
        out[r] = krng.hash32(key_lo, key_hi, start + r)
    return out
