"""Competitors act through prices, marketing and products, after their observation lag."""

import dataclasses

import numpy as np

from sim.cli import compose
from sim.scenario import run_scenario


def with_incumbent(threshold, cut, seed_list=(0, 1, 2)):
    base = compose(["~competitor@competitors.warrior", "~competitor@competitors.follower",
                    "horizon_days=900"]).scenario()
    inc = base.competitors["incumbent"]
    strat = dataclasses.replace(inc.strategy, share_threshold=threshold, price_cut=cut,
                                marketing_boost=0.0)
    cfg = dataclasses.replace(base, competitors={"incumbent": dataclasses.replace(inc, strategy=strat)})
    return cfg, [run_scenario(cfg, s) for s in seed_list]


def test_a_price_cut_lowers_our_share_within_the_reaction_lag():
    calm_cfg, calm = with_incumbent(threshold=1.0, cut=0.0)
    war_cfg, war = with_incumbent(threshold=0.0, cut=0.3)
    strat = war_cfg.competitors["incumbent"].strategy
    for res in war:
        ev = res.events
        launch = float(ev[(ev.firm == "us") & (ev.kind == "launch")].t.iloc[0])
        moves = ev[(ev.firm == "incumbent") & (ev.kind == "competitor_move")]
        assert len(moves) >= 1
        reaction = float(moves.t.iloc[0])
        # it cannot see us before its lag, and reacts at the first review after that
        assert launch + strat.observation_lag_days <= reaction
        assert reaction <= launch + strat.observation_lag_days + strat.review_days + war_cfg.dt_days
    # our share in the quarter after the reaction, same seeds, with and without the cut
    def share_after(results):
        out = []
        for res in results:
            ev = res.events
            moves = ev[(ev.firm == "incumbent") & (ev.kind == "competitor_move")]
            t0 = float(moves.t.iloc[0]) if len(moves) else float(war[0].events.query(
                "firm == 'incumbent' and kind == 'competitor_move'").t.iloc[0])
            ts = res.timeseries
            window = ts[(ts.t > t0) & (ts.t <= t0 + 91)]
            mine = window[window.firm == "us"].orders.sum()
            out.append(mine / window.orders.sum())
        return np.array(out)

    assert np.all(share_after(war) < share_after(calm))


def test_a_better_rival_product_wins_the_segment_that_values_that_attribute():
    def run(features):
        base = compose(["~competitor@competitors.warrior", "~competitor@competitors.follower",
                        "horizon_days=700"]).scenario()
        inc = base.competitors["incumbent"]
        prod = dataclasses.replace(inc.product, attributes={**inc.product.attributes,
                                                            "features": features})
        strat = dataclasses.replace(inc.strategy, share_threshold=1.0)
        cfg = dataclasses.replace(base, competitors={"incumbent": dataclasses.replace(
            inc, product=prod, strategy=strat)})
        res = run_scenario(cfg, 3)
        seg = res.segments
        new = seg[seg.t > 200].groupby(["segment", "firm"]).new_adopters.sum().unstack()
        return (new["incumbent"] / new.sum(axis=1))

    plain, better = run(0.55), run(0.95)
    gain = better - plain
    weights = {s.name: s.attribute_weights["features"] for s in
               compose([]).scenario().market.segments}
    assert (gain > 0).all()
    # the gain is largest where features weigh most (enthusiasts 2.0 > mainstream 1.0 > budget 0.5)
    order = sorted(weights, key=weights.get)
    assert list(gain[order]) == sorted(gain[order])


def test_fast_follower_copies_after_our_launch():
    res = run_scenario(compose(["horizon_days=900"]).scenario(), 0)
    ev = res.events
    launch = float(ev[(ev.firm == "us") & (ev.kind == "launch")].t.iloc[0])
    start = ev[(ev.firm == "follower") & (ev.kind == "project_started")]
    assert len(start) == 1 and float(start.t.iloc[0]) > launch
