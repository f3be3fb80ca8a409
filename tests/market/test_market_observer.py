"""The observer: rivals see the last snapshot at least ``lag`` days old."""

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
