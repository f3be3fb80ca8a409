"""The incumbent (defender) on its own clock (docs/model.md section 7): it reviews every 28
days what the market was 14 days earlier; when a new entrant's share exceeds the threshold it
cuts its price and boosts its marketing through ``Firm.set_reaction``; it relaxes below half
the threshold, and it ignores firms that were on the market at day 0."""

import pytest
from rivals import events_of, moves, rival_config, spend_on, start_rival

ATTRS = (0.8, 0.6, 0.5)


def entrant_share(t):
    return 0.1 if t < 21 else (0.3 if t < 63 else 0.05)


def script(t):
    return {"new": (entrant_share(t), 90.0, t >= 7, ATTRS),
            "old": (0.5, 120.0, True, ATTRS)}  # an incumbent too: never a threat


def test_defends_against_an_entrant_then_relaxes(env, rec):
    cfg = rival_config("inc", "incumbent", True, share_threshold=0.2, price_cut=0.1,
                       marketing_boost=0.5)
    firm, strategy = start_rival(env, rec, cfg, script, incumbents=("inc", "old"))
    env.run(until=120)
    # reviews 28, 56, 84, 112 see days 14 (10%), 42 (30% > 20%), 70 (5% < 10%), 98 (5%)
    assert moves(rec) == [
        (56.0, "incumbent: rival share 30% > 20%: price -10%, marketing +50%"),
        (84.0, "incumbent: rival share 5% receded: back to list price and budget")]
    assert events_of(rec, "price_change") == [(56.0, "100.00 -> 90.00 (list)"),
                                              (84.0, "90.00 -> 100.00 (list)")]
    # weekly marketing: 1,000, x1.5 while defending (days 56 to 84)
    assert [spend_on(rec, "inc", d) for d in (49.0, 63.0, 77.0, 91.0)] == [1000.0, 1500.0,
                                                                          1500.0, 1000.0]
    assert not strategy.defending and firm.product.price == 100.0


def test_a_threat_between_half_and_the_threshold_keeps_it_defending(env, rec):
    def shares(t):
        return {"new": (0.3 if t < 35 else 0.15, 90.0, True, ATTRS)}

    cfg = rival_config("inc", "incumbent", True, share_threshold=0.2, price_cut=0.25)
    firm, strategy = start_rival(env, rec, cfg, shares, incumbents=("inc",))
    env.run(until=200)
    assert [t for t, _ in moves(rec)] == [28.0]  # 15% is above half of 20%: no relaxing
    assert strategy.defending and firm.product.price == pytest.approx(75.0)


def test_only_new_entrants_are_threats(env, rec):
    def shares(t):
        return {"old": (0.9, 50.0, True, ATTRS)}

    cfg = rival_config("inc", "incumbent", True, share_threshold=0.2)
    start_rival(env, rec, cfg, shares, incumbents=("inc", "old"))
    env.run(until=200)
    assert moves(rec) == [] and events_of(rec, "price_change") == []
