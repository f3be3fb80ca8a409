"""``marketsim-fit`` end to end, in a subprocess: --json, files, and each error case."""

import json
import subprocess
import sys

import pytest
import yaml

REQUIRED = {"p", "q", "m", "p_ci", "q_ci", "m_ci", "r2", "mape", "peak_period", "peak_sales",
            "method", "ols"}


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sim.calibration.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_help_documents_the_command():
    res = run("--help")
    assert res.returncode == 0
    for text in ("--period-years", "--bootstrap", "--seed", "--json", "--out", "--name",
                 "example:", "marketsim hydra.searchpath=[file://", "Srinivasan and Mason",
                 "Generalized Bass"):
        assert text in res.stdout


def test_json_prints_one_object_and_writes_files(data_dir, tmp_path):
    out = tmp_path / "fit"
    res = run(data_dir / "room_air_conditioners_1949_1961.csv", "--json", "--bootstrap", 60,
              "--seed", 1, "--name", "room_ac", "--out", out)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)  # the whole of stdout is one JSON document
    assert res.stdout.count("\n") == 1
    assert REQUIRED <= set(report)
    assert report["p_ci"][0] < report["p"] < report["p_ci"][1]
    assert report["ols"]["valid"] and report["gbm"] is None
    assert json.loads((out / "fit.json").read_text()) == report
    assert (out / "fit.png").read_bytes()[:4] == b"\x89PNG"
    seg = yaml.safe_load((out / "market" / "room_ac.yaml").read_text())["segments"][0]
    assert seg == {"name": "all", "size": round(report["m"]),
                   "p": pytest.approx(report["p_per_year"], rel=1e-5),
                   "q": pytest.approx(report["q_per_year"], rel=1e-5)}


def test_summary_reports_trimming_and_default_out_dir(data_dir, tmp_path):
    res = run(data_dir / "ibm_siu2.csv", "--bootstrap", 0, "--no-plot", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "trimmed 5 leading zero-sales periods (1..5)" in res.stdout
    assert (tmp_path / "fit_ibm_siu2" / "market" / "ibm_siu2.yaml").is_file()
    report = json.loads((tmp_path / "fit_ibm_siu2" / "fit.json").read_text())
    assert report["trimmed"]["leading"] == [1, 2, 3, 4, 5] and report["n_periods"] == 19
    assert report["p_ci"] is None


def test_json_notes_go_to_stderr(data_dir, tmp_path):
    res = run(data_dir / "ibm_siu4.csv", "--json", "--bootstrap", 0, "--no-plot",
              "--period-years", 0.5, "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["q_per_year"] == pytest.approx(2 * report["q"])
    assert "note: trimmed 15 leading" in res.stderr


CASES = {
    "missing file": (None, "no such file"),
    "directory": ("<dir>", "is a directory"),
    "empty": ("", "file is empty"),
    "missing column": ("year,units\n1,5\n2,6\n3,7\n4,8\n", "missing column 'sales'"),
    "non-numeric": ("year,sales\n1,5\n2,five\n3,7\n4,8\n", "line 3, column 'sales': 'five'"),
    "negative": ("year,sales\n1,5\n2,-6\n3,7\n4,8\n", "line 3, column 'sales': -6 is negative"),
    "interior zero": ("year,sales\n1,5\n2,0\n3,7\n4,8\n5,9\n", "0 inside the series"),
    "too short": ("year,sales\n1,0\n2,5\n3,7\n4,8\n", "3 non-zero periods; at least 4"),
    "non-increasing": ("year,sales\n1,5\n2,6\n2,7\n3,8\n", "period 2 does not increase"),
    "gap": ("year,sales\n1,5\n2,6\n4,7\n5,8\n", "breaks the step"),
    "bad price": ("year,sales,price\n1,5,1\n2,6,-1\n3,7,1\n4,8,1\n", "column 'price'"),
    "size too big": ("t,sales\n1,1e9\n2,3e9\n3,5e9\n4,4e9\n5,2e9\n", "rescale the sales"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_with_one_line(tmp_path, case):
    text, fragment = CASES[case]
    if text is None:
        path = tmp_path / "absent.csv"
    elif text == "<dir>":
        path = tmp_path
    else:
        path = tmp_path / "sales.csv"
        path.write_text(text)
    res = run(path, "--json", "--out", tmp_path / "out")
    assert res.returncode == 2
    assert res.stdout == ""
    assert "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("marketsim-fit: error: ")
    assert fragment in res.stderr and str(path) in res.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, fragment", [
    (["--name", "no spaces"], "--name 'no spaces'"),
    (["--bootstrap", "-5"], "--bootstrap must be >= 0"),
    (["--period-years", "0"], "--period-years must be > 0"),
    (["--level", "1.5"], "--level must be in"),
    (["--bootstrap", "many"], "invalid int value"),
    (["--frobnicate"], "unrecognized arguments"),
])
def test_bad_arguments_exit_2_with_one_line(data_dir, tmp_path, args, fragment):
    res = run(data_dir / "clothes_dryers_1949_1961.csv", *args, "--out", tmp_path / "out")
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert fragment in res.stderr


def test_missing_argument_exits_2():
    res = run()
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "Traceback" not in res.stderr
