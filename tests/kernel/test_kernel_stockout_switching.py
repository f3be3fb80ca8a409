"""Stock-out switching and backorders in the kernel (``Offer.stockout_switching``,
``Offer.backorders``): both modes against the expected flows."""

import numpy as np
import pytest

from sim.kernel import AgentMarket, AggregateMarket, Offer, Segments

N = 400_000


def one_step(mode, switching, backorders, fill=(0.0, 1.0), seed=0):
    """Two equal products; product 0 has stock for a share ``fill[0]`` of its choosers."""
    seg = Segments.build(population=[N], p=[0.05], q=[0.0], attribute_weights=[[1.0]],
                         price_sensitivity=[1.0], outside_utility=[-np.inf])
    offer = Offer.build(seg, price=[1.0, 1.0], attributes=[[1.0], [1.0]], fill_rate=list(fill),
                        stockout_switching=switching, backorders=[backorders, False])
    if mode == "aggregate":
        return AggregateMarket(seg, 2, draws="counter").step(offer, 7.0, np.random.default_rng(seed))
    return AgentMarket(seg, 2, seed=seed).step(offer, 7.0)


@pytest.mark.parametrize("mode", ["aggregate", "agent"])
def test_a_share_of_the_stocked_out_buy_the_other_product(mode):
    out = one_step(mode, 0.3, backorders=False)
    lost = int(out.lost[0, 0])
    assert out.new_adopters[0, 0] == 0 and lost > 10_000
    # the rival gains 30% of product 0's stocked-out choosers, against a twin without
    plain = one_step(mode, 0.0, backorders=False)
    gained = int(out.new_adopters[0, 1]) - int(plain.new_adopters[0, 1])
    sd = np.sqrt(lost * 0.3 * 0.7) + np.sqrt(2 * int(plain.new_adopters[0, 1]))
    assert abs(gained - 0.3 * lost) < 5 * sd
    assert gained > 0.2 * lost


@pytest.mark.parametrize("mode", ["aggregate", "agent"])
def test_with_backorders_the_others_wait_and_only_switchers_are_lost(mode):
    out = one_step(mode, 0.3, backorders=True)
    waiting = int(out.new_adopters[0, 0])  # ordered product 0 anyway, to wait
    switched = int(out.lost[0, 0])
    total = waiting + switched
    assert switched == pytest.approx(0.3 * total, abs=5 * np.sqrt(total * 0.21))
    no_switch = one_step(mode, 0.0, backorders=True)
    assert int(no_switch.lost[0, 0]) == 0  # nobody leaves: all wait


def test_bad_switching_is_refused():
    seg = Segments.build(population=[10], p=[0.05], q=[0.0])
    with pytest.raises(ValueError, match="stockout_switching"):
        Offer.build(seg, price=[1.0], stockout_switching=1.5)
