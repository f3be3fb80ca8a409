"""Writing result files safely: atomic renames, standard JSON.

Every file is written to a temporary name in the same directory and renamed, so a killed
run never leaves a half file that looks complete.
"""

import functools
import json
import math
import os
import tempfile
from pathlib import Path


@functools.cache
def _umask() -> int:
    """The process umask, read once on the first write (reading it means setting it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def clean_json(d: dict) -> dict:
    """Replace NaN/inf floats by None so the JSON is standard, and a zero of either sign
    by 0.0 (a KPI's -0.0 is an artefact of its arithmetic, never a finding)."""
    out = {}
    for k, v in d.items():
        if isinstance(v, float):
            v = v + 0.0 if math.isfinite(v) else None  # -0.0 + 0.0 is 0.0; others keep
        out[k] = v                                      # every bit
    return out


def atomic_write(path, writer) -> None:
    """Call ``writer(tmp_path)`` then rename to ``path`` (same directory, atomic)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are for colleagues too
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path, data) -> None:
    """``data`` as indented JSON (NaN and inf as null), written atomically."""
    atomic_write(path, lambda p: Path(p).write_text(json.dumps(clean_json(data), indent=2,
                                                               sort_keys=True, default=str)))


def kpis_text(kpis: dict) -> str:
    """``kpis.json``'s text: the run's KPIs, NaN and inf as null, keys sorted."""
    return json.dumps(clean_json(kpis), indent=2, sort_keys=True)


def write_compact(results, run_dir, tables=()) -> Path:
    """A run's compact output (``outputs=compact``, for sweeps): the tables named in
    ``tables`` (``timeseries``, ``pnl``, ...: ``sim.config.scenario.OUTPUT_TABLES``) as
    parquet and ``kpis.json``, written last as by ``Results.write``, whose files of the
    same name it equals; no ``config.json``, no plots. Tables of a run recorded for its
    KPIs alone (``kpis_only``) are refused before anything is written."""
    if tables and getattr(results, "kpis_only", False):
        raise ValueError(f"output_tables={list(tables)}: this run recorded only what its "
                         "KPIs read (run_scenario(..., kpis_only=True)); run it without "
                         "kpis_only to write tables")
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in tables:
        if name in ("pnl", "balance"):
            df = results.statements()[0 if name == "pnl" else 1]
        else:
            df = getattr(results, name)
        atomic_write(out / f"{name}.parquet", lambda p, df=df: df.to_parquet(p, index=False))
    atomic_write(out / "kpis.json", lambda p: Path(p).write_text(kpis_text(results.kpis)))
    return out
