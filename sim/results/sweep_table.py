"""The sweep's combined table, built by streaming rather than by reading every job back.

While a sweep runs, the launching process appends each finished job's row to a spool file,
``.kpis-rows.jsonl`` in the sweep directory (``RowSpool``): one line per job, its name, a
tab, the row (``sweep.job_row``) as JSON. At the end ``write_table`` writes
``kpis.parquet`` from the spool in job order, ``CHUNK_ROWS`` rows at a time (one parquet
row group each), holding only the spool's line offsets and one chunk in memory. A job of
``sweep.json`` without a line (its worker was killed, or the launcher returned no row) gets
its row from its directory's files, as ``combine`` builds it.

The table equals ``combine``'s once read back (same rows, columns, column order and
types): a column's type follows pandas' inference over the whole column (whole numbers
with a gap become floats, text stays text, a column of nothing but nulls stays null).
A column where some jobs give a yes/no and others a number (a job of one replication
beside a job of several, whose ``kpis.json`` gives the share of its replications where it
holds) is a float column, the yes/no as 1.0 or 0.0 (``combine``'s frame cannot be written:
pyarrow refuses a column of bools and floats). Where the values of a column mix kinds that
these rules do not cover, ``write_table`` falls back to ``combine`` (the whole table in
memory).
"""

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.results.files import atomic_write
from sim.results.sweeps import _num, combine, job_result, job_row, sweep_jobs

SPOOL = ".kpis-rows.jsonl"
CHUNK_ROWS = 1000


class RowSpool:
    """Append-only spool of a sweep's finished rows, one JSON line per job.

    ``jobs`` maps each job's name (its number as text) to its task overrides; rows of other
    names are ignored. A job added twice (re-run after its worker died) keeps its last row.
    """

    def __init__(self, sweep_dir, jobs: dict):
        self.path = Path(sweep_dir) / SPOOL
        self.jobs = {str(k): list(v) for k, v in jobs.items()}
        self._file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - the sweep's
        self.rows = 0
        self.failed = 0

    def add(self, name, result) -> dict | None:
        """Spool job ``name``'s ``job_result``; returns its row (None if not spooled)."""
        name = str(name)
        if self._file.closed or result is None or name not in self.jobs:
            return None
        row = job_row(name, self.jobs[name], result)
        self._file.write(f"{name}\t{json.dumps(row)}\n")
        self._file.flush()
        self.rows += 1
        self.failed += row["status"] != "ok"
        return row

    def close(self) -> None:
        self._file.close()


def _index(path: Path) -> dict:
    """``{job name: byte offset of its last line}`` of a spool file ({} if there is none)."""
    offsets = {}
    try:
        f = open(path, "rb")  # noqa: SIM115
    except OSError:
        return offsets
    with f:
        offset = 0
        for line in f:
            if line.endswith(b"\n") and b"\t" in line:  # a line cut short by a kill is left out
                offsets[line.split(b"\t", 1)[0].decode()] = offset
            offset += len(line)
    return offsets


class _Unsupported(Exception):
    """A column mixes kinds of values that the streamed build does not type."""


def _types(kinds: set, complete: bool, everywhere: bool) -> tuple:
    """(arrow type, pandas dtype) of a column whose non-null values are of ``kinds``
    (``complete``: no row lacks a value; ``everywhere``: every row has the key, if only
    as null), as ``pd.DataFrame(rows).to_parquet`` types it."""
    if not kinds:  # nulls only: pandas makes a missing key NaN, and None with NaN floats
        return (pa.null(), object) if everywhere else (pa.float64(), "float64")
    if kinds == {int} and complete:
        return pa.int64(), "int64"
    if kinds <= {int, float}:
        return pa.float64(), "float64"
    if kinds <= {bool, int, float} and kinds & {int, float}:
        # a yes/no of one job beside a share of another's replications
        # (sim.results.replications): a share, the yes/no as 1.0 or 0.0
        return pa.float64(), "float64"
    if kinds == {bool}:
        return (pa.bool_(), bool) if complete else (pa.bool_(), object)
    if kinds == {str}:
        return pa.string(), object
    raise _Unsupported(kinds)


