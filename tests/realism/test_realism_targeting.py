"""Targeting (sim.market.targeting): ``strategy.segment_focus`` works for our firm as for
any competitor: its paid reach doubles in the focus segment and falls elsewhere, so its
adopters shift toward that segment (it was silently ignored for the focal firm)."""

import numpy as np
import pytest

from sim.cli import compose
from sim.market.targeting import FOCUS_MULTIPLIER, OTHER_MULTIPLIER, segment_multiplier
from sim.scenario import run_scenario


def test_multiplier_per_segment():
    np.testing.assert_array_equal(segment_multiplier(["a", "b", "c"], "b"),
                                  [OTHER_MULTIPLIER, FOCUS_MULTIPLIER, OTHER_MULTIPLIER])
    assert segment_multiplier(["a", "b"], None) is None


def _our_adopters(seg_table):
    ours = seg_table[seg_table["firm"] == "us"]
    last = ours[ours["t"] == ours["t"].max()]
    return last.set_index("segment")["installed_base"]


@pytest.fixture(scope="module")
def runs():
    base = ["~competitor@competitors.warrior", "~competitor@competitors.follower",
            "horizon_days=900"]
    plain = run_scenario(compose(base).scenario(), 0)
    focused = run_scenario(compose([*base, "firm.strategy.segment_focus=budget"]).scenario(), 0)
    return plain, focused


def test_focal_firm_focus_moves_its_adopters_to_the_segment(runs):
    plain, focused = map(lambda r: _our_adopters(r.segments), runs)
    assert focused["budget"] > plain["budget"]
    assert focused["mainstream"] < plain["mainstream"]
    assert focused["enthusiasts"] < plain["enthusiasts"]


def test_focus_leaves_spend_unchanged(runs):
    spend = [r.ledger[(r.ledger["firm"] == "us") & r.ledger["account"].str.startswith(
        "marketing:")]["amount"].sum() for r in runs]
    assert spend[0] == pytest.approx(spend[1])


def test_unknown_segment_is_one_clear_error():
    with pytest.raises(Exception, match="segment_focus"):
        compose(["firm.strategy.segment_focus=pensioners"])
