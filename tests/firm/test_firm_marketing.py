"""Exact traces of marketing (docs/model.md section 3): weekly spend from the budget and the
campaigns, adstock carry-over A <- decay A + spend (Broadbent 1979), saturating lift
L = L_max A / (A + K), the advertising effect 1 + reach L and awareness growth, and the
test-and-shift reallocation."""

import math

import hypothesis.strategies as st
import numpy as np
import pytest
import simpy
from hypothesis import given, settings

from sim.config import CampaignConfig, ChannelConfig, MarketingConfig, ProductConfig
from sim.firm.ledger import Ledger
from sim.firm.marketing import Marketing
from sim.firm.product import Product

TV = ChannelConfig(max_lift=2.0, half_saturation=1000.0, adstock_decay_per_week=0.5,
                   awareness_per_week=0.1)


def tv_only(budget=1000.0, **kw):
    kw.setdefault("prelaunch_days", 0.0)
    kw.setdefault("forgetting_per_week", 0.0)
    return MarketingConfig(budget_per_week=budget, split={"tv": 1.0}, channels={"tv": TV}, **kw)


def build(env, rec, ledger, cfg, reach=((1.0, 0.0, 0.0, 0.0),), launched=True, planned=0.0):
    product = Product("f", ProductConfig(), len(reach))
    product.launched = launched
    mk = Marketing(env, "f", cfg, product, np.array(reach), ledger, rec,
                   np.random.default_rng(0), planned)
    env.process(mk.run())
    return mk, product


def watch(env, product, marketing, days):
    """(adstock of tv, advertising, awareness) just after each weekly tick of ``days``."""
    seen = {}

    def proc():
        for day in days:
            yield env.timeout(day + 0.5 - env.now)
            seen[day] = (marketing.adstock[0], product.advertising.copy(),
                         product.awareness.copy())

    env.process(proc())
    return seen


def spend_trace(rec):
    return [(t, acct, amt) for t, _, acct, amt in rec.ledger if acct.startswith("marketing:")]


def test_adstock_lift_and_awareness_week_by_week(env, rec, ledger):
    mk, product = build(env, rec, ledger, tv_only())
    seen = watch(env, product, mk, [0, 7, 14])
    env.run(until=20)
    assert spend_trace(rec) == [(0.0, "marketing:tv", -1000.0), (7.0, "marketing:tv", -1000.0),
                                (14.0, "marketing:tv", -1000.0)]
    # adstock 1000, 1500, 1750; lift 2A/(A+1000) = 1, 1.2, 1.2727...
    aware = 0.0
    for day, adstock in ((0, 1000.0), (7, 1500.0), (14, 1750.0)):
        lift = 2.0 * adstock / (adstock + 1000.0)
        aware = aware + (1.0 - aware) * 0.1 * lift / 2.0  # one channel, reach 1
        a, adv, awareness = seen[day]
        assert a == adstock
        assert adv == pytest.approx([1.0 + lift], rel=1e-12)
        assert awareness == pytest.approx([aware], rel=1e-12)
    assert seen[7][2][0] == pytest.approx(0.107)  # 0.05 + 0.95 * 0.06


def test_lift_saturates_at_the_steady_adstock(rec):
    # steady adstock = spend / (1 - decay): 2,000 for 1,000 a week, 4,000 for 2,000 a week
    lifts = {}
    for budget in (1000.0, 2000.0):
        e = simpy.Environment()
        led = Ledger(e, "f", rec)
        led.post("financing:equity", 1e9)
        mk, _ = build(e, rec, led, tv_only(budget))
        e.run(until=7 * 60)
        lifts[budget] = float(mk.lift()[0])
    assert lifts[1000.0] == pytest.approx(2.0 * 2000.0 / 3000.0, rel=1e-12)
    assert lifts[2000.0] == pytest.approx(2.0 * 4000.0 / 5000.0, rel=1e-12)
    assert lifts[2000.0] < 2.0 * lifts[1000.0]  # diminishing returns


