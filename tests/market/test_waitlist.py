"""Owners waiting for a backordered first unit do not talk (``sim.market.waitlist``): their
share of each product's owners, and the brand word of mouth that hears only the others."""

from types import SimpleNamespace as NS

import numpy as np
import pytest

from sim.cli import compose
from sim.market.waitlist import Waitlist
from sim.scenario import run_scenario


def _waitlist(backlogs, installed, wom=0.0):
    columns = [NS(production=NS(backlog=b)) for b in backlogs]
    products = [NS(installed_base=n) for n in installed]
    return Waitlist(NS(waitlist_word_of_mouth=wom), columns, products)


def test_the_silent_share_is_the_first_buyers_waiting_over_the_owners():
    w = _waitlist([300.0, 0.0, 50.0], [1000, 800, 40])
    w.observe([400, 0, 10], [100, 0, 10])  # a quarter of the first product's orders are new
    z, talking = w.silent(np.array([[600.0, 500.0, 30.0], [400.0, 300.0, 10.0]]))
    # 300 waiting x 1/4 first buyers over 1,000 owners; none; 50 over 40 capped at all
    np.testing.assert_allclose(z, [0.075, 0.0, 1.0])
    np.testing.assert_allclose(talking, [[555.0, 500.0, 0.0], [370.0, 300.0, 0.0]])
    # half a voice: half as silent; a full voice or no backlog: nobody silent
    half = _waitlist([300.0, 0.0, 50.0], [1000, 800, 40], wom=0.5)
    half.first_share = list(w.first_share)
    np.testing.assert_allclose(half.silent(np.ones((2, 3)))[0], [0.0375, 0.0, 0.5])
    assert _waitlist([300.0], [1000], wom=1.0).silent(np.ones((1, 1))) == (None, None)
    assert _waitlist([0.0, 0.0], [10, 10]).silent(np.ones((1, 2))) == (None, None)


@pytest.mark.parametrize("seed", [0])
def test_brand_word_of_mouth_hears_only_the_owners_who_have_their_unit(seed):
    """The baseline market spreads brand awareness by word of mouth (consumer electronics:
    ``brand_word_of_mouth`` 1). Capped at 300 units a week our hub builds a backlog; the
    step after the first one with a backlog, its awareness grows less when the waitlist is
    silent than when it talks (the runs are identical until then)."""
    runs = {}
    for wom in (0.0, 1.0):
        cfg = compose(["firm.production.capacity_per_week=300",
                       "firm.production.max_capacity_per_week=300",
                       f"market.waitlist_word_of_mouth={wom}"]).scenario()
        assert cfg.market.segments[0].brand_word_of_mouth > 0
        ts = run_scenario(cfg, seed).timeseries
        runs[wom] = ts[ts["product"] == "hub"].reset_index(drop=True)
    silent, talks = runs[0.0], runs[1.0]
    first = int(np.flatnonzero(silent["backlog"].to_numpy() > 0)[0])
    before = slice(0, first + 1)
    np.testing.assert_array_equal(silent["awareness"][before], talks["awareness"][before])
    assert silent["awareness"][first + 1] < talks["awareness"][first + 1]
