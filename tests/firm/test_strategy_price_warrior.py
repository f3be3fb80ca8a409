"""The price warrior on its own clock (docs/model.md section 7): at each review it prices
``undercut`` below the cheapest rival it sees on the market (through ``Firm.undercut``),
ignores moves of the target under 1%, and never goes below its cost floor."""

import pytest
from rivals import events_of, moves, rival_config, start_rival

ATTRS = (0.8, 0.6, 0.5)


def watch_prices(env, firm, days) -> dict:
    """The firm's price on each of ``days``, filled in as the clock passes them."""
    prices = {}

    def watch():
        for day in days:
            yield env.timeout(day - env.now)
            prices[day] = firm.product.price

    env.process(watch())
    return prices


def b_price(t):
    return 60.0 if t < 63 else (59.7 if t < 91 else 5.0)


def script(t):
    return {"a": (0.3, 80.0, True, ATTRS), "b": (0.2, b_price(t), t >= 40, ATTRS)}


def test_undercuts_the_cheapest_rival_on_the_market(env, rec):
    cfg = rival_config("war", "price_warrior", True, undercut=0.1)
    firm, _ = start_rival(env, rec, cfg, script)
    prices = watch_prices(env, firm, (29.0, 57.0, 85.0, 113.0))
    env.run(until=120)
    # 28 sees day 14: only a (80; b not yet on the market) -> 72
    # 56 sees day 42: b at 60 -> 54;  84 sees day 70: b at 59.7 -> 53.73, under 1%: no move
    # 112 sees day 98: b at 5 -> 4.5, below the floor 1.05 x unit cost 10 = 10.5
    assert prices == pytest.approx({29.0: 72.0, 57.0: 54.0, 85.0: 54.0, 113.0: 10.5})
    assert [t for t, _ in moves(rec)] == [28.0, 56.0, 112.0]
    assert moves(rec)[0][1] == "price_warrior: undercuts the cheapest rival (80.00): 100.00 -> 72.00"
    assert [t for t, _ in events_of(rec, "price_change")] == [28.0, 56.0, 112.0]


def test_it_waits_for_its_own_launch(env, rec):
    cfg = rival_config("war", "price_warrior", False, undercut=0.1)
    cfg.development.start_day = 100.0  # launches on day 115
    firm, _ = start_rival(env, rec, cfg, script)
    env.run(until=115)
    assert moves(rec) == []
    env.run(until=141)
    assert [t for t, _ in moves(rec)] == [140.0] and firm.product.price == pytest.approx(10.5)


def test_holds_its_price_when_already_far_below_everyone(env, rec):
    """Its name's promise is to undercut when undercut: at 100 with rivals at 300 and 150
    it is already more than 10% below the cheapest, so it makes no move."""
    cfg = rival_config("war", "price_warrior", True, undercut=0.1)
    firm, _ = start_rival(env, rec, cfg, lambda t: {"a": (0.3, 300.0, True, ATTRS),
                                                    "b": (0.2, 150.0, True, ATTRS)})
    env.run(until=200)
    assert moves(rec) == [] and firm.product.price == pytest.approx(100.0)
    assert events_of(rec, "price_change") == []


def test_undercuts_a_rival_that_undercuts_it(env, rec):
    """A rival comes down to 95 (under its 100) on day 50: the review that sees it (day 84
    sees day 70) cuts to 10% below, 85.5; the rival then matches at 85.5 and it goes on to
    76.95: a price warrior follows the cheapest rival down, to its floor."""
    def rival(t):
        return {"a": (0.3, 95.0 if t < 90 else 85.5, t >= 50, ATTRS)}
    firm, _ = start_rival(env, rec, rival_config("war", "price_warrior", True, undercut=0.1),
                          rival)
    env.run(until=150)
    assert [t for t, _ in moves(rec)] == [84.0, 112.0]
    assert firm.product.price == pytest.approx(76.95)


def test_follows_the_cheapest_rival_back_up_to_its_list_price(env, rec):
    """A rival's cut that ends: it drops to 80 on day 50 and returns to 95 on day 150, then
    to 300 on day 250. The warrior cuts to 72 (seen at day 84), follows the rival up to
    85.5 (the review of day 168 sees day 154), and back to its own list price of 100 (not
    to 270: it never asks above its list price) once the rival is far above it."""
    def rival(t):
        price = 120.0 if t < 50 else 80.0 if t < 150 else 95.0 if t < 250 else 300.0
        return {"a": (0.3, price, True, ATTRS)}
    firm, _ = start_rival(env, rec, rival_config("war", "price_warrior", True, undercut=0.1),
                          rival)
    prices = watch_prices(env, firm, (85.0, 169.0, 281.0, 400.0))
    env.run(until=401)
    assert prices == pytest.approx({85.0: 72.0, 169.0: 85.5, 281.0: 100.0, 400.0: 100.0})
    kinds = [d.split(":")[1].split("(")[0].strip() for _, d in moves(rec)]
    assert kinds == ["undercuts the cheapest rival", "follows the cheapest rival",
                     "follows the cheapest rival"]
    assert moves(rec)[1][1] == ("price_warrior: follows the cheapest rival (95.00) back up: "
                                "72.00 -> 85.50")


def test_a_warrior_that_never_cut_does_not_move_up(env, rec):
    """Without a war price of its own (it never undercut), a rival far above it is no
    reason to move: its list price stands (the shipped baseline's warrior)."""
    firm, _ = start_rival(env, rec, rival_config("war", "price_warrior", True, undercut=0.1),
                          lambda t: {"a": (0.3, 300.0 if t > 100 else 150.0, True, ATTRS)})
    env.run(until=300)
    assert moves(rec) == [] and firm.product.price == pytest.approx(100.0)


def test_its_own_promotion_is_no_reason_to_cut_or_to_move_silently(env, rec):
    """Its war price is a target its own promotion may hold it below: cut to a target of 72
    (rival at 80), then a 20% promotion from day 40 puts it at 57.60; a rival at 75 from
    day 50 (a target of 67.50: above its price, below its target) moves nothing, and a
    rival back at 120 from day 150 raises its target to 108, its price to the list's 100
    less the promotion, 80, with a move said."""
    from sim.config.commercial import PromotionConfig

    cfg = rival_config("war", "price_warrior", True, undercut=0.1)
    cfg.pricing.promotions = [PromotionConfig(start_day=40.0, end_day=400.0, discount=0.2)]

    def rival(t):
        return {"a": (0.3, 80.0 if t < 50 else 75.0 if t < 150 else 120.0, True, ATTRS)}
    firm, _ = start_rival(env, rec, cfg, rival)
    prices = watch_prices(env, firm, (45.0, 141.0, 200.0))
    env.run(until=201)
    assert prices == pytest.approx({45.0: 57.6, 141.0: 57.6, 200.0: 80.0})
    assert [t for t, _ in moves(rec)] == [28.0, 168.0]
    assert moves(rec)[1][1] == ("price_warrior: follows the cheapest rival (120.00) back up: "
                                "57.60 -> 80.00")