def test_a_campaign_carries_over_after_it_ends(env, rec, ledger):
    cfg = tv_only(budget=0.0, campaigns=[CampaignConfig("tv", 0.0, 14.0, 1000.0)])
    mk, product = build(env, rec, ledger, cfg)
    seen = watch(env, product, mk, [0, 7, 14, 21])
    env.run(until=25)
    # spends on days 0 and 7 (start <= day < end), none on 14
    assert spend_trace(rec) == [(0.0, "marketing:tv", -1000.0), (7.0, "marketing:tv", -1000.0)]
    assert [seen[d][0] for d in (0, 7, 14, 21)] == [1000.0, 1500.0, 750.0, 375.0]
    assert seen[14][1] == pytest.approx([1.0 + 2.0 * 750.0 / 1750.0], rel=1e-12)


def test_prelaunch_spend_starts_on_the_first_tick_after_plan_minus_prelaunch(env, rec, ledger):
    # planned launch day 100, prelaunch 56 days: active from day 44; weekly ticks 42, 49, ...
    cfg = tv_only(prelaunch_days=56.0)
    build(env, rec, ledger, cfg, launched=False, planned=100.0)
    env.run(until=60)
    assert [t for t, _, _ in spend_trace(rec)] == [49.0, 56.0]


@pytest.mark.parametrize("policy", ["pause", "continue"])
def test_a_slipped_launch_pauses_its_prelaunch_campaign_until_it_is_on_the_market(
        env, rec, ledger, policy):
    """Planned for day 98 (ticks every 7 days from 0), prelaunch 21 days: the ticks of days
    77-98 pay. The product is not ready on day 98: with ``pause`` nothing is paid on days
    105-126 (one ``prelaunch_paused`` event, on day 105), and spending starts again at the
    first tick on the market (launch on day 130: day 133); with ``continue`` every tick
    pays."""
    cfg = tv_only(prelaunch_days=21.0, forgetting_per_week=0.1, during_slip=policy)
    mk, product = build(env, rec, ledger, cfg, launched=False, planned=98.0)

    def launch():
        yield env.timeout(130.0)
        product.launched = True

    env.process(launch())
    seen = watch(env, product, mk, [98, 105, 126])
    env.run(until=150)
    paid = [t for t, _, _ in spend_trace(rec)]
    paused = [(t, d) for t, _, _, kind, d in rec.events if kind == "prelaunch_paused"]
    if policy == "pause":
        assert paid == [77.0, 84.0, 91.0, 98.0, 133.0, 140.0, 147.0]
        assert paused == [(105.0, "the launch planned for day 98 has slipped: pre-launch "
                                  "marketing stops until the product is on the market")]
        # no spend in the pause: the adstock only decays (0.5 a week), four weeks
        assert seen[126][0] == pytest.approx(seen[98][0] * 0.5 ** 4, rel=1e-12)
    else:
        assert paid == [77.0 + 7 * k for k in range(11)]
        assert paused == []


def test_a_slip_with_nothing_to_spend_says_nothing_until_a_budget_comes(env, rec, ledger):
    """No budget, and a campaign that ended before the planned day: nothing to stop, no
    event. A budget given later (a game's lever) is stopped, and that is said then."""
    ended = CampaignConfig(channel="tv", start_day=0.0, end_day=50.0, spend_per_week=500.0)
    mk, _ = build(env, rec, ledger, tv_only(budget=0.0, prelaunch_days=21.0,
                                            campaigns=[ended]),
                  launched=False, planned=98.0)

    def raise_budget():
        yield env.timeout(110.0)
        mk.cfg.budget_per_week = 1000.0

    env.process(raise_budget())
    env.run(until=150)
    paused = [t for t, _, _, kind, _ in rec.events if kind == "prelaunch_paused"]
    assert [t for t, _, _ in spend_trace(rec)] == [] and paused == [112.0]


def test_during_slip_is_one_of_its_policies():
    with pytest.raises(ValueError, match=r"marketing.during_slip must be one of .*'keep'"):
        MarketingConfig(during_slip="keep").check("marketing")


