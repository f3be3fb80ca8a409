"""Counter-based RNG: Python-twin equality and statistical sanity.

Statistical tests use fixed keys, so they are deterministic; each bound is 4 standard
errors of the statistic under the null (independent uniforms), except the chi-square
tests, which use a tail probability of 1e-5.
"""

import naive
import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_hashes import hashes
from scipy import stats

from sim.kernel import rng as krng

N = 1_000_000
u64 = st.integers(0, 2**64 - 1)
seeds = st.integers(0, 2**63 - 1)


@numba.njit
def _normals(key_a, key_b, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = krng.standard_normal(key_a, key_b, i)
    return out


def hash_uniforms(seed, step, n, start=0):
    lo, hi = krng.split_key(krng.key_of(seed, step, krng.STREAM_HOLD))
    return hashes(lo, hi, start, n) * 2.0**-32


@settings(max_examples=200, deadline=None)
@given(z=u64)
def test_mix64_equals_twin(z):
    assert int(krng.mix64(np.uint64(z))) == naive.mix64(z)


@settings(max_examples=200, deadline=None)
@given(seed=seeds, step=st.integers(0, 2**40), stream=st.integers(0, 64))
def test_stream_key_equals_twin(seed, step, stream):
    assert int(krng.key_of(seed, step, stream)) == naive.stream_key(seed, step, stream)


@settings(max_examples=200, deadline=None)
@given(key=u64, index=st.integers(0, 2**40))
def test_uniform_equals_twin(key, index):
    assert krng.uniform(np.uint64(key), np.int64(index)) == naive.uniform(key, index)


@settings(max_examples=200, deadline=None)
@given(key=u64, index=st.integers(0, 2**31 - 1))
def test_hash32_equals_twin(key, index):
    lo, hi = krng.split_key(np.uint64(key))
    assert (int(lo), int(hi)) == naive.split_key(key)
    assert int(hashes(lo, hi, index, 1)[0]) == naive.hash32(int(lo), int(hi), index)
    assert int(krng._hash32_py(lo, hi, index)) == naive.hash32(int(lo), int(hi), index)


def test_uniforms_array_equals_twin():
    key = naive.stream_key(42, 3, 2)
    got = krng.uniforms(42, 3, 2, 100, start=10)
    np.testing.assert_array_equal(got, [naive.uniform(key, 10 + i) for i in range(100)])


def test_standard_normal_equals_twin():
    ka, kb = krng.key_of(3, 0, 5), krng.key_of(3, 0, 6)
    got = _normals(ka, kb, 200)
    want = [naive.standard_normal(int(ka), int(kb), i) for i in range(200)]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


@settings(max_examples=300, deadline=None)
@given(prob=st.floats(0.0, 1.0), delta=st.integers(-3, 3))
def test_threshold32_is_exact(prob, delta):
    """``h < threshold32(p)`` exactly when ``h * 2**-32 < p``, also next to the boundary."""
    t = int(krng.threshold32(prob))
    for h in {max(0, min(2**32 - 1, t + delta)), 0, 2**32 - 1}:
        assert (h < t) == (h * 2.0**-32 < prob)


def _check_uniform_sample(u):
    n = u.shape[0]
    assert u.min() >= 0.0 and u.max() < 1.0
    # mean 1/2, variance 1/12; sd of the sample variance is sqrt((1/80 - 1/144) / n)
    assert abs(u.mean() - 0.5) < 4.0 * np.sqrt(1.0 / 12.0 / n)
    assert abs(u.var() - 1.0 / 12.0) < 4.0 * np.sqrt((1.0 / 80.0 - 1.0 / 144.0) / n)
    observed = np.bincount((u * 1000).astype(np.int64), minlength=1000)
    assert stats.chisquare(observed).pvalue > 1e-5
    # no correlation between neighbouring indices (sd of a correlation ~ 1/sqrt(n))
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4.0 / np.sqrt(n)
    # pairs of neighbours fill the unit square evenly (serial test, 32 x 32 cells)
    pairs = (u[0::2] * 32).astype(np.int64) * 32 + (u[1::2] * 32).astype(np.int64)
    assert stats.chisquare(np.bincount(pairs, minlength=1024)).pvalue > 1e-5


@pytest.mark.parametrize("seed", [0, 2**62 + 7])
def test_uniform_statistics(seed):
    _check_uniform_sample(krng.uniforms(seed, 1, krng.STREAM_CHOICE, N))


@pytest.mark.parametrize("seed", [0, 2**62 + 7])
def test_hash32_statistics(seed):
    _check_uniform_sample(hash_uniforms(seed, 1, N))


def test_hash32_low_bits_balanced():
    """Each of the 32 output bits is set half the time (4 sigma)."""
    lo, hi = krng.split_key(krng.key_of(9, 4, krng.STREAM_HOLD))
    h = hashes(lo, hi, 0, N)
    bits = (h[:, None] >> np.arange(32, dtype=np.uint32)) & 1
    assert np.all(np.abs(bits.mean(axis=0) - 0.5) < 4.0 * 0.5 / np.sqrt(N))


@pytest.mark.parametrize("draw", ["uniform", "hash32"])
def test_no_correlation_between_steps_or_streams(draw):
    """The same customer's draws at adjacent steps, and in two streams, are uncorrelated."""
    n = 200_000
    if draw == "uniform":
        a = krng.uniforms(5, 10, krng.STREAM_CHOICE, n)
        b = krng.uniforms(5, 11, krng.STREAM_CHOICE, n)
        c = krng.uniforms(5, 10, krng.STREAM_AWARE, n)
        d = krng.uniforms(6, 10, krng.STREAM_CHOICE, n)
    else:
        a, b = hash_uniforms(5, 10, n), hash_uniforms(5, 11, n)
        c, d = hash_uniforms(5, 0, n), hash_uniforms(6, 10, n)
    bound = 4.0 / np.sqrt(n)
    for other in (b, c, d):
        assert abs(np.corrcoef(a, other)[0, 1]) < bound
    # and jointly uniform: 20 x 20 contingency table of adjacent steps
    table = np.histogram2d(a, b, bins=20, range=[[0, 1], [0, 1]])[0]
    assert stats.chi2_contingency(table).pvalue > 1e-5


def test_standard_normal_moments():
    z = _normals(krng.key_of(1, 0, 5), krng.key_of(1, 0, 6), N)
    assert abs(z.mean()) < 4.0 / np.sqrt(N)
    assert abs(z.var() - 1.0) < 4.0 * np.sqrt(2.0 / N)
    assert stats.kstest(z, "norm").pvalue > 1e-5


def test_uniforms_rejects_negative_arguments():
    with pytest.raises(ValueError, match="seed"):
        krng.uniforms(-1, 0, 1, 3)
    with pytest.raises(ValueError, match="^n must"):
        krng.uniforms(0, 0, 1, -3)
