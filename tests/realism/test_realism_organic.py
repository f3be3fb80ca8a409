"""Organic awareness (sim.market.organic): the closed form of its hazard, the owners' word
of mouth, and the stylized fact it restores: no paid marketing still gives adopters."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim.cli import compose
from sim.market.organic import OrganicAwareness
from sim.scenario import run_scenario


def _market(base, wom=0.0, q=0.4):
    seg = SimpleNamespace(organic_awareness_per_year=base, brand_word_of_mouth=wom, q=q)
    return SimpleNamespace(segments=[seg])


def _product(on_market=True):
    return SimpleNamespace(on_market=on_market, awareness=np.zeros(1))


def test_awareness_follows_the_exponential_closed_form():
    organic = OrganicAwareness(_market(0.3), [1000])
    p = _product()
    for _ in range(52):
        organic.apply([p], np.zeros((1, 1)), 7.0)
    assert p.awareness[0] == pytest.approx(1.0 - math.exp(-0.3 * 52 * 7.0 / 365.0), rel=1e-12)


def test_owners_word_of_mouth_raises_awareness_and_unlaunched_products_stay_unknown():
    organic = OrganicAwareness(_market(0.1, wom=1.0), [1000])
    alone, owned, unlaunched = _product(), _product(), _product(on_market=False)
    installed = np.array([[0.0, 500.0, 500.0]])
    organic.apply([alone, owned, unlaunched], installed, 7.0)
    assert owned.awareness[0] > alone.awareness[0] > 0.0
    assert unlaunched.awareness[0] == 0.0
    # hazard 0.1/365 + 1.0 * 0.4/365 * 0.5 per day
    assert owned.awareness[0] == pytest.approx(-math.expm1(-(0.1 + 0.2) / 365.0 * 7.0))


def test_off_by_default():
    cfg = compose(["scenario=bass_only"]).scenario()
    assert not OrganicAwareness(cfg.market, [s.size for s in cfg.market.segments]).active


@pytest.fixture(scope="module")
def no_paid_marketing():
    cfg = compose(["firm.marketing.budget_per_week=0", "horizon_days=1100"]).scenario()
    return cfg, run_scenario(cfg, 0).timeseries


def test_zero_paid_marketing_still_gives_adopters(no_paid_marketing):
    _, ts = no_paid_marketing
    ours = ts[ts["firm"] == "us"]
    assert ours["installed_base"].iloc[-1] > 5_000  # 0 before organic awareness
    assert ours["awareness"].iloc[-1] > 0.1


def test_without_organic_awareness_zero_marketing_gives_no_adopters(no_paid_marketing):
    cfg, _ = no_paid_marketing
    for seg in cfg.market.segments:
        seg.organic_awareness_per_year = 0.0
        seg.brand_word_of_mouth = 0.0
    ts = run_scenario(cfg, 0).timeseries
    assert ts[ts["firm"] == "us"]["installed_base"].iloc[-1] == 0


def test_bad_rate_is_one_clear_error():
    with pytest.raises(Exception, match="organic_awareness_per_year"):
        compose(["market.segments.0.organic_awareness_per_year=-1"])
