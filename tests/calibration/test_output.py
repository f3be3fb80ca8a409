"""fit.json, fit.png and the market config written by a calibration (in process)."""

import datetime as dt
import json

import numpy as np
import pytest
import yaml

from sim.calibration.bass import period_sales, unit_bounds
from sim.calibration.bayes import calibrate_bayes
from sim.calibration.data import SalesSeries
from sim.calibration.fit import calibrate
from sim.calibration.output import check_name, default_name, market_yaml, write_outputs

REQUIRED = {"p", "q", "m", "p_ci", "q_ci", "m_ci", "r2", "mape", "peak_period", "peak_sales",
            "method", "ols"}


def classic_like(seed=0):
    """A textbook Bass curve in the units of the classic durables (thousands), 1949-1961."""
    rng = np.random.default_rng(seed)
    sales = period_sales(0.0094, 0.375, 18_700.0, unit_bounds(13))
    sales = np.round(sales * (1 + 0.08 * rng.standard_normal(13)))
    return SalesSeries("synthetic_rac.csv", "year", np.arange(1949.0, 1962.0), sales)


@pytest.fixture(scope="module")
def room_ac():
    return calibrate(classic_like(), "room_ac", replicates=60, seed=0)


def test_market_yaml_has_exactly_the_schema_keys(room_ac):
    text = market_yaml(room_ac, today=dt.date(2026, 11, 25))
    lines = text.splitlines()
    assert lines[0].startswith('# Fitted by marketsim-fit from "synthetic_rac.csv" ')
    assert lines[0].endswith("on 2026-11-25: Bass p, q per year; size = market potential m.")
    assert lines[1:4] == ["name: room_ac", "segments:", "- name: all"]
    doc = yaml.safe_load(text)
    assert list(doc) == ["name", "segments"] and len(doc["segments"]) == 1
    seg = doc["segments"][0]
    assert list(seg) == ["name", "size", "p", "q"]
    assert seg["size"] == round(room_ac.bass.m) and isinstance(seg["size"], int)
    assert seg["p"] == pytest.approx(room_ac.bass.p, rel=1e-5)
    assert seg["q"] == pytest.approx(room_ac.bass.q, rel=1e-5)


def test_per_year_conversion():
    series = SalesSeries("q.csv", "quarter", np.arange(1.0, 13), np.array(
        [5, 9, 16, 27, 41, 55, 62, 58, 46, 32, 20, 12], float))
    cal = calibrate(series, "quarterly", replicates=0, period_years=0.25)
    seg = yaml.safe_load(market_yaml(cal))["segments"][0]
    assert seg["p"] == pytest.approx(4 * cal.bass.p, rel=1e-5)
    assert seg["q"] == pytest.approx(4 * cal.bass.q, rel=1e-5)
    report = cal.to_dict()
    assert report["q_per_year"] == pytest.approx(4 * report["q"])
    assert report["peak_year"] is None  # a quarter index is not a calendar year


def test_market_yaml_composes_with_the_market_schema(room_ac, tmp_path):
    config = pytest.importorskip("sim.config")
    from omegaconf import OmegaConf

    path = tmp_path / "room_ac.yaml"
    path.write_text(market_yaml(room_ac))
    merged = OmegaConf.merge(OmegaConf.structured(config.MarketConfig), OmegaConf.load(path))
    market = OmegaConf.to_object(merged)
    assert market.name == "room_ac" and market.segments[0].name == "all"
    assert market.segments[0].size == round(room_ac.bass.m)


def test_write_outputs(room_ac, tmp_path):
    paths = write_outputs(room_ac, tmp_path / "out")
    report = json.loads(paths["json"].read_text())
    assert REQUIRED <= set(report)
    assert report["method"] == "bass-nls" and report["ci_level"] == 0.95
    assert report["peak_year"] == pytest.approx(1949 + report["peak_period"])
    assert paths["yaml"].read_text().count("posterior") == 0  # nls has no posterior
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths["yaml"] == tmp_path / "out" / "market" / "room_ac.yaml"


def test_plot_with_gbm_and_invalid_ols(tmp_path):
    n = 12
    price = 50.0 * 0.95 ** np.arange(n)
    sales = np.array([2.0, 2, 2, 3, 4, 9, 7, 16, 23, 24, 15, 6])
    series = SalesSeries("mix.csv", "year", np.arange(1970.0, 1970 + n), sales, price=price)
    cal = calibrate(series, "mix", replicates=30, seed=0)
    paths = write_outputs(cal, tmp_path)
    assert paths["png"].stat().st_size > 10_000
    assert json.loads(paths["json"].read_text())["gbm"]["beta_price"] is not None


def test_json_is_strict(room_ac):
    text = json.dumps(room_ac.to_dict(), allow_nan=False)  # no NaN or Infinity
    assert json.loads(text)["name"] == "room_ac"


def test_same_seed_same_intervals():
    series = classic_like(seed=3)
    a = calibrate(series, "tv", replicates=40, seed=9).to_dict()
    b = calibrate(series, "tv", replicates=40, seed=9).to_dict()
    c = calibrate(series, "tv", replicates=40, seed=10).to_dict()
    assert a == b and a["p_ci"] != c["p_ci"]


