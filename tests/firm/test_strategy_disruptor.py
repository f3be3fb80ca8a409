"""The disruptor on its own clock (docs/model.md section 7): its development starts on
``entry_day``; from its first weekly check after launch its marketing is boosted for 180
days; when its observed share is below the threshold it cuts its price, once."""

import pytest
from rivals import BUILD_DAYS, events_of, moves, rival_config, spend_on, start_rival


def nobody(t):
    return {}


def test_enters_late_with_a_blitz_then_cuts_price_once(env, rec):
    cfg = rival_config("dis", "disruptor", False, entry_day=30.0, marketing_boost=0.5,
                       price_cut=0.1, share_threshold=0.15)
    firm, _ = start_rival(env, rec, cfg, nobody, own_share=lambda t: 0.1)
    env.run(until=300)
    assert [t for t, _ in events_of(rec, "project_started")] == [30.0]
    assert firm.product.launch_day == 30.0 + BUILD_DAYS
    # weekly checks 0, 7, ..., 42 find it in development; 49 finds it launched (day 45)
    # reviews: 56 sees day 42 (not launched), 84 sees day 70 (10% < 15%): price -10%
    assert moves(rec) == [(49.0, "disruptor: launch blitz: marketing boosted for 180 days"),
                          (84.0, "disruptor: share 10% below target: price -10%")]
    assert events_of(rec, "price_change") == [(84.0, "100.00 -> 90.00 (list)")]
    assert firm.product.price == pytest.approx(90.0)  # once: later reviews leave it
    # the blitz lasts from day 49 to day 229 (1,000 a week, 1,500 during it)
    assert [spend_on(rec, "dis", d) for d in (42.0, 56.0, 224.0, 231.0)] == [1000.0, 1500.0,
                                                                            1500.0, 1000.0]


def test_a_later_configured_start_wins_over_entry_day(env, rec):
    cfg = rival_config("dis", "disruptor", False, entry_day=30.0)
    cfg.development.start_day = 70.0
    start_rival(env, rec, cfg, nobody)
    env.run(until=100)
    assert [t for t, _ in events_of(rec, "project_started")] == [70.0]
