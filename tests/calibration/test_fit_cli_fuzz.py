"""Malformed ``marketsim-fit`` inputs (issue 14): each one exits 2 with one line
``marketsim-fit: error: ...`` naming the option (or the file) and its value, no traceback,
and leaves an earlier output directory byte for byte as it was.

Most cases run in process (``main(argv)``: an uncaught exception fails the test, which is
the no-traceback check); the ones that touch the process's exit path or could hang (a
named pipe, /dev/zero, argparse errors) run in a subprocess with a timeout.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.calibration.cli import main

GOOD = "year,sales\n2001,5\n2002,9\n2003,16\n2004,25\n2005,30\n2006,28\n"

# (case id, argv before --out, fragment that must be in the message). "{csv}" is a good
# sales file, "{tmp}" the test's temporary directory.
ARGS = [
    ("seed negative", ["{csv}", "--seed", "-1"], "--seed"),
    ("seed too big", ["{csv}", "--seed", str(2**32)], "--seed"),
    ("period-years inf", ["{csv}", "--period-years", "inf"], "--period-years"),
    ("period-years tiny", ["{csv}", "--period-years", "1e-300"], "--period-years"),
    ("period-years nan", ["{csv}", "--period-years", "nan"], "--period-years"),
    ("period-years negative", ["{csv}", "--period-years", "-1"], "--period-years"),
    ("period-years zero", ["{csv}", "--period-years", "0"], "--period-years"),
    ("level above 1", ["{csv}", "--level", "1.5"], "--level"),
    ("level nan", ["{csv}", "--level", "nan"], "--level"),
    ("level low", ["{csv}", "--level", "0.2"], "--level"),
    ("level one", ["{csv}", "--level", "1"], "--level"),
    ("bootstrap negative", ["{csv}", "--method", "nls", "--bootstrap", "-5"], "--bootstrap"),
    ("bootstrap huge", ["{csv}", "--bootstrap", "10001"], "--bootstrap"),
    ("draws few", ["{csv}", "--draws", "10"], "--draws"),
    ("forecast negative", ["{csv}", "--forecast", "-1"], "--forecast"),
    ("forecast huge", ["{csv}", "--forecast", "501"], "--forecast"),
    ("ceiling zero", ["{csv}", "--ceiling", "0"], "--ceiling"),
    ("ceiling inf", ["{csv}", "--ceiling", "inf"], "--ceiling"),
    ("ceiling negative", ["{csv}", "--ceiling", "-5"], "--ceiling"),
    ("unknown analogy", ["{csv}", "--analogy", "hovercraft"], "--analogy"),
    ("name with space", ["{csv}", "--name", "bad name"], "--name"),
    ("name yaml null", ["{csv}", "--name", "null"], "--name"),
    ("name with newline", ["{csv}", "--name", "a\nb: 1"], "--name"),
    ("name too long", ["{csv}", "--name", "n" * 65], "--name"),
    ("forecast with nls", ["{csv}", "--method", "nls", "--forecast", "5"], "--forecast"),
    ("ceiling with nls", ["{csv}", "--method", "nls", "--ceiling", "100"], "--ceiling"),
    ("example and csv", ["{csv}", "--example"], "--example"),
    ("out is a file", ["{csv}", "--out", "{tmp}/afile"], "--out"),
    ("out below a file", ["{csv}", "--out", "{tmp}/afile/sub"], "--out"),
    ("out empty", ["{csv}", "--out", ""], "--out"),
    ("missing file", ["{tmp}/absent.csv"], "no such file"),
    ("directory", ["{tmp}"], "is a directory"),
    ("empty file", ["{tmp}/empty.csv"], "file is empty"),
    ("binary file", ["{tmp}/binary.csv"], "not a text CSV"),
    ("too many rows", ["{tmp}/long.csv"], "more than 10,000 data rows"),
    ("huge file", ["{tmp}/huge.csv"], "over the limit"),
    ("absurd sales", ["{tmp}/absurd.csv"], "rescale the column"),
    ("negative sales", ["{tmp}/negative.csv"], "is negative"),
    ("non-numeric", ["{tmp}/word.csv"], "'five' is not a number"),
    ("too few periods", ["{tmp}/short.csv"], "at least 4"),
    ("draws x forecast", ["{csv}", "--draws", "100000", "--forecast", "500"], "--draws"),
    ("bootstrap too long", ["{tmp}/long_ok.csv", "--method", "nls"], "--bootstrap 1000"),
    ("size over int32", ["{tmp}/giant.csv", "--method", "nls", "--bootstrap", "0"],
     "rescale the sales"),
]

# Cases that must run as a real process.
PROCESS = [
    ("no arguments", [], "SALES.csv"),
    ("seed not a number", ["{csv}", "--seed", "abc"], "--seed"),
    ("bad method", ["{csv}", "--method", "bogus"], "--method"),
    ("unknown option", ["{csv}", "--frobnicate"], "--frobnicate"),
    ("forecast not an int", ["{csv}", "--forecast", "1e3"], "--forecast"),
    ("named pipe", ["{tmp}/pipe.csv"], "not a regular file"),
    ("dev zero", ["/dev/zero"], "not a regular file"),
]


def _files(tmp: Path):
    (tmp / "sales.csv").write_text(GOOD)
    (tmp / "afile").write_text("x")
    (tmp / "empty.csv").write_text("")
    (tmp / "binary.csv").write_bytes(b"\xff\xfe\x00\x81garbage")
    (tmp / "long.csv").write_text("t,sales\n" + "".join(f"{i},1\n" for i in range(10_002)))
    (tmp / "long_ok.csv").write_text("t,sales\n" + "".join(f"{i},{1 + i % 7}\n"
                                                             for i in range(5000)))
    (tmp / "huge.csv").write_text("t,sales\n1,1\n" + "#" * (5 * 2**20) + "\n")
    (tmp / "absurd.csv").write_text("t,sales\n1,1e300\n2,3\n3,4\n4,5\n")
    (tmp / "negative.csv").write_text("t,sales\n1,5\n2,-6\n3,7\n4,8\n")
    (tmp / "word.csv").write_text("t,sales\n1,5\n2,five\n3,7\n4,8\n")
    (tmp / "short.csv").write_text("t,sales\n1,0\n2,5\n3,7\n4,8\n")
    (tmp / "giant.csv").write_text("t,sales\n1,1e9\n2,3e9\n3,5e9\n4,4e9\n5,2e9\n")
    if hasattr(os, "mkfifo") and not (tmp / "pipe.csv").exists():
        os.mkfifo(tmp / "pipe.csv")


def _hashes(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """A directory with inputs and an earlier successful run's output, hashed."""
    tmp = tmp_path_factory.mktemp("fuzz")
    _files(tmp)
    out = tmp / "earlier"
    assert main(["--example", "--forecast", "2", "--no-plot", "--draws", "200",
                 "--out", str(out)]) == 0
    return tmp, out, _hashes(out)


