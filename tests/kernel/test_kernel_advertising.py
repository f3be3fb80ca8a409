"""The compiled advertising response equals the plain-Python form it replaced, bit for bit.

``twin`` is ``Marketing._respond``'s loops as they were in Python (Python floats, the same
operations in the same order); the kernel must give the same lifts and awareness on
random weeks: zero and huge adstock, channels without lift (``inv_max_lift`` 0), chances
above 1 (used as 1), awareness at 0 and 1, forgetting from 0 to 1.
"""

import numpy as np
import pytest

from sim.kernel import dots
from sim.kernel.advertising import advertising_response


def twin(adstock, max_lift, half, inv_max_lift, reach, aw_reach, awareness, forget):
    lift, rel = [], []
    for m, h, i, a in zip(max_lift.tolist(), half.tolist(), inv_max_lift.tolist(), adstock,
                          strict=True):
        x = m * a / (a + h)
        lift.append(x)
        rel.append(x * i)
    effect = []
    for row in reach.tolist():  # 1 + reach @ lift, summed in channel order from 0
        acc = 0.0
        for r, x in zip(row, lift, strict=True):
            acc += r * x
        effect.append(1.0 + acc)
    aware = []
    for a, row in zip(awareness.tolist(), aw_reach.tolist(), strict=True):
        p_not = 1.0
        for x, r in zip(row, rel, strict=True):
            v = x * r
            p_not *= 1.0 - (1.0 if v > 1.0 else v)
        v = a + (1.0 - a) * (1.0 - p_not) - forget * a
        aware.append(0.0 if v < 0.0 else 1.0 if v > 1.0 else v)
    return np.array(lift), np.array(aware), np.array(effect)


def _week(rng, s, c):
    max_lift = rng.choice([0.0, 0.3, 1.7, 4.0], size=c) * rng.uniform(0.5, 1.5, size=c)
    inv = np.divide(1.0, max_lift, out=np.zeros(c), where=max_lift > 0)
    half = rng.uniform(1.0, 2e5, size=c)
    adstock = (rng.choice([0.0, 1.0, 1e3, 1e9], size=c) * rng.uniform(0, 2, size=c)).tolist()
    reach = rng.uniform(0.0, 3.0, size=(s, c)) * rng.choice([0.0, 0.5, 1.0], size=(s, c))
    aw_reach = rng.uniform(0.0, 3.0, size=(s, c)) * rng.choice([0.0, 0.1, 1.0], size=(s, c))
    awareness = np.clip(rng.uniform(-0.2, 1.2, size=s), 0.0, 1.0)
    forget = float(rng.choice([0.0, 0.02, 0.5, 1.0]))
    return adstock, max_lift, half, inv, reach, aw_reach, awareness, forget


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_response_is_the_python_one_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    s, c = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    adstock, max_lift, half, inv, reach, aw_reach, awareness, forget = _week(rng, s, c)
    lift, aware, effect = np.empty(c), np.empty(s), np.empty(s)
    advertising_response(np.array(adstock), max_lift, half, inv, reach, aw_reach, awareness,
                         forget, lift, aware, effect)
    want_lift, want_aware, want_effect = twin(adstock, max_lift, half, inv, reach, aw_reach,
                                              awareness, forget)
    assert lift.tobytes() == want_lift.tobytes()
    assert aware.tobytes() == want_aware.tobytes()
    assert effect.tobytes() == want_effect.tobytes()
    # the effect is what sim.kernel.dots gives for 1 + reach @ lift
    assert effect.tobytes() == (1.0 + dots.matvec(reach, lift)).tobytes()
    assert ((aware >= 0.0) & (aware <= 1.0)).all()


def test_a_chance_above_one_makes_everyone_aware():
    lift, aware, effect = np.empty(1), np.empty(2), np.empty(2)
    advertising_response(np.array([1e12]), np.array([2.0]), np.array([10.0]),
                         np.array([0.5]), np.array([[1.0], [0.0]]), np.array([[3.0], [0.5]]),
                         np.array([0.2, 0.2]), 0.0, lift, aware, effect)
    assert aware[0] == 1.0 and 0.2 < aware[1] < 1.0