def test_spend_is_cut_when_cash_runs_out(env, rec):
    led = Ledger(env, "f", rec)
    led.post("financing:equity", 1500.0)
    mk, _ = build(env, rec, led, tv_only())
    env.run(until=30)
    assert spend_trace(rec) == [(0.0, "marketing:tv", -1000.0), (7.0, "marketing:tv", -500.0)]
    assert mk.spent == 1500.0 and led.cash == 0.0


def test_budget_multiplier_and_split(env, rec, ledger):
    tv2 = ChannelConfig(1.0, 500.0, 0.0, 0.05)
    cfg = MarketingConfig(budget_per_week=1000.0, split={"tv": 3.0, "search": 1.0},
                          channels={"tv": TV, "search": tv2}, prelaunch_days=0.0,
                          forgetting_per_week=0.0)
    mk, _ = build(env, rec, ledger, cfg)
    mk.budget_multiplier = 1.5
    env.run(until=1)
    assert spend_trace(rec) == [(0.0, "marketing:tv", -1125.0), (0.0, "marketing:search", -375.0)]


def test_two_channels_two_segments_advertising_and_awareness(env, rec, ledger):
    search = ChannelConfig(max_lift=1.0, half_saturation=500.0, adstock_decay_per_week=0.0,
                           awareness_per_week=0.2)
    cfg = MarketingConfig(budget_per_week=1000.0, split={"tv": 0.5, "search": 0.5},
                          channels={"tv": TV, "search": search}, prelaunch_days=0.0,
                          forgetting_per_week=0.0)
    reach = ((1.0, 0.0, 0.0, 1.0), (0.5, 0.0, 0.0, 0.0))  # (tv, online, social, search)
    mk, product = build(env, rec, ledger, cfg, reach=reach)
    env.run(until=1)
    l_tv, l_search = 2.0 * 500.0 / 1500.0, 1.0 * 500.0 / 1000.0  # 2/3 and 1/2
    assert product.advertising == pytest.approx([1.0 + l_tv + l_search, 1.0 + 0.5 * l_tv])
    # 1 - prod_c (1 - a_c reach_sc L_c / L_max_c)
    seg0 = 1.0 - (1.0 - 0.1 * l_tv / 2.0) * (1.0 - 0.2 * l_search / 1.0)
    seg1 = 1.0 - (1.0 - 0.1 * 0.5 * l_tv / 2.0)
    assert product.awareness == pytest.approx([seg0, seg1], rel=1e-12)


def test_without_adstock_awareness_is_forgotten(env, rec, ledger):
    mk, product = build(env, rec, ledger, tv_only(budget=0.0, forgetting_per_week=0.1))
    product.awareness[:] = 0.5
    env.run(until=15)  # ticks 0, 7, 14
    assert product.awareness == pytest.approx([0.5 * 0.9**3], rel=1e-12)
    assert product.advertising == pytest.approx([1.0])
    assert rec.ledger[1:] == []


def test_test_and_shift_moves_budget_to_the_better_channel(env, rec, ledger):
    weak = ChannelConfig(max_lift=0.5, half_saturation=1000.0, adstock_decay_per_week=0.5,
                         awareness_per_week=0.1)
    cfg = MarketingConfig(budget_per_week=1000.0, split={"tv": 0.5, "online": 0.5},
                          channels={"tv": TV, "online": weak}, policy="test_and_shift",
                          review_days=14.0, shift_fraction=0.1, measurement_noise=0.0,
                          prelaunch_days=0.0, forgetting_per_week=0.0)
    mk, _ = build(env, rec, ledger, cfg, reach=((1.0, 1.0, 0.0, 0.0),))
    env.run(until=29)
    # same adstock on both: tv's marginal return is 4x online's; reviews on days 14 and 28
    assert [(e[0], e[3], e[4]) for e in rec.events] == [
        (14.0, "budget_shift", "10% of budget online -> tv"),
        (28.0, "budget_shift", "10% of budget online -> tv")]
    assert mk.split[:2] == pytest.approx([0.7, 0.3])
    by_day = {}
    for t, acct, amt in spend_trace(rec):
        by_day.setdefault(t, {})[acct] = -amt
    assert by_day[7.0] == {"marketing:tv": 500.0, "marketing:online": 500.0}
    assert by_day[21.0] == pytest.approx({"marketing:tv": 600.0, "marketing:online": 400.0})


