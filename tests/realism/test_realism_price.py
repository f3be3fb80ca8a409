"""Price response of the consumer-electronics market (price_sensitivity recalibrated to
Bijmolt, van Heerde and Pieters 2005): on a small two-firm market a higher own price
lowers our orders more than the category's, and a price several times the rival's leaves
a share near zero (at elasticity -2.62, 5^-2.62 = 1.5% of the share at parity)."""

import dataclasses
import math

import pytest

from sim.scenario import run_scenario


def _with_price(cfg, price):
    pricing = dataclasses.replace(cfg.firm.pricing, list_price=price)
    return dataclasses.replace(cfg, firm=dataclasses.replace(cfg.firm, pricing=pricing))


def _orders(ts, firm=None):
    d = ts if firm is None else ts[ts["firm"] == firm]
    return float(d["orders"].sum())


@pytest.fixture(scope="module")
def priced(two_firms):
    base = two_firms.firm.pricing.list_price
    rival = max(c.pricing.list_price for c in two_firms.competitors.values())
    return {name: run_scenario(_with_price(two_firms, p), 0).timeseries
            for name, p in (("base", base), ("up", base * 1.1), ("far", 5.0 * rival))}


def test_a_higher_price_loses_our_orders_and_some_of_the_category(priced):
    own = math.log(_orders(priced["up"], "us") / _orders(priced["base"], "us")) / math.log(1.1)
    cat = math.log(_orders(priced["up"]) / _orders(priced["base"])) / math.log(1.1)
    assert own < -1.76  # more elastic than Tellis's (1988) mean, as Bijmolt et al. find
    assert own < cat < 0.0


def test_a_price_five_times_the_rivals_leaves_a_share_near_zero(priced):
    far = priced["far"]
    launched = far[(far["firm"] == "us") & far["launched"].astype(bool)]["t"].min()
    after = far[far["t"] >= launched]
    assert _orders(after, "us") / _orders(after) < 0.02
