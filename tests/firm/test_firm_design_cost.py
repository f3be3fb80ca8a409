"""Better attributes cost unit cost and development effort (sim/firm/design_cost.py)."""

import numpy as np
import pytest

from sim.cli import compose
from sim.config import ProductConfig, ProductionConfig
from sim.firm import design_cost
from sim.firm.product import Product
from sim.firm.production import Production
from sim.scenario import run_scenario


def test_factor_is_one_at_the_reference_and_compounds_per_tenth():
    rates = design_cost.rates({"quality": 0.06, "features": 0.05})
    ref = np.array([0.7, 0.6, 0.6])
    assert design_cost.factor(ref, ref, rates) == pytest.approx(1.0)
    assert design_cost.factor([0.9, 0.6, 0.6], ref, rates) == pytest.approx(1.06 ** 2)
    assert design_cost.factor([0.6, 0.7, 0.9], ref, rates) == pytest.approx(1.05 / 1.06)


def test_unit_cost_follows_the_design_not_the_defects(env, rec, ledger):
    cfg = ProductConfig(attributes={"quality": 0.9, "features": 0.6, "design": 0.6},
                        reference_attributes={"quality": 0.8, "features": 0.6, "design": 0.6})
    product = Product("f", cfg, 1)
    production = Production(env, "f", ProductionConfig(unit_cost=100.0), product, ledger, rec)
    assert production.unit_cost == pytest.approx(106.0)
    product.set_quality(0.7)  # residual defects: customers see less, the design is the same
    assert production.unit_cost == pytest.approx(106.0)
    product.improve({"features": 0.2})  # a release adds features: they cost to make
    assert production.unit_cost == pytest.approx(106.0 * 1.02 ** 2)
    product.reference = product.design  # a new reference (an equal array): priced again
    assert production.unit_cost == pytest.approx(100.0)
    again = Production(env, "f", ProductionConfig(unit_cost=100.0), product, ledger, rec)
    assert production.unit_cost == again.unit_cost
    free = Production(env, "f", ProductionConfig(unit_cost=100.0, attribute_cost={}), product,
                      ledger, rec)
    assert free.unit_cost == pytest.approx(100.0)


def test_a_bad_attribute_cost_is_one_clear_error():
    with pytest.raises(ValueError, match="attribute_cost key"):
        ProductionConfig(attribute_cost={"colour": 0.1}).check("firm 'us'.production")
    with pytest.raises(ValueError, match=r"reference_attributes\.quality"):
        ProductConfig(reference_attributes={"quality": 3.0}).check("firm 'us'.product")


def test_higher_quality_takes_longer_to_build_and_costs_more_per_unit():
    """The baseline hub at quality 0.78 (its reference design) against 0.88, same seed."""
    out = {}
    for q in (0.78, 0.88):
        cfg = compose(["scenario=baseline", "horizon_days=600",
                       f"firm.product.attributes.quality={q}"]).scenario()
        res = run_scenario(cfg, seed=0)
        ev = res.events[(res.events.firm == "us") & (res.events.kind == "gate_go")]
        ts = res.timeseries[res.timeseries.firm == "us"]
        out[q] = (float(ev.t.max()), float(ts.unit_cost.iloc[0]))
    assert out[0.88][0] > out[0.78][0] + 5.0  # ready later: more engineering and design
    assert out[0.88][1] == pytest.approx(out[0.78][1] * 1.06, rel=1e-9)
