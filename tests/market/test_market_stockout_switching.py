"""Stock-outs send demand to rivals (market.stockout_switching; docs/model.md 4.1)."""

from sim.cli import compose
from sim.scenario import run_scenario


def _units(switching):
    cfg = compose(["horizon_days=1095", "firm.production.capacity_per_week=300",
                   "firm.production.max_capacity_per_week=300",
                   f"market.stockout_switching={switching}"]).scenario()
    ts = run_scenario(cfg, seed=0).timeseries
    return ts.groupby("firm")[["units_sold", "lost_sales"]].sum()


def test_a_capacity_shortfall_feeds_the_rivals():
    none, some = _units(0.0), _units(0.26)
    rivals = [f for f in none.index if f != "us"]
    # the same plant ships as much either way; who cannot wait for it buys a rival
    assert some.loc["us", "units_sold"] == none.loc["us", "units_sold"]
    assert none.loc["us", "lost_sales"] == 0 < some.loc["us", "lost_sales"]
    assert some.loc[rivals, "units_sold"].sum() > none.loc[rivals, "units_sold"].sum() + 5_000
