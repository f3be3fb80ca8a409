"""The figures of one run say what they show: time in real units (not "per step"), a
product line's products told apart, labels beside their markers, and a last quarter cut
short by the horizon marked as such rather than drawn as a revenue collapse."""

import matplotlib

matplotlib.use("Agg")

from types import SimpleNamespace  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

import sim.plots.generations as generations_plot  # noqa: E402
import sim.plots.portfolio as portfolio_plot  # noqa: E402
import sim.plots.regions as regions_plot  # noqa: E402
import sim.plots.run as run_plot  # noqa: E402
from sim.cli import compose  # noqa: E402
from sim.plots import perceptual_map  # noqa: E402
from sim.scenario import run_scenario  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def run(*overrides):
    return run_scenario(compose(list(overrides)).scenario(), 0)


@pytest.fixture
def figures(monkeypatch):
    """The figures ``plot_run`` makes, by file name, instead of PNGs."""
    made = {}

    def keep(fig, path, banner=None):
        made[path.name] = fig

    for module in (run_plot, regions_plot, generations_plot, portfolio_plot):
        monkeypatch.setattr(module, "save", keep)
    return made


def texts(fig) -> str:
    """Every title, axis label and suptitle of a figure, one per line."""
    out = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    return "\n".join(out)


def test_a_step_is_named_in_real_units():
    from sim.plots import per_step

    assert per_step(7.0) == "per week"
    assert per_step(1) == "per day"
    assert per_step(28.0) == "per 28-day step"
    assert per_step(3.5) == "per 3.5-day step"


@pytest.mark.parametrize("dt, per", [(7.0, "per week"), (28.0, "per 28-day step")])
def test_run_plots_name_the_step_in_days(figures, tmp_path, dt, per):
    run_plot.plot_run(run("scenario=global_rollout", "horizon_days=500", f"dt_days={dt:g}"),
                      tmp_path)
    for name in ("adoption_share.png", "regions.png"):
        text = texts(figures[name])
        assert "per step" not in text, (name, text)
        assert per in text, (name, text)


def test_the_cannibalisation_panel_names_the_step_in_days(figures, tmp_path):
    run_plot.plot_run(run("scenario=next_generation", "horizon_days=700", "dt_days=14"),
                      tmp_path)
    text = texts(figures["generations.png"])
    assert "per step" not in text and "upgraders per 14-day step" in text


@pytest.fixture(scope="module")
def product_line():
    return run("scenario=product_line", "horizon_days=700")


def test_a_firms_products_differ_in_colour_in_every_legend(figures, tmp_path, product_line):
    """product_line: the perceptual map's legend drew hub_pro and hub_lite of firm us as
    the same blue dot; the adoption plot told them apart by dash alone."""
    run_plot.plot_run(product_line, tmp_path)
    legend = figures["perceptual_map.png"].axes[0].get_legend()
    ours = {t.get_text().split(":")[0]: h for t, h in zip(legend.texts, legend.legend_handles,
                                                          strict=True)
            if t.get_text().startswith("us (")}
    assert set(ours) == {"us (hub_pro)", "us (hub_lite)"}
    pro, lite = ours["us (hub_pro)"], ours["us (hub_lite)"]
    assert to_rgb(pro.get_color()) != to_rgb(lite.get_color())
    assert pro.get_marker() != lite.get_marker()
    legend = figures["adoption_share.png"].axes[1].get_legend()
    colors = {t.get_text(): to_rgb(h.get_color())
              for t, h in zip(legend.texts, legend.legend_handles, strict=True)}
    assert colors["us: hub_pro"] != colors["us: hub_lite"]
    assert len(set(colors.values())) == len(colors) == 4  # 2 of ours, 1 each of 2 rivals


def _disc_hits_box(cx, cy, r, box) -> bool:
    nx, ny = min(max(cx, box.x0), box.x1), min(max(cy, box.y0), box.y1)
    return (nx - cx) ** 2 + (ny - cy) ** 2 < r * r


