"""The forecast benchmark's machinery on series the test makes (the real data are in
../shared; the script itself skips cleanly without them)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.calibration.bass import cumulative_share

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_forecast.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_forecast", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def penetration(p, q, m, years, start=0.0):
    t = np.arange(years, dtype=float) + start
    return {"name": f"bass_{p}_{q}", "kind": "penetration", "base_known": True,
            "ceiling": 100.0, "level": m * cumulative_share(t, p, q),
            "years": 1950.0 + np.arange(years)}


def test_origins_are_the_first_period_at_the_fraction_of_the_final_level(bench):
    s = {"level": np.array([1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 40.0, 40.0])}
    assert bench.cases(s, 0.25, 5) is None  # index 4 + 5 is past the data
    assert bench.cases(s, 0.10, 3) == 2
    assert bench.cases(s, 0.10, 5) == 2
    assert bench.cases({"level": np.array([20.0, 30, 40, 40, 40, 40, 40, 40])}, 0.25, 5) is None


def test_gaps_are_cut_and_single_missing_years_interpolated(bench):
    years, level = bench._runs([1900, 1901, 1903, 1904, 1930, 1931], [1, 2, 4, 5, 50, 51])
    np.testing.assert_array_equal(years, [1900, 1901, 1902, 1903, 1904])
    np.testing.assert_array_equal(level, [1, 2, 3, 4, 5])


def test_scores_on_exact_bass_series(bench):
    series = [penetration(0.01, 0.5, 80.0, 30), penetration(0.02, 0.35, 60.0, 35)]
    records = bench.evaluate(series, nls_bootstrap=0)
    table = bench.summarise(records)
    row = next(r for r in table if r["origin"] == 0.25 and r["horizon"] == 5)
    assert row["series"] == 2
    ours = row["methods"]["forecast"]
    assert ours["mdape"] < row["methods"]["naive"]["mdape"]  # the curve is rising
    assert ours["coverage95"] == 1.0
    assert row["methods"]["naive"]["coverage95"] is None  # no interval: n/a, not 0
    wins = sum(m["win_share"] for m in row["methods"].values())
    assert wins == pytest.approx(1.0)


def test_script_runs_or_skips_cleanly():
    res = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0 and "--test-set" in res.stdout


def test_coverage_is_split_by_the_fit_that_drove_the_forecast(bench):
    """The coverage quoted by marketsim-fit's past-peak note: the forecast's records are
    grouped by the fit that drove them; other methods' records are not counted."""
    def rec(fit, h, covered, method="forecast"):
        return {"method": method, "fit": fit, "horizon": h, "covered": covered}

    records = [rec("plain", 1, True), rec("plain", 1, False), rec("discounted", 1, True),
               rec(None, 1, False, "bass_nls"), rec("plain", 5, True)]
    out = bench.coverage_by_fit(records, (1, 5))
    assert out["plain"]["1"] == {"n": 2, "coverage95": 0.5, "interval_score": None}
    assert out["plain"]["5"] == {"n": 1, "coverage95": 1.0, "interval_score": None}
    assert out["discounted"]["1"] == {"n": 1, "coverage95": 1.0, "interval_score": None}
    assert out["discounted"]["5"] == {"n": 0, "coverage95": None, "interval_score": None}
    # the interval score (Gneiting and Raftery 2007): width, plus 2/alpha times a miss
    hit = {"lower": 90.0, "upper": 110.0, "actual": 100.0}
    miss = {"lower": 90.0, "upper": 110.0, "actual": 115.0}
    assert bench.interval_score(hit) == pytest.approx(0.2)
    assert bench.interval_score(miss) == pytest.approx((20.0 + 40.0 * 5.0) / 115.0)
    # each record is labelled by the fit that drove its forecast: an early origin by the
    # discounted fit, a late one (past the peak) by the plain fit, as forecast() says
    from sim.calibration.forecast import forecast
    from sim.calibration.priors import bass_prior

    s = penetration(0.01, 0.5, 80.0, 30)
    s["level"] = s["level"] * (1.0 + 0.02 * np.sin(np.arange(30.0)))  # off the exact curve
    records = bench.evaluate([s], nls_bootstrap=0, origins=(0.1, 0.85), horizons=(1,))
    labels = {r["origin"]: r["fit"] for r in records if r["method"] == "forecast"}
    for origin, fit in labels.items():
        sales, base = bench._history(s, bench.cases(s, origin, 1))
        drove = forecast(sales, 1, bass_prior(ceiling=100.0), base=base, seed=0)
        assert fit == ("plain" if drove.discount_per_year >= 1.0 else "discounted")
    assert labels == {0.1: "discounted", 0.85: "plain"}


@pytest.mark.slow
def test_the_past_peak_note_quotes_the_benchmarks_coverage(bench):
    """marketsim-fit's note on a forecast from the plain fit quotes LATE_COVERAGE: the
    development set's coverage 3 and 10 periods ahead, which this recomputes (about 40 s)."""
    from sim.calibration.bayes import LATE_COVERAGE

    if not bench.DEV_TECH.exists():
        pytest.skip("the development set is in ../shared, absent here")
    records = bench.evaluate(bench.load_dev(), nls_bootstrap=0,
                             origins=(0.1, 0.25, 0.5, 0.7, 0.85), horizons=(3, 10))
    got = bench.coverage_by_fit(records, (3, 10))["plain"]
    assert (round(got["3"]["coverage95"], 2), round(got["10"]["coverage95"], 2)) == LATE_COVERAGE
