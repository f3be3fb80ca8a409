"""LTV (Gupta, Lehmann and Stuart 2004: discounted margin over the expected customer
life) cross-checked against the margin the simulated customers actually paid.

With constant margin, churn and replacement hazards, every customer acquired at day t is
worth LTV at t, so, discounted to day 0,

    sum_t D(t) new(t) LTV  =  sum_t D(t) margin(t)  +  D(T) N(T) m rho / (c + delta)

where the last term is what the customers still active at the end T (N(T)) will pay
after it. The left side uses only the KPI; the right side only the timeseries.
"""

import math

import pytest

from sim.cli import compose
from sim.scenario import run_scenario
from sim.units import DAYS_PER_YEAR

DURABLE = ["scenario=bass_only", "firm.product.kind=durable", "firm.product.digital=true",
           "firm.product.churn_per_year=0.5", "firm.product.lifetime_years=1.0",
           "firm.production.unit_cost=100.0", "firm.production.progress_ratio=1.0",
           "firm.pricing.list_price=249.0", "discount_rate_per_year=0.10"]


@pytest.fixture(scope="module")
def durable_run():
    return run_scenario(compose(DURABLE).scenario(), seed=0)


def test_ltv_equals_the_discounted_margin_customers_paid(durable_run):
    res = durable_run
    k = res.kpis
    mine = res.timeseries[res.timeseries["firm"] == k["firm"]].set_index("t")
    r = res.config.discount_rate_per_year
    disc = (1.0 + r) ** (-mine.index.to_numpy() / DAYS_PER_YEAR)
    margin = (mine["revenue"] - mine["units_sold"] * mine["unit_cost"]).to_numpy()
    paid = float((disc * margin).sum())
    m = k["unit_margin"]
    assert m == pytest.approx(249.0 - 100.0)
    rho = 1.0 / res.config.firm.product.lifetime_years
    future = disc[-1] * mine["installed_base"].iloc[-1] * m * rho / (k["churn_rate"]
                                                                    + math.log1p(r))
    acquired = float((disc * mine["new_adopters"].to_numpy()).sum()) * k["ltv"]
    # weekly steps against a continuous-time formula: within 2%
    assert acquired == pytest.approx(paid + future, rel=0.02)


def test_churn_is_the_configured_hazard_and_ltv_the_closed_form(durable_run):
    k = durable_run.kpis
    assert k["churn_rate"] == pytest.approx(0.5, rel=0.03)
    c, delta = k["churn_rate"], math.log(1.10)
    assert k["ltv"] == pytest.approx(149.0 * (1.0 + 1.0 / (c + delta)))
    # undiscounted: margin per unit x expected purchases per customer (1 + rho / c)
    assert k["ltv_undiscounted"] == pytest.approx(149.0 * (1.0 + 1.0 / c))


def test_subscription_ltv_is_monthly_margin_over_churn_plus_discount():
    cfg = compose(["scenario=bass_only", "firm.product.churn_per_year=0.3"]).scenario()
    k = run_scenario(cfg, seed=0).kpis
    assert k["unit_margin"] == pytest.approx(20.0 - 4.0)
    assert k["churn_rate"] == pytest.approx(0.3, rel=0.05)
    assert k["ltv"] == pytest.approx(16.0 * 12.0 / (k["churn_rate"] + math.log(1.10)))
