"""The observer: rivals see the last snapshot at least ``lag`` days old."""

import bisect

import numpy as np
import pytest

from sim.market.observer import Observer


def snapshot(share):
    return {"a": {"share": share, "price": 10.0, "launched": True,
                  "attributes": np.array([0.5, 0.5, 0.5])}}


@pytest.mark.parametrize("now, lag, expected", [
    (0.0, 0.0, 0.1), (6.9, 0.0, 0.1), (7.0, 0.0, 0.2), (20.0, 7.0, 0.2), (21.0, 7.0, 0.3),
    (13.9, 7.0, 0.1), (100.0, 0.0, 0.4), (6.0, 7.0, None),
])
def test_view_is_the_last_snapshot_old_enough(now, lag, expected):
    obs = Observer()
    for k, t in enumerate((0.0, 7.0, 14.0, 21.0)):
        obs.record(t, snapshot(0.1 * (k + 1)))
    seen = obs.view(now, lag, 0.0, np.random.default_rng(0))
    if expected is None:
        assert seen == {}
    else:
        assert seen["a"]["share"] == pytest.approx(expected, rel=0, abs=1e-15)


def test_snapshots_out_of_order_are_refused():
    obs = Observer()
    obs.record(7.0, snapshot(0.1))
    with pytest.raises(ValueError, match="time order: day 3.0 after day 7.0"):
        obs.record(3.0, snapshot(0.2))


def _view_one_firm_at_a_time(obs, now, lag, noise, rng):
    """``Observer.view`` as first written: three normals drawn per firm, in turn."""
    at = bisect.bisect_right(obs._times, now - lag)
    if at == 0:
        return {}
    out = {}
    for firm, d in obs.history[at - 1][1].items():
        f = np.exp(noise * rng.standard_normal(3)) if noise > 0 else np.ones(3)
        out[firm] = {"share": d["share"] * f[0], "price": d["price"],
                     "launched": d["launched"],
                     "attributes": np.asarray(d["attributes"]) * f[2]}
    return out


@pytest.mark.parametrize("noise", [0.0, 0.2])
def test_view_draws_the_same_errors_as_one_call_per_firm(noise):
    obs = Observer()
    for t in range(5):
        obs.record(7.0 * t, {f: {"share": 0.1 * k + 0.01 * t, "price": 200.0 + k,
                                 "launched": k % 2 == 0,
                                 "attributes": np.array([0.5, 0.6 + 0.01 * k, 0.7])}
                             for k, f in enumerate(["us", "a", "b", "c"])})
    for now, lag in ((30.0, 14.0), (30.0, 0.0), (3.0, 14.0)):
        fast, slow = np.random.default_rng(3), np.random.default_rng(3)
        got = obs.view(now, lag, noise, fast)
        want = _view_one_firm_at_a_time(obs, now, lag, noise, slow)
        assert list(got) == list(want)
        for firm in want:
            # the same bits, as a Python float (the errors are read as floats)
            assert type(got[firm]["share"]) is float
            assert got[firm]["share"].hex() == float(want[firm]["share"]).hex()
            assert got[firm]["price"] == want[firm]["price"]
            assert got[firm]["launched"] == want[firm]["launched"]
            assert np.array_equal(got[firm]["attributes"], want[firm]["attributes"])
        assert fast.standard_normal() == slow.standard_normal()  # the same draws consumed


def test_segment_share_reads_the_orders_of_the_snapshot_the_view_shows():
    """A firm's share of one segment's orders, summed over its line's columns, from the same
    snapshot ``view`` picks (the last one at least ``lag`` old); None where the segment
    ordered nothing, before the first snapshot, for a snapshot without orders, or a firm the
    layout does not name."""
    obs = Observer()
    obs.set_layout(["a", "b"], {"us": [0, 2], "them": [1]})
    obs.record(0.0, snapshot(0.1), np.array([[1, 3, 0], [0, 0, 0]]))
    obs.record(7.0, snapshot(0.2), np.array([[2, 6, 2], [5, 5, 0]]))
    obs.record(14.0, snapshot(0.3))
    assert obs.segment_share(3.0, 0.0, "us", "a") == 0.25
    assert obs.segment_share(3.0, 0.0, "us", "b") is None  # nobody ordered there
    assert obs.segment_share(10.0, 0.0, "us", "a") == 0.4
    assert obs.segment_share(20.0, 10.0, "them", "b") == 0.5
    assert obs.segment_share(20.0, 0.0, "us", "a") is None
    assert obs.segment_share(6.0, 7.0, "us", "a") is None
    assert obs.segment_share(10.0, 0.0, "nobody", "a") is None


def test_a_market_gives_the_observer_each_steps_orders():
    """In a run, the observer's orders of a step sum to the step's units in the timeseries
    (each firm's columns, every segment)."""
    from sim.cli import compose
    from sim.scenario import build_world

    config = compose(["horizon_days=100"]).scenario()
    env, firms, market, recorder = build_world(config, 0)
    env.run(until=config.horizon_days)
    obs = market.observer
    assert obs.segments == [s.name for s in config.market.segments]
    assert len(obs._orders) == len(obs.history) > 10
    t, snap = obs.history[-1]
    orders = obs._orders[-1]
    total = orders.sum()
    for f in firms:
        mine = orders[:, obs.columns[f.name]].sum()
        assert snap[f.name]["share"] == pytest.approx(mine / total if total else 0.0)