def _argv(template, tmp):
    return [a.replace("{csv}", str(tmp / "sales.csv")).replace("{tmp}", str(tmp))
            for a in template]


def _check(code, out, err, fragment, earlier_out, before):
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("marketsim-fit: error: "), err
    assert fragment in err, err
    assert _hashes(earlier_out) == before


def test_the_table_has_at_least_30_cases():
    assert len(ARGS) + len(PROCESS) >= 30


@pytest.mark.parametrize("case, template, fragment", ARGS, ids=[a[0] for a in ARGS])
def test_malformed_input_in_process(earlier, capsys, case, template, fragment):
    tmp, out, before = earlier
    argv = _argv(template, tmp)
    if "--out" not in argv:
        argv += ["--out", str(out)]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    cap = capsys.readouterr()
    _check(code, cap.out, cap.err, fragment, out, before)
    if case.startswith(("missing", "directory", "empty", "binary", "too", "huge", "absurd",
                        "negative", "non-", "size")):
        assert argv[0] in cap.err  # the file is named


@pytest.mark.parametrize("case, template, fragment", PROCESS, ids=[a[0] for a in PROCESS])
def test_malformed_input_in_a_process(earlier, case, template, fragment):
    tmp, out, before = earlier
    if case == "named pipe" and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    argv = _argv(template, tmp) + (["--out", str(out)] if template else [])
    res = subprocess.run([sys.executable, "-m", "sim.calibration.cli", *argv],
                         capture_output=True, text=True, timeout=120)
    _check(res.returncode, res.stdout, res.stderr, fragment, out, before)


def test_a_file_name_cannot_inject_yaml_keys(tmp_path):
    import yaml

    path = tmp_path / "evil\nsize: 1\nname: pwned.csv"
    path.write_text(GOOD)
    out = tmp_path / "out"
    assert main([str(path), "--no-plot", "--draws", "200", "--out", str(out)]) == 0
    (yaml_file,) = (out / "market").glob("*.yaml")
    doc = yaml.safe_load(yaml_file.read_text())
    assert list(doc) == ["name", "segments"] and doc["name"] != "pwned"
    assert list(doc["segments"][0]) == ["name", "size", "p", "q"]
    assert doc["segments"][0]["size"] > 1
