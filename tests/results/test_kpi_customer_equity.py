"""The customer equity of the base held at the end of a run (GLS 2004 eq. 1 for customers
already acquired), checked against the margin the simulated customers actually paid.

Every customer acquired at day t is worth LTV at t, and the margin it pays before the end
T plus what it will pay after T (the base's equity at T) make up that LTV, so, discounted
to day 0 (``tests/results/test_kpi_ltv.py``),

    sum_t D(t) new(t) LTV  =  sum_t D(t) margin(t)  +  D(T) customer_equity_final.

The left side uses only the LTV KPI, the right side the timeseries and the new KPI: the
KPI is what closes the books on the customers won, for a durable and a subscription.
"""

import dataclasses
import math

import pytest

from sim.cli import compose
from sim.config.distribution import DistributionChannelConfig, DistributionConfig
from sim.scenario import run_scenario
from sim.units import DAYS_PER_MONTH, DAYS_PER_YEAR, step_days

DURABLE = ["scenario=bass_only", "firm.product.kind=durable", "firm.product.digital=true",
           "firm.product.churn_per_year=0.5", "firm.product.lifetime_years=1.0",
           "firm.production.unit_cost=100.0", "firm.production.progress_ratio=1.0",
           "firm.pricing.list_price=249.0", "discount_rate_per_year=0.10"]
SUBSCRIPTION = ["scenario=bass_only", "firm.product.churn_per_year=0.3",
                "discount_rate_per_year=0.10"]


def books(res, margin_of):
    k = res.kpis
    mine = res.timeseries[res.timeseries["firm"] == k["firm"]].set_index("t")
    r = res.config.discount_rate_per_year
    disc = (1.0 + r) ** (-mine.index.to_numpy() / DAYS_PER_YEAR)
    paid = float((disc * margin_of(mine)).sum())
    acquired = float((disc * mine["new_adopters"].to_numpy()).sum()) * k["ltv"]
    end = (1.0 + r) ** (-res.config.horizon_days / DAYS_PER_YEAR)
    return acquired, paid, end * k["customer_equity_final"], k


def test_a_durables_base_equity_closes_the_books_on_its_customers():
    res = run_scenario(compose(DURABLE).scenario(), seed=0)
    acquired, paid, equity, k = books(
        res, lambda m: (m["revenue"] - m["units_sold"] * m["unit_cost"]).to_numpy())
    assert equity > 0.1 * acquired  # the part after the horizon matters here
    # weekly steps against a continuous-time formula: within 2%
    assert acquired == pytest.approx(paid + equity, rel=0.02)
    assert k["npv_with_customer_equity"] == pytest.approx(k["npv"] + equity)


def test_a_subscriptions_base_equity_closes_the_books_on_its_customers():
    res = run_scenario(compose(SUBSCRIPTION).scenario(), seed=0)
    k = res.kpis
    # the monthly margin per paying subscriber the KPIs read (price less serving cost)
    m = k["unit_margin"]

    def margin(rows):  # paying subscriber-months x margin, each step
        months = rows["revenue"] / rows["price"].where(rows["price"] > 0)
        return (months.fillna(0.0) * m).to_numpy()

    acquired, paid, equity, k = books(res, margin)
    assert acquired == pytest.approx(paid + equity, rel=0.03)
    n = res.timeseries[res.timeseries["firm"] == k["firm"]]["installed_base"].iloc[-1]
    c, delta = k["churn_rate"], math.log(1.10)
    assert k["customer_equity_final"] == pytest.approx(
        n * m * (DAYS_PER_YEAR / DAYS_PER_MONTH) / (c + delta), rel=0.01)


def product_equity(res, product) -> float:
    """A durable's base equity at the end of the run, from the tables with pandas: its
    paying customers at the last step times its unit margin (net of its own channel
    margins) over the last year with sales, times ``rho / (c + delta)`` at the paying
    churn of that year (churners less the backorders cancelled the step before)."""
    ts, led = res.timeseries, res.ledger
    firm = res.kpis["firm"]
    mine = ts[(ts["firm"] == firm) & (ts["product"] == product.name)].sort_values("t")
    if not mine["launched"].iloc[-1]:
        return 0.0
    end = mine.loc[mine["units_sold"] > 0, "t"].max()
    year = mine[(mine["t"] > end - DAYS_PER_YEAR) & (mine["t"] <= end)]
    channel = led[(led["firm"] == firm) & led["account"].str.startswith("channel_margin")
                  & (led["product"] == product.name)].groupby("t")["amount"].sum()
    net = year["revenue"].to_numpy() + channel.reindex(year["t"]).fillna(0.0).to_numpy()
    margin = (net - year["units_sold"] * year["unit_cost"]).sum() / year["units_sold"].sum()
    on = year[year["launched"].astype(bool)]
    churners = (on["churners"] - on["cancelled"].shift(fill_value=0)).clip(lower=0)
    days = step_days(on["t"].to_numpy(), res.config.dt_days, res.config.horizon_days)
    churn = churners.sum() / ((on["installed_base"] * days).sum() / DAYS_PER_YEAR)
    delta = math.log1p(res.config.discount_rate_per_year)
    return mine["installed_base"].iloc[-1] * margin / product.lifetime_years / (churn + delta)


