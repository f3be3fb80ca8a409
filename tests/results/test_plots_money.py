"""Money axes in millions (or thousands, billions) of the currency, named in the label,
not raw amounts under matplotlib's ``1e7`` offset, which a strategist misreads."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

import sim.plots.sweep as sweep_plot  # noqa: E402
from sim.plots import money_scale, plot_sweep  # noqa: E402


def test_the_scale_is_the_largest_the_values_reach():
    assert money_scale([-19_334_157.0, 3.0]) == (1e6, "millions")
    assert money_scale(pd.Series([2.5e9, -1.0])) == (1e9, "billions")
    assert money_scale([float("nan"), 1500.0, float("-inf")]) == (1e3, "thousands")
    assert money_scale([999.0, -999.0]) == (1.0, "")
    assert money_scale([]) == (1.0, "")


def test_the_sweep_plot_shows_npv_in_millions(tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(sweep_plot, "save", lambda fig, path, banner=None: figures.append(fig))
    table = pd.DataFrame({
        "status": ["ok"] * 4,
        "override.firm.pricing.list_price": ["200", "200", "240", "240"],
        "npv": [-2.1e7, -2.2e7, -1.9e7, -1.8e7],
        "cumulative_profit": [-2.7e7, -2.8e7, -2.3e7, -2.4e7],
        "final_market_share": [0.35, 0.34, 0.25, 0.26]})
    plot_sweep(table, tmp_path, currency="EUR")
    (fig,) = figures
    npv, share, profit = fig.axes[:3]
    assert npv.get_ylabel() == "NPV (millions of EUR)"
    assert profit.get_ylabel() == "cumulative profit (millions of EUR)"
    assert share.get_ylabel() == "final unit share"
    low, high = npv.get_ylim()
    assert -23 < low < high < -17  # the values themselves, in millions
    fig.canvas.draw()  # the tick labels and their offset are made when drawn
    assert npv.yaxis.get_offset_text().get_text() == ""
    assert profit.yaxis.get_offset_text().get_text() == ""
