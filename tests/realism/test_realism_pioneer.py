"""Preference formation toward the pioneer (sim.market.pioneer; Carpenter and Nakamoto
1989): the bonus's closed form, and the order-of-entry fact it restores on a small
market: an identical later entrant wins less than the pioneer, and less with the
mechanism than without it."""

import dataclasses

import numpy as np
import pytest

from experiments.facts import entry_facts
from sim.cli import compose
from sim.market.pioneer import PrototypePreference
from sim.scenario import run_scenario


def _market(*weights):
    segs = [dataclasses.make_dataclass("S", [("prototype_preference", float)])(w) for w in weights]
    return type("M", (), {"segments": segs})


def test_bonus_is_weight_times_installed_share():
    pref = PrototypePreference(_market(1.0, 2.0))
    installed = np.array([[300.0, 100.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(pref.bonus(installed), [[0.75, 0.25, 0.0], [0.0, 0.0, 0.0]])


def test_off_by_default_and_in_bass_only():
    assert PrototypePreference(_market(0.0)).bonus(np.ones((1, 2))) is None
    cfg = compose(["scenario=bass_only"]).scenario()
    assert not PrototypePreference(cfg.market).active


def _entry(weight, seed=0):
    cfg = compose(["scenario=order_of_entry", "horizon_days=1000",
                   "competitors.second.development.planned_launch_day=200",
                   "competitors.third.development.planned_launch_day=400",
                   *(f"market.segments.{k}.prototype_preference={weight}" for k in range(3))]
                  ).scenario()
    ts = run_scenario(cfg, seed).timeseries
    return ts, entry_facts(ts, ["first", "second", "third"])


@pytest.fixture(scope="module")
def entry_runs():
    return {w: _entry(w) for w in (0.0, 1.0)}


def test_later_identical_entrants_win_less_and_less_with_preference_formation(entry_runs):
    _, off = entry_runs[0.0]
    _, on = entry_runs[1.0]
    for n in (2, 3):
        key = f"order_of_entry_share_ratio_{n}"
        assert on[key] < off[key] - 0.05
    assert on["order_of_entry_share_ratio_3"] < on["order_of_entry_share_ratio_2"] < 1.0


def test_the_pioneers_advantage_declines_as_the_later_brand_builds_a_following(entry_runs):
    ts, _ = entry_runs[1.0]

    def ratio(start, end):
        d = ts[(ts["t"] >= start) & (ts["t"] < end)]
        units = d.groupby("firm")["orders"].sum()
        return units["second"] / units["first"]

    assert ratio(200, 400) < ratio(800, 1000)


def test_bad_weight_is_one_clear_error():
    with pytest.raises(Exception, match="prototype_preference"):
        compose(["market.segments.0.prototype_preference=-1"])
