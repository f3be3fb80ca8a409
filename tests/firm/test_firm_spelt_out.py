"""The per-step arithmetic of the firm written without builtin calls (a product's
``on_market`` kept by its flags' setters; ``min`` and ``max`` spelt out in the support
formulas and the plant) gives what the plain forms give, bit for bit, NaN and infinities
included."""

import math

from hypothesis import given
from hypothesis import strategies as st

from sim.config import ProductConfig, ProductionConfig, SupportConfig
from sim.firm.product import Product
from sim.firm.production import Production
from sim.firm.support import satisfaction, service_level
from sim.units import DAYS_PER_WEEK, WEEKS_PER_YEAR

ANY = st.floats(allow_nan=True, allow_infinity=True)


def same(a: float, b: float) -> bool:
    """Equal as IEEE doubles (NaN equals NaN; 0.0 and -0.0 differ)."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                 math.copysign(1, b))


@given(st.lists(st.tuples(st.sampled_from(["launched", "killed", "retired"]), st.booleans()),
                max_size=8))
def test_on_market_follows_the_flags(moves):
    p = Product("f", ProductConfig(), 1)
    assert p.on_market is False
    for flag, value in moves:
        setattr(p, flag, value)
        assert p.on_market == (p.launched and not p.killed and not p.retired)


def test_design_version_counts_replacements():
    p = Product("f", ProductConfig(), 1)
    seen = p.design_version
    p.improve({"quality": 0.01})
    assert p.design_version == seen + 1
    p.reference = [0.5, 0.5, 0.5]
    assert p.design_version == seen + 2


@given(ANY, st.floats(0.0, 1e9), st.floats(0.0, 10.0), ANY)
def test_service_level_is_the_plain_min(agents, base, tickets, per_agent):
    demand = base * tickets / WEEKS_PER_YEAR
    plain = 1.0 if demand <= 0.0 else min(1.0, agents * per_agent / demand)
    assert same(service_level(agents, base, tickets, per_agent), plain)


@given(ANY, ANY, ANY, ANY)
def test_satisfaction_is_the_plain_clip(quality, expectation, service, waiting):
    cfg = SupportConfig()
    z = (cfg.baseline + cfg.quality_weight * (quality - expectation)
         + cfg.service_weight * (service - cfg.target_service_level)
         - cfg.waiting_weight * waiting)
    plain = 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
    assert same(satisfaction(cfg, quality, expectation, service, waiting), plain)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(0.0, 1e6),
       st.sampled_from([1.0, 7.0, 28.0]))
def test_fill_rate_is_the_plain_clip(inventory, backlog, recent, dt):
    import simpy

    from sim.firm.ledger import Ledger
    from sim.recorder import Recorder

    env, rec = simpy.Environment(), Recorder()
    product = Product("f", ProductConfig(), 1)
    prod = Production(env, "f", ProductionConfig(), product, Ledger(env, "f", rec), rec)
    prod.inventory, prod.backlog, prod.recent_orders_per_week = inventory, backlog, recent
    expected = max(recent * (dt / DAYS_PER_WEEK), 1.0)
    plain = float(min(max((inventory - backlog) / expected, 0.0), 1.0))
    assert same(prod.fill_rate(dt), plain)