def test_range_95_is_tukeys_studentized_range_for_every_channel_count():
    from scipy.stats import studentized_range

    from sim.config import CHANNELS
    from sim.firm.marketing import RANGE_95

    assert sorted(RANGE_95) == list(range(2, len(CHANNELS) + 1))
    for k, q in RANGE_95.items():
        assert q == pytest.approx(studentized_range.ppf(0.95, k, np.inf), abs=1e-6)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_equal_channels_shift_in_5_percent_of_reviews(env, rec, ledger, k):
    """With every channel's true return equal, the measured best beats the worst by more
    than the threshold in 5% of reviews (the range's 95th percentile), whatever the noise;
    a true 4x gap at noise 0.3 is seen in most reviews."""
    mk, _ = build(env, rec, ledger, tv_only(measurement_noise=0.3))
    rng = np.random.default_rng(11)
    n = 40_000
    m = np.exp(0.3 * rng.standard_normal((n, k)))
    shifted = np.mean([mk.differ(r.max(), r.min(), k) for r in m])
    assert shifted == pytest.approx(0.05, abs=0.004)
    m[:, 0] *= 4.0
    assert np.mean([mk.differ(r.max(), r.min(), k) for r in m]) > 0.6


def test_test_and_shift_holds_a_split_whose_returns_are_within_the_noise(env, rec, ledger):
    """Two channels of the same response, reach and spend: their returns are equal, so a
    measurement error of 0.3 explains any measured gap below 2.77 x 0.3 in logs, and the
    budget stays put in nearly every review (6 shifts in 100 reviews at seed 0; a rule
    without the test shifted in all 100, back and forth)."""
    cfg = MarketingConfig(budget_per_week=1000.0, split={"tv": 0.5, "online": 0.5},
                          channels={"tv": TV, "online": TV}, policy="test_and_shift",
                          review_days=14.0, shift_fraction=0.1, measurement_noise=0.3,
                          prelaunch_days=0.0, forgetting_per_week=0.0)
    mk, _ = build(env, rec, ledger, cfg, reach=((1.0, 1.0, 0.0, 0.0),))
    env.run(until=14 * 100 + 1)
    shifts = [e for e in rec.events if e[3] == "budget_shift"]
    assert len(shifts) <= 12  # 5% of 100 reviews is 5; after a shift the returns differ
    assert mk.split[:2].sum() == pytest.approx(1.0)


def test_marginal_return_is_the_slope_times_carry_over_times_reachable(env, rec, ledger):
    mk, _ = build(env, rec, ledger, tv_only(measurement_noise=0.0))
    env.run(until=1)  # adstock 1000
    mk.pool = np.array([300.0])
    ret = mk.marginal_returns()
    # dL/dA = L_max K / (A + K)^2 = 2 * 1000 / 2000^2; a steady unit of spend builds 1/(1-0.5)
    assert ret[0] == pytest.approx(2.0 * 1000.0 / 2000.0**2 / 0.5 * 300.0, rel=1e-12)
    assert ret[1:] == pytest.approx([0.0, 0.0, 0.0])
    assert math.isfinite(ret.sum())


def test_an_awareness_chance_above_one_is_used_as_one_and_recorded(env, rec, ledger):
    # awareness_per_week 0.1 x reach 4 = 0.4: a probability, no event
    mk, product = build(env, rec, ledger, tv_only(budget=1e9), reach=((4.0, 0.0, 0.0, 0.0),))
    assert rec.events == []
    mk.focus([3.0])  # 0.1 x 4 x 3 = 1.2 > 1: used as 1
    env.run(until=1)
    # at full lift (budget 1e9 >> half saturation), everybody unaware becomes aware
    assert product.awareness[0] == pytest.approx(1.0, abs=1e-5)
    mk.focus([1.0])
    assert [(e[3], e[4]) for e in rec.events] == [
        ("awareness_capped", "awareness_per_week x reach x focus reaches 1.2 (segment 0, tv): "
                             "used as 1"),
        ("awareness_capped", "no channel's awareness chance exceeds 1 any more")]


