"""The shipped ``norton_bass`` scenario (three generations of one line, no marketing, no
churn) reproduces the Norton and Bass (1987) closed form; units are conserved; the agent
mode agrees with the aggregate mode in distribution."""

import numpy as np
import pytest

from sim.cli import compose
from sim.kernel.bass import norton_bass
from sim.scenario import run_scenario

GENS = ["gen1", "gen2", "gen3"]


def _config(*overrides):
    return compose(["scenario=norton_bass", *overrides]).scenario()


def _installed(cfg, seed):
    ts = run_scenario(cfg, seed).timeseries
    wide = ts.pivot(index="t", columns="product", values="installed_base")
    return wide.index.to_numpy(), wide[[g for g in GENS if g in wide]].to_numpy().T


def _closed_form(cfg, t, n_gens):
    seg = cfg.market.segments[0]
    firms = cfg.firms[:n_gens]
    launch = [0.0] + [f.development.planned_launch_day for f in firms[1:]]
    m = [f.product.entry_share * seg.size for f in firms]
    # the row at day t holds the owners after the step [t, t + dt]
    return norton_bass(t + cfg.dt_days, launch, m, seg.p / 365.0, seg.q / 365.0)


@pytest.mark.parametrize("n_gens", [2, 3])
def test_aggregate_mode_follows_the_norton_bass_closed_form(n_gens):
    # a clock fires with the Bass path's own probability over a step, so a 28-day step is
    # as exact as a 7-day one and lets 30 replications run in seconds
    cfg = _config("dt_days=28", *(["~competitors.v3", "horizon_days=1820"] if n_gens == 2
                                  else []))
    runs = []
    for seed in range(30):
        t, installed = _installed(cfg, seed)
        runs.append(installed)
    runs = np.array(runs, float)  # (seeds, K, T)
    closed = _closed_form(cfg, t, n_gens)
    mean = runs.mean(axis=0)
    # the standard error of the mean over the seeds, measured, but never below the
    # binomial error of one count (the Bass feedback only widens it); the one unit added
    # covers the steps before a launch, where both are exactly 0 and so is the error
    size = cfg.market.segments[0].size
    binomial = np.sqrt(closed * (1.0 - closed / size))
    se = np.maximum(runs.std(axis=0, ddof=1), binomial) / np.sqrt(len(runs))
    assert np.all(np.abs(mean - closed) <= 4.0 * se + 1.0)
    # and the test has teeth: the curves move by far more than the tolerance
    assert closed[n_gens - 1, -1] > 100 * (4.0 * se[n_gens - 1, -1] + 1.0)


def test_units_of_all_generations_add_up_to_what_the_market_bought():
    ts = run_scenario(_config(), 4).timeseries
    by = {g: ts[ts["product"] == g].set_index("t") for g in GENS}
    # each generation's owners are its adopters and upgraders less the units upgraded away
    for g in GENS:
        d = by[g]
        flow = (d["new_adopters"] + d["upgraders"] - d["cannibalised"]).cumsum()
        np.testing.assert_array_equal(d["installed_base"], flow)
        np.testing.assert_array_equal(d["orders"], d["new_adopters"] + d["upgraders"])
    total = sum(by[g]["installed_base"] for g in GENS)
    adopters = sum(by[g]["new_adopters"] for g in GENS).cumsum()
    np.testing.assert_array_equal(total, adopters)
    # every unit an upgrader buys is one unit of an older generation given up
    np.testing.assert_array_equal(by["gen2"]["upgraders"] + by["gen3"]["upgraders"],
                                  by["gen1"]["cannibalised"] + by["gen2"]["cannibalised"])
    assert by["gen3"]["upgraders"].sum() > 0 and by["gen1"]["cannibalised"].sum() > 0


def test_agent_mode_agrees_with_the_aggregate_mode_in_distribution():
    small = ["market.segments.0.size=100000", "dt_days=28"]
    finals = {}
    for mode in ("aggregate", "agent"):
        cfg = _config(*small, f"mode={mode}")
        finals[mode] = np.array([_installed(cfg, seed)[1][:, -1] for seed in range(5)], float)
    a, b = finals["aggregate"], finals["agent"]
    # Welch's two-sample difference per generation, 4 standard errors
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
    assert np.all(np.abs(a.mean(axis=0) - b.mean(axis=0)) <= 4.0 * se)
    assert np.all(a.mean(axis=0) > 10 * 4.0 * se)  # a test that can tell a difference


def test_cannibalisation_rate_is_the_upgraders_share_of_the_new_generations_adoptions():
    res = run_scenario(_config("horizon_days=1700", "dt_days=14"), 2)
    kpis = res.kpis
    ts = res.timeseries
    later = ts[ts["product"].isin(["gen2", "gen3"])]
    upgraders = later["upgraders"].sum()
    assert 0 < upgraders < later["new_adopters"].sum() + upgraders
    assert kpis["cannibalisation_rate"] == pytest.approx(
        upgraders / (later["new_adopters"].sum() + upgraders), rel=1e-12)
    assert kpis["cannibalised_units"] == ts["cannibalised"].sum() == upgraders
    plain = run_scenario(compose(["scenario=bass_only", "horizon_days=100"]).scenario(), 0)
    assert plain.kpis["cannibalisation_rate"] is None


def test_a_run_with_generations_draws_them(tmp_path):
    from sim.plots import plot_run

    res = run_scenario(_config("horizon_days=1600", "dt_days=28"), 0)
    paths = plot_run(res, tmp_path)
    png = tmp_path / "generations.png"
    assert png in paths and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plain = run_scenario(compose(["scenario=bass_only", "horizon_days=60"]).scenario(), 0)
    assert not any(p.name == "generations.png" for p in plot_run(plain, tmp_path / "plain"))


def test_a_dearer_next_generation_is_adopted_less_and_upgraded_to_less():
    adopted = []
    for price in (249.0, 299.0, 349.0):
        cfg = compose(["scenario=next_generation", "horizon_days=1095", "dt_days=14",
                       f"firm.line.0.pricing.list_price={price}"]).scenario()
        ts = run_scenario(cfg, 0).timeseries
        v2 = ts[ts["product"] == "hub2"]
        adopted.append((v2["new_adopters"].sum(), v2["upgraders"].sum()))
    new, up = zip(*adopted, strict=True)
    assert new[0] > new[1] > new[2] > 0 and up[0] > up[1] > up[2] > 0


def test_generations_of_a_product_line_are_found():
    """v2 as the second product of our line (scenario next_generation) is a generation for
    the plots and the checks, as a rival's product would be."""
    from sim.plots.generations import generation_names

    cfg = compose(["scenario=next_generation"]).scenario()
    assert generation_names(cfg) == ["hub", "hub2"]
    with pytest.raises(Exception, match="generation_of must name exactly one earlier product"):
        compose(["scenario=next_generation", "firm.line.0.product.generation_of=nothere"])
