"""Sweep bookkeeping without Hydra: job status files, resume checks, the combined table.

A job directory is complete when it holds ``kpis.json`` (written last, atomically) and
failed when it holds ``error.json``; ``job.json`` records the job's overrides and seed.
``combine(sweep_dir)`` gathers every job into one DataFrame, one row per job.
"""

import json
from pathlib import Path

import pandas as pd

from sim.results.files import write_json  # noqa: F401 - re-exported for the CLI


def job_is_complete(job_dir, overrides) -> bool:
    """True when ``job_dir`` already holds a complete run made with the same overrides."""
    job_dir = Path(job_dir)
    meta = job_dir / "job.json"
    if not (job_dir / "kpis.json").exists() or not meta.exists():
        return False
    try:
        recorded = json.loads(meta.read_text())
    except (OSError, ValueError):
        return False
    return recorded.get("overrides") == list(overrides) and recorded.get("status") == "ok"


def parse_overrides(overrides) -> dict:
    out = {}
    for o in overrides:
        if "=" in o:
            key, value = o.split("=", 1)
            out[key.lstrip("+~")] = value
    return out


def combine(sweep_dir) -> pd.DataFrame:
    """One row per job directory under ``sweep_dir``: overrides, seed, status, KPIs."""
    rows = []
    for meta in sorted(Path(sweep_dir).glob("*/job.json"), key=lambda p: _num(p.parent.name)):
        job = json.loads(meta.read_text())
        row = {"job": meta.parent.name, "status": job.get("status", "unknown"),
               "error": job.get("error"), "overrides": " ".join(job.get("overrides", []))}
        row.update({f"override.{k}": v for k, v in parse_overrides(job.get("overrides", [])).items()})
        kp = meta.parent / "kpis.json"
        if row["status"] == "ok" and kp.exists():
            row.update(json.loads(kp.read_text()))
        rows.append(row)
    return pd.DataFrame(rows)


def _num(name: str):
    return (0, int(name)) if name.isdigit() else (1, name)
