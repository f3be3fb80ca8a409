"""Where a sweep's finished jobs go in the launching process: the table's spool, a progress
line.

The launcher hands each finished job's ``JobReturn`` to ``SweepFeed.done``: the job's
result (its record and KPIs) is appended to the combined table's spool
(``sim.results.sweep_table.RowSpool``) and dropped from the ``JobReturn``, so that the
launching process keeps nothing per job but its status. A sweep of at least
``PROGRESS_MIN_JOBS`` jobs prints, on stderr, one line at most every ``PROGRESS_EVERY_S``
seconds (jobs done, failed, rate, time left) and one line at the end; ``progress=false``
turns the lines off.
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

    def done(self, idx, ret) -> None:
        """Job ``idx`` finished with ``ret`` (a ``JobReturn``)."""
        from hydra.core.utils import JobStatus

        row = None
        if ret.status == JobStatus.COMPLETED:
            if self.spool is not None:
                row = self.spool.add(idx, ret.return_value)
            ret.return_value = None  # spooled: the launching process keeps no rows
        self.count += 1
        self.failed += ret.status != JobStatus.COMPLETED or (row is not None
                                                             and row["status"] != "ok")
        now = self.clock()
        if self.show and now - self.last >= self.every_s and self.count < self.total:
            self.last = now
            self._line(now)

    def _line(self, now: float, final: bool = False) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.count / elapsed
        text = (f"[marketsim] sweep: {self.count:,}/{self.total:,} jobs "
                f"({100 * self.count / max(self.total, 1):.0f}%), {self.failed:,} failed, "
                f"{rate:.1f} jobs/s")
        if final:
            text += f", {_duration(elapsed)} in all"
        elif rate > 0:
            text += f", about {_duration((self.total - self.count) / rate)} left"
        print(text, file=self.stream or sys.stderr, flush=True)
        self.lines += 1

    def close(self) -> None:
        """The last line (where a progress line was printed) and the spool's end."""
        if self.lines:
            self._line(self.clock(), final=True)
        if self.spool is not None:
            self.spool.close()
