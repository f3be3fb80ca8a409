"""The premium niche player on its own clock (docs/model.md section 7): it puts its
marketing on the segment that values quality most (x2 there, x0.3 elsewhere, through
``Firm.focus_marketing``) and, when its share is below the threshold, pays 400,000 for
+0.03 quality that reaches the market 60 days later (one investment at a time)."""

import numpy as np
import pytest
from rivals import events_of, moves, rival_config, start_rival

from sim.firm.strategies.niche import QUALITY_STEP, QUALITY_STEP_COST, QUALITY_STEP_DAYS


def nobody(t):
    return {}


def test_focuses_marketing_on_the_quality_segment(env, rec):
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.0)
    firm, strategy = start_rival(env, rec, cfg, nobody)
    env.run(until=1)
    # research estimates (no noise here): "premium" weighs quality 2.0, "value" 0.5
    assert strategy.focus == 1
    assert firm.marketing.segment_multiplier.tolist() == [0.3, 2.0]
    # first week: adstock 1,000 on tv, lift 2 x 1000 / 2000 = 1, reach 1 in both segments
    assert firm.product.advertising == pytest.approx([1.0 + 0.3, 1.0 + 2.0])


def test_a_configured_focus_wins(env, rec):
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.0, segment_focus="value")
    firm, strategy = start_rival(env, rec, cfg, nobody)
    assert strategy.focus == 0 and firm.marketing.segment_multiplier.tolist() == [2.0, 0.3]


def test_low_share_buys_quality_one_step_at_a_time(env, rec):
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.15)
    firm, _ = start_rival(env, rec, cfg, nobody, own_share=lambda t: 0.1)
    env.run(until=190)
    assert (QUALITY_STEP, QUALITY_STEP_COST, QUALITY_STEP_DAYS) == (0.03, 400_000.0, 60.0)
    # reviews 28 (invests), 56 and 84 (improving until 88), 112 (invests), 140 and 168
    # (improving until 172)
    assert moves(rec) == [(28.0, "premium_niche: share 10% low: invests in quality"),
                          (112.0, "premium_niche: share 10% low: invests in quality")]
    paid = [(t, a) for t, f, acct, a in rec.ledger if acct == "development"]
    assert paid == [(28.0, -400_000.0), (112.0, -400_000.0)]
    assert events_of(rec, "release") == [(88.0, "quality +0.03"), (172.0, "quality +0.03")]
    assert firm.product.quality == pytest.approx(0.86)
    assert firm.project.quality_target == pytest.approx(0.86)


def test_no_investment_it_cannot_afford(env, rec):
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.15)
    cfg.initial_cash = 399_999.0
    firm, _ = start_rival(env, rec, cfg, nobody, own_share=lambda t: 0.1)
    env.run(until=100)
    assert moves(rec) == [] and firm.product.quality == pytest.approx(0.8)


def test_quality_stops_at_the_top_of_its_scale_then_marketing_defends(env, rec):
    """It defends a small premium share: below the threshold it buys quality while there is
    room on the 0-1 scale (0.8 -> 0.9 -> 1.0 with steps of 0.1), then raises marketing by
    ``marketing_boost`` instead; once its share is back above the threshold, marketing goes
    back to its budget. Quality never leaves the scale."""
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.15, quality_step=0.1,
                       quality_step_cost=1000.0, quality_step_days=10.0, marketing_boost=0.5)
    firm, _ = start_rival(env, rec, cfg, nobody,
                          own_share=lambda t: 0.1 if t < 300 else 0.2)
    env.run(until=400)
    assert events_of(rec, "release") == [(38.0, "quality +0.10"), (66.0, "quality +0.10")]
    assert firm.product.quality == pytest.approx(1.0)
    # reviews every 28 days see 14 days back: 336 is the first to see the share of 20%
    assert [t for t, _ in moves(rec)] == [28.0, 56.0, 84.0, 336.0]
    assert moves(rec)[2][1] == ("premium_niche: share 10% low, quality at the top of its "
                                "scale: marketing +50%")
    assert moves(rec)[3][1] == "premium_niche: share 20% back: marketing back to budget"
    assert firm.marketing.budget_multiplier == pytest.approx(1.0)
    paid = [a for t, f, acct, a in rec.ledger if acct == "development"]
    assert paid == [-1000.0, -1000.0]


