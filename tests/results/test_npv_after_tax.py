"""npv_after_tax: the NPV less the tax the statements accrue, paid at each quarter's end."""

import pytest
from test_statements import annual_taxed

from sim.cli import compose
from sim.results.annual import tax_present_value
from sim.scenario import run_scenario


def test_tax_present_value_by_hand():
    # 100 paid at the end of the first half year, 50 at the end of the year, at 10% a year
    tax = [0.0, 100.0, 0.0, 50.0]
    end = [91.25, 182.5, 273.75, 365.0]
    want = 100.0 / 1.1 ** 0.5 + 50.0 / 1.1
    assert tax_present_value(tax, end, 0.1) == pytest.approx(want, rel=1e-12)
    assert tax_present_value([0.0, 0.0], [91.25, 182.5], 0.1) == 0.0
    assert tax_present_value([], [], 0.1) == 0.0


@pytest.fixture(scope="module")
def rollout():
    # a firm that turns a profit within three years (pays tax), and the same at a 0% rate
    over = ["scenario=global_rollout", "horizon_days=1095"]
    return (run_scenario(compose(over).scenario(), seed=0),
            run_scenario(compose([*over, "tax_rate=0"]).scenario(), seed=0))


def test_npv_after_tax_discounts_the_statements_tax(rollout):
    res, _ = rollout
    k, cfg = res.kpis, res.config
    pnl, _ = res.statements()
    mine = pnl[pnl["firm"] == cfg.firm.name]
    tax = mine["tax"].to_numpy(float)
    assert tax.sum() > 0.0  # the case is one that pays tax
    # the tax is the rate on annual income, losses carried forward, never carried back: the
    # statements' closed form (test_statements.annual_taxed)
    assert tax.sum() == pytest.approx(
        cfg.tax_rate * annual_taxed(mine["pretax_income"].to_numpy(float))[-1])
    paid = tax * (1.0 + cfg.discount_rate_per_year) ** (-mine["end_day"].to_numpy(float) / 365)
    assert k["npv"] - k["npv_after_tax"] == pytest.approx(paid.sum(), rel=1e-12)
    # discounted, the tax is less than its nominal sum and more than nothing
    assert 0.0 < k["npv"] - k["npv_after_tax"] < tax.sum()


def test_no_tax_no_difference(rollout):
    res, untaxed = rollout
    assert untaxed.kpis["npv_after_tax"] == untaxed.kpis["npv"]
    assert untaxed.kpis["npv"] == res.kpis["npv"]  # the rate moves no cash in the run


def test_a_firm_that_never_profits_pays_none():
    k = run_scenario(compose(["horizon_days=560"]).scenario(), seed=0).kpis
    assert k["net_income_total"] < 0.0
    assert k["npv_after_tax"] == k["npv"]
