"""No silent clamps, end to end: a list price below the unit cost is charged as asked (a
loss leader) and its loss shows in the gross margin; the shipped scenarios' prices are
what their configs say."""

import dataclasses

from sim.cli import compose
from sim.scenario import run_scenario


def test_a_loss_leader_launches_at_its_list_price_and_loses_on_each_unit():
    cfg = compose(["firm.pricing.list_price=99"]).scenario()
    cfg = dataclasses.replace(cfg, horizon_days=500.0)  # launch (day ~420) and a few weeks
    res = run_scenario(cfg, 0)
    ts = res.timeseries
    us = ts[(ts.firm == "us") & ts.launched]
    assert len(us) > 0 and (us["price"] == 99.0).all()  # was raised to 1.05 x 120 = 126
    # gross margin of the units sold: revenue minus their unit cost, negative while the
    # unit cost (120 at launch, falling on the experience curve) is above 99
    margin = (us["revenue"] - us["units_sold"] * us["unit_cost"]).sum()
    assert us["units_sold"].sum() > 0 and margin < 0
    ev = res.events
    assert not ((ev["firm"] == "us") & (ev["kind"] == "price_floor")).any()
    # the price warrior's configured floor (1.1 x its unit cost) binds: recorded, not silent
    assert ((ev["firm"] == "warrior") & (ev["kind"] == "price_floor")).any()


def test_bass_only_charges_its_twenty_a_month():
    cfg = dataclasses.replace(compose(["scenario=bass_only"]).scenario(), horizon_days=100.0)
    ts = run_scenario(cfg, 0).timeseries
    assert (ts["price"] == 20.0).all()  # was 126: 1.05 x the hub's unit cost of 120
