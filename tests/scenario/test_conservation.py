"""Conservation of money, customers and units over random valid scenarios (Hypothesis)."""

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.firm.firm import line_parts
from sim.scenario import run_scenario


def variant(base, cash, budget, price, churn, capacity, stockout, credit, mode_seed):
    firm = base.firm
    firm = dataclasses.replace(
        firm,
        initial_cash=cash,
        credit_line=credit,
        marketing=dataclasses.replace(firm.marketing, budget_per_week=budget),
        pricing=dataclasses.replace(firm.pricing, list_price=price),
        product=dataclasses.replace(firm.product, churn_per_year=churn),
        production=dataclasses.replace(firm.production, capacity_per_week=capacity,
                                       stockout=stockout),
    )
    return dataclasses.replace(base, firm=firm, horizon_days=560.0), mode_seed


scenario_params = st.tuples(
    st.sampled_from([2e6, 8e6, 30e6]),       # cash: from soon exhausted to ample
    st.sampled_from([0.0, 40e3, 150e3]),     # weekly marketing budget
    st.floats(120.0, 400.0),                 # list price
    st.floats(0.0, 0.5),                     # churn per year
    st.sampled_from([300.0, 3000.0, 20000.0]),  # capacity per week (stock-outs when small)
    st.sampled_from(["lose", "defer"]),
    st.sampled_from([0.0, 5e6]),             # credit line
    st.integers(0, 10_000),                  # seed
)


def check_run(res, cfg):
    ts, led = res.timeseries, res.ledger
    # money: each firm's cash re-derived from its ledger equals its cash at every step
    for firm, rows in ts.groupby("firm"):
        amounts = led["amount"].to_numpy()
        firms = led["firm"].to_numpy()
        mine = np.where(firms == firm, amounts, 0.0)
        running = np.concatenate([[0.0], np.cumsum(mine)])
        derived = running[rows["ledger_rows"].to_numpy()]
        np.testing.assert_allclose(rows["cash"].to_numpy(), derived, rtol=1e-12, atol=1e-6)
        # (pandas sums pairwise, the ledger in time order: rounding of 1e-14 relative)
        np.testing.assert_allclose(res.final_cash[firm],
                                   led.loc[led.firm == firm, "amount"].sum(), rtol=1e-12, atol=1e-6)
        # revenue in the timeseries equals revenue in the ledger, step by step
        rev = led[(led.firm == firm) & (led.account == "revenue")].groupby("t")["amount"].sum()
        by_t = rows.groupby("t")["revenue"].sum()  # over the products of a line
        np.testing.assert_allclose(by_t[by_t > 0].to_numpy(), rev.reindex(by_t[by_t > 0].index).to_numpy(),
                                   rtol=1e-12)
        assert abs(by_t.sum() - rev.sum()) < 1e-6 * max(1.0, rev.sum())
    # customers: owners of every product + pool + lapsed = population, at every step
    population = sum(s.size for s in cfg.market.segments)
    per_t = ts.groupby("t").agg(owners=("installed_base", "sum"), pool=("pool", "first"),
                                lapsed=("lapsed", "first"))
    assert (per_t.owners + per_t.pool + per_t.lapsed == population).all()
    # units: shipped never exceed production plus stock; inventory balances exactly
    for firm_cfg, part in ((f, p) for f in cfg.firms for p in line_parts(f)):
        if part.product.digital or part.product.kind == "subscription":
            continue  # unlimited capacity: nothing is produced ahead of sales
        rows = ts[(ts.firm == firm_cfg.name) & (ts["product"] == part.product.name)]
        produced = rows["produced"].cumsum() + part.production.initial_inventory
        shipped = rows["units_sold"].cumsum()
        assert (shipped <= produced + 1e-9).all()
        np.testing.assert_allclose(produced - shipped, rows["inventory"], atol=1e-6)
        # every order is shipped, still waiting, or cancelled after its patience ran out
        np.testing.assert_allclose(rows["orders"].cumsum(),
                                   shipped + rows["backlog"] + rows["cancelled"].cumsum(),
                                   atol=1e-6)
    assert (ts[["units_sold", "orders", "installed_base", "inventory", "backlog", "cancelled",
                "backordered"]] >= 0).all().all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario_params)
def test_money_customers_and_units_are_conserved(baseline, params):
    cfg, seed = variant(baseline, *params)
    res = run_scenario(cfg, seed)
    check_run(res, cfg)


def test_conservation_in_every_shipped_scenario_short():
    from sim.cli import compose, scenarios

    for name in scenarios():
        cfg = dataclasses.replace(compose([f"scenario={name}"]).scenario(), horizon_days=400.0)
        check_run(run_scenario(cfg, 1), cfg)


def test_cash_exhaustion_stops_discretionary_spending(baseline):
    cfg, _ = variant(baseline, 1.5e6, 150e3, 249.0, 0.05, 3000.0, "defer", 0.0, 0)
    res = run_scenario(cfg, 0)
    ev = res.events[(res.events.firm == "us")]
    out = ev[ev.kind == "cash_exhausted"]
    assert len(out) >= 1
    t0 = float(out.t.iloc[0])
    back = ev[(ev.kind == "cash_recovered") & (ev.t > t0)]
    t1 = float(back.t.iloc[0]) if len(back) else np.inf
    led = res.ledger[(res.ledger.firm == "us") & (res.ledger.t > t0) & (res.ledger.t < t1)]
    discretionary = led[led.account.str.match(r"marketing|research|development|capacity")]
    assert discretionary.empty, discretionary
    assert (led.account.str.startswith("salaries")).any()  # salaries are still paid


line_params = st.tuples(
    st.integers(1, 2),                          # extra products
    st.sampled_from(["priority", "fixed", "value"]),
    st.floats(120.0, 400.0),                    # the extra products' list price
    st.sampled_from([300.0, 4000.0]),           # their capacity per week
    st.sampled_from([2e6, 30e6]),               # cash
    st.integers(0, 10_000),                     # seed
)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(line_params)
def test_a_product_line_conserves_money_customers_and_units(params):
    """A line of one to three products, any allocation policy: the same conservation laws,
    product by product for units, over the firm's one ledger for money."""
    from sim.cli import compose
    from sim.config.line import AllocationConfig

    n, policy, price, capacity, cash, seed = params
    base = compose(["scenario=product_line", "horizon_days=1000"]).scenario()
    entry = base.firm.line[0]
    line = [dataclasses.replace(
        entry, product=dataclasses.replace(entry.product, name=f"extra{k}"),
        pricing=dataclasses.replace(entry.pricing, list_price=price),
        production=dataclasses.replace(entry.production, capacity_per_week=capacity))
        for k in range(n)]
    shares = {f"extra{k}": 1.0 for k in range(n)} | {base.firm.product.name: 2.0}
    firm = dataclasses.replace(base.firm, line=line, initial_cash=cash,
                               allocation=AllocationConfig(policy=policy, shares=shares))
    cfg = dataclasses.replace(base, firm=firm)
    res = run_scenario(cfg, seed)
    check_run(res, cfg)
    assert set(res.timeseries.loc[res.timeseries.firm == "us", "product"]) == {
        "hub_pro", *(f"extra{k}" for k in range(n))}
