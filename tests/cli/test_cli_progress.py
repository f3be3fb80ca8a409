"""The sweep's feed (``sim.cli.progress.SweepFeed``): rows to the spool, results dropped,
a progress line at most every ``every_s`` seconds for long sweeps only (a fake clock)."""

import io

from hydra.core.utils import JobReturn, JobStatus

from sim.cli.progress import SweepFeed


class Spool:
    def __init__(self):
        self.rows, self.closed = [], False

    def add(self, idx, result):
        self.rows.append((idx, result))
        return {"status": result["job"]["status"]}

    def close(self):
        self.closed = True


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _ret(status="ok", completed=True):
    ret = JobReturn(overrides=["seed=1"])
    if completed:
        ret.return_value = {"job": {"status": status}, "kpis": None}
        ret.status = JobStatus.COMPLETED
    else:
        ret.return_value = RuntimeError("boom")
        ret.status = JobStatus.FAILED
    return ret


def test_each_result_goes_to_the_spool_and_is_dropped():
    spool, out = Spool(), io.StringIO()
    feed = SweepFeed(spool, total=3, stream=out)
    rets = [_ret(), _ret("failed"), _ret(completed=False)]
    for i, r in enumerate(rets):
        feed.done(i, r)
    feed.close()
    assert [i for i, _ in spool.rows] == [0, 1]
    assert rets[0].return_value is None and rets[1].return_value is None
    assert feed.count == 3 and feed.failed == 2 and spool.closed
    assert out.getvalue() == ""  # a short sweep prints nothing


def test_a_long_sweep_prints_a_line_every_few_seconds_and_one_at_the_end():
    clock, out = Clock(), io.StringIO()
    feed = SweepFeed(None, total=400, stream=out, every_s=10, min_jobs=100, clock=clock)
    for i in range(400):
        clock.t = i * 0.1  # 10 jobs a second: a line every 100 jobs
        feed.done(i, _ret("failed" if i == 5 else "ok"))
    clock.t = 40.0
    feed.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "[marketsim] sweep: 101/400 jobs (25%), 0 failed, 10.0 jobs/s, about 30 s left",
        "[marketsim] sweep: 201/400 jobs (50%), 0 failed, 10.0 jobs/s, about 20 s left",
        "[marketsim] sweep: 301/400 jobs (75%), 0 failed, 10.0 jobs/s, about 10 s left",
        "[marketsim] sweep: 400/400 jobs (100%), 0 failed, 10.0 jobs/s, 40 s in all",
    ]


def test_the_time_left_is_estimated_past_the_workers_start():
    """The first batch (one job) comes after 10 s of the workers' start, then 100 jobs a
    batch every 10 s: the estimate is made from the batches after the first, and a line
    waits for its batch's end."""
    clock, out = Clock(), io.StringIO()
    feed = SweepFeed(None, total=401, stream=out, every_s=10, min_jobs=100, clock=clock)
    clock.t = 10.0
    feed.done(0, _ret())
    for batch in range(4):
        clock.t = 20.0 + 10 * batch
        for i in range(100):
            feed.done(1 + 100 * batch + i, _ret(), last=i == 99)
    feed.close()
    lines = out.getvalue().splitlines()
    assert lines[:2] == [  # 1/401 over 10 s would have said 67 min
        "[marketsim] sweep: 1/401 jobs (0%), 0 failed; the rate and the time left are known "
        "after the next results",
        "[marketsim] sweep: 101/401 jobs (25%), 0 failed, 10.0 jobs/s, about 30 s left"]
    assert lines[-1] == "[marketsim] sweep: 401/401 jobs (100%), 0 failed, 8.0 jobs/s, 50 s in all"
    clock, out = Clock(), io.StringIO()
    feed = SweepFeed(None, total=400, stream=out, every_s=10, min_jobs=100, clock=clock)
    clock.t = 12.0
    for i in range(50):  # one batch, and its line: no rate past the start yet
        feed.done(i, _ret(), last=i == 49)
    assert out.getvalue().splitlines() == [
        "[marketsim] sweep: 50/400 jobs (12%), 0 failed; the rate and the time left are known "
        "after the next results"]


def test_progress_false_prints_nothing():
    clock, out = Clock(), io.StringIO()
    feed = SweepFeed(None, total=1000, show=False, stream=out, clock=clock)
    for i in range(1000):
        clock.t = i
        feed.done(i, _ret())
    feed.close()
    assert out.getvalue() == ""


def test_the_failed_jobs_are_listed_once_per_error():
    from sim.cli.callbacks import failure_lines

    failed = [(k, "outputs must be one of full, compact; got 'x'") for k in range(8)]
    failed.insert(3, ("9", "firm.pricing.list_price must be > 0, got -1"))
    assert failure_lines(failed) == [
        "[marketsim] 8 jobs failed (0, 1, 2, 3, 4 and 3 more): outputs must be one of full, "
        "compact; got 'x'",
        "[marketsim] job 9 failed: firm.pricing.list_price must be > 0, got -1"]
    assert failure_lines([]) == []
    many = [(k, f"error {k}") for k in range(13)]
    lines = failure_lines(many)
    assert lines[:10] == [f"[marketsim] job {k} failed: error {k}" for k in range(10)]
    assert lines[10:] == ["[marketsim] and 3 other errors: every failed job's error is in "
                          "the error column of kpis.parquet"]
