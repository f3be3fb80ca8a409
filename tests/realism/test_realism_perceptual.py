"""Perceptual maps: geometry (classical MDS, axis choice) and the run's PNG."""

import struct

import numpy as np
import pytest

from sim.cli import compose
from sim.results.perceptual import classical_mds, final_positions, layout
from sim.scenario import run_scenario

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == PNG
    return struct.unpack(">II", head[16:24])


def test_classical_mds_recovers_planar_distances():
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(12, 2))
    lift = plane @ np.array([[1.0, 0.0, 0.5], [0.0, 1.0, -0.3]])  # a plane in 3-D
    coords, share = classical_mds(lift)
    def dist(x):
        return np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    np.testing.assert_allclose(dist(coords), dist(lift), atol=1e-9)
    assert share.sum() == pytest.approx(1.0)


def test_default_scenario_writes_a_readable_perceptual_map(tmp_path):
    from sim.plots import plot_run

    res = run_scenario(compose([]).scenario(), 0)
    res.write(tmp_path, plotter=plot_run)
    path = tmp_path / "plots" / "perceptual_map.png"
    assert path.stat().st_size > 10_000
    width, height = png_size(path)
    assert width >= 800 and height >= 500
    for name in ("preferences", "distribution"):
        assert (tmp_path / f"{name}.parquet").is_file()
    # product attributes over time are in the timeseries
    assert {"quality", "features", "design"} <= set(res.timeseries.columns)


def test_layout_follows_drifting_ideals_on_their_attributes():
    res = run_scenario(compose(["scenario=shifting_tastes", "horizon_days=700"]).scenario(), 1)
    lay = layout(res)
    assert (lay.xlabel, lay.ylabel) == ("features", "design")
    trails = {s["segment"]: s for s in lay.segments}
    steps = res.preferences.t.nunique()
    assert len(trails["enthusiasts"]["trail"]) == steps
    assert "vector" in trails["budget"]  # no ideal point: a preference direction
    pos = final_positions(lay)
    assert set(pos[pos.kind == "product"].name) == {"us", "incumbent", "warrior", "follower"}
    mds = layout(res, method="mds")
    assert "MDS dimension 1" in mds.xlabel and len(mds.attribute_arrows) == 3
    with pytest.raises(ValueError, match="axes must name two different attributes"):
        layout(res, axes=("quality", "price"))
