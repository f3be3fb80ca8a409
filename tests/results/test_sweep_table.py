"""The streamed combined table (``sim.results.sweep_table``) against the table that
``combine`` builds by reading every job back: the same once read from parquet, whatever
mix of spooled rows, rows left on disk, failed, killed and stale jobs, value kinds and
chunk sizes."""

import json

import pandas as pd
import pytest

from sim.results.sweep_table import SPOOL, RowSpool, write_table
from sim.results.sweeps import combine, job_result, write_sweep_jobs


def _job(sweep, name, overrides, status, kpis=None, error=None):
    d = sweep / name
    d.mkdir(parents=True)
    record = {"overrides": overrides, "status": status, "seed": int(name)}
    if error is not None:
        record["error"] = error
    (d / "job.json").write_text(json.dumps(record))
    if kpis is not None:
        (d / "kpis.json").write_text(json.dumps(kpis))


def _kpis(k):
    return {"npv": 1e6 * k + 0.25, "launch_day": None if k % 3 == 0 else 70 + k,
            "units": 100 * k, "breakeven_day": None, "firm": "us", "ok_flag": k % 2 == 0,
            "share.hub": 0.1 * k if k % 4 else 1}


def _sweep(tmp_path, n=11):
    """``n`` jobs of ``seed=K price=P``: most ok, job 4 failed, job 7 killed while
    running, job 9 never started (no directory); a stale job directory 12 of an earlier
    sweep."""
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    jobs = [(k, [f"seed={k}", f"firm.pricing.list_price={199 + k}"]) for k in range(n)]
    write_sweep_jobs(sweep, jobs)
    for k, ovr in jobs:
        if k == 4:
            _job(sweep, str(k), ovr, "failed", error="firm.x must be >= 0, got -5")
        elif k == 7:
            _job(sweep, str(k), ovr, "running")
        elif k != 9:
            _job(sweep, str(k), ovr, "ok", kpis=_kpis(k))
    _job(sweep, "12", ["seed=99"], "ok", kpis={"npv": 1.0})
    return sweep, dict((str(k), o) for k, o in jobs)


def _old_table(sweep, tmp_path):
    path = tmp_path / "old.parquet"
    combine(sweep).to_parquet(path, index=False)
    return pd.read_parquet(path)


@pytest.mark.parametrize("spooled", ["all", "some", "none"])
@pytest.mark.parametrize("chunk_rows", [1, 3, 1000])
def test_the_streamed_table_equals_the_combined_one(tmp_path, spooled, chunk_rows):
    sweep, jobs = _sweep(tmp_path)
    spool = RowSpool(sweep, jobs)
    order = [6, 0, 10, 3, 8, 1, 5, 2, 4, 7]  # arrival order, not job order
    for k in order:
        if spooled == "all" or (spooled == "some" and k % 2):
            spool.add(k, job_result(sweep / str(k)))
    spool.close()
    summary = write_table(sweep, chunk_rows=chunk_rows)
    new = pd.read_parquet(sweep / "kpis.parquet")
    pd.testing.assert_frame_equal(new, _old_table(sweep, tmp_path))
    assert summary["rows"] == 11 and summary["ignored"] == ["12"]
    assert [j for j, _ in summary["failed"]] == ["4", "7", "9"]
    assert summary["streamed"] == {"all": 10, "some": 4, "none": 0}[spooled]
    assert new["launch_day"].dtype == "float64" and new["units"].dtype == "float64"
    assert list(new["job"]) == [str(k) for k in range(11)]


def test_a_row_spooled_twice_keeps_the_last_and_a_cut_line_is_left_out(tmp_path):
    sweep, jobs = _sweep(tmp_path, n=3)
    spool = RowSpool(sweep, jobs)
    spool.add(1, {"job": {"overrides": jobs["1"], "status": "failed", "error": "first try"},
                  "kpis": None})
    spool.add(1, job_result(sweep / "1"))  # re-run after its worker died
    spool.add(2, job_result(sweep / "2"))
    spool.add(5, job_result(sweep / "2"))  # not a job of this sweep: ignored
    spool.close()
    with open(sweep / SPOOL, "a") as f:
        f.write('0\t{"job": "0", "status": "ok", "np')  # a writer killed mid-line
    summary = write_table(sweep)
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "kpis.parquet"),
                                  _old_table(sweep, tmp_path))
    assert summary["streamed"] == 2 and summary["failed"] == []


def test_whole_numbers_everywhere_stay_integers_and_all_null_columns_stay_null(tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    jobs = [(k, [f"seed={k}"]) for k in range(4)]
    write_sweep_jobs(sweep, jobs)
    spool = RowSpool(sweep, {str(k): o for k, o in jobs})
    for k, ovr in jobs:
        _job(sweep, str(k), ovr, "ok", kpis={"units": 10 * k, "cac": None})
        spool.add(k, job_result(sweep / str(k)))
    spool.close()
    write_table(sweep, chunk_rows=3)
    new = pd.read_parquet(sweep / "kpis.parquet")
    assert new["units"].dtype == "int64" and new["cac"].isna().all()
    pd.testing.assert_frame_equal(new, _old_table(sweep, tmp_path))


def test_mixed_kinds_fall_back_to_the_combined_table(tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    jobs = [(k, [f"seed={k}"]) for k in range(2)]
    write_sweep_jobs(sweep, jobs)
    spool = RowSpool(sweep, {str(k): o for k, o in jobs})
    for k, ovr in jobs:
        _job(sweep, str(k), ovr, "ok", kpis={"x": [1.5, 2.5][k], "y": ["a", 1.5][k]})
        spool.add(k, job_result(sweep / str(k)))
    spool.close()
    with pytest.raises(Exception):  # noqa: B017 - pyarrow refuses a text-and-number column
        combine(sweep).to_parquet(tmp_path / "old.parquet")
    with pytest.raises(Exception):  # noqa: B017 - the same error: the fallback is combine's
        write_table(sweep)


def test_a_yes_no_beside_a_share_of_replications_is_a_share(tmp_path):
    """``-m replications=1,2``: job 0's kpis.json says cash_exhausted false, job 1's the
    share of its two replications (0.5). The sweep wrote no table (pyarrow refused the
    column); it is a float column now."""
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    jobs = [(k, [f"replications={k + 1}"]) for k in range(2)]
    write_sweep_jobs(sweep, jobs)
    spool = RowSpool(sweep, {str(k): o for k, o in jobs})
    for k, ovr in jobs:
        _job(sweep, str(k), ovr, "ok", kpis={"cash_exhausted": [False, 0.5][k], "npv": 1.0})
        spool.add(k, job_result(sweep / str(k)))
    spool.close()
    write_table(sweep)
    table = pd.read_parquet(sweep / "kpis.parquet")
    assert table["cash_exhausted"].dtype == "float64"
    assert table["cash_exhausted"].tolist() == [0.0, 0.5]


def test_a_sweep_without_sweep_json_is_combined_from_its_directories(tmp_path):
    sweep = tmp_path / "sweep"
    _job(sweep, "0", ["seed=0"], "ok", kpis={"npv": 2.5})
    _job(sweep, "1", ["seed=1"], "ok", kpis={"npv": 3.5})
    summary = write_table(sweep)
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "kpis.parquet"),
                                  _old_table(sweep, tmp_path))
    assert summary["rows"] == 2 and summary["streamed"] == 0