@pytest.mark.parametrize("scenario", ["next_generation", "product_line", "baseline"])
def test_no_label_of_the_perceptual_map_sits_on_a_marker(scenario):
    """next_generation: "enthusiasts prefers" was written across hub2's dot and "us hub"
    began inside its own dot (an offset of 8 points from the centre of a dot of radius
    10)."""
    ax = perceptual_map(run(f"scenario={scenario}", "horizon_days=700"))
    fig = ax.figure
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0
    discs = []
    for coll in ax.collections:
        if isinstance(coll, PathCollection):
            sizes = np.broadcast_to(coll.get_sizes(), (len(coll.get_offsets()),))
            for xy, s in zip(coll.get_offsets(), sizes, strict=True):
                discs.append((*ax.transData.transform(xy), np.sqrt(s) / 2 * px))
    labels = [t for t in ax.texts if t.get_text()]
    assert len(labels) >= 3 and len(discs) >= 4
    for text in labels:
        box = text.get_window_extent(renderer)
        hits = [d for d in discs if _disc_hits_box(*d, box)]
        assert not hits, f"{text.get_text()!r} sits on a marker"


def _revenue_results(horizon_days: float):
    """A two-product firm selling 1,000 of revenue a week of each product to the horizon."""
    days = np.arange(0.0, horizon_days, 7.0)
    ledger = pd.DataFrame({"t": np.repeat(days, 2), "firm": "us", "account": "revenue",
                           "amount": 1000.0, "product": ["pro", "lite"] * len(days)})
    firm = SimpleNamespace(name="us", product=SimpleNamespace(name="pro"),
                           line=[SimpleNamespace(product=SimpleNamespace(name="lite"))])
    config = SimpleNamespace(firm=firm, horizon_days=horizon_days, currency="EUR")
    return SimpleNamespace(config=config, ledger=ledger)


def test_a_last_quarter_cut_short_by_the_horizon_is_hatched_and_labelled(monkeypatch,
                                                                           tmp_path):
    """1,825 days: quarter 20 holds days 1,820-1,824 alone; drawn like the others its bar
    (a 13th of theirs) read as a collapse of revenue."""
    made = []
    monkeypatch.setattr(portfolio_plot, "save", lambda fig, path, banner=None: made.append(fig))
    assert portfolio_plot.portfolio_revenue(_revenue_results(1825.0), tmp_path / "p.png")
    ax = made[0].axes[0]
    bars = [p for p in ax.patches if p.get_height() > 0]
    last = [p for p in bars if abs(p.get_x() + p.get_width() / 2 - 20) < 1e-9]
    full = [p for p in bars if p not in last]
    assert len(last) == 2 and len(full) == 2 * 20  # both products, every quarter
    assert all(p.get_hatch() for p in last)
    assert not any(p.get_hatch() for p in full)
    assert any(t.get_text() == "5 days" for t in ax.texts)
    assert "5 of 91 days" in ax.get_title()
    assert "partial quarter (5 days to the horizon)" in [
        t.get_text() for t in ax.get_legend().texts]


def test_whole_quarters_have_no_partial_mark(monkeypatch, tmp_path):
    made = []
    monkeypatch.setattr(portfolio_plot, "save", lambda fig, path, banner=None: made.append(fig))
    assert portfolio_plot.portfolio_revenue(_revenue_results(8 * 91.0), tmp_path / "p.png")
    ax = made[0].axes[0]
    assert not any(p.get_hatch() for p in ax.patches)
    assert not ax.texts and "hatched" not in ax.get_title()
    np.testing.assert_array_equal(portfolio_plot.quarter_days([0, 7, 8], 1825.0),
                                  [91.0, 91.0, 91.0])
    np.testing.assert_array_equal(portfolio_plot.quarter_days([19, 20], 1825.0), [91.0, 5.0])


def test_the_last_steps_count_is_drawn_at_a_full_steps_rate():
    """The run's last market step may be shorter than dt_days (sim.units.step_days: from
    day 2,912 of 2,920 at dt_days=28 it lasts 14 days); its count, drawn "per 28-day
    step", had read as a fall at the end of every series. Full steps are left as they
    are."""
    from sim.plots.style import per_full_step
    from sim.units import step_days

    cfg = SimpleNamespace(dt_days=28.0, horizon_days=2920.0)
    t = [2856.0, 2884.0, 2912.0]
    last = float(step_days(2912.0, 28.0, 2920.0))
    assert last < 28.0
    out = per_full_step(pd.DataFrame({"t": t, "units": [280.0, 280.0, 10.0 * last]}),
                        "units", cfg)
    assert out["units"].tolist() == pytest.approx([280.0, 280.0, 280.0])
    week = SimpleNamespace(dt_days=7.0, horizon_days=1825.0)
    frame = pd.DataFrame({"t": [1813.0, 1820.0], "units": [5.0, 7.0]})
    assert per_full_step(frame, "units", week)["units"].tolist() == [5.0, 7.0]
