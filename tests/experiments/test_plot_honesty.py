"""The runners' figures say what they show: a heatmap cell that was not run is marked,
not left blank; the Sobol panel has no legend entry without bars; time series name the
step's length in days."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

BASE = {"currency": "USD"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _mix(budgets=(40_000.0, 160_000.0)):
    """Quick mode's plan: own_split at both budgets, test_and_shift at the top one only."""
    plan = pd.DataFrame([
        {"option": f"own_split_{b / 1000:g}k", "allocation": "own_split", "budget_per_week": b}
        for b in budgets] + [{"option": "test_and_shift_160k", "allocation": "test_and_shift",
                              "budget_per_week": budgets[-1]}])
    summary = plan.assign(npv_mean=[-7.57e6, -12.15e6, -12.17e6])
    return summary, plan, ["own_split", "test_and_shift"], list(budgets)


def test_a_pair_that_was_not_run_is_a_marked_cell_not_a_blank_one():
    from experiments.marketing_mix import npv_heatmap

    fig = npv_heatmap(*_mix(), BASE)
    ax = fig.axes[0]
    marks = [t for t in ax.texts if t.get_text() == "not run"]
    assert len(marks) == 1
    assert marks[0].get_position() == (0.5, 1.5)  # test_and_shift (row 1) at 40k (column 0)
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert [(p.get_x(), p.get_y()) for p in hatched] == [(0, 1)]
    assert "grey: not run" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().texts] == [
        "not run: this pair is not among the options"]
    numbers = sorted(t.get_text() for t in ax.texts if t.get_text() != "not run")
    assert numbers == ["-12.15", "-12.17", "-7.57"]


def test_a_full_grid_has_no_marks_and_a_failed_cell_says_no_result():
    from experiments.figures import mark_missing

    _, ax = plt.subplots()
    assert mark_missing(ax, pd.DataFrame([[1.0, 2.0]])) == []
    assert not ax.patches and ax.get_legend() is None
    _, ax = plt.subplots()
    assert mark_missing(ax, pd.DataFrame([[1.0, np.nan]])) == ["no result"]
    assert [t.get_text() for t in ax.texts] == ["no result"]


def _sobol(src2):
    return pd.DataFrame({"input": ["unit_cost", "market_q"], "S1": [0.6, 0.15],
                         "S1_conf": [0.3, 0.16], "ST": [0.7, 0.2], "ST_conf": [0.1, 0.1],
                         "SRC2": src2})


def _legend_and_bars(fig):
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().texts]
    bars = {c.get_label(): [p.get_height() for p in c] for c in ax.containers
            if hasattr(c, "patches")}
    return ax, labels, bars


def test_the_sobol_panel_has_no_legend_entry_without_bars():
    """Quick mode: too few points for the regression check, whose SRC² (all NaN) had a
    legend entry and no bars."""
    from experiments.sensitivity import sobol_figure

    fig = sobol_figure(_sobol([np.nan, np.nan]), "Sobol indices of NPV",
                       "too few points (8; it needs 30)")
    ax, labels, bars = _legend_and_bars(fig)
    assert not any("SRC" in label for label in labels)
    assert len(labels) == 2
    for label in labels:  # every entry has its bars, with heights
        assert np.isfinite(bars[label]).all() and len(bars[label]) == 2
    assert "no regression check (SRC²): too few points (8; it needs 30)" in ax.get_title()


def test_the_sobol_panel_draws_the_regression_check_when_there_is_one():
    from experiments.sensitivity import sobol_figure

    fig = sobol_figure(_sobol([0.55, 0.1]), "Sobol indices of NPV")
    ax, labels, bars = _legend_and_bars(fig)
    assert len(labels) == 3 and any("SRC²" in label for label in labels)
    src = next(label for label in labels if "SRC²" in label)
    np.testing.assert_allclose(bars[src], [0.55, 0.1])
    assert "no regression check" not in ax.get_title()


@pytest.mark.parametrize("dt, per", [(7.0, "per week"), (28.0, "per 28-day step")])
def test_the_cannibalisation_plot_names_the_step_in_days(dt, per):
    from experiments.generation_timing import cannibalisation_over_time

    ts = pd.DataFrame({"option": "now", "seed": 0, "product": "hub2",
                       "t": np.arange(0.0, 10 * dt, dt), "upgraders": 1.0})
    fig = cannibalisation_over_time(ts, ["now"], "hub2", dt)
    assert fig.axes[0].get_ylabel() == f"upgraders {per}"


@pytest.mark.parametrize(("seeds", "words"), [(3, "range (lowest to highest)"),
                                              (19, "range (lowest to highest)"),
                                              (20, "5th-95th percentile band")])
def test_a_band_over_few_seeds_is_their_range(seeds, words):
    """Over fewer than 20 seeds a band is their whole range and says so (a quick run's
    "5th-95th percentile band" of 3 seeds was nearly their min-max); from 20 on, the 5th
    and 95th percentiles. The title names the band and the number of seeds."""
    from experiments.figures import over_time, seed_band

    assert seed_band(seeds)[1] == words
    rng = np.random.default_rng(seeds)
    ts = pd.DataFrame([{"option": "a", "seed": s, "t": t, "installed_base": rng.normal(100, 10)}
                       for s in range(seeds) for t in (7.0, 14.0)])
    fig = over_time(ts, [("installed_base", "installed base", 1)], ["a"], "us")
    try:
        assert fig._suptitle.get_text() == f"us: median and {words} over {seeds} seeds"
        (band,) = fig.axes[0].collections
        low, high = band.get_paths()[0].vertices[:, 1].min(), band.get_paths()[0].vertices[:, 1].max()
        values = ts["installed_base"]
        if seeds < 20:  # the band reaches the lowest and the highest seed
            assert (low, high) == pytest.approx((values.min(), values.max()))
        else:
            assert values.min() < low and high < values.max()
    finally:
        plt.close(fig)
