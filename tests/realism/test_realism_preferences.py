"""Drifting preferences: ideal-point utility, drift, research that lags the truth."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from realism_helpers import with_segments

from sim.cli import compose
from sim.config import ATTRIBUTES
from sim.kernel import Offer
from sim.kernel.choice import base_utility
from sim.market import build_segments
from sim.market.preferences import Preferences, attribute_utility
from sim.scenario import build_world, run_scenario

FEATURES = ATTRIBUTES.index("features")


def test_without_ideal_points_the_kernel_keeps_the_linear_utility():
    market = compose([]).scenario().market
    prefs = Preferences(market, 0)
    attrs = np.array([[0.78, 0.7, 0.65], [0.7, 0.55, 0.6]])
    assert prefs.utility(attrs, np.array([249.0, 239.0])) is None
    # and the ideal-point function without ideals is exactly the kernel's w . a
    seg = build_segments(market)
    offer = Offer.build(seg, price=[249.0, 239.0], attributes=attrs)
    np.testing.assert_array_equal(
        attribute_utility(prefs.weights, prefs.has_ideal, prefs.ideal, prefs.kappa, attrs),
        base_utility(seg, offer))


def test_ideal_point_utility_peaks_at_the_ideal():
    w = np.array([[1.0, 2.0, 0.5]])
    has = np.array([[False, True, False]])
    ideal = np.array([[np.nan, 0.8, np.nan]])
    levels = np.linspace(0.0, 1.6, 17)
    attrs = np.column_stack([np.full(17, 0.7), levels, np.full(17, 0.5)])
    u = attribute_utility(w, has, ideal, np.array([10.0]), attrs)[0]
    assert levels[np.argmax(u)] == pytest.approx(0.8)
    # symmetric around the ideal; the linear attributes add w . a
    np.testing.assert_allclose(u[levels.round(1) == 0.6], u[levels.round(1) == 1.0])
    assert u[8] == pytest.approx(1.0 * 0.7 + 0.5 * 0.5)


def _last_year_share(res, firm="us"):
    ts = res.timeseries
    late = ts[ts.t >= ts.t.max() - 365]
    return late[late.firm == firm].orders.sum() / late.orders.sum()


def test_drift_moves_share_toward_the_product_nearer_the_new_ideal(two_firms):
    # every segment's ideal features start at the incumbent's level (0.55) and rise 0.15 a
    # year toward and past ours (0.70, 0.85 after the feature pack)
    static = with_segments(two_firms, ideal_point={"features": 0.55})
    drift = with_segments(static, ideal_drift_per_year={"features": 0.15})
    for seed in (0, 1, 2):
        a, b = run_scenario(static, seed), run_scenario(drift, seed)
        assert _last_year_share(b) > _last_year_share(a) + 0.05
        assert _last_year_share(b, "incumbent") < _last_year_share(a, "incumbent")
        ideal = b.preferences[b.preferences.segment == "mainstream"].ideal_features
        assert ideal.iloc[0] == pytest.approx(0.55)
        assert ideal.iloc[-1] == pytest.approx(0.55 + 0.15 * b.preferences.t.max() / 365)
        # drift has its own random stream: our development draws are untouched
        pd.testing.assert_frame_equal(a.tasks, b.tasks)


def test_zero_drift_reproduces_the_static_market_exactly(two_firms):
    for cfg in (two_firms, with_segments(two_firms, ideal_point={"features": 0.6, "design": 0.6})):
        zero = with_segments(cfg, ideal_drift_per_year={k: 0.0 for k in
                                                         cfg.market.segments[0].ideal_point},
                             ideal_noise_per_year=0.0, price_sensitivity_drift_per_year=0.0,
                             price_sensitivity_noise_per_year=0.0)
        a, b = run_scenario(cfg, 4), run_scenario(zero, 4)
        pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
        pd.testing.assert_frame_equal(a.ledger, b.ledger)
        pd.testing.assert_frame_equal(a.preferences, b.preferences)
        assert b.preferences.groupby("segment").price_sensitivity.nunique().eq(1).all()


def test_noisy_drift_is_seeded_and_price_sensitivity_drifts(two_firms):
    cfg = with_segments(two_firms, ideal_point={"features": 0.6}, ideal_noise_per_year=0.05,
                        price_sensitivity_drift_per_year=0.2)
    a, b, c = (run_scenario(cfg, s).preferences for s in (3, 3, 5))
    pd.testing.assert_frame_equal(a, b)
    assert not a.ideal_features.equals(c.ideal_features)
    first = cfg.market.segments[1].price_sensitivity
    main = a[a.segment == "mainstream"]
    assert main.price_sensitivity.iloc[-1] == pytest.approx(first + 0.2 * main.t.max() / 365)


def test_research_reports_the_ideals_as_of_its_fieldwork():
    cfg = compose(["scenario=shifting_tastes", "horizon_days=800"]).scenario()
    research = dataclasses.replace(cfg.firm.research, studies=[
        dataclasses.replace(st, noise=0.0) for st in cfg.firm.research.studies])
    cfg = dataclasses.replace(cfg, firm=dataclasses.replace(cfg.firm, research=research))
    day = max(st.day for st in research.studies)
    env, firms, market, recorder = build_world(cfg, 2)
    env.run(until=cfg.horizon_days)
    est = firms[0].research
    assert est.studies_done == len(research.studies)
    assert est.ideals_as_of == day
    prefs = pd.DataFrame(recorder.preferences)
    seen = prefs[prefs.t == prefs.t[prefs.t <= day].max()]
    truth_then = seen[[f"ideal_{a}" for a in ATTRIBUTES]].to_numpy()
    np.testing.assert_allclose(est.ideals, truth_then, equal_nan=True)
    # the truth has moved on since: the estimate is stale
    now = market.preferences.snapshot()["ideal"]
    assert np.nanmax(np.abs(now - est.ideals)) > 0.01


def test_roadmap_values_gains_by_the_estimated_ideal_gap():
    cfg = compose(["scenario=shifting_tastes"]).scenario()
    env, firms, _, _ = build_world(cfg, 0)
    research = firms[0].research
    research.ideals = np.where(np.isfinite(research.ideals), 1.0, np.nan)  # ideals far above
    attrs = np.array([0.8, 0.7, 0.6])
    more_features = research.gain_values(attrs, np.array([0.0, 0.15, 0.0]))
    assert more_features[FEATURES] > 0
    research.ideals = np.where(np.isfinite(research.ideals), 0.5, np.nan)  # ideals below us
    assert research.gain_values(attrs, np.array([0.0, 0.15, 0.0]))[FEATURES] < 0
