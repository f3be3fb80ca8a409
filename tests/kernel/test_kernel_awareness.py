"""The compiled organic awareness step equals the NumPy form it replaced, bit for bit.

``twin`` is ``OrganicAwareness.apply``'s NumPy operations as they were; the kernel must
give the same awareness on random steps: products off the market, empty and full
segments, zero and huge hazards, awareness at 0 and 1, NaN in an input (kept, as
``np.clip`` keeps it).

The twin's ``expm1`` is the C library's (``math.expm1``), which is what the kernel calls
and what ``np.expm1`` calls on a CPU without AVX-512. On an AVX-512 CPU NumPy dispatches
its own vectorised ``expm1`` instead, which differs from the C library's by one unit in
the last place on some inputs (7,353 of 100,000 uniforms on [-5, 0] on an AMD EPYC with
AVX-512; none with ``NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL"``).
"""

import math

import numpy as np
import pytest

from sim.kernel.awareness import organic_awareness

_expm1 = np.vectorize(math.expm1, otypes=[float])  # the C library's, element by element


def twin(aware, installed, launched, wom, sizes, base, dt):
    inst = installed[:, launched].T
    h = wom * inst
    h /= sizes
    h += base
    h *= -dt
    gain = _expm1(h)
    gain *= aware - 1.0
    gain += aware
    return np.clip(gain, 0.0, 1.0, out=gain)


def _step(rng, s, j):
    launched = np.flatnonzero(rng.uniform(size=j) < 0.7).astype(np.int64)
    installed = np.floor(rng.choice([0.0, 10.0, 1e4, 1e8], size=(s, j))
                         * rng.uniform(size=(s, j)))
    sizes = np.maximum(rng.choice([1.0, 1e3, 1e7], size=s) * rng.uniform(size=s), 1.0)
    wom = rng.choice([0.0, 1e-3, 0.5, 50.0], size=s) * rng.uniform(size=s)
    base = rng.choice([0.0, 1e-4, 0.05, 3.0], size=s) * rng.uniform(size=s)
    aware = rng.choice([0.0, 1.0, 0.5], size=(len(launched), s)) * rng.uniform(
        0.9, 1.0, size=(len(launched), s))
    aware[rng.uniform(size=aware.shape) < 0.2] = 1.0
    dt = float(rng.choice([1.0, 7.0, 30.4375]))
    return aware, installed, launched, wom, sizes, base, dt


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_step_is_the_numpy_one_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    args = _step(rng, int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    if seed % 10 == 9 and args[0].size:  # a NaN awareness stays NaN, as np.clip keeps it
        args[0].flat[0] = np.nan
    out = np.empty_like(args[0])
    organic_awareness(*args, out)
    want = twin(*args)
    assert out.tobytes() == want.tobytes()
