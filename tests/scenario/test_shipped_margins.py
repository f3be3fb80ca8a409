"""Shipped defaults give gross margins in the bands published for their industries
(docs/model.md 4): consumer hardware 25-45%, software sold as a subscription 70-85%.

A firm's configured gross margin is ``1 - unit_cost / net_price`` at its list price, with
``net_price = list_price x (1 - m)`` and ``m`` the coverage-target-weighted mean of its
channels' margins (0 when it sells direct). The experience curve then lowers the unit
cost, so the baseline's realised margin over its last year is checked too.
"""

import dataclasses

import numpy as np
import pytest

from sim.cli import compose
from sim.cli.compose import scenarios
from sim.config import ATTRIBUTES
from sim.firm import design_cost
from sim.results.annual import statement_kpis
from sim.scenario import run_scenario

HARDWARE = (0.25, 0.45)
SAAS = (0.70, 0.85)


def configured_margin(firm, product=None) -> float:
    """At list price and the product's own design (``unit_cost`` holds at its
    ``reference_attributes``; ``sim.firm.design_cost``)."""
    product = product or firm.product
    chans = firm.distribution.channels.values()
    weight = sum(c.target for c in chans)
    m = sum(c.margin * c.target for c in chans) / weight if weight > 0 else 0.0
    net = firm.pricing.list_price * (1.0 - m)
    ref = product.reference_attributes or {}
    factor = design_cost.factor([product.attributes.get(a, 0.0) for a in ATTRIBUTES],
                                np.array([ref.get(a, 0.0) for a in ATTRIBUTES]),
                                design_cost.rates(firm.production.attribute_cost))
    return 1.0 - firm.production.unit_cost * factor / net


def band(firm):
    digital = firm.product.kind == "subscription" or firm.product.digital
    return SAAS if digital else HARDWARE


@pytest.mark.parametrize("scenario", sorted(scenarios()))
def test_every_shipped_firm_is_configured_inside_its_band(scenario):
    cfg = compose([f"scenario={scenario}"]).scenario()
    for firm in cfg.firms:
        low, high = band(firm)
        gm = configured_margin(firm)
        assert low <= gm <= high, (f"{scenario}: firm {firm.name!r} gross margin {gm:.1%} at "
                                   f"list price is outside {low:.0%}-{high:.0%}")


@pytest.mark.parametrize("scenario", sorted(scenarios()))
def test_every_shipped_line_entry_is_inside_its_band_and_learns_as_its_firm(scenario):
    """A part a line entry gives takes the schema's defaults for what it leaves out:
    product_line's value tier learned from 10,000 units (its firm from 100,000), its unit
    cost 84 at launch and 48 at the end against 179 (a 53% margin rising to 73%)."""
    cfg = compose([f"scenario={scenario}"]).scenario()
    for firm in cfg.firms:
        for entry in getattr(firm, "line", []):
            low, high = band(firm)
            gm = configured_margin(dataclasses.replace(
                firm, pricing=entry.pricing or firm.pricing,
                production=entry.production or firm.production), entry.product)
            assert low <= gm <= high, (f"{scenario}: {entry.product.name} gross margin "
                                       f"{gm:.1%} at list price is outside {low:.0%}-{high:.0%}")
            plant = entry.production or firm.production
            for key in ("progress_ratio", "learning_base_units"):
                assert getattr(plant, key) == getattr(firm.production, key), (
                    f"{scenario}: {entry.product.name}.{key}")


def test_the_baseline_hub_ends_inside_the_hardware_band():
    cfg = compose(["scenario=baseline"]).scenario()
    res = run_scenario(cfg, seed=0)
    pnl, bal = res.statements()
    k = statement_kpis(pnl, bal, cfg.firm.name, cfg.horizon_days)
    assert HARDWARE[0] <= k["gross_margin_rate"] <= HARDWARE[1], k["gross_margin_rate"]
