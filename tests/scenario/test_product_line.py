"""A firm with a product line: the shipped ``product_line`` scenario and retirement.

Checked against things nobody here chose: conservation (the products' direct profits plus
the firm's shared result are the firm's profit; the products' units are the firm's),
cannibalisation (a line extension takes sales from the parent, the direction reported by
Reddy, Holak and Bhat 1994 and measured in the model as the premium tier's units with and
without the value tier on common seeds), and the retirement rules' own definitions.
"""

import dataclasses

import pytest

from sim import run_scenario
from sim.cli import compose
from sim.config.line import RetireConfig
from sim.errors import MarketsimError

HORIZON = 1500.0  # both tiers launch (value tier ~ day 820) and sell for a year or more


def line_config(*overrides):
    return compose(["scenario=product_line", f"horizon_days={HORIZON}", *overrides]).scenario()


@pytest.fixture(scope="module")
def line_run():
    return run_scenario(line_config(), seed=0)


def test_both_products_sell(line_run):
    ts = line_run.timeseries
    units = ts[ts["firm"] == "us"].groupby("product")["units_sold"].sum()
    assert set(units.index) == {"hub_pro", "hub_lite"}
    assert (units > 0).all()
    k = line_run.kpis
    assert k["product_units.hub_pro"] == units["hub_pro"]
    assert k["product_revenue.hub_lite"] > 0


def test_products_add_up_to_the_firm(line_run):
    k = line_run.kpis
    names = ("hub_pro", "hub_lite")
    assert sum(k[f"product_profit.{n}"] for n in names) - k["shared_costs"] == pytest.approx(
        k["cumulative_profit"], rel=1e-12, abs=1e-3)
    assert sum(k[f"product_revenue.{n}"] for n in names) == pytest.approx(
        k["cumulative_revenue"], rel=1e-12)
    assert k["portfolio_revenue.us"] == pytest.approx(k["cumulative_revenue"], rel=1e-12)
    # revenue on the timeseries is the ledger's, product by product
    ts = line_run.timeseries
    for n in names:
        assert ts.loc[ts["product"] == n, "revenue"].sum() == pytest.approx(
            k[f"product_revenue.{n}"], rel=1e-9)


def test_one_row_per_step_and_product(line_run):
    ts = line_run.timeseries
    assert not ts.duplicated(["t", "firm", "product"]).any()
    seg = line_run.segments
    assert not seg.duplicated(["t", "segment", "firm", "product"]).any()
    # shares over all products of all firms sum to one at every step with orders
    total = ts.groupby("t")["market_share"].sum()
    assert ((total - 1.0).abs() < 1e-9)[total > 0].all()


def test_value_tier_cannibalises_the_premium_tier():
    """Common seeds: the premium tier sells fewer units next to the value tier, and the
    firm sells more units in all."""
    for seed in (0, 1):
        both = run_scenario(line_config(), seed=seed).kpis
        alone = run_scenario(line_config("firm.line=[]"), seed=seed).kpis
        assert both["product_units.hub_pro"] < alone["product_units.hub_pro"]
        assert (both["product_units.hub_pro"] + both["product_units.hub_lite"]
                > alone["product_units.hub_pro"])


def test_a_single_product_firm_has_one_offering_and_no_allocation():
    from sim.scenario import build_world

    cfg = compose(["horizon_days=30"]).scenario()
    _, firms, market, _ = build_world(cfg, 0)
    assert all(len(f.offerings) == 1 for f in firms)
    assert all(f.project.allocation is None for f in firms)
    assert len(market.columns) == len(firms)


def _retire(cfg, **retire):
    entry = dataclasses.replace(cfg.firm.line[0], retire=RetireConfig(**retire))
    firm = dataclasses.replace(cfg.firm, line=[entry])
    return dataclasses.replace(cfg, firm=firm)


