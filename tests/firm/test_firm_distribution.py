"""Distribution channels (docs/model.md section 9), advanced as the market advances them: the
Vidale-Wolfe coverage d cov/dt = lambda (T - cov) - delta cov solved exactly over each step,
lambda = build + per_head x sales heads x effort share; availability 1 - prod_c (1 - use cov);
the revenue split over segments and channels and each channel's margin."""

import math

import numpy as np
import pytest

from sim.config import (
    DistributionChannelConfig,
    DistributionConfig,
    HireConfig,
    SegmentConfig,
    TeamConfig,
)
from sim.firm.distribution import Distribution
from sim.firm.teams import Teams

SEGMENTS = [SegmentConfig(name="home", size=1000, channel_use={"retail": 0.5}),
            SegmentConfig(name="office", size=3000, channel_use={"retail": 1.0,
                                                                  "partners": 0.5})]


def build(env, rec, ledger, channels, sales=0, lag=0.0, ramp=0.0):
    teams = Teams(env, "f", {"sales": TeamConfig(sales, 1.0, lag, ramp)}, ledger, rec)
    return Distribution("f", DistributionConfig(channels=channels), SEGMENTS, teams), teams


def advance_weekly(env, dist, days):
    """The market's call at each step; coverage (C, S) seen after each."""
    seen = {}

    def market():
        for day in days:
            yield env.timeout(day - env.now)
            dist.advance(env.now)
            seen[day] = dist.coverage.copy()

    env.process(market())
    return seen


def test_coverage_built_by_time_alone_is_the_exact_solution(env, rec, ledger):
    ch = DistributionChannelConfig(build_per_week=0.7, target=0.8)  # 0.1 a day
    dist, _ = build(env, rec, ledger, {"direct_online": ch})
    seen = advance_weekly(env, dist, [0.0, 7.0, 14.0, 21.0, 28.0])
    env.run(until=30)
    for day, cov in seen.items():  # weekly steps compose into the one-shot solution
        assert cov == pytest.approx(np.full((1, 2), 0.8 * (1.0 - math.exp(-0.1 * day))),
                                    rel=1e-12, abs=1e-15)


def test_erosion_sets_the_level(env, rec, ledger):
    # build 0.7 and decay 0.7 a week: level lambda T / (lambda + delta) = T / 2, rate 0.2/day
    ch = DistributionChannelConfig(build_per_week=0.7, decay_per_week=0.7, target=1.0,
                                   initial=0.9)
    dist, _ = build(env, rec, ledger, {"retail": ch})
    seen = advance_weekly(env, dist, [0.0, 7.0, 70.0])
    env.run(until=80)
    for day in (0.0, 7.0, 70.0):
        expected = 0.5 + (0.9 - 0.5) * math.exp(-0.2 * day)
        assert seen[day] == pytest.approx(np.full((1, 2), expected), rel=1e-12)


def test_sales_heads_build_coverage_in_proportion_to_effort_share(env, rec, ledger):
    # 10 sales heads, 0.07 per head per week (0.01 a day), effort 3:1 -> 0.075 and 0.025/day
    chans = {"retail": DistributionChannelConfig(build_per_week=0.0,
                                                 build_per_sales_head_per_week=0.07,
                                                 sales_effort_share=3.0),
             "partners": DistributionChannelConfig(build_per_week=0.0,
                                                   build_per_sales_head_per_week=0.07,
                                                   sales_effort_share=1.0,
                                                   target_by_segment={"home": 0.0})}
    dist, _ = build(env, rec, ledger, chans, sales=10)
    seen = advance_weekly(env, dist, [0.0, 14.0])
    env.run(until=20)
    retail = 1.0 - math.exp(-0.075 * 14)
    partners = 1.0 - math.exp(-0.025 * 14)
    assert seen[14.0] == pytest.approx(np.array([[retail, retail], [0.0, partners]]), rel=1e-12)


def test_coverage_waits_for_its_start_day(env, rec, ledger):
    ch = DistributionChannelConfig(build_per_week=0.7, start_day=14.0)
    dist, _ = build(env, rec, ledger, {"retail": ch})
    seen = advance_weekly(env, dist, [0.0, 7.0, 14.0, 21.0])
    env.run(until=30)
    assert seen[14.0] == pytest.approx(np.zeros((1, 2)))
    assert seen[21.0] == pytest.approx(np.full((1, 2), 1.0 - math.exp(-0.7)), rel=1e-12)


def test_sales_hires_count_from_the_step_after_they_join(env, rec, ledger):
    ch = DistributionChannelConfig(build_per_week=0.0, build_per_sales_head_per_week=0.07)
    dist, teams = build(env, rec, ledger, {"retail": ch}, sales=0, lag=10.0)
    env.process(teams.plan([HireConfig(day=0.0, team="sales", headcount=10)]))
    seen = advance_weekly(env, dist, [0.0, 7.0, 14.0, 21.0])
    env.run(until=30)
    # heads 0 at the start of the step 7-14 (the hire joins on day 10): no coverage yet;
    # heads 10 at the start of 14-21: 0.1 a day for 7 days
    assert seen[14.0] == pytest.approx(np.zeros((1, 2)))
    assert seen[21.0] == pytest.approx(np.full((1, 2), 1.0 - math.exp(-0.7)), rel=1e-12)


def test_availability_by_hand(env, rec, ledger):
    chans = {"retail": DistributionChannelConfig(initial=0.4, build_per_week=0.0),
             "partners": DistributionChannelConfig(initial_by_segment={"office": 0.2},
                                                   build_per_week=0.0)}
    dist, _ = build(env, rec, ledger, chans)
    # home: retail use 0.5 (partners not listed: use 1, coverage 0) -> 1 - (1 - 0.2) = 0.2
    # office: 1 - (1 - 1.0 * 0.4)(1 - 0.5 * 0.2) = 1 - 0.6 * 0.9 = 0.46
    assert dist.availability(2) == pytest.approx([0.2, 0.46], rel=1e-12)


def test_revenue_split_and_margins_by_hand(env, rec, ledger):
    chans = {"retail": DistributionChannelConfig(initial=0.4, build_per_week=0.0, margin=0.3),
             "partners": DistributionChannelConfig(initial_by_segment={"office": 0.2},
                                                   build_per_week=0.0, margin=0.1)}
    dist, _ = build(env, rec, ledger, chans)
    split = dist.revenue_split(1000.0, [3.0, 1.0])  # orders 3:1 -> 750 home, 250 office
    # home buys through retail only; office: retail 0.4 vs partners 0.5 * 0.2 = 0.1 -> 4:1
    assert split == pytest.approx(np.array([[750.0, 0.0], [200.0, 50.0]]), rel=1e-12)
    assert dist.margins(split) == pytest.approx([0.3 * 950.0, 0.1 * 50.0], rel=1e-12)
    # shipments from the backlog only (no orders this step): the last split is used
    assert dist.revenue_split(100.0, [0.0, 0.0]) == pytest.approx(split / 10.0, rel=1e-12)


def test_no_channels_means_available_everywhere_and_no_margin(env, rec, ledger):
    dist, _ = build(env, rec, ledger, {})
    assert not dist.active
    assert dist.availability(2).tolist() == [1.0, 1.0]
    dist.advance(7.0)  # nothing to move


def test_an_unknown_segment_is_refused_by_name(env, rec, ledger):
    ch = DistributionChannelConfig(target_by_segment={"school": 0.5})
    with pytest.raises(ValueError, match=r"retail\.target_by_segment key must be one of "
                                         r"home, office; got 'school'"):
        build(env, rec, ledger, {"retail": ch})
