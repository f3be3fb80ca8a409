"""Counter-based random numbers: a uniform is a pure function of (seed, step, stream, index).

The agent kernel draws every customer's numbers from a hash of (seed, step, stream,
customer) instead of a stateful generator, so a customer's draw does not depend on which
thread (or, later, which GPU thread) handles it, and results are identical for any thread
count. The hash is the SplitMix64 output function (Steele, Lea and Flood 2014), applied to
a per-(seed, step, stream) key plus the customer index times the golden-ratio increment,
i.e. element ``i`` of a SplitMix64 sequence whose start depends on the key. Keys are
themselves SplitMix64 mixes of the seed, step and stream, so streams do not overlap in
practice.

All arithmetic is on ``uint64`` with wrap-around; a Python twin in ``tests/naive.py``
reproduces it with plain integers.
"""

import numpy as np

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
    return np.float64(mix64(key + (np.uint64(index) + _ONE) * GOLDEN) >> _S11) * _INV53


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
    return _uniforms(stream_key(np.uint64(seed), np.uint64(step), np.uint64(stream)), start, n)