def test_dated_retirement_with_write_off():
    cfg = _retire(line_config(), rule="date", day=1100.0, stock="write_off",
                  disposal_cost_per_unit=5.0, support_days=140.0)
    r = run_scenario(cfg, seed=0)
    ev = r.events[(r.events["firm"] == "us") & (r.events["product"] == "hub_lite")]
    kinds = list(ev["kind"])
    assert "retirement_decided" in kinds and "withdrawn" in kinds
    withdrawn = float(ev.loc[ev["kind"] == "withdrawn", "t"].iloc[0])
    assert withdrawn == pytest.approx(1100.0)
    ts = r.timeseries[r.timeseries["product"] == "hub_lite"]
    after = ts[ts["t"] > withdrawn]
    assert (after["units_sold"] == 0).all() and (after["produced"] == 0).all()
    assert not after["launched"].any()
    assert (after["inventory"] == 0).all()
    # support ends support_days later: its service level is 0 from then on
    assert (after.loc[after["t"] >= withdrawn + 140.0, "service_level"] == 0).all()
    assert (after.loc[after["t"] < withdrawn + 140.0, "service_level"] > 0).all()
    # owners leave as they would have replaced it: the installed base only falls
    assert (after["installed_base"].diff().dropna() <= 0).all()
    written = r.ledger[(r.ledger["account"] == "write_off:inventory")]
    assert len(written) == 1 and written["product"].iloc[0] == "hub_lite"
    units = float(ev.loc[ev["kind"] == "stock_written_off", "detail"].iloc[0].split()[0]
                  .replace(",", ""))
    assert written["amount"].iloc[0] == pytest.approx(-5.0 * units)


def test_retirement_runs_the_stock_down():
    cfg = _retire(line_config(), rule="date", day=1100.0, stock="run_down")
    r = run_scenario(cfg, seed=0)
    ts = r.timeseries[r.timeseries["product"] == "hub_lite"].set_index("t")
    assert (ts.loc[ts.index > 1100.0, "produced"] == 0).all()
    ev = r.events[r.events["product"] == "hub_lite"]
    withdrawn = float(ev.loc[ev["kind"] == "withdrawn", "t"].iloc[0])
    # on sale from the decision until the stock is gone, then off the market
    assert withdrawn >= 1100.0
    sold_down = ts.loc[(ts.index > 1100.0) & (ts.index <= withdrawn), "units_sold"].sum()
    stock = ts.loc[ts.index < 1100.0, "inventory"].iloc[-1]
    assert sold_down >= stock - ts.loc[ts.index < 1100.0, "backlog"].iloc[-1] - 1e-9
    assert ts.loc[withdrawn, "inventory"] == 0


@pytest.mark.parametrize("override, key", [
    ("firm.line=[{product: {name: hub_pro}}]", "firm.line[0].product.name"),
    ("firm.allocation.policy=random", "firm.allocation.policy"),
    ("firm.retire.rule=date", "firm.retire.day"),
    ("firm.allocation.order=[nope]", "firm.allocation.order[0]"),
])
def test_bad_line_config_is_one_clear_error(override, key):
    with pytest.raises((MarketsimError, ValueError), match=key.replace("[", r"\[").replace(
            "]", r"\]").replace(".", r"\.")):
        compose(["scenario=product_line", override])


