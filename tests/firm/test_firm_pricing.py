"""Exact traces of pricing (docs/model.md section 4): list, skimming list (1 + premium
2^(-t/half_life)), penetration list (1 - discount) for a period, match-competitor, promotions
between their days (with reviews at their edges), prices below the unit cost charged as asked,
a configured floor recorded where it binds, and the 0.5% rule."""

import pytest

from sim.config import PricingConfig, ProductConfig, ProductionConfig, PromotionConfig
from sim.firm.pricing import Pricing
from sim.firm.product import Product
from sim.firm.production import Production


class Rivals:
    """The observer's one question pricing asks: the rivals' latest prices."""

    def __init__(self, prices):
        self.prices = prices

    def rival_prices(self, firm):
        assert firm == "f"
        return list(self.prices)


def build(env, rec, ledger, cfg, unit_cost=10.0, launched=True, kind="durable", observer=None):
    product = Product("f", ProductConfig(kind=kind), 1)
    if launched:
        product.launched, product.launch_day = True, 0.0
    production = Production(env, "f", ProductionConfig(unit_cost=unit_cost), product, ledger, rec)
    pricing = Pricing(env, "f", cfg, product, production, rec, observer)
    env.process(pricing.run())
    return pricing, product


def changes(rec):
    return [(e[0], e[4]) for e in rec.events if e[3] == "price_change"]


def test_list_price_never_changes(env, rec, ledger):
    _, product = build(env, rec, ledger, PricingConfig(list_price=100.0, review_days=7.0))
    env.run(until=400)
    assert product.price == 100.0 and rec.events == []


def test_skimming_premium_halves_every_half_life(env, rec, ledger):
    cfg = PricingConfig(list_price=100.0, strategy="skimming", skim_premium=0.4,
                        skim_half_life_days=180.0, review_days=90.0)
    _, product = build(env, rec, ledger, cfg)
    prices = {}

    def watch():
        for day in (0, 90, 180, 270, 360):
            yield env.timeout(day + 1 - env.now)
            prices[day] = product.price

    env.process(watch())
    env.run(until=400)
    expected = {d: 100.0 * (1.0 + 0.4 * 2.0 ** (-d / 180.0)) for d in prices}
    assert prices == pytest.approx(expected, rel=1e-12)
    assert prices[180] == pytest.approx(120.0) and prices[360] == pytest.approx(110.0)
    assert [t for t, _ in changes(rec)] == [0.0, 90.0, 180.0, 270.0, 360.0]
    assert changes(rec)[0][1] == "100.00 -> 140.00 (skimming)"


def test_penetration_discount_ends_on_its_day(env, rec, ledger):
    cfg = PricingConfig(list_price=100.0, strategy="penetration", penetration_discount=0.25,
                        penetration_days=270.0, review_days=90.0)
    build(env, rec, ledger, cfg)
    env.run(until=400)
    assert changes(rec) == [(0.0, "100.00 -> 75.00 (penetration)"),
                            (270.0, "75.00 -> 100.00 (penetration)")]


def test_a_promotion_reprices_at_both_edges(env, rec, ledger):
    cfg = PricingConfig(list_price=100.0, review_days=28.0,
                        promotions=[PromotionConfig(10.0, 24.0, 0.2)])
    build(env, rec, ledger, cfg)
    env.run(until=100)
    assert changes(rec) == [(10.0, "100.00 -> 80.00 (list)"), (24.0, "80.00 -> 100.00 (list)")]


def test_a_price_below_the_unit_cost_is_charged_as_asked(env, rec, ledger):
    # a loss leader: list 99 under a unit cost of 120, no floor configured (the default)
    _, product = build(env, rec, ledger, PricingConfig(list_price=99.0), unit_cost=120.0)
    env.run(until=100)
    assert product.price == 99.0 and rec.events == []


