"""The sweep plot's x axis (and legend title) name the swept key in full and, where the
key's name gives it, its unit: a price in the scenario's currency per unit, a budget per
week, days, a fraction."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sim.plots.sweep as sweep_plot  # noqa: E402


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    figures = []
    monkeypatch.setattr(sweep_plot, "save", lambda fig, path, banner=None: figures.append(fig))

    def draw(columns, currency="EUR"):
        n = len(next(iter(columns.values())))
        table = pd.DataFrame({"status": ["ok"] * n, **columns,
                              "npv": [-1e6 * (k + 1) for k in range(n)],
                              "final_market_share": [0.1] * n})
        sweep_plot.plot_sweep(table, tmp_path, currency=currency)
        return figures.pop()
    yield draw
    plt.close("all")


def test_the_x_axis_names_the_key_and_its_currency(drawn):
    fig = drawn({"override.firm.pricing.list_price": ["199", "249", "299", "199"]})
    assert {ax.get_xlabel() for ax in fig.axes} == {"firm.pricing.list_price (EUR per unit)"}


def test_a_second_key_titles_the_legend_with_its_unit(drawn):
    fig = drawn({"override.horizon_days": ["700", "700", "1400", "1400"],
                 "override.firm.marketing.budget_per_week": ["4e4", "8e4", "4e4", "8e4"]},
                currency="USD")
    assert fig.axes[0].get_xlabel() == "horizon_days (days)"
    assert fig.axes[-1].get_legend().get_title().get_text() == (
        "firm.marketing.budget_per_week (USD per week)")


@pytest.mark.parametrize("key, unit", [
    ("firm.pricing.list_price", "GBP per unit"),
    ("firm.production.unit_cost", "GBP per unit"),
    ("firm.finance.initial_cash", "GBP"),
    ("firm.marketing.budget_per_week", "GBP per week"),
    ("firm.development.planned_launch_day", "day of the run"),
    ("horizon_days", "days"),
    ("market.segments.0.churn_per_year", "per year"),
    ("firm.marketing.split.tv", "fraction"),
    ("tax_rate", "fraction"),
    ("firm.pricing.floor_over_unit_cost", ""),  # a ratio: no unit
    ("policy", ""),
])
def test_units_are_read_from_the_keys_names(key, unit):
    assert sweep_plot.key_unit(key, "GBP") == unit