def test_product_line_runs_from_the_command_line(tmp_path):
    """``marketsim scenario=product_line`` (quick: 1,100 days, no plots): both products sell,
    the portfolio KPIs are in kpis.json, the ledger names the product of each posting."""
    import json
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import pandas as pd

    script = Path(sys.executable).parent / "marketsim"
    cmd = [str(script)] if script.exists() else [shutil.which("marketsim") or "marketsim"]
    run_dir = tmp_path / "run"
    out = subprocess.run([*cmd, "scenario=product_line", "horizon_days=1100", "plots=false",
                          "progress=false", f"hydra.run.dir={run_dir}"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    kpis = json.loads((run_dir / "kpis.json").read_text())
    assert kpis["product_units.hub_pro"] > 0 and kpis["product_units.hub_lite"] > 0
    assert kpis["portfolio_revenue.us"] == pytest.approx(kpis["cumulative_revenue"])
    ledger = pd.read_parquet(run_dir / "ledger.parquet")
    assert {"hub_pro", "hub_lite", ""} <= set(ledger["product"])


def test_end_of_life_rule_retires_after_weeks_below_the_floor():
    """Weekly reviews from day 0; a review counts from a week after launch; the 4th review
    in a row below the floor decides: day 7 * ceil((L + 7) / 7) + 21 for launch day L."""
    import math

    cfg = _retire(line_config(), rule="end_of_life", min_units_per_week=1e8, weeks_below=4,
                  stock="write_off")
    r = run_scenario(cfg, seed=0)
    ev = r.events[(r.events["firm"] == "us") & (r.events["product"] == "hub_lite")]
    launch = float(ev.loc[ev["kind"] == "launch", "t"].iloc[0])
    decided = float(ev.loc[ev["kind"] == "retirement_decided", "t"].iloc[0])
    assert decided == pytest.approx(7.0 * math.ceil((launch + 7.0) / 7.0) + 21.0)
    # the premium tier (no retirement rule) stays
    assert r.timeseries.loc[r.timeseries["product"] == "hub_pro", "launched"].iloc[-1]


def test_a_rival_can_hold_a_line_too():
    """A price warrior with a second product on the market from day 0: both sell, and the
    rivals' snapshot of the warrior is its line's summed unit share."""
    from sim.scenario import build_world

    extra = ("competitors.warrior.line=[{product: {name: value_plus, attributes: "
             "{quality: 0.62, features: 0.5, design: 0.45}}, launched: true, "
             "pricing: {list_price: 209.0}}]")
    cfg = compose(["scenario=baseline", "horizon_days=400", extra]).scenario()
    env, firms, market, rec = build_world(cfg, 0)
    env.run(until=cfg.horizon_days)
    warrior = next(f for f in firms if f.name == "warrior")
    assert [o.name for o in warrior.offerings] == ["value", "value_plus"]
    rows = [r for r in rec.timeseries_dicts() if r["firm"] == "warrior"]
    sold = {n: sum(r["units_sold"] for r in rows if r["product"] == n)
            for n in ("value", "value_plus")}
    assert sold["value"] > 0 and sold["value_plus"] > 0
    t_last, snap = market.observer.history[-1]
    shares = [r["market_share"] for r in rows if r["t"] == t_last]
    assert snap["warrior"]["share"] == pytest.approx(sum(shares), rel=1e-12)


def test_launch_success_rate_judges_each_launch_against_its_own_target():
    """hub_pro must ship 1,000 units by day 900 (it does), hub_lite a billion (it cannot);
    a target beyond the horizon is not judged."""
    from sim.cli import compose
    from sim.scenario import run_scenario

    base = ["scenario=product_line", "horizon_days=1000"]
    pro = ["firm.product.success_units=1000", "firm.product.success_by_day=900"]
    lite = ["+firm.line.0.product.success_units=1e9", "+firm.line.0.product.success_by_day=900"]
    k = run_scenario(compose(base + pro).scenario(), seed=0).kpis
    assert k["launch_success_rate"] == 1.0
    k = run_scenario(compose(base + pro + lite).scenario(), seed=0).kpis
    assert k["launch_success_rate"] == 0.5
    late = ["firm.product.success_units=1000", "firm.product.success_by_day=5000"]
    assert run_scenario(compose(base + late).scenario(), seed=0).kpis["launch_success_rate"] is None
    assert run_scenario(compose(base).scenario(), seed=0).kpis["launch_success_rate"] is None


def test_a_launch_target_needs_both_its_units_and_its_day():
    import pytest

    from sim.config import ProductConfig

    with pytest.raises(ValueError, match="success_units and .*success_by_day go together"):
        ProductConfig(success_units=1000.0).check("firm 'us'.product")
    with pytest.raises(ValueError, match="success_by_day"):
        ProductConfig(success_units=1000.0, success_by_day=-5.0).check("firm 'us'.product")
