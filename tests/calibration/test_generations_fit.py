"""``marketsim-fit --generations``: the Norton-Bass fit of several generations
(sim/calibration/generations.py) and the scenario it writes."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.calibration.cli import main
from sim.calibration.data import SalesSeries
from sim.calibration.generations import (
    calibrate_generations,
    generation_data,
    owned_cumulative,
    period_sales,
)
from sim.cli import compose
from sim.kernel.bass import norton_bass, norton_bass_reached
from sim.market.generations import Chain
from sim.scenario import run_scenario

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "diffusion"
IBM = [DATA_DIR / f"ibm_siu{k}.csv" for k in range(1, 5)]


def _series(sales, first_period, name):
    n = len(sales)
    return SalesSeries(source=name, period_column="period",
                       periods=np.arange(first_period, first_period + n, dtype=float),
                       sales=np.asarray(sales, float))


def test_units_sold_lie_between_the_installed_base_and_norton_bass_adopters():
    t = np.linspace(0.0, 20.0, 481)
    args = ([0.0, 4.0, 9.0], [100.0, 60.0, 40.0], 0.02, 0.45)
    sold = owned_cumulative(t, *args)
    reached, _ = norton_bass_reached(t, *args)
    installed = norton_bass(t, *args)
    assert np.all(sold >= installed - 1e-9) and np.all(sold <= reached + 1e-9)
    np.testing.assert_allclose(sold[-1], reached[-1], rtol=1e-12)  # the newest generation
    assert sold[0, -1] < reached[0, -1] - 5.0  # some go straight past generation 1


def test_units_sold_are_what_the_simulated_market_sells():
    p, q = 0.03 / 365, 0.38 / 365
    runs = []
    for seed in range(4):
        chain = Chain([0, 1, 2], [0.5, 0.3, 0.2], [1_000_000], [p], [q], "aggregate", seed, 0)
        sold = np.zeros(3)
        for day in range(2548):  # one-day steps: two clocks rarely fire in one step
            new, up, _, _ = chain.step(np.array([True, day >= 728, day >= 1456]),
                                       np.ones((1, 3)), 1.0)
            sold += (new + up)[0]
        runs.append(sold)
    runs = np.array(runs)
    grid = np.linspace(0.0, 2548.0, 4 * 2548 + 1)
    expected = owned_cumulative(grid, [0.0, 728.0, 1456.0], [5e5, 3e5, 2e5], p, q)[:, -1]
    se = runs.std(axis=0, ddof=1) / math.sqrt(len(runs))
    assert np.all(np.abs(runs.mean(axis=0) - expected) <= 4.0 * se + 1.0)


def test_noise_free_generations_give_back_their_parameters():
    truth = np.log([0.02, 0.5, 20_000.0, 60_000.0, 80_000.0])
    tau = np.array([0.0, 4.0, 9.0])
    lengths = [14, 12, 9]
    sales = period_sales(truth, tau, tau, lengths)
    series = [_series(s, 1 + int(t), f"g{k}") for k, (s, t) in enumerate(zip(sales, tau,
                                                                                 strict=True))]
    fit = calibrate_generations(series, "synthetic", replicates=0)
    np.testing.assert_allclose(fit.theta, truth, atol=1e-4)
    np.testing.assert_array_equal(fit.tau, tau)
    assert not any("potential" in n for n in fit.notes)


def test_a_generation_fitted_with_no_potential_of_its_own_says_so():
    """Two unrelated series taken as generations: the second's own potential comes out at
    about 0 (all its 830 sales upgrades from the first) and the scenario would get
    entry_share 0; a note says so (it said nothing)."""
    series = [_series([100, 300, 700, 1000, 900, 600, 350, 200], 1, "pastpeak.csv"),
              _series([10, 40, 120, 260, 400], 4, "lead0.csv")]
    fit = calibrate_generations(series, "odd", replicates=0)
    assert fit.m[1] < 1.0
    assert any("generation 2's own potential is about 0" in n for n in fit.notes)


def test_series_out_of_order_or_alone_are_refused():
    a, b = _series([1, 5, 9, 4], 1, "a.csv"), _series([2, 6, 8, 9], 3, "b.csv")
    with pytest.raises(ValueError, match="oldest first"):
        generation_data([b, a])
    with pytest.raises(ValueError, match="at least 2"):
        generation_data([a])


@pytest.mark.skipif(not all(p.exists() for p in IBM), reason="../shared data absent")
def test_ibm_generations_fit_write_a_scenario_that_simulates(tmp_path, capsys):
    out = tmp_path / "fit"
    code = main(["--generations", *map(str, IBM), "--name", "ibm", "--out", str(out),
                 "--bootstrap", "60", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report == json.loads((out / "fit.json").read_text())
    lo, hi = report["q_interval_per_year"]
    assert lo < report["q_per_year"] < hi and 0 < report["p_per_year"] < report["q_per_year"]
    assert [g["launch_period"] for g in report["generations"]] == [0.0, 5.0, 10.0, 15.0]
    assert report["r2"] > 0.9
    cfg = compose([f"hydra.searchpath=[file://{out}]", "scenario=ibm",
                   "horizon_days=2200", "dt_days=28"]).scenario()
    products = [f.product for f in cfg.firms]
    assert [p.generation_of for p in products] == [None, "gen1", "gen2", "gen3"]
    size = cfg.market.segments[0].size
    m = [g["m"] for g in report["generations"]]
    assert sum(p.entry_share for p in products) <= 1.0
    np.testing.assert_allclose([p.entry_share * size for p in products], m, rtol=1e-4)
    ts = run_scenario(cfg, 0).timeseries
    sold = ts[ts["product"] == "gen2"]["orders"].sum()
    assert sold > 0  # generation 2 launched on day 1825 and sold


def test_one_series_is_one_clear_error(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("year,sales\n1,10\n2,30\n3,50\n4,20\n")
    assert main(["--generations", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "at least 2" in err


def test_generations_on_different_time_axes_are_refused_naming_the_columns(tmp_path):
    """Calendar years beside a period index had read as "list the series oldest first",
    and a month column beside a year index had fitted a generation of m 0 (exit 0)."""
    from test_cli import run

    years = tmp_path / "years.csv"
    years.write_text("year,sales\n" + "".join(f"{1990 + i},{10 + 5 * i}\n" for i in range(8)))
    index = tmp_path / "index.csv"
    index.write_text("year,sales\n" + "".join(f"{1 + i},{10 + 5 * i}\n" for i in range(8)))
    months = tmp_path / "months.csv"
    months.write_text("month,sales\n" + "".join(f"{1 + i},{10 + 5 * i}\n" for i in range(8)))
    for first, second in ((years, index), (index, months)):
        res = run("--generations", first, second, "--out", tmp_path / "o")
        assert res.returncode == 2, res.stdout
        assert "periods are not on one time axis" in res.stderr
        assert res.stderr.count("--generations:") == 1
