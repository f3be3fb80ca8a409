"""fit.json, fit.png and the market config written by a calibration (in process)."""

import datetime as dt
import json

import numpy as np
import pytest
import yaml

from sim.calibration.data import SalesSeries, read_sales_csv
from sim.calibration.fit import calibrate
from sim.calibration.output import check_name, default_name, market_yaml, write_outputs

REQUIRED = {"p", "q", "m", "p_ci", "q_ci", "m_ci", "r2", "mape", "peak_period", "peak_sales",
            "method", "ols"}


@pytest.fixture(scope="module")
def room_ac(data_dir):
    series = read_sales_csv(data_dir / "room_air_conditioners_1949_1961.csv")
    return calibrate(series, "room_ac", replicates=60, seed=0)


def test_market_yaml_has_exactly_the_schema_keys(room_ac):
    text = market_yaml(room_ac, today=dt.date(2026, 11, 25))
    lines = text.splitlines()
    assert lines[0].startswith("# Fitted by marketsim-fit from ")
    assert lines[0].endswith("on 2026-11-25: Bass p, q per year; size = market potential m.")
    assert lines[1:4] == ["name: room_ac", "segments:", "  - name: all"]
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


def test_same_seed_same_intervals(data_dir):
    series = read_sales_csv(data_dir / "color_televisions_1963_1970.csv")
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
