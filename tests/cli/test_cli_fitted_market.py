"""Fit, then simulate: a market written by marketsim-fit is accepted by marketsim."""

from pathlib import Path

import pytest

from sim.cli import compose

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "diffusion"


def test_a_market_in_the_search_path_is_a_valid_choice(tmp_path):
    market = tmp_path / "market"
    market.mkdir()
    (market / "fitted.yaml").write_text(
        "name: fitted\nsegments:\n  - name: all\n    size: 18713\n    p: 0.0094\n    q: 0.375\n")
    app = compose(["scenario=bass_only", f"hydra.searchpath=[file://{tmp_path}]",
                   "market=fitted"])
    seg = app.market.segments[0]
    assert (seg.name, seg.size, seg.p, seg.q) == ("all", 18713, 0.0094, 0.375)


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data is not beside the checkout")
def test_fit_then_simulate(tmp_path):
    from sim.calibration.cli import main as fit_main
    from sim.scenario import run_scenario

    csv = DATA / "room_air_conditioners_1949_1961.csv"
    assert fit_main([str(csv), "--out", str(tmp_path), "--name", "rac", "--bootstrap", "50",
                     "--json"]) in (0, None)
    app = compose(["scenario=bass_only", f"hydra.searchpath=[file://{tmp_path}]", "market=rac",
                   "horizon_days=1100"])
    res = run_scenario(app.scenario(), 0)
    assert res.timeseries["installed_base"].iloc[-1] > 0
