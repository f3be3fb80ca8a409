"""``marketsim-fit`` end to end on series the tests make: --json, files, the default output
directory, --example, both methods, and the issue-15 defects. Most runs call ``main`` in
process (quick); ``--help`` and the example run as real processes."""

import contextlib
import io
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from sim.calibration.bass import period_sales, unit_bounds

REQUIRED = {"p", "q", "m", "p_ci", "q_ci", "m_ci", "r2", "mape", "peak_period", "peak_sales",
            "method", "notes"}


def run(*args, cwd=None):
    from sim.calibration.cli import main

    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code
    finally:
        os.chdir(here)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def run_process(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sim.calibration.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def write_bass(path, p=0.01, q=0.4, m=18_000.0, n=13, first=1949, noise=0.05, seed=1,
               leading=0):
    rng = np.random.default_rng(seed)
    sales = period_sales(p, q, m, unit_bounds(n)) * (1 + noise * rng.standard_normal(n))
    rows = [f"{first - leading + i},0" for i in range(leading)]
    rows += [f"{first + i},{v:.1f}" for i, v in enumerate(sales)]
    path.write_text("year,sales\n" + "\n".join(rows) + "\n")
    return path


def test_help_documents_the_command():
    res = run_process("--help")
    assert res.returncode == 0
    for text in ("--period-years", "--bootstrap", "--seed", "--json", "--out", "--name",
                 "--forecast", "--example", "--analogy", "--ceiling", "--method",
                 "examples:", "marketsim hydra.searchpath=[file://", "Srinivasan and Mason",
                 "Generalized Bass", "outputs/fit"):
        assert text in res.stdout


def test_nls_json_prints_one_object_and_writes_files(tmp_path):
    csv = write_bass(tmp_path / "rac.csv")
    out = tmp_path / "fit"
    res = run(csv, "--method", "nls", "--json", "--bootstrap", 60, "--seed", 1, "--name",
              "room_ac", "--out", out)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)  # the whole of stdout is one JSON document
    assert res.stdout.count("\n") == 1
    assert REQUIRED | {"ols", "bootstrap"} <= set(report) and report["method"] == "bass-nls"
    assert report["p_ci"][0] < report["p"] < report["p_ci"][1]
    assert report["ols"]["valid"] and report["gbm"] is None
    assert json.loads((out / "fit.json").read_text()) == report
    assert (out / "fit.png").read_bytes()[:4] == b"\x89PNG"
    seg = yaml.safe_load((out / "market" / "room_ac.yaml").read_text())["segments"][0]
    assert seg == {"name": "all", "size": round(report["m"]),
                   "p": pytest.approx(report["p_per_year"], rel=1e-5),
                   "q": pytest.approx(report["q_per_year"], rel=1e-5)}


def test_forecast_json_table_and_files(tmp_path):
    csv = write_bass(tmp_path / "early.csv", n=7)
    out = tmp_path / "fc"
    res = run(csv, "--forecast", 6, "--json", "--out", out, "--draws", 500)
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)
    assert REQUIRED | {"forecast", "prior", "posterior_files"} <= set(r)
    assert r["method"] == "bass-map"
    rows = r["forecast"]["rows"]
    assert [row["h"] for row in rows] == list(range(1, 7))
    assert [row["period"] for row in rows] == list(range(1956, 1962))
    for row in rows:
        assert row["cumulative_lower"] <= row["cumulative"] <= row["cumulative_upper"]
        assert 0 <= row["sales_lower"] <= row["sales_upper"]
    for name in ("fit.json", "fit.png", "posterior.json", "posterior.csv", "forecast.csv",
                 "market/early.yaml"):
        assert (out / name).is_file(), name
    post = json.loads((out / "posterior.json").read_text())
    assert post["mode"]["m"] == pytest.approx(r["m"])
    assert len((out / "posterior.csv").read_text().splitlines()) == 501
    text = (out / "market" / "early.yaml").read_text()
    assert "posterior.json" in text.splitlines()[1]  # the sidecar is named in a comment


def test_summary_prints_the_forecast_table(tmp_path):
    csv = write_bass(tmp_path / "s.csv", n=7)
    res = run(csv, "--forecast", 3, "--no-plot", "--out", tmp_path / "o", "--draws", 300)
    assert res.returncode == 0, res.stderr
    assert "forecast, 3 periods (95% predictive intervals):" in res.stdout
    assert all(str(y) in res.stdout for y in (1956, 1957, 1958))