def test_it_defends_its_share_of_its_focus_segment_not_of_the_market(env, rec):
    """The share it defends is its share of the focus segment's orders ("premium" here):
    10 of 100 there is low however large its total share (90 of 100 value orders), and 30
    of 100 there is not low however small its total share."""
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.15)
    _, strategy = start_rival(env, rec, cfg, nobody, own_share=lambda t: 0.5,
                              orders=lambda t: [[90, 10], [10, 90]] if t < 50 else
                              [[0, 400], [30, 70]])
    env.run(until=60)
    assert strategy.focus == 1
    # the review at 28 sees day 14 (10%); the one at 56 sees day 42 (still 10%): improving
    assert moves(rec) == [(28.0, "premium_niche: premium share 10% low: invests in quality")]
    env.run(until=120)  # reviews at 84 and 112 see 30% of the premium orders: no move
    assert len(moves(rec)) == 1


def test_its_segment_share_carries_the_error_of_its_observed_share(env, rec):
    """With observation noise, the segment share is multiplied by the same log-normal error
    its view drew for its total share (one error per firm and review, as before)."""
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.15,
                       observation_noise=0.5)
    _, strategy = start_rival(env, rec, cfg, nobody, own_share=lambda t: 0.2,
                              orders=lambda t: [[90, 10], [10, 90]])
    env.run(until=30)  # the view and the segment share read day 14's snapshot
    seen = strategy.observer.view(env.now, 14.0, 0.5, np.random.default_rng(5))
    share, what = strategy.defended_share(seen["nic"])
    assert what == "premium share"
    assert share == pytest.approx(0.1 * seen["nic"]["share"] / 0.2, rel=1e-12)
    assert share != pytest.approx(0.1)


def test_the_shipped_premium_brand_guards_the_enthusiasts_and_reacts():
    """The audit's finding (2026-12-06): in ``premium_niche`` the brand never moved. Its
    focus came from its noisy prior (the mainstream in seed 0) and its trigger of 8% was
    read on its total share (11-19%). It now focuses on its customers, the enthusiasts, and
    reacts when our hub takes its share of their orders below 28%."""
    from sim.cli import compose
    from sim.scenario import build_world

    config = compose(["scenario=premium_niche"]).scenario()
    env, firms, market, recorder = build_world(config, 0)
    premium = next(f for f in firms if f.name == "premium")
    assert config.market.segments[premium.strategy.focus].name == "enthusiasts"
    env.run(until=config.horizon_days)
    moved = [e[4] for e in recorder.events if e[3] == "competitor_move" and e[1] == "premium"]
    assert moved and all("enthusiasts share" in m for m in moved)
    assert "premium_niche: enthusiasts share" in moved[0] and "invests in quality" in moved[0]


def test_the_boost_ends_only_once_the_share_is_clearly_back(env, rec):
    """With observation noise 0.1 the boost ends above 0.28 x exp(0.2) = 0.342, not at the
    threshold, where the error alone switched it on and off at every review."""
    cfg = rival_config("nic", "premium_niche", True, share_threshold=0.28,
                       observation_noise=0.1)
    firm, strategy = start_rival(env, rec, cfg, nobody)
    strategy.boosting = True
    firm.set_reaction(marketing_boost=0.5)
    for share, boosting in ((0.30, True), (0.34, True), (0.343, False)):
        strategy.react({"nic": {"share": share, "launched": True, "share_error": 1.0}})
        assert strategy.boosting is boosting, share
    assert moves(rec) == [(0.0, "premium_niche: share 34% back: marketing back to budget")]
