"""Sweep bookkeeping without Hydra: job status files, resume checks, the combined table.

A job directory is complete when it holds ``kpis.json`` (written last, atomically) and
``job.json`` with status ``ok``; ``job.json`` records the job's overrides, seed, status
and, for a failure, the error. The sweeper writes ``sweep.json`` (this sweep's jobs: number
and overrides) before it launches them, so ``combine(sweep_dir)`` gathers exactly this
sweep's jobs, one row each; job directories of an earlier sweep in the same directory are
left out and listed in ``table.attrs["ignored"]``. ``sweep_lock`` keeps a second sweep
from writing into a directory while one runs.
"""

import dataclasses
import fcntl
import hashlib
import json
import os
from pathlib import Path

import pandas as pd

from sim.errors import MarketsimError
from sim.results.files import atomic_write, write_json  # noqa: F401 - re-exported for the CLI

SWEEP_FILE = "sweep.json"
LOCK_FILE = ".marketsim-sweep.lock"


def config_digest(config) -> str:
    """SHA-256 of a job's whole typed config (a dataclass): two jobs with the same overrides
    but another config behind them (an experiment's option file rewritten, a config file
    edited) differ."""
    return fields_digest(dataclasses.asdict(config))


def fields_digest(fields: dict) -> str:
    """``config_digest`` of the config whose ``dataclasses.asdict`` is ``fields`` (a
    launcher's replications of one config change only ``seed`` in a copy of it)."""
    text = json.dumps(fields, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


SEED_MARK = "\x00marketsim seed\x00"  # where the seed goes in a config's JSON text


def seed_digests(fields: dict):
    """``seed -> fields_digest({**fields, "seed": seed})``, with the fields dumped once: a
    launcher's replications of one config differ only in their seed, and dumping some 1,200
    values cost about 0.5 ms a job. The JSON text is split where the seed goes (keys are
    sorted, so it goes there whatever its value) and an int seed written as ``json.dumps``
    writes it; any other seed, or a text where the mark is not found exactly once, takes
    ``fields_digest``."""
    text = json.dumps({**fields, "seed": SEED_MARK}, sort_keys=True, default=repr)
    mark = json.dumps(SEED_MARK)
    if text.count(mark) != 1:
        return lambda seed: fields_digest({**fields, "seed": seed})
    head, tail = (part.encode() for part in text.split(mark))

    def digest(seed) -> str:
        if type(seed) is not int:
            return fields_digest({**fields, "seed": seed})
        return hashlib.sha256(head + int.__repr__(seed).encode() + tail).hexdigest()
    return digest


def job_is_complete(job_dir, overrides, digest: str | None = None) -> bool:
    """True when ``job_dir`` already holds a complete run made with the same overrides and,
    when ``digest`` is given, the same config (``config_digest``; a run recorded without
    one is not taken as complete)."""
    job_dir = Path(job_dir)
    meta = job_dir / "job.json"
    if not (job_dir / "kpis.json").exists() or not meta.exists():
        return False
    recorded = read_job(job_dir)
    same = recorded.get("overrides") == list(overrides) and recorded.get("status") == "ok"
    return same and (digest is None or recorded.get("config_sha256") == digest)


def read_job(job_dir) -> dict:
    """``job.json`` of ``job_dir`` ({} when it is missing or unreadable)."""
    try:
        data = json.loads((Path(job_dir) / "job.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def earlier_results(sweep_dir, jobs) -> list[tuple[str, list]]:
    """``(job, its recorded overrides)`` of every job of ``jobs`` (``[(number, task
    overrides), ...]``) whose directory under ``sweep_dir`` holds a finished run
    (``status`` ok) made with other overrides: an earlier sweep's result that this sweep's
    job of the same number will replace (the sweeper says so before it starts). A job
    with the same overrides is this sweep's to skip or refresh; a failed or killed record
    holds no result."""
    out = []
    for num, overrides in jobs:
        recorded = read_job(Path(sweep_dir) / str(num))
        if recorded.get("status") == "ok" and recorded.get("overrides") != list(overrides):
            out.append((str(num), list(recorded.get("overrides") or [])))
    return out


def parse_overrides(overrides) -> dict:
    out = {}
    for o in overrides:
        if "=" in o:
            key, value = o.split("=", 1)
            out[key.lstrip("+~")] = value
    return out


def write_sweep_jobs(sweep_dir, jobs) -> None:
    """Record this sweep's jobs, ``[(number, task overrides), ...]``, in ``sweep.json``."""
    write_json(Path(sweep_dir) / SWEEP_FILE,
               {"jobs": [{"job": str(num), "overrides": list(ovr)} for num, ovr in jobs]})


def sweep_jobs(sweep_dir) -> dict | None:
    """``{job name: overrides}`` from ``sweep.json``; None where there is none (an older
    sweep's directory: then every job directory counts)."""
    try:
        data = json.loads((Path(sweep_dir) / SWEEP_FILE).read_text())
        return {str(j["job"]): list(j["overrides"]) for j in data["jobs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def combine(sweep_dir) -> pd.DataFrame:
    """One row per job of this sweep: overrides, seed, status, error, KPIs.

    A job of ``sweep.json`` without a record of its own (its directory holds nothing, or
    another sweep's job) is a failed row saying so; other job directories are ignored and
    named in ``table.attrs["ignored"]``.
    """
    sweep_dir = Path(sweep_dir)
    current = sweep_jobs(sweep_dir)
    dirs = {p.name: p for p in sweep_dir.iterdir() if p.is_dir() and (p / "job.json").exists()}
    names = sorted(current if current is not None else dirs, key=_num)
    ignored = sorted((n for n in dirs if current is not None and n not in current), key=_num)
    rows = []
    for name in names:
        result = job_result(sweep_dir / name)
        overrides = (current[name] if current is not None
                     else result["job"].get("overrides", []))
        rows.append(job_row(name, overrides, result, check=current is not None))
    table = pd.DataFrame(rows)
    table.attrs["ignored"] = ignored
    return table


def job_result(job_dir) -> dict:
    """What a job's directory says of it: ``{"job": job.json's record, "kpis": kpis.json's
    KPIs or None}`` (the job returns it to the launcher, which streams it to the table)."""
    job_dir = Path(job_dir)
    job = read_job(job_dir)
    kpis = None
    if job.get("status") == "ok":
        try:
            kpis = json.loads((job_dir / "kpis.json").read_text())
        except (OSError, ValueError):
            kpis = None
    return {"job": job, "kpis": kpis}


def job_row(name: str, overrides, result: dict, check: bool = True) -> dict:
    """The combined table's row of job ``name`` (this sweep's ``overrides``) from its
    ``job_result``: job, status, error, overrides, ``override.KEY`` and, when it succeeded,
    its KPIs. With ``check``, a record made with other overrides is no record of this job."""
    job = result["job"]
    if check and job.get("overrides") != list(overrides):
        job = {"status": "failed",
               "error": "no record of this job: its process ended before it started "
                        "(killed?), or the directory holds another sweep's job"}
    status = job.get("status", "unknown")
    if status == "running":
        status, job = "failed", {**job, "error": job.get(
            "error", "the job started but never finished (its process was killed)")}
    row = {"job": name, "status": status, "error": job.get("error"),
           "overrides": " ".join(overrides)}
    row.update({f"override.{k}": v for k, v in parse_overrides(overrides).items()})
    if status == "ok" and result.get("kpis") is not None:
        row.update(result["kpis"])
    return row


def _num(name: str):
    return (0, int(name)) if name.isdigit() else (1, name)


def sweep_lock(sweep_dir):
    """Take the sweep directory's lock (an ``flock`` on ``.marketsim-sweep.lock``, released
    when the returned file is closed or the process ends, even by SIGKILL); raises
    ``MarketsimError`` when another sweep holds it."""
    path = Path(sweep_dir) / LOCK_FILE
    f = open(path, "a+")  # noqa: SIM115 - held for the whole sweep
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or "another process"
        f.close()
        raise MarketsimError(
            f"hydra.sweep.dir={sweep_dir}: another marketsim sweep ({holder}) is writing "
            "into this directory; wait for it to end, or choose another hydra.sweep.dir"
        ) from None
    f.seek(0)
    f.truncate()
    f.write(f"pid {os.getpid()}")
    f.flush()
    return f


def remove_temporary_files(directory, depth: int = 0) -> list:
    """Remove the temporary files that ``atomic_write`` leaves when its process is killed
    (``.NAME.XXXXXXXX.tmp``) in ``directory`` and, ``depth`` levels down, its
    subdirectories; returns the removed paths. Call it only where no writer runs."""
    directory = Path(directory)
    removed = []
    if not directory.is_dir():
        return removed
    for path in directory.iterdir():
        if path.is_file() and path.name.startswith(".") and path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)
            removed.append(path)
        elif depth > 0 and path.is_dir() and not path.is_symlink():
            removed += remove_temporary_files(path, depth - 1)
    return removed
