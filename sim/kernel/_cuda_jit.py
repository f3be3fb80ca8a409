"""numba-cuda building blocks of the GPU backend: the compile options, the
non-contractible float64 arithmetic and the counter-based random numbers; imported only by
``sim.kernel._cuda_device``.

``hash32`` and ``uniform`` redo ``rng.hash32`` and ``rng.uniform`` in uint64 arithmetic:
``hash32`` masks every product to 32 bits (operands below 2**32, so a product never exceeds
2**64 and the result is ``_hash32_py``'s, bit for bit); ``uniform`` wraps around 2**64 as
SplitMix64 does. ``_mul``/``_add``/``_sub`` are libdevice's ``__nv_dmul_rn``/``__nv_dadd_rn``
on a GPU, which NVVM never fuses into an FMA (see ``sim.kernel._cuda_device``).
"""

import numpy as np
from numba import cuda

from sim.kernel.rng import (
    _INV53,
    _M1,
    _M2,
    _ONE,
    _S11,
    _S27,
    _S30,
    _S31,
    GOLDEN,
    GOLDEN32,
    LOWBIAS_M1,
    LOWBIAS_M2,
)

try:
    from numba.cuda.core import config as _config
except ImportError:  # pragma: no cover - older numba-cuda layouts
    from numba.core import config as _config

SIMULATOR = bool(_config.ENABLE_CUDASIM)
# numba-cuda options, in one place: fastmath stays off (numba-cuda's default); device
# functions are inlined by NVVM; kernels are cached on disk on a GPU. The simulator accepts
# none of these.
DEVICE_OPTIONS = {} if SIMULATOR else {"forceinline": True}
KERNEL_OPTIONS = {} if SIMULATOR else {"cache": True}
if not SIMULATOR:  # numba-cuda's cache keyed by the whole kernel package too
    from numba.cuda.core import caching as _cuda_caching

    from sim.kernel import _numba_cache

    _numba_cache.install(_cuda_caching)


def device(fn):
    """``cuda.jit(device=True)`` with the options above."""
    return cuda.jit(device=True, **DEVICE_OPTIONS)(fn)


def kernel(fn):
    """``cuda.jit`` with the options above."""
    return cuda.jit(**KERNEL_OPTIONS)(fn)

_U32 = np.uint64(0xFFFFFFFF)
_G32 = np.uint64(GOLDEN32)
_LB1 = np.uint64(LOWBIAS_M1)
_LB2 = np.uint64(LOWBIAS_M2)
_SH15 = np.uint64(15)
_SH16 = np.uint64(16)


# --------------------------------------------------------------------------- arithmetic

if SIMULATOR:
    # libdevice is not available on the simulator; Python's operations round once each.
    @device
    def _mul(a, b):
        return a * b

    @device
    def _add(a, b):
        return a + b

    @device
    def _sub(a, b):
        return a - b
else:  # pragma: no cover - needs a GPU
    from numba.cuda import libdevice

    @device
    def _mul(a, b):
        return libdevice.dmul_rn(a, b)

    @device
    def _add(a, b):
        return libdevice.dadd_rn(a, b)

    @device
    def _sub(a, b):  # libdevice has no dsub_rn; a + (-b) is a - b exactly
        return libdevice.dadd_rn(a, -b)


# --------------------------------------------------------------------------- random numbers

@device
def _lowbias32(x):
    x ^= x >> _SH16
    x = (x * _LB1) & _U32
    x ^= x >> _SH15
    x = (x * _LB2) & _U32
    return x ^ (x >> _SH16)


@device
def hash32(key_lo, key_hi, index):
    """``rng.hash32`` (uint64 holding a 32-bit value); keys uint64 below 2**32, index >= 0."""
    x = ((np.uint64(index) & _U32) * _G32 + key_lo) & _U32
    return _lowbias32(_lowbias32(x) ^ key_hi)


@device
def mix64(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@device
def uniform(key, index):
    """``rng.uniform``: element ``index`` of the SplitMix64 stream ``key`` (uint64)."""
    return np.float64(mix64(key + (np.uint64(index) + _ONE) * GOLDEN) >> _S11) * _INV53
