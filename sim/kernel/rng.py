"""Counter-based random numbers: a uniform is a pure function of (seed, step, stream, index).

The agent kernel draws every customer's numbers from a hash of (seed, step, stream,
customer) instead of a stateful generator, so a customer's draw does not depend on which
thread (or, later, which GPU thread) handles it, and results are identical for any thread
count. The hash is the SplitMix64 output function (Steele, Lea and Flood 2014), applied to
a per-(seed, step, stream) key plus the customer index times the golden-ratio increment,
i.e. element ``i`` of a SplitMix64 sequence whose start depends on the key. Keys are
themselves SplitMix64 mixes of the seed, step and stream, so streams do not overlap in
practice.

The hot loop of the agent kernel screens every customer every step with ``hash32``, a
32-bit hash built from two rounds of Chris Wellons' ``lowbias32`` (a well-tested integer
hash): ``h = lowbias32(lowbias32(i * 0x9E3779B9 + key_lo) ^ key_hi)``. Written as 32-bit
LLVM operations it vectorises to eight lanes on AVX2, where Numba's own integer arithmetic
would widen to 64 bits and not vectorise. The decision ``u < prob`` with
``u = h * 2**-32`` is taken exactly as the integer test ``h < ceil(prob * 2**32)``.

All arithmetic wraps around; a Python twin in ``tests/naive.py`` reproduces it with plain
integers.
"""

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

from sim.kernel._numba import jit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# Stream identifiers: fixed names, appended at the end, never reordered.
STREAM_ADOPT = 1
STREAM_CHOICE = 2
STREAM_HOLD = 3
STREAM_AWARE = 4
STREAM_TASTE_A = 5
STREAM_TASTE_B = 6
STREAM_ALPHA_A = 7
STREAM_ALPHA_B = 8
STREAM_INITIAL = 9
STREAM_NETWORK = 10
STREAM_NETWORK_REWIRE = 11
STREAM_FILL = 12


_TWO32 = 4294967296.0
_M32 = 0xFFFFFFFF
# hash32's constants (plain ints; shared with the CUDA backend's device twin)
GOLDEN32 = 0x9E3779B9
LOWBIAS_M1 = 0x7FEB352D
LOWBIAS_M2 = 0x846CA68B


def _lowbias32_py(x):
    x ^= x >> 16
    x = (x * LOWBIAS_M1) & _M32
    x ^= x >> 15
    x = (x * LOWBIAS_M2) & _M32
    return x ^ (x >> 16)


def _hash32_py(key_lo, key_hi, index):
    x = (int(index) * GOLDEN32 + int(key_lo)) & _M32
    return np.uint32(_lowbias32_py(_lowbias32_py(x) ^ int(key_hi)))


@intrinsic
def _hash32_ir(typingctx, key_lo, key_hi, index):
    sig = types.uint32(types.uint32, types.uint32, types.int64)

    def codegen(context, builder, signature, args):
        lo, hi, idx = args
        i32 = context.get_value_type(types.uint32)

        def const(v):
            return context.get_constant(types.uint32, v)

        def lowbias(x):
            x = builder.xor(x, builder.lshr(x, const(16)))
            x = builder.mul(x, const(LOWBIAS_M1))
            x = builder.xor(x, builder.lshr(x, const(15)))
            x = builder.mul(x, const(LOWBIAS_M2))
            return builder.xor(x, builder.lshr(x, const(16)))

        x = builder.add(builder.mul(builder.trunc(idx, i32), const(GOLDEN32)), lo)
        return lowbias(builder.xor(lowbias(x), hi))

    return sig, codegen


# With NUMBA_DISABLE_JIT=1 (coverage runs) intrinsics cannot run: use the Python twin.
hash32 = _hash32_py if numba.config.DISABLE_JIT else _hash32_ir
"""hash32(key_lo: uint32, key_hi: uint32, index: int64) -> uint32."""


def split_key(key) -> tuple[np.uint32, np.uint32]:
    """The two 32-bit halves of a 64-bit stream key, for ``hash32``."""
    k = int(key)
    return np.uint32(k & _M32), np.uint32(k >> 32)


def threshold32(prob):
    """Integer threshold T with ``h < T`` exactly when ``h * 2**-32 < prob`` (int64)."""
    p = np.clip(np.asarray(prob, dtype=np.float64), 0.0, 1.0)
    return np.ceil(p * _TWO32).astype(np.int64)


@jit(inline="always")
def mix64(z):
    """SplitMix64 output function (a bijection on uint64)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@jit(inline="always")
def stream_key(seed, step, stream):
    """Key of the stream ``stream`` at time step ``step`` for run seed ``seed`` (all >= 0)."""
    k = mix64(np.uint64(seed) * GOLDEN + np.uint64(stream))
    return mix64(k ^ (np.uint64(step) * GOLDEN + _ONE))


@jit(inline="always")
def uniform(key, index):
    """Uniform in [0, 1) with 53 random bits, for element ``index`` of stream ``key``."""
    return np.float64(mix64(np.uint64(key) + (np.uint64(index) + _ONE) * GOLDEN) >> _S11) * _INV53


@jit(inline="always")
def standard_normal(key_a, key_b, index):
    """Standard normal from two uniforms by Box-Muller (cosine branch)."""
    u1 = uniform(key_a, index)
    u2 = uniform(key_b, index)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


@jit
def _uniforms(key, start, n):
    out = np.empty(n, np.float64)
    for i in range(n):
        out[i] = uniform(key, start + i)
    return out


def uniforms(seed: int, step: int, stream: int, n: int, start: int = 0) -> np.ndarray:
    """Array of ``n`` uniforms of stream (seed, step, stream) for indices start..start+n-1."""
    for name, value in (("seed", seed), ("step", step), ("stream", stream), ("n", n), ("start", start)):
        if int(value) < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    return _uniforms(key_of(seed, step, stream), start, n)


def key_of(seed: int, step: int, stream: int) -> np.uint64:
    """``stream_key`` as a NumPy uint64 (a plain int would be typed int64 by Numba)."""
    return np.uint64(stream_key(np.uint64(seed), np.uint64(step), np.uint64(stream)))
