"""Where a sweep's finished jobs go in the launching process: the table's spool, a progress
line.

The launcher hands each finished job's ``JobReturn`` to ``SweepFeed.done``: the job's
result (its record and KPIs) is appended to the combined table's spool
(``sim.results.sweep_table.RowSpool``) and dropped from the ``JobReturn``, so that the
launching process keeps nothing per job but its status. A sweep of at least
``PROGRESS_MIN_JOBS`` jobs prints, on stderr, one line at most every ``PROGRESS_EVERY_S``
seconds (jobs done, failed, rate, time left) and one line at the end; ``progress=false``
turns the lines off. The rate and the time left are taken from the first results on: the
time to them is mostly the workers' start (a 400-job sweep's first line had said "about
90 min left" of a sweep that took 44 s).
"""

import sys
import time

PROGRESS_EVERY_S = 10.0
PROGRESS_MIN_JOBS = 100


def _duration(seconds: float) -> str:
    if seconds >= 5400:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 90:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


class SweepFeed:
    """Takes each finished job of a sweep of ``total`` jobs (``done``), in any order."""

    def __init__(self, spool, total: int, show: bool = True, stream=None,
                 every_s: float = PROGRESS_EVERY_S, min_jobs: int = PROGRESS_MIN_JOBS,
                 clock=time.monotonic):
        self.spool = spool
        self.total = total
        self.show = show and total >= min_jobs
        self.stream = stream
        self.every_s = every_s
        self.clock = clock
        self.started = self.last = clock()
        self.count = 0
        self.failed = 0
        self.lines = 0
        # the first results' time and count: the rate that estimates the time left is
        # taken from then on, past the workers' start (imports, composition, compilation)
        self.first_t = None
        self.first_count = 0

    def done(self, idx, ret, last: bool = True) -> None:
        """Job ``idx`` finished with ``ret`` (a ``JobReturn``); ``last``: whether it ends a
        batch of results handed over at once (a line that is due waits for the batch's
        end, so that its count and rate take the whole batch in)."""
        from hydra.core.utils import JobStatus

        row = None
        if ret.status == JobStatus.COMPLETED:
            if self.spool is not None:
                row = self.spool.add(idx, ret.return_value)
            ret.return_value = None  # spooled: the launching process keeps no rows
        self.count += 1
        self.failed += ret.status != JobStatus.COMPLETED or (row is not None
                                                             and row["status"] != "ok")
        if not last:
            return
        now = self.clock()
        if self.first_t is None:  # the first batch: the workers' start is behind it
            self.first_t, self.first_count = now, self.count
        if self.show and now - self.last >= self.every_s and self.count < self.total:
            self.last = now
            self._line(now)

    def _line(self, now: float, final: bool = False) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.count / elapsed
        steady = None  # jobs a second since the first results came
        if not final and self.first_t is not None and now > self.first_t \
                and self.count > self.first_count:
            steady = rate = (self.count - self.first_count) / (now - self.first_t)
        text = (f"[marketsim] sweep: {self.count:,}/{self.total:,} jobs "
                f"({100 * self.count / max(self.total, 1):.0f}%), {self.failed:,} failed")
        if final:
            text += f", {rate:.1f} jobs/s, {_duration(elapsed)} in all"
        elif steady:
            text += (f", {rate:.1f} jobs/s, about {_duration((self.total - self.count) / steady)}"
                     " left")
        else:  # one batch in: its time is mostly the workers' start
            text += "; the rate and the time left are known after the next results"
        print(text, file=self.stream or sys.stderr, flush=True)
        self.lines += 1

    def close(self) -> None:
        """The last line (where a progress line was printed) and the spool's end."""
        if self.lines:
            self._line(self.clock(), final=True)
        if self.spool is not None:
            self.spool.close()
