"""The fast follower on its own clock (docs/model.md section 7): its development waits; at
the first review that sees a new entrant on the market it starts developing a copy whose
target attributes are ``copy_quality`` times the leader's observed ones."""

import pytest
from rivals import BUILD_DAYS, events_of, moves, rival_config, start_rival

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