def write_table(sweep_dir, path=None, chunk_rows: int = CHUNK_ROWS) -> dict:
    """Write the sweep's ``kpis.parquet`` (or ``path``) from its spool; returns ``{"rows":
    number of rows, "failed": [(job, error), ...], "columns": [...], "streamed": rows that
    came from the spool, "ignored": job directories of an earlier sweep}``. Without ``sweep.json`` (an older sweep) it uses ``combine``."""
    sweep_dir = Path(sweep_dir)
    path = Path(path) if path is not None else sweep_dir / "kpis.parquet"
    current = sweep_jobs(sweep_dir)
    if current is None:
        return _write_combined(sweep_dir, path)
    names = sorted(current, key=_num)
    ignored = sorted((p.name for p in sweep_dir.iterdir() if p.name not in current
                      and p.is_dir() and (p / "job.json").exists()), key=_num)
    if not names:
        return {"rows": 0, "failed": [], "columns": [], "streamed": 0, "ignored": ignored}
    offsets = _index(sweep_dir / SPOOL)

    def rows():
        with open(sweep_dir / SPOOL, "rb") if offsets else _Nothing() as f:
            for name in names:
                if name in offsets:
                    f.seek(offsets[name])
                    yield json.loads(f.readline().split(b"\t", 1)[1])
                else:
                    yield job_row(name, current[name], job_result(sweep_dir / name))

    columns: dict = {}  # in order of first appearance, as pd.DataFrame(rows) orders them
    filled: dict = {}
    present: dict = {}
    failed = []
    for row in rows():
        for key, value in row.items():
            kinds = columns.setdefault(key, set())
            present[key] = present.get(key, 0) + 1
            if value is not None:
                kinds.add(type(value))
                filled[key] = filled.get(key, 0) + 1
        if row["status"] != "ok":
            failed.append((row["job"], row["error"]))
    try:
        types = {k: _types(v, filled.get(k, 0) == len(names), present[k] == len(names))
                 for k, v in columns.items()}
    except _Unsupported:
        return _write_combined(sweep_dir, path)
    schema = pa.schema([(k, t[0]) for k, t in types.items()])

    def write(tmp):
        writer = None
        try:
            chunk = []
            for row in rows():
                chunk.append(row)
                if len(chunk) == chunk_rows:
                    writer = _write_chunk(writer, tmp, chunk, types, schema)
                    chunk = []
            if chunk:
                writer = _write_chunk(writer, tmp, chunk, types, schema)
        finally:
            if writer is not None:
                writer.close()

    atomic_write(path, write)
    return {"rows": len(names), "failed": failed, "columns": list(columns),
            "streamed": sum(n in offsets for n in names), "ignored": ignored}


def _write_chunk(writer, tmp, chunk, types, schema):
    df = pd.DataFrame(chunk, columns=list(types))
    for key, (arrow_type, dtype) in types.items():
        if arrow_type == pa.null():
            df[key] = pd.Series([None] * len(df), index=df.index, dtype=object)
        elif dtype is not object:
            df[key] = df[key].astype(dtype)
    table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
    if writer is None:
        writer = pq.ParquetWriter(tmp, table.schema)
    else:
        table = table.replace_schema_metadata(writer.schema.metadata)
    writer.write_table(table)
    return writer


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _write_combined(sweep_dir: Path, path: Path) -> dict:
    table = combine(sweep_dir)
    if not table.empty:
        atomic_write(path, lambda p: table.to_parquet(p, index=False))
    failed = table[table["status"] != "ok"] if not table.empty else table
    return {"rows": len(table), "failed": list(zip(failed.get("job", []),
                                                    failed.get("error", []), strict=True)),
            "columns": list(table.columns), "streamed": 0,
            "ignored": table.attrs.get("ignored", [])}
