"""Fit, then simulate: a market written by marketsim-fit is accepted by marketsim."""

import subprocess
import sys

import yaml

from sim.cli import compose


def test_a_market_in_the_search_path_is_a_valid_choice(tmp_path):
    market = tmp_path / "market"
    market.mkdir()
    (market / "fitted.yaml").write_text(
        "name: fitted\nsegments:\n  - name: all\n    size: 18713\n    p: 0.0094\n    q: 0.375\n")
    app = compose(["scenario=bass_only", f"hydra.searchpath=[file://{tmp_path}]",
                   "market=fitted"])
    seg = app.market.segments[0]
    assert (seg.name, seg.size, seg.p, seg.q) == ("all", 18713, 0.0094, 0.375)


def test_fit_then_simulate(tmp_path):
    """The README's two commands: marketsim-fit --example, then marketsim on its market."""
    fit = subprocess.run([sys.executable, "-m", "sim.calibration.cli", "--example",
                          "--forecast", "5", "--no-plot", "--draws", "300"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert fit.returncode == 0, fit.stderr
    out = tmp_path / "outputs" / "fit" / "example"
    seg = yaml.safe_load((out / "market" / "example.yaml").read_text())["segments"][0]
    sim = subprocess.run([sys.executable, "-c", "from sim.cli import main; main()",
                          f"hydra.searchpath=[file://{out}]", "market=example",
                          "scenario=bass_only", "horizon_days=400", "plots=false",
                          f"hydra.run.dir={tmp_path / 'run'}"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert sim.returncode == 0, sim.stderr[-2000:]
    app = compose(["scenario=bass_only", f"hydra.searchpath=[file://{out}]", "market=example"])
    assert app.market.segments[0].size == seg["size"]
    assert app.market.segments[0].p == seg["p"]