@pytest.mark.parametrize("path, name", [("data/room_air_conditioners_1949_1961.csv",
                                         "room_air_conditioners_1949_1961"),
                                        ("x/my sales (2024).csv", "my_sales_2024"),
                                        ("x/2024.csv", "m_2024")])
def test_default_name(path, name):
    assert default_name(path) == name and check_name(name) == name


@pytest.mark.parametrize("name", ["bad name", "../x", "null", "true", "1abc", ""])
def test_bad_names_rejected(name):
    with pytest.raises(ValueError, match="--name"):
        check_name(name)


def test_bayes_market_yaml_composes_and_names_the_posterior(tmp_path):
    config = pytest.importorskip("sim.config")
    from omegaconf import OmegaConf

    cal = calibrate_bayes(classic_like(), "rac_bayes", horizon=4, draws=300)
    paths = write_outputs(cal, tmp_path, plot=True)
    text = paths["yaml"].read_text()
    assert "../posterior.json" in text and "../posterior.csv" in text
    merged = OmegaConf.merge(OmegaConf.structured(config.MarketConfig),
                             OmegaConf.load(paths["yaml"]))
    market = OmegaConf.to_object(merged)
    assert market.segments[0].size == round(cal.m)
    assert paths["png"].stat().st_size > 10_000
    rows = paths["forecast"].read_text().splitlines()
    assert rows[0].startswith("h,period,sales,sales_lower") and len(rows) == 5
    post = json.loads(paths["posterior"].read_text())
    assert np.allclose(np.exp(post["z"][:2]), [cal.p, cal.q])
    assert len(post["covariance"]) == 3 and post["prior"]["log_q_sd"] > 0


def test_bayes_same_seed_same_forecast():
    a = calibrate_bayes(classic_like(), "a", horizon=3, seed=4, draws=300).to_dict()
    b = calibrate_bayes(classic_like(), "a", horizon=3, seed=4, draws=300).to_dict()
    c = calibrate_bayes(classic_like(), "a", horizon=3, seed=5, draws=300).to_dict()
    assert a == b and a["forecast"] != c["forecast"]
    json.dumps(a, allow_nan=False)


def test_a_forecast_that_jumps_back_up_past_the_peak_says_so():
    """A series in decline (1,000 down to 100 a year) is forecast at 616 for the next year:
    the forecast restarts the Bass curve from the level reached with the refit's m. The
    forecaster stays as it was chosen (placing it by the curve's own time made the
    development set worse), and a note tells the reader; a series on its way up gets none."""
    falling = SalesSeries("decl.csv", "year", np.arange(2015.0, 2021.0),
                          np.array([1000.0, 800.0, 600.0, 400.0, 200.0, 100.0]))
    cal = calibrate_bayes(falling, "decl", horizon=3, draws=400)
    assert cal.fc.sales_point[0] > 1.5 * 100.0
    assert any("past its peak" in n for n in cal.notes)
    assert any("past its peak" in n for n in cal.to_dict()["notes"])
    whole = classic_like()  # its 13 years run past the peak; its first 8 do not
    rising = SalesSeries("rac.csv", "year", whole.periods[:8], whole.sales[:8])
    assert np.all(np.diff(rising.sales) > 0)
    assert not any("past its peak" in n
                   for n in calibrate_bayes(rising, "rac", horizon=3, draws=400).notes)


def test_the_summary_names_the_peak_a_rate():
    """On a spike, the Bass curve's instantaneous peak rate m (p+q)^2/4q exceeds m itself;
    the summary called it "peak sales per period"."""
    from sim.calibration.summary import summary

    cal = calibrate_bayes(classic_like(), "rac", horizon=0, draws=200)
    text = summary(cal.to_dict(), {})
    assert "peak rate = " in text and "peak sales" not in text


def test_a_forecast_from_the_plain_fit_says_its_intervals_held_less_than_they_claim():
    """Past the peak the plain fit drives the forecast, whose 95% intervals held 80-92% of
    the development set's outcomes (bench_forecast.py's coverage_by_fit): the note says so,
    with the measured figures; a forecast from the discounted fit (on the way up) and a fit
    without a forecast get none."""
    from sim.calibration.bass import cumulative_share
    from sim.calibration.bayes import LATE_COVERAGE

    sales = np.diff(10_000.0 * cumulative_share(np.arange(0.0, 11.0), 0.01, 0.5))
    past = SalesSeries("late.csv", "year", np.arange(2000.0, 2010.0), sales)
    cal = calibrate_bayes(past, "late", horizon=3, draws=400)
    assert cal.fc.discount_per_year == 1.0
    late = [n for n in cal.notes if "comes from the plain fit" in n]
    assert len(late) == 1 and f"{LATE_COVERAGE[1]:.0%} ten ahead" in late[0]
    assert late[0].endswith("narrower than 95%")
    half = calibrate_bayes(past, "late", horizon=3, draws=400, level=0.5).notes
    assert any("these 50% intervals were not measured" in n for n in half)
    early = SalesSeries("early.csv", "year", np.arange(2000.0, 2006.0), sales[:6])
    cal = calibrate_bayes(early, "early", horizon=3, draws=400)
    assert cal.fc.discount_per_year < 1.0
    assert not any("comes from the plain fit" in n for n in cal.notes)
    assert not any("comes from the plain fit" in n
                   for n in calibrate_bayes(past, "late", horizon=0, draws=400).notes)
