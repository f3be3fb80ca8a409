"""One job of a sweep in its worker: its record (``job.json``), its run, its result.

``run_sweep_job`` is the body of a sweep job, whether Hydra's ``run_job`` calls it (through
``hydra_main``) or marketsim's launcher does for a compact job (``hydra_plugins``'s
``marketsim_launcher``): a complete job directory made with the same overrides and the
same config (``config_sha256`` in ``job.json``) is skipped;
otherwise ``job.json`` says ``running`` (with the worker's pid), the run writes its outputs,
and ``job.json`` says ``ok``, or ``failed`` with the error in one line. A job's failure
costs no other job. It returns what the job's directory then says of it
(``sim.results.sweeps.job_result``), which the launcher streams into the combined table.
"""

import os
import sys
import traceback
from pathlib import Path

from sim.cli.callbacks import check_writable
from sim.cli.messages import one_line
from sim.cli.runs import run_app
from sim.errors import MarketsimError


def run_sweep_job(make_app, run_dir: Path, overrides: list, num,
                  digest_of=None) -> dict | None:
    """Job ``num`` of a sweep, with task ``overrides``, into ``run_dir``; ``make_app()``
    gives its ``AppConfig`` (and raises for bad input). ``digest_of(app)``: its
    ``config_digest`` (default: that function; a launcher's replications of one config
    pass a cheaper equal one). Returns its ``job_result`` (None when its directory could
    not be made)."""
    from sim.results.sweeps import config_digest, job_is_complete, job_result, write_json

    run_dir = Path(run_dir)
    try:
        app = make_app()
    except Exception:  # noqa: BLE001 - bad input fails the job below, with its message
        app = None
    digest = None if app is None else (digest_of or config_digest)(app)
    if app is not None and job_is_complete(run_dir, overrides, digest):
        print(f"[marketsim] job {num} already complete in {run_dir}: skipped")
        return job_result(run_dir)
    try:
        check_writable(run_dir, "hydra.sweep.dir")
        if app is None:
            app = make_app()  # raises the bad input's error again, now recorded
        write_json(run_dir / "job.json", {"overrides": overrides, "status": "running",
                                          "seed": app.seed, "pid": os.getpid(),
                                          "config_sha256": digest})
        run_app(app, run_dir, progress=False, table=False)  # its KPIs: its directory's
    except Exception as e:  # noqa: BLE001 - a job reports its own failure
        message = str(e) if isinstance(e, MarketsimError) else f"{type(e).__name__}: {e}"
        message = one_line(message)
        print(f"[marketsim] job {num} failed: {message}", file=sys.stderr)
        if not run_dir.exists():
            return None
        # an earlier sweep's result in this directory is not this job's: a failed job
        # beside another run's kpis.json had left one folder saying two things
        for name in ("kpis.json", "kpis_replications.parquet"):
            (run_dir / name).unlink(missing_ok=True)
        write_json(run_dir / "job.json", {"overrides": overrides, "status": "failed",
                                          "error": message,
                                          "traceback": traceback.format_exc()})
        return job_result(run_dir)
    write_json(run_dir / "job.json", {"overrides": overrides, "status": "ok", "seed": app.seed,
                                      "config_sha256": digest})
    return job_result(run_dir)
