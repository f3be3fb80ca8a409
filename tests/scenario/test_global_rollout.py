"""The global_rollout scenario (three regions) and the regions' config errors: one clear
error naming the key and the value."""

import pytest

from sim.cli import compose
from sim.errors import MarketsimError
from sim.scenario import run_scenario


@pytest.mark.parametrize("override, message", [
    ("+firm.rollout.mars=0", "firm.rollout: unknown region 'mars'"),
    ("firm.rollout.eu=-30", "rollout.eu must be >= 0 days after launch, got -30"),
    ("+competitors.local.rollout.moon=10", "competitors.local.rollout: unknown region 'moon'"),
    ("market.regions.1.segments=[]", "market.regions 'eu'.segments must name at least one"),
    ("market.regions.1.segments=[atlantis]", "unknown segment 'atlantis'"),
    ("market.regions.1.segments=[us_mainstream]", "segment 'us_mainstream' is in two regions"),
    ("+market.regions.2.influence.mars=0.1", "market.regions 'asia'.influence: unknown region 'mars'"),
    ("+market.regions.1.influence.eu=0.1", "names the region itself"),
    ("market.regions.1.price_level=0", "market.regions 'eu'.price_level"),
    ("market.regions.2.localisation_cost=-1", "market.regions 'asia'.localisation_cost"),
    ("market.regions.0.name=eu", "market.regions names must be unique"),
])
def test_bad_region_config_is_one_clear_error(override, message):
    with pytest.raises((MarketsimError, ValueError), match=message.replace(".", r"\.")
                       .replace("[", r"\[").replace("(", r"\(")):
        compose(["scenario=global_rollout", override])


def test_a_segment_in_no_region_is_an_error():
    with pytest.raises((MarketsimError, ValueError), match="segment 'asia_mainstream' is in no"):
        compose(["scenario=global_rollout", "market.regions=[{name: us, segments: [us_mainstream]},"
                 "{name: eu, segments: [eu_mainstream]}]", "firm.rollout={us: 0}",
                 "competitors.local.rollout={eu: 0}"])


def test_rollout_without_regions_is_an_error():
    with pytest.raises((MarketsimError, ValueError), match="market has no regions"):
        compose(["scenario=baseline", "+firm.rollout.eu=0"])


def test_global_rollout_enters_in_waves_and_reports_each_region():
    cfg = compose(["scenario=global_rollout", "horizon_days=1100"]).scenario()
    res = run_scenario(cfg, 0)
    k = res.kpis
    # the first market step on or after each planned entry (dt = 7 days)
    assert [k[f"region_{r}_entry_day"] for r in ("us", "eu", "asia")] == [0.0, 371.0, 735.0]
    reg = res.regions
    assert set(reg["region"]) == {"us", "eu", "asia"}
    # the local rival sells only in Europe and Asia, from its launch on day 365
    local = reg[reg["firm"] == "local"]
    assert local[local["region"] == "us"]["units"].sum() == 0
    assert local[(local["region"] == "eu") & (local["t"] < 365)]["units"].sum() == 0
    assert local[local["region"] == "asia"]["units"].sum() > 0
    # units and installed base add up to the timeseries' (orders per product)
    ts = res.timeseries
    by_product = reg.groupby("product")["units"].sum()
    for product, rows in ts.groupby("product"):
        assert by_product[product] == rows["orders"].sum()
    last = reg["t"].max()
    assert (reg[reg["t"] == last].groupby("product")["installed_base"].sum().to_dict()
            == ts[ts["t"] == last].set_index("product")["installed_base"].to_dict())
    led = res.ledger
    loc = led[(led["account"] == "localisation")]
    assert sorted(zip(loc["firm"], -loc["amount"], strict=True)) == [
        ("local", 2_000_000.0), ("local", 3_000_000.0), ("us", 2_000_000.0), ("us", 3_000_000.0)]


def test_a_run_with_regions_draws_them_and_writes_its_table(tmp_path):
    import pandas as pd

    from sim.plots import plot_run

    res = run_scenario(compose(["scenario=global_rollout", "horizon_days=800",
                                "dt_days=14"]).scenario(), 0)
    res.write(tmp_path, plotter=plot_run)
    png = tmp_path / "plots" / "regions.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_parquet(tmp_path / "regions.parquet")
    assert len(table) == len(res.regions) and set(table["region"]) == {"us", "eu", "asia"}
    plain = run_scenario(compose(["scenario=bass_only", "horizon_days=60"]).scenario(), 0)
    plain.write(tmp_path / "plain", plotter=plot_run)
    assert not (tmp_path / "plain" / "regions.parquet").exists()
    assert not (tmp_path / "plain" / "plots" / "regions.png").exists()
    assert not any(k.startswith("region_") for k in plain.kpis)
