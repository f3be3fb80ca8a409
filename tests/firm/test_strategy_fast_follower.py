"""The fast follower on its own clock (docs/model.md section 7): its development waits; at
the first review that sees a new entrant on the market it starts developing a copy whose
target attributes are ``copy_quality`` times the leader's observed ones."""

import dataclasses

import pytest
from rivals import BUILD_DAYS, events_of, moves, rival_config, spend_on, start_rival

LEADER = (1.0, 0.5, 0.4)


def test_copies_the_first_entrant_it_sees(env, rec):
    def script(t):
        return {"old": (0.6, 120.0, True, (0.7, 0.7, 0.7)),  # on the market at day 0
                "new": (0.2, 90.0, t >= 10, LEADER),
                "newer": (0.1, 80.0, t >= 10, (0.2, 0.2, 0.2))}

    cfg = rival_config("fol", "fast_follower", False, copy_quality=0.9)
    firm, _ = start_rival(env, rec, cfg, script, incumbents=("old",))
    env.run(until=200)
    # review 28 sees day 14: "new" leads the entrants -> develop 0.9 x its attributes
    assert moves(rec) == [(28.0, "fast_follower: copies new (target [0.9, 0.45, 0.36])")]
    assert [t for t, _ in events_of(rec, "project_started")] == [28.0]
    assert [t for t, _ in events_of(rec, "launch")] == [28.0 + BUILD_DAYS]
    assert firm.product.attributes == pytest.approx([0.9, 0.45, 0.36])
    assert firm.product.launch_day == 43.0


def test_incumbents_alone_never_start_it(env, rec):
    def script(t):
        return {"old": (0.6, 120.0, True, (0.7, 0.7, 0.7))}

    cfg = rival_config("fol", "fast_follower", False)
    firm, _ = start_rival(env, rec, cfg, script, incumbents=("old",))
    env.run(until=400)
    assert moves(rec) == [] and events_of(rec, "project_started") == []
    assert firm.project.state == "planned" and not firm.product.launched


def _planned_from_start(after, prelaunch_days, hold):
    """The follower of ``rival_config`` planning its launch ``after`` days from its start,
    with a pre-launch campaign of ``prelaunch_days`` that pauses when the launch slips."""
    cfg = rival_config("fol", "fast_follower", False)
    cfg.development = dataclasses.replace(cfg.development, planned_after_start_days=after,
                                          launch_not_before_plan=hold)
    cfg.marketing = dataclasses.replace(cfg.marketing, prelaunch_days=prelaunch_days,
                                        during_slip="pause")
    return cfg


def _leader_from_day_10(t):
    return {"new": (0.2, 90.0, t >= 10, LEADER)}


def test_a_plan_counted_from_its_start_holds_a_launch_ready_early(env, rec):
    """Started on day 28 (the review that sees the leader) with a plan of 30 days: ready on
    day 43, held to day 58; its pre-launch campaign starts 14 days before that plan (days
    49 and 56), not in the weeks before it had a project, whose plan was unknown."""
    cfg = _planned_from_start(30.0, 14.0, hold=True)
    firm, _ = start_rival(env, rec, cfg, _leader_from_day_10)
    env.run(until=70)
    assert events_of(rec, "project_started") == [(28.0, "planned launch day 58")]
    assert [t for t, _ in events_of(rec, "launch_held")] == [43.0]
    assert [t for t, _ in events_of(rec, "launch")] == [58.0]
    assert [d for d in range(0, 70, 7) if spend_on(rec, "fol", d) > 0] == [49, 56, 63]
    assert firm.project.planned_launch_day == 58.0


def test_a_slip_past_a_plan_counted_from_its_start_pauses_its_campaign(env, rec):
    """Plan 28 + 10 = 38, ready on day 43: the campaign of 7 days before the plan runs at
    day 35, pauses at day 42 (past the plan, not on the market) and pays again on the
    market (49)."""
    cfg = _planned_from_start(10.0, 7.0, hold=False)
    start_rival(env, rec, cfg, _leader_from_day_10)
    env.run(until=50)
    assert [t for t, _ in events_of(rec, "prelaunch_paused")] == [42.0]
    assert [t for t, _ in events_of(rec, "launch")] == [43.0]
    assert [d for d in range(0, 50, 7) if spend_on(rec, "fol", d) > 0] == [35, 49]


def test_before_its_start_the_plan_is_unknown(env, rec):
    cfg = _planned_from_start(10.0, 7.0, hold=False)
    firm, _ = start_rival(env, rec, cfg, lambda t: {})
    env.run(until=100)
    assert firm.project.planned_launch_day == float("inf")
    assert not any(spend_on(rec, "fol", d) for d in range(0, 100, 7))