def test_default_out_dir_is_under_outputs_and_trimming_is_reported(tmp_path):
    csv = write_bass(tmp_path / "padded.csv", leading=5, first=6)
    res = run(csv, "--method", "nls", "--bootstrap", 0, "--no-plot", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "trimmed 5 leading zero-sales periods (1..5)" in res.stdout
    report = json.loads((tmp_path / "outputs/fit/padded/fit.json").read_text())
    assert report["trimmed"]["leading"] == [1, 2, 3, 4, 5] and report["n_periods"] == 13
    assert report["p_ci"] is None
    assert (tmp_path / "outputs/fit/padded/market/padded.yaml").is_file()


def test_example_needs_no_data_file(tmp_path):
    res = run_process("--example", "--forecast", 5, "--json", "--no-plot", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)
    out = tmp_path / "outputs" / "fit" / "example"
    assert (out / "example_sales.csv").read_text().startswith("year,sales\n2010,")
    # The documented truth (p = 0.01, q = 0.4, m = 20,000) lies in the 95% intervals.
    for key, truth in (("p", 0.01), ("q", 0.4), ("m", 20_000)):
        assert r[f"{key}_ci"][0] <= truth <= r[f"{key}_ci"][1], (key, r[f"{key}_ci"])
    again = run(str(out / "example_sales.csv"), "--json", "--no-plot", "--forecast", 5,
                "--out", tmp_path / "again")
    assert json.loads(again.stdout)["forecast"] == r["forecast"]  # the CSV is the example


def test_json_notes_go_to_stderr(tmp_path):
    csv = write_bass(tmp_path / "q.csv", leading=3, first=4)
    res = run(csv, "--json", "--no-plot", "--period-years", 0.5, "--out", tmp_path / "o",
              "--draws", 200)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["q_per_year"] == pytest.approx(2 * report["q"])
    assert "note: trimmed 3 leading" in res.stderr


# The three defects of issue 15, with the issue's own commands.
def test_defect_1_zero_inside_a_series_is_data(tmp_path):
    csv = tmp_path / "z.csv"
    csv.write_text("period,sales\n1,1\n2,3\n3,0\n4,9\n5,15\n6,20\n")
    for method in ("bayes", "nls"):
        res = run(csv, "--json", "--no-plot", "--method", method, "--bootstrap", 50,
                  "--out", tmp_path / method)
        assert res.returncode == 0, res.stderr
        r = json.loads(res.stdout)
        assert r["n_periods"] == 6 and r["m"] > 48
    assert "zero-sales periods inside the series are data" in run(
        csv, "--json", "--no-plot", "--out", tmp_path / "again").stderr


def test_defect_2_late_take_off_still_has_intervals(tmp_path):
    csv = tmp_path / "late.csv"
    csv.write_text("period,sales\n1,0.1\n2,0.1\n3,0.1\n4,0.1\n5,0.1\n6,0.1\n7,0.1\n8,0.5\n"
                   "9,2\n10,6\n11,10\n")
    res = run(csv, "--json", "--bootstrap", 200, "--no-plot", "--forecast", 5,
              "--out", tmp_path / "o")
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)
    for key in ("p", "q", "m"):
        lo, hi = r[f"{key}_ci"]
        assert 0 < lo <= r[key] <= hi < float("inf")
    for row in r["forecast"]["rows"]:
        assert row["cumulative_lower"] < row["cumulative_upper"]


def test_defect_3_market_size_does_not_run_to_the_bound(tmp_path):
    # Pure exponential growth: least squares sends m to 1000 x the sales seen.
    csv = tmp_path / "exp.csv"
    csv.write_text("t,sales\n" + "".join(f"{i},{2.0 ** i:g}\n" for i in range(1, 9)))
    nls = json.loads(run(csv, "--json", "--no-plot", "--method", "nls", "--bootstrap", 0,
                         "--out", tmp_path / "n").stdout)
    bayes = json.loads(run(csv, "--json", "--no-plot", "--out", tmp_path / "b").stdout)
    seen = 2.0 ** 9 - 2
    assert nls["m"] > 900 * seen  # the old behaviour, kept by --method nls
    assert seen < bayes["m"] < 50 * seen and bayes["m_ci"][1] < 1000 * seen


def test_the_forecast_names_its_own_fit_and_stays_under_its_m(tmp_path):
    """The forecast runs from the model refitted with recent periods counting more, so it
    may pass the plain fit's m and peak printed above it: a flat series of 100 a period
    gets m = 1,030 from the plain fit and a forecast reaching 1,056. The report names the
    refit (JSON ``forecast.fit``, a line under the forecast's heading), whose m the point
    forecast of the cumulative level never passes."""
    csv = tmp_path / "flat.csv"
    csv.write_text("period,sales\n1,100\n2,100\n3,100\n4,100\n5,100\n")
    res = run(csv, "--forecast", 3, "--no-plot", "--json", "--out", tmp_path / "o")
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)
    fit, rows = r["forecast"]["fit"], r["forecast"]["rows"]
    assert fit["discount_per_year"] == 0.75
    assert rows[-1]["cumulative"] > r["m"]  # past the plain fit's m ...
    assert all(row["cumulative"] <= fit["m"] for row in rows)  # ... not its own
    text = run(csv, "--forecast", 3, "--no-plot", "--out", tmp_path / "p").stdout
    assert (f"(the model refitted with recent periods counting more, discounted least "
            f"squares 0.75 a year: p = {fit['p']:.5g}, q = {fit['q']:.5g}, "
            f"m = {fit['m']:,.1f})") in text


@pytest.mark.parametrize("horizon, drawn", [(1, 1), (3, 3), (0, 5)])
def test_the_figure_draws_the_periods_asked_for(tmp_path, monkeypatch, horizon, drawn):
    """``fit.png`` draws ``--forecast H`` periods (before: at least 5, titled so, when 1
    was asked for); without H its default reach."""
    from matplotlib.figure import Figure

    figures = []
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: figures.append(fig))
    csv = write_bass(tmp_path / "s.csv", n=7)
    args = ["--forecast", horizon] if horizon else []
    assert run(csv, *args, "--out", tmp_path / "o", "--draws", 300).returncode == 0
    (fig,) = figures
    assert f"forecast {drawn} ahead" in fig._suptitle.get_text()
    for ax in fig.axes:
        (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "forecast"]
        assert len(line.get_xdata()) == drawn


def test_a_ceiling_in_other_units_is_named_as_the_cause(tmp_path):
    """Sales in tens, a ceiling of 10^12: m follows the ceiling beyond a segment's size;
    the error names --ceiling (it blamed the sales column alone)."""
    data = tmp_path / "small.csv"
    data.write_text("year,sales\n2000,10\n2001,20\n2002,40\n2003,60\n2004,70\n")
    r = run(data, "--ceiling", "1e12", "--out", tmp_path / "out")
    assert r.returncode == 2
    assert "--ceiling 1e+12 pulls m towards it" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
