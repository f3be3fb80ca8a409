"""The compiled marketing week equals the plain-Python forms it replaced, bit for bit.

``twin`` is the advertising response's loops as they were in Python (Python floats, the
same operations in the same order); the kernel must give the same lifts and awareness on
random weeks: zero and huge adstock, channels without lift (``inv_max_lift`` 0), chances
above 1 (used as 1), awareness at 0 and 1, forgetting from 0 to 1. ``week_twin`` is the
whole week as ``Marketing`` and ``Ledger.spend_each`` made it in Python (the spend, the
discretionary payment rule with built-in ``max`` and ``min``, the total, the adstock, the
response), on spends and cash with zeros of both signs, infinities and NaN.
"""

import numpy as np
import pytest

from sim.kernel import dots
from sim.kernel.advertising import advertising_response, advertising_week


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


def week_twin(paying, base, split, spend, use_spend, cash, credit, reserve, operating,
              adstock, decay, response_args):
    """``Marketing``'s week as it was in Python: the spend, ``Ledger.spend_each``'s rule
    (built-in ``max`` and ``min``), the kept spend, the total, the adstock, the response.
    Returns (paid, total, adstock, responded, lift, aware, effect)."""
    paid, kept = [], []
    if paying:
        amounts = spend.tolist() if use_spend else [base * x for x in split.tolist()]
        for amount in amounts:
            if amount <= 0.0:
                paid.append(0.0)
                kept.append(amount)
                continue
            room = 0.0 if not operating else max(cash + credit - reserve, 0.0)
            p = min(amount, room)
            if p > 0.0:
                cash += -p
            paid.append(p)
            kept.append(p if amount > 0.0 else amount)
        total = kept[0]
        for x in kept[1:]:
            total += x
    else:
        kept, total = [0.0] * len(adstock), 0.0
    new = [d * a + x for d, a, x in zip(decay.tolist(), adstock, kept, strict=True)]
    max_lift, half, inv, reach, aw_reach, awareness, forget = response_args
    if any(new):
        lift, aware, effect = twin(new, max_lift, half, inv, reach, aw_reach, awareness, forget)
        return paid, total, new, True, lift, aware, effect
    return paid, total, new, False, None, awareness * (1.0 - forget), None


@pytest.mark.parametrize("seed", range(60))
def test_the_compiled_week_is_the_python_one_bit_for_bit(seed):
    rng = np.random.default_rng(100 + seed)
    s, c = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    adstock, max_lift, half, inv, reach, aw_reach, awareness, forget = _week(rng, s, c)
    paying = bool(rng.random() < 0.8)
    use_spend = bool(rng.random() < 0.3)
    base = float(rng.choice([0.0, 1e3, 5e4]))
    split = rng.dirichlet(np.ones(c)) * rng.choice([0.0, 1.0], size=c, p=[0.2, 0.8])
    spend = rng.choice([-10.0, 0.0, -0.0, 500.0, 2e4, np.inf, -np.inf, np.nan], size=c)
    cash = float(rng.choice([-1e4, 0.0, 3e3, 1e5, 1e9, np.inf]))
    credit, reserve = float(rng.choice([0.0, 5e3])), float(rng.choice([0.0, 2e3, 1e5]))
    operating = bool(rng.random() < 0.8)
    decay = rng.uniform(0.0, 0.95, size=c)
    want = week_twin(paying, base, split, spend, use_spend, cash, credit, reserve, operating,
                     adstock, decay, (max_lift, half, inv, reach, aw_reach, awareness, forget))
    state = np.array(adstock)
    paid, lift, aware, effect = np.zeros(c), np.empty(c), np.empty(s), np.empty(s)
    total, responded = advertising_week(paying, base, split, spend, use_spend, cash, credit,
                                        reserve, operating, state, decay, max_lift, half, inv,
                                        reach, aw_reach, awareness, forget, paid, lift, aware,
                                        effect)
    if paying:
        assert paid.tobytes() == np.array(want[0]).tobytes()
    assert float(total).hex() == float(want[1]).hex()
    assert state.tobytes() == np.array(want[2]).tobytes()
    assert responded is want[3]
    assert aware.tobytes() == want[5].tobytes()
    if responded:
        assert lift.tobytes() == want[4].tobytes()
        assert effect.tobytes() == want[6].tobytes()


def test_a_week_pays_no_more_than_the_room_above_the_reserve():
    c = 3
    paid, state = np.zeros(c), np.zeros(c)
    total, _ = advertising_week(True, 1000.0, np.array([0.5, 0.3, 0.2]), np.zeros(c), False,
                                900.0, 0.0, 200.0, True, state, np.zeros(c), np.ones(c),
                                np.ones(c), np.ones(c), np.zeros((1, c)), np.zeros((1, c)),
                                np.array([0.1]), 0.0, paid, np.empty(c), np.empty(1),
                                np.empty(1))
    # room 700: tv 500 in full, then 200 of 300, then nothing
    assert paid.tolist() == [500.0, 200.0, 0.0] and total == 700.0
    assert state.tolist() == [500.0, 200.0, 0.0]


def test_a_week_of_negative_zero_spends_totals_negative_zero():
    """The total starts from the first channel's spend, as the Python form did:
    -0.0 + -0.0 is -0.0 (0.0 + -0.0 would be 0.0)."""
    c = 2
    total, responded = advertising_week(True, 0.0, np.zeros(c), np.array([-0.0, -0.0]), True,
                                        1e6, 0.0, 0.0, True, np.zeros(c), np.zeros(c),
                                        np.ones(c), np.ones(c), np.ones(c), np.zeros((1, c)),
                                        np.zeros((1, c)), np.array([0.3]), 0.0, np.zeros(c),
                                        np.empty(c), np.empty(1), np.empty(1))
    assert float(total).hex() == (-0.0).hex() and not responded