def _in_order(row, lift) -> float:
    acc = 0.0
    for a, b in zip(row.tolist(), lift.tolist(), strict=True):
        acc += a * b
    return acc


def _numpy_response(mk, adstock, awareness, forgetting):
    """The advertising effect and awareness as the NumPy formulas of the module docstring
    give them (the twin of the response in Marketing's week)."""
    lift = mk.max_lift * adstock / (adstock + mk.half)
    reach = mk.reach * mk.segment_multiplier[:, None]
    # reach @ lift summed in index order from 0.0, one rounding per product and per sum
    # (what sim.kernel.dots computes on every CPU; NumPy's @ goes to OpenBLAS, whose
    # kernels fuse multiply-adds on some CPUs and so differ in the last place there)
    advertising = 1.0 + np.array([_in_order(row, lift) for row in reach])
    rel = lift * mk.inv_max_lift
    p_not = np.multiply.reduce(1.0 - np.minimum(mk.aw_rate * reach * rel, 1.0), axis=1)
    gain = (1.0 - awareness) * (1.0 - p_not)
    return advertising, np.clip(awareness + gain - forgetting * awareness, 0.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.data())
def test_response_is_bit_for_bit_the_numpy_formulas(n_seg, data):
    """Marketing's week off the market (no spend: the adstock decays, then the response:
    lift, advertising effect, awareness; compiled, ``sim.kernel.advertising``) equals the
    NumPy formulas to the bit, reach above 1 (capped chances), channels without a
    configuration and a strategy's focus included."""
    from sim.config import CHANNELS
    from sim.recorder import Recorder

    unit = st.floats(0.0, 1.0)
    channels = {}
    for c in CHANNELS:
        if data.draw(st.booleans()):
            channels[c] = ChannelConfig(max_lift=data.draw(st.one_of(st.just(0.0),
                                                                     st.floats(0.01, 5.0))),
                                        half_saturation=data.draw(st.floats(1.0, 1e5)),
                                        adstock_decay_per_week=data.draw(st.floats(0.0, 0.95)),
                                        awareness_per_week=data.draw(unit))
    forgetting = data.draw(st.floats(0.0, 0.5))
    cfg = MarketingConfig(budget_per_week=0.0, split={"tv": 1.0}, channels=channels,
                          forgetting_per_week=forgetting)
    reach = np.array(data.draw(st.lists(st.lists(st.floats(0.0, 3.0), min_size=4, max_size=4),
                                        min_size=n_seg, max_size=n_seg)))
    env = simpy.Environment()
    product = Product("f", ProductConfig(), n_seg)
    mk = Marketing(env, "f", cfg, product, reach, Ledger(env, "f", Recorder()), Recorder(),
                   np.random.default_rng(0), 0.0)
    if data.draw(st.booleans()):
        mk.focus(data.draw(st.lists(st.floats(0.0, 2.0), min_size=n_seg, max_size=n_seg)))
    adstock = np.array(data.draw(st.lists(st.one_of(st.just(0.0), st.floats(0.0, 1e6)),
                                          min_size=4, max_size=4)))
    awareness = np.array(data.draw(st.lists(unit, min_size=n_seg, max_size=n_seg)))
    mk.adstock, product.awareness = adstock, awareness
    product.killed = True  # not marketed: nothing is spent, the adstock only decays
    mk._week()
    adstock = mk.decay * adstock + 0.0
    assert mk.adstock.tobytes() == adstock.tobytes()
    if adstock.any():
        advertising, aware = _numpy_response(mk, adstock, awareness, forgetting)
    else:  # no advertising: awareness is only forgotten
        advertising, aware = np.ones(n_seg), awareness * (1.0 - forgetting)
    assert product.advertising.tobytes() == advertising.tobytes()
    assert product.awareness.tobytes() == aware.tobytes()
    # the lifts on Python floats, channel by channel
    want = [m * a / (a + h) for m, a, h in zip(mk.max_lift.tolist(), adstock.tolist(),
                                                mk.half.tolist(), strict=True)]
    assert mk.lift().tobytes() == np.array(want).tobytes()
