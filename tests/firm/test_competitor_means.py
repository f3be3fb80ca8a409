"""Rivals have their own means (sim/config/competitor.py, configs/competitor/), and product
attributes stay on their 0-1 scale (sim.config.bounds.ATTRIBUTE_SCALE)."""

import pytest

from sim.cli import compose
from sim.config import CompetitorConfig, DevelopmentConfig, ProductConfig, ReleaseConfig
from sim.config.development import TaskConfig, _roadmap
from sim.config.operations import _teams
from sim.firm.product import Product, describe_gains
from sim.scenario import run_scenario


def test_shipped_rivals_have_their_own_teams_and_roadmaps():
    cfg = compose([]).scenario()
    focal_teams = {k: (t.headcount, t.cost_per_head_per_year) for k, t in _teams().items()}
    focal_roadmap = [r.name for r in _roadmap()]
    for name, rival in cfg.competitors.items():
        teams = {k: (t.headcount, t.cost_per_head_per_year) for k, t in rival.teams.items()}
        assert teams and teams != focal_teams, name
        assert [r.name for r in rival.development.roadmap] != focal_roadmap, name
    # the copycat does not out-feature the product it copies (it used to inherit our roadmap)
    res = run_scenario(cfg, 0)
    last = res.timeseries.groupby("firm").last()
    assert last.loc["follower", "features"] <= last.loc["us", "features"]


def test_a_rival_needs_the_teams_its_plans_use():
    with pytest.raises(ValueError, match=r"competitor 'x'.teams.engineering: development.roadmap"):
        CompetitorConfig(name="x", launched=True, development=DevelopmentConfig(
            tasks=[], roadmap=[ReleaseConfig("r", 100.0, {"quality": 0.01})]))
    with pytest.raises(ValueError, match=r"competitor 'x'.teams.engineering: development.tasks"):
        CompetitorConfig(name="x", launched=False, development=DevelopmentConfig(
            tasks=[TaskConfig(name="build", stage="prototype", team="engineering")],
            roadmap=[]))
    assert CompetitorConfig(name="x", launched=True).teams == {}
    # no tasks: a finished product that launches on its planned day (order_of_entry's twins)
    assert CompetitorConfig(name="x", launched=False).development.tasks == []


def test_attributes_outside_their_scale_are_refused():
    with pytest.raises(ValueError, match=r"p.attributes.*quality"):
        ProductConfig(attributes={"quality": 1.2}).check("p")


def test_a_release_stops_at_the_top_of_the_scale_and_says_so():
    p = Product("f", ProductConfig(attributes={"quality": 0.98, "features": 0.5}), 1)
    asked = {"quality": 0.05, "features": 0.1}
    done = p.improve(asked)
    assert p.quality == 1.0 and done == pytest.approx({"quality": 0.02, "features": 0.1})
    assert describe_gains(asked, done) == ("quality +0.02 (of +0.05: at the end of the 0-1 "
                                           "scale), features +0.10")


def test_premium_niche_quality_stays_on_its_scale():
    """The issue's command: with a share threshold it cannot reach, the premium rival kept
    buying quality to 1.55; now it stops at the top of the scale and defends with marketing."""
    cfg = compose(["scenario=premium_niche",
                   "competitors.premium.strategy.share_threshold=0.5"]).scenario()
    res = run_scenario(cfg, 0)
    premium = res.timeseries[res.timeseries.firm == "premium"]
    assert premium.quality.max() <= 1.0
    moves = res.events[(res.events.firm == "premium") & (res.events.kind == "competitor_move")]
    assert moves.detail.str.contains("quality at the top of its scale").any()