def test_a_configured_floor_binds_with_one_event_each_way(env, rec, ledger):
    cfg = PricingConfig(list_price=100.0, strategy="penetration", penetration_discount=0.5,
                        penetration_days=30.0, review_days=7.0, floor_over_unit_cost=1.05)
    _, product = build(env, rec, ledger, cfg, unit_cost=80.0)
    env.run(until=1)
    assert product.price == pytest.approx(84.0)  # 50 < 1.05 * 80
    env.run(until=100)  # day 35: penetration over, list 100 is above the floor
    assert product.price == 100.0
    floors = [(e[0], e[4]) for e in rec.events if e[3] == "price_floor"]
    assert floors == [
        (0.0, "asked 50.00 < floor_over_unit_cost 1.05 x unit cost 80.00: priced at 84.00"),
        (35.0, "floor released: asked 100.00 >= floor 84.00")]
    assert changes(rec) == [(0.0, "100.00 -> 84.00 (penetration)"),
                            (35.0, "84.00 -> 100.00 (penetration)")]


def test_match_competitor_follows_the_mean_rival_price_outside_half_a_percent(env, rec, ledger):
    rivals = Rivals([90.0, 110.0])
    cfg = PricingConfig(list_price=100.0, strategy="match_competitor", match_offset=-0.1,
                        review_days=7.0)
    pricing, product = build(env, rec, ledger, cfg, observer=rivals)
    env.run(until=1)
    assert product.price == pytest.approx(90.0)  # mean 100, offset -10%
    rivals.prices = [90.4, 110.0]  # target 90.18: a 0.2% move is ignored
    env.run(until=8)
    assert product.price == pytest.approx(90.0)
    rivals.prices = [92.0, 110.0]  # target 90.9: a 1% move is made
    env.run(until=15)
    assert product.price == pytest.approx(90.9)
    rivals.prices = []  # nobody to match: back to list
    env.run(until=22)
    assert product.price == 100.0
    assert [t for t, _ in changes(rec)] == [0.0, 14.0, 21.0]


def test_a_product_off_the_market_is_repriced_silently(env, rec, ledger):
    cfg = PricingConfig(list_price=100.0, strategy="penetration", penetration_discount=0.25)
    _, product = build(env, rec, ledger, cfg, launched=False)
    env.run(until=1)
    assert product.price == 75.0 and rec.events == []  # no price_change before launch


def test_a_free_trial_discounts_the_price_the_customer_chooses_on(env, rec, ledger):
    cfg = PricingConfig(list_price=20.0, free_trial_days=73.0)
    pricing, _ = build(env, rec, ledger, cfg, kind="subscription")
    assert pricing.effective_choice_price() == pytest.approx(20.0 * (365 - 73) / 365)
    durable, _ = build(env, rec, ledger, PricingConfig(list_price=20.0, free_trial_days=73.0))
    assert durable.effective_choice_price() == 20.0


def test_a_free_trial_of_a_year_or_more_is_refused_at_input():
    PricingConfig(free_trial_days=364.0).check("p")
    with pytest.raises(ValueError, match=r"p.free_trial_days must be < 365, got 365"):
        PricingConfig(free_trial_days=365.0).check("p")


def test_a_trial_lowers_the_expected_cost_of_trying_by_the_conversion(env, rec, ledger):
    """Who tries and does not convert pays nothing: the choice price of a D-day trial is
    the year's paid share times the share expected to convert (at least 5%)."""
    from sim.firm.pricing import MIN_TRIAL_COST

    cfg = PricingConfig(list_price=50.0, free_trial_days=73.0)
    pricing, product = build(env, rec, ledger, cfg, kind="subscription")
    env.run(until=1)  # priced at launch
    assert pricing.effective_choice_price(0.5) == pytest.approx(50.0 * 0.8 * 0.5)
    assert pricing.effective_choice_price(0.0) == pytest.approx(50.0 * 0.8 * MIN_TRIAL_COST)
    no_trial, _ = build(env, rec, ledger, PricingConfig(list_price=50.0), kind="subscription")
    env.run(until=2)
    assert no_trial.effective_choice_price(0.3) == 50.0
