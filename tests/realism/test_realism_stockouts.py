"""Stock-outs with impatient customers (sim.firm.production: exponential patience, as in
the Erlang-A queue; sim.firm.support: waiting in satisfaction, Taylor 1994), on our hub
against the incumbent for three years with capacity capped well under demand: cancelled
orders are lost to us and go back to the market, and waiting lowers satisfaction."""

import dataclasses

import pytest

from experiments.facts import launch_day
from sim.scenario import run_scenario

CAP = 300.0  # units a week; our hub's orders run at 500-1,000 a week


def _run(cfg, cap=None, patience="keep", seed=0):
    prod = cfg.firm.production
    if cap is not None:
        prod = dataclasses.replace(prod, capacity_per_week=cap, max_capacity_per_week=cap)
    if patience != "keep":
        prod = dataclasses.replace(prod, backorder_patience_days=patience)
    firm = dataclasses.replace(cfg.firm, production=prod)
    ts = run_scenario(dataclasses.replace(cfg, firm=firm), seed).timeseries
    return ts, ts[ts["firm"] == cfg.firm.name]


@pytest.fixture(scope="module")
def runs(two_firms):
    return {"free": _run(two_firms), "wait": _run(two_firms, CAP, None),
            "cancel": _run(two_firms, CAP)}


def test_every_order_ships_waits_or_cancels(runs):
    for _, own in runs.values():
        assert own["orders"].sum() == pytest.approx(
            own["units_sold"].sum() + own["backlog"].iloc[-1] + own["cancelled"].sum())
    assert runs["wait"][1]["cancelled"].sum() == 0.0
    assert runs["cancel"][1]["cancelled"].sum() > 0.0


def test_cancelled_orders_are_lost_to_us_and_go_back_to_the_market(runs):
    _, wait = runs["wait"]
    ts, cancel = runs["cancel"]
    net = lambda own: own["orders"].sum() - own["cancelled"].sum()  # noqa: E731
    # patient customers keep their orders; impatient ones cancel: far fewer net orders,
    # a short backlog, and the cancelled leave our installed base for the pool or lapse
    assert net(cancel) < 0.8 * net(wait)
    assert cancel["backlog"].iloc[-1] < 0.2 * wait["backlog"].iloc[-1]
    assert cancel["installed_base"].iloc[-1] < wait["installed_base"].iloc[-1]
    outside = lambda own: own["pool"].iloc[-1] + own["lapsed"].iloc[-1]  # noqa: E731
    assert outside(cancel) > outside(wait)


def test_share_of_stock_out_encounters_lost_is_between_nothing_and_all(runs):
    """Per stock-out encounter (Gruen, Corsten and Bharadwaj 2002: about 0.35 lost to the
    brand): of the customers who met a stock-out (waited or switched at once), part but
    not all leave us (switched to a rival, or cancelled the backorder later)."""
    _, free = runs["free"]
    _, cancel = runs["cancel"]
    day = launch_day(runs["free"][0], free["firm"].iloc[0])
    after = cancel[cancel["t"] >= day]
    met = after["backordered"].sum() + after["lost_sales"].sum()
    lost = (after["lost_sales"].sum() + after["cancelled"].sum()) / met
    assert 0.05 < lost < 0.95
    assert after["lost_sales"].sum() > 0  # some switched to the rival at once


def test_waiting_lowers_satisfaction(runs):
    last = lambda own: own[own["t"] >= own["t"].max() - 364]["satisfaction"].mean()  # noqa: E731
    assert last(runs["cancel"][1]) < last(runs["free"][1]) - 0.01
    assert last(runs["wait"][1]) < last(runs["free"][1]) - 0.01