def test_a_lines_equity_is_the_sum_of_its_products_valued_on_their_own():
    """product_line's two hubs, each valued on its own customers, churn and margin (net of
    its own channel margins), summed; a product not on the market at the end adds nothing
    (horizon 560: hub_lite, planned for day 540, slips past it), through a retailer too.
    Before, a line had none, so the line could not be compared with its premium-only twin
    on the customers each leaves."""
    line = compose(["scenario=product_line"]).scenario()
    # through a retailer taking 5%: each product's unit margin is net of its own margins
    retail = dataclasses.replace(line, firm=dataclasses.replace(
        line.firm, distribution=DistributionConfig(channels={
            "retail": DistributionChannelConfig(margin=0.05, target=1.0, initial=1.0)})))
    for cfg, horizon, launched in ((line, 1825.0, 2), (line, 560.0, 1), (retail, 1825.0, 2)):
        res = run_scenario(dataclasses.replace(cfg, horizon_days=horizon), 0)
        cfg, k = res.config, res.kpis
        products = [cfg.firm.product, *(e.product for e in cfg.firm.line)]
        parts = [product_equity(res, p) for p in products]
        assert sum(v > 0 for v in parts) == launched
        assert k["customer_equity_final"] == pytest.approx(sum(parts), rel=1e-9)
        end = (1.0 + cfg.discount_rate_per_year) ** (-cfg.horizon_days / DAYS_PER_YEAR)
        assert k["npv_with_customer_equity"] == pytest.approx(
            k["npv"] + end * k["customer_equity_final"], rel=1e-12)


def test_no_equity_in_generations_or_without_churn_and_zero_off_the_market():
    """In a chain of generations an owner neither
    replaces nor churns (it leaves by upgrading): churn 0 had valued 48.9M of replacements
    that never come in norton_bass, turning its NPV of -2.0M positive. With no churn at all
    the base is a perpetuity (bass_only: 666M against an NPV of 79M): none. A product
    killed before launch, or a line none of whose products is on the market yet, has no
    customers to value."""
    k = run_scenario(compose(["scenario=product_line", "horizon_days=400"]).scenario(), 0).kpis
    assert k["customer_equity_final"] == 0.0 and k["npv_with_customer_equity"] == k["npv"]
    for scenario in ("norton_bass", "bass_only"):
        k = run_scenario(compose([f"scenario={scenario}"]).scenario(), 0).kpis
        assert k["customer_equity_final"] is None and k["npv_with_customer_equity"] is None
    killed = compose(["scenario=baseline", "horizon_days=500",
                      "firm.development.gate.min_quality=0.99",
                      "firm.development.gate.deadline_action=kill"]).scenario()
    k = run_scenario(killed, 0).kpis
    assert k["killed"]
    assert k["customer_equity_final"] == 0.0
    assert k["npv_with_customer_equity"] == k["npv"]


def test_a_trials_base_is_valued_by_its_paying_subscribers():
    """subscription_trial's installed base holds trialists, who pay nothing yet: the equity
    counts the paying subscribers (66.0k owners, about 62k paying), at the last year's
    churn."""
    import numpy as np

    from sim.results import customers as cust

    res = run_scenario(compose(["scenario=subscription_trial"]).scenario(), seed=0)
    k = res.kpis
    mine = res.timeseries[(res.timeseries["firm"] == k["firm"])].sort_values("t")
    last = mine.iloc[-1]
    days = float(step_days(last["t"], res.config.dt_days, res.config.horizon_days))
    paying = float(cust.paying({"revenue": np.array([last["revenue"]]),
                                "price": np.array([last["price"]]),
                                "installed_base": np.array([last["installed_base"]])},
                               "subscription", days)[0])
    assert paying < 0.97 * last["installed_base"]
    per_customer = k["customer_equity_final"] / paying
    m, delta = k["unit_margin"], math.log1p(res.config.discount_rate_per_year)
    churn = m * (DAYS_PER_YEAR / DAYS_PER_MONTH) / per_customer - delta
    # the last year's churn per year (0.327), above the whole run's (0.275): churn rises
    assert k["churn_rate"] < churn < 0.4


def test_no_ltv_in_a_chain_of_generations():
    """gen1's owners in norton_bass never replace or churn (they leave by upgrading): its
    LTV had read 369 a customer from replacements never made."""
    k = run_scenario(compose(["scenario=norton_bass"]).scenario(), 0).kpis
    assert k["ltv"] is None and k["ltv_undiscounted"] is None and k["ltv_to_cac"] is None
