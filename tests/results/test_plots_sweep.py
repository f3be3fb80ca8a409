"""The sweep's comparison plot stays readable at scale: a grid over many numbers is a curve
on a numeric axis, categories beyond a dozen have thinned labels, and the jobs' dots are
left out where there are too many to tell apart."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sim.plots.sweep as sweep_plot  # noqa: E402


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    figures = []
    monkeypatch.setattr(sweep_plot, "save", lambda fig, path, banner=None: figures.append(fig))

    def draw(values, per_value, key="override.firm.pricing.list_price"):
        rng = np.random.default_rng(1)
        n = len(values) * per_value
        table = pd.DataFrame({
            "status": ["ok"] * n, key: [str(v) for v in values for _ in range(per_value)],
            "override.seed": [str(k % per_value) for k in range(n)],
            "npv": rng.normal(-1.9e7, 3e5, n), "final_market_share": rng.normal(0.2, 0.01, n)})
        sweep_plot.plot_sweep(table, tmp_path)
        fig = figures.pop()
        fig.canvas.draw()
        return fig, table
    return draw


def test_a_grid_over_many_numbers_is_a_curve_of_the_means(drawn):
    values = list(range(200, 1200, 20))  # 50 prices
    fig, table = drawn(values, 4)
    npv = fig.axes[0]
    assert fig._suptitle.get_text() == "Sweep: mean (line) and range of jobs (band)"  # 4 each
    assert npv.get_xlim()[0] <= 200 and npv.get_xlim()[1] >= 1180  # a numeric axis
    (line,) = [ln for ln in npv.get_lines() if len(ln.get_xdata()) == len(values)]
    means = (table.assign(p=table["override.firm.pricing.list_price"].astype(float))
             .groupby("p")["npv"].mean() / 1e6)
    np.testing.assert_allclose(line.get_ydata(), means.to_numpy())
    assert len(npv.collections) == 1  # the band, no dots


def test_few_values_keep_their_dots_and_many_jobs_drop_them(drawn):
    fig, _ = drawn([200, 220, 240], 5)
    assert fig._suptitle.get_text().endswith("; dots are jobs")
    assert len(fig.axes[0].collections) >= 3  # a dot cloud per value
    fig, _ = drawn([200, 220, 240], 200)
    assert fig._suptitle.get_text() == "Sweep: mean (diamond) and 5th-95th percentile of jobs"
    assert len(fig.axes[0].collections) == 0


def test_many_categories_have_thinned_labels(drawn):
    names = [f"option_{k}" for k in range(30)]
    fig, _ = drawn(names, 2, key="override.policy")
    shown = [t for t in fig.axes[0].get_xticklabels() if t.get_visible()]
    assert 1 < len(shown) <= sweep_plot.MAX_LABELS
    assert shown[0].get_text() == "option_0"


def test_few_numbers_sit_at_their_values(drawn):
    """Budgets of 40k, 80k, 88k, 120k and 200k: each mean at its own value on a numeric
    axis (as categories they were evenly spaced, which bent every slope)."""
    values = [40_000, 80_000, 88_000, 120_000, 200_000]
    fig, table = drawn(values, 3, key="override.firm.marketing.budget_per_week")
    npv = fig.axes[0]
    xs = sorted({round(float(x)) for ln in npv.get_lines() for x in ln.get_xdata()})
    assert set(values) <= set(xs)
    assert npv.get_xlim()[0] <= 40_000 and npv.get_xlim()[1] >= 200_000


def test_a_second_key_on_a_numeric_axis_keeps_every_mean_at_its_value(monkeypatch, tmp_path):
    """Two swept numbers: the second one's means were dodged sideways, so a price of 199
    read as about 190 on the numeric axis; each mean now sits at its own value and the
    second key's means are joined by a line each (told apart by colour, not by offset)."""
    figures = []
    monkeypatch.setattr(sweep_plot, "save", lambda fig, path, banner=None: figures.append(fig))
    rng = np.random.default_rng(2)
    rows = [{"status": "ok", "override.firm.pricing.list_price": str(price),
             "override.firm.marketing.budget_per_week": str(budget), "override.seed": str(s),
             "npv": rng.normal(-1.9e7 + 1e4 * price, 3e5), "final_market_share": 0.2}
            for price in (199, 249, 299) for budget in (40_000, 80_000) for s in range(3)]
    sweep_plot.plot_sweep(pd.DataFrame(rows), tmp_path)
    fig = figures.pop()
    fig.canvas.draw()
    npv = fig.axes[0]
    means = [ln for ln in npv.get_lines() if len(ln.get_xdata()) == 3]
    assert len(means) == 2  # one joined line of means per budget
    for ln in means:
        assert sorted(float(x) for x in ln.get_xdata()) == [199.0, 249.0, 299.0]
        assert ln.get_linestyle() != "None"
    for dots in npv.collections:  # the jobs' dots at their prices too
        xs = {round(float(x), 6) for x in dots.get_offsets()[:, 0]}
        assert xs <= {199.0, 249.0, 299.0}, xs


def test_few_jobs_per_value_show_their_range_and_many_their_percentiles(drawn):
    """Three seeds have no 5th and 95th percentiles to speak of: the band is their range,
    drawn from the lowest to the highest job; from MIN_JOBS_FOR_PERCENTILES jobs on, the
    5th-95th percentiles."""
    fig, table = drawn([200, 220, 240], 3)
    assert fig._suptitle.get_text() == ("Sweep: mean (diamond) and range of jobs"
                                        "; dots are jobs")
    npv = table.assign(p=table["override.firm.pricing.list_price"].astype(float),
                       m=table["npv"] / 1e6).groupby("p")["m"]
    bars = [ln for ln in fig.axes[0].get_lines() if len(ln.get_ydata()) == 2]
    ends = sorted((min(ln.get_ydata()), max(ln.get_ydata())) for ln in bars)
    np.testing.assert_allclose(ends, sorted(zip(npv.min(), npv.max(), strict=True)))
    fig, _ = drawn([200, 220, 240], sweep_plot.MIN_JOBS_FOR_PERCENTILES)
    assert "5th-95th percentile of jobs" in fig._suptitle.get_text()


def test_a_numeric_axis_has_a_tick_at_each_swept_value(drawn):
    fig, _ = drawn([40000, 80000, 88000, 120000, 200000], 3,
                   key="override.firm.marketing.budget_per_week")
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == [40000, 80000, 88000, 120000, 200000]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "40000", "80000", "88000", "120000", "200000"]
