"""The market step's running state and batched updates give, to the bit, what the direct
computations give: the lifecycle detector against the rules computed directly
(``lifecycle_direct``), organic awareness against its per-product formula, the cached
ideal-point utility against ``attribute_utility``."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from lifecycle_direct import detect as detect_direct

from sim.kernel import bass_discrete
from sim.market.lifecycle import Lifecycle
from sim.market.organic import OrganicAwareness
from sim.market.preferences import Preferences, attribute_utility
from sim.recorder import Recorder


def detect_incremental(flows, dt, active_first=False):
    """[(step, phase, day it began)] from ``Lifecycle.update`` (the day as computed, not
    as printed in the event)."""
    env, rec = SimpleNamespace(now=0.0), Recorder()
    lc = Lifecycle(env, rec, 1, dt)
    product = SimpleNamespace(on_market=True, killed=False, retired=False, name="x")
    events, step = [], [0]
    set_phase = lc._set

    def spy(k, firm, name, phase, since):
        if phase != lc.phase[k] and lc.phase[k]:
            events.append((step[0], phase, since))
        set_phase(k, firm, name, phase, since)

    lc._set = spy
    for step[0], x in enumerate(flows):
        env.now = step[0] * dt
        # customers before the first step: growth from the start
        active = float(x) + 1.0 if active_first and step[0] == 0 else 0
        lc.update(0, "f", product, float(x), active=active)
    return events, lc


def noisy_bass(seed, n=400, dt=7.0):
    rng = np.random.default_rng(seed)
    p, q = rng.uniform(0.005, 0.05) / 365, rng.uniform(0.2, 0.8) / 365
    m = 10 ** rng.uniform(3, 7)
    flows = np.diff(bass_discrete(n, p, q, dt), prepend=0.0) * m
    noise = rng.choice([0.0, 0.02, 0.1, 0.3])
    flows = flows * np.exp(noise * rng.standard_normal(n))
    if rng.random() < 0.3:
        flows = np.round(flows)  # whole units: ties among the second differences
    return flows


@pytest.mark.parametrize("seed", range(24))
def test_lifecycle_phases_equal_the_direct_rules(seed):
    """Noisy Bass curves (and whole-unit ones, with ties): the same phase changes at the
    same steps, dated the same to the bit."""
    dt = 7.0
    flows = noisy_bass(seed, dt=dt)
    got, lc = detect_incremental(flows, dt, active_first=seed % 3 == 0)
    want = detect_direct(flows, dt, lc.half, lc.hold, lc.refine, active_first=seed % 3 == 0)
    assert got == want


def test_the_noisy_curves_reach_every_phase():
    """The comparison above is not vacuous: its curves go through every turning point."""
    seen = set()
    for seed in range(24):
        got, _ = detect_incremental(noisy_bass(seed), 7.0, active_first=seed % 3 == 0)
        seen.update(e[1] for e in got)
    assert seen == {"growth", "maturity", "decline"}


def test_lifecycle_flat_and_falling_curves_equal_the_direct_rules():
    """A curve that never rises clearly (introduction straight to maturity), ones with
    long plateaus (many equal second differences; equal smoothed maxima: the first one
    counts)."""
    dt = 7.0
    plateau = np.concatenate([np.linspace(0.0, 100.0, 60), np.full(150, 100.0),
                              np.linspace(100.0, 0.0, 60), np.zeros(60)])
    for flows in (np.linspace(100.0, 1.0, 300), np.repeat([5.0, 50.0, 20.0, 3.0], 80),
                  np.zeros(120), plateau):
        got, lc = detect_incremental(flows, dt)
        assert got == detect_direct(flows, dt, lc.half, lc.hold, lc.refine)


def test_organic_awareness_equals_the_per_product_formula():
    """The batched update against h = base + wom N / M, aware += (1 - aware)(1 - e^{-h dt})
    product by product; products off the market keep their awareness (the same array)."""
    rng = np.random.default_rng(3)
    s, j, dt = 4, 5, 7.0
    segs = [SimpleNamespace(organic_awareness_per_year=rng.uniform(0, 0.5),
                            brand_word_of_mouth=rng.uniform(0, 2), q=rng.uniform(0.1, 0.6))
            for _ in range(s)]
    sizes = rng.integers(1, 10_000, s).astype(float)
    organic = OrganicAwareness(SimpleNamespace(segments=segs), sizes)
    for _ in range(50):
        on = rng.random(j) < 0.7
        prods = [SimpleNamespace(on_market=bool(on[k]), awareness=rng.random(s))
                 for k in range(j)]
        before = [p.awareness for p in prods]
        installed = rng.integers(0, 10_000, (s, j)).astype(float)
        organic.apply(prods, installed, dt)
        base = np.array([g.organic_awareness_per_year for g in segs]) / 365.0
        wom = np.array([g.brand_word_of_mouth * g.q for g in segs]) / 365.0
        for k, p in enumerate(prods):
            if not on[k]:
                assert p.awareness is before[k]
                continue
            h = base + wom * installed[:, k] / np.maximum(sizes, 1.0)
            want = np.clip(before[k] + (1.0 - before[k]) * -np.expm1(-h * dt), 0.0, 1.0)
            assert np.array_equal(p.awareness, want)
            assert p.awareness.flags.c_contiguous
            # a fresh array of its own: no memory shared with any input or other product
            assert not any(np.shares_memory(p.awareness, b) for b in before)
            assert not any(np.shares_memory(p.awareness, q.awareness)
                           for q in prods if q is not p)


def _prefs(drift: bool):
    seg = SimpleNamespace(
        name="s", attribute_weights={"quality": 1.0, "features": 0.5, "design": 0.2},
        ideal_point={"quality": 0.6}, ideal_point_weight=2.0,
        ideal_drift_per_year={"quality": 0.1 if drift else 0.0},
        ideal_noise_per_year=0.05 if drift else 0.0, price_sensitivity=1.5,
        price_sensitivity_drift_per_year=0.0, price_sensitivity_noise_per_year=0.0)
    other = SimpleNamespace(**{**vars(seg), "name": "t", "ideal_point": {},
                               "attribute_weights": {"quality": 2.0}})
    return Preferences(SimpleNamespace(segments=[seg, other]), seed=7)


@pytest.mark.parametrize("drift", [False, True])
def test_cached_attribute_utility_equals_the_function(drift):
    """Day by day, with attributes sometimes unchanged and sometimes moved: the cached
    result equals ``attribute_utility`` of today's ideals to the bit."""
    prefs = _prefs(drift)
    rng = np.random.default_rng(1)
    attrs = rng.random((3, 3))
    for day in range(1, 40):
        prefs.advance(7.0 * day)
        if rng.random() < 0.4:
            attrs = attrs.copy()
            attrs[rng.integers(0, 3), rng.integers(0, 3)] = rng.random()
        got = prefs.attribute_utility(attrs)
        want = attribute_utility(prefs.weights, prefs.has_ideal, prefs.ideal, prefs.kappa,
                                 attrs)
        assert np.array_equal(got, want)
    assert math.isfinite(float(got.sum()))
