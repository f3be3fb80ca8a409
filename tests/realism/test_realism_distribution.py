"""Distribution channels: coverage dynamics, availability gating demand, channel margins."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from realism_helpers import with_firm, with_segments

from sim.cli import UserError, compose
from sim.config import (
    DistributionChannelConfig,
    DistributionConfig,
    FirmConfig,
    SegmentConfig,
)
from sim.firm.distribution import Distribution
from sim.scenario import run_scenario


class FixedSales:
    def __init__(self, heads):
        self.heads = heads

    def capacity(self, team):
        return self.heads if team == "sales" else 0.0


def test_coverage_follows_the_vidale_wolfe_closed_form():
    segs = [SegmentConfig(name="a"), SegmentConfig(name="b")]
    ch = DistributionChannelConfig(target=0.8, target_by_segment={"b": 0.4}, initial=0.1,
                                   build_per_week=0.02, build_per_sales_head_per_week=0.01,
                                   decay_per_week=0.005)
    dist = Distribution("f", DistributionConfig({"retail": ch}), segs, FixedSales(4.0))
    for t in np.arange(7.0, 7.0 * 53, 7.0):
        dist.advance(t)
    lam, delta, t = (0.02 + 0.01 * 4.0) / 7.0, 0.005 / 7.0, 7.0 * 52
    for target, got in zip((0.8, 0.4), dist.coverage[0], strict=True):
        level = lam * target / (lam + delta)
        assert got == pytest.approx(level + (0.1 - level) * math.exp(-(lam + delta) * t), rel=1e-12)
    # availability: one channel, everyone shops there (no channel_use given)
    np.testing.assert_allclose(dist.availability(2), dist.coverage[0])


def test_no_customer_buys_in_a_segment_without_coverage(channel_build):
    chans = {name: dataclasses.replace(ch, target_by_segment={"budget": 0.0},
                                       initial_by_segment={"budget": 0.0})
             for name, ch in channel_build.firm.distribution.channels.items()}
    cfg = with_firm(channel_build, distribution=DistributionConfig(chans))
    res = run_scenario(cfg, 0)
    seg = res.segments[res.segments.firm == "us"]
    new = seg.groupby("segment").new_adopters.sum()
    assert new["budget"] == 0
    assert new["mainstream"] > 1000 and new["enthusiasts"] > 1000
    assert seg[seg.segment == "budget"].installed_base.max() == 0
    mine = res.distribution[res.distribution.firm == "us"]
    assert (mine[mine.segment == "budget"].coverage == 0).all()
    assert (mine[mine.coverage == 0].revenue == 0).all()


def test_channel_margins_are_the_configured_share_of_channel_revenue(channel_build):
    res = run_scenario(channel_build, 1)
    led, dist = res.ledger, res.distribution
    firms = {f.name: f for f in channel_build.firms}
    for (firm, channel), rows in dist.groupby(["firm", "channel"]):
        margin = firms[firm].distribution.channels[channel].margin
        booked = led[(led.firm == firm) & (led.account == f"channel_margin:{channel}")].amount
        assert (booked < 0).all()
        assert -booked.sum() == pytest.approx(margin * rows.revenue.sum(), rel=1e-9)
    assert dist[dist.firm == "us"].groupby("channel").revenue.sum().gt(0).all()
    # the channels carry all of a firm's revenue
    revenue = led[led.account == "revenue"].groupby("firm").amount.sum()
    carried = dist.groupby("firm").revenue.sum()
    pd.testing.assert_series_equal(carried[carried > 0], revenue, check_names=False, rtol=1e-9)
    margin = -led[(led.firm == "us") & led.account.str.startswith("channel_margin")].amount.sum()
    assert res.kpis["channel_margin"] == pytest.approx(margin)


def test_full_coverage_at_no_margin_reproduces_a_firm_without_channels(two_firms):
    base = with_segments(two_firms, channel_use={})
    free = DistributionConfig({"direct_online": DistributionChannelConfig(initial=1.0, target=1.0)})
    a = run_scenario(base, 6)
    b = run_scenario(with_firm(base, distribution=free), 6)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.ledger, b.ledger)
    assert a.distribution.empty and (b.distribution.coverage == 1.0).all()


def test_more_sales_heads_build_retail_coverage_faster(channel_build):
    def retail_at_end(heads):
        teams = dict(channel_build.firm.teams)
        teams["sales"] = dataclasses.replace(teams["sales"], headcount=heads)
        res = run_scenario(with_firm(channel_build, teams=teams), 0)
        d = res.distribution
        return d[(d.firm == "us") & (d.channel == "retail")].coverage.iloc[-1]

    assert retail_at_end(12) > retail_at_end(2) + 0.1


def test_channel_config_errors_name_the_key():
    with pytest.raises(ValueError, match=r"distribution\.channels key must be one of "
                                         r"direct_online, retail, partners; got 'shop'"):
        FirmConfig(distribution=DistributionConfig({"shop": DistributionChannelConfig()}))
    with pytest.raises(UserError, match=r"channels\.retail\.margin must be < 1"):
        compose(["scenario=channel_build", "firm.distribution.channels.retail.margin=1.2"])
    cfg = compose(["scenario=channel_build"]).scenario()
    ch = dataclasses.replace(cfg.firm.distribution.channels["retail"],
                             target_by_segment={"nobody": 0.5})
    bad = with_firm(cfg, distribution=DistributionConfig({"retail": ch}))
    with pytest.raises(ValueError, match=r"retail\.target_by_segment key must be one of"):
        run_scenario(bad, 0)
