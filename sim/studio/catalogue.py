"""The studio's run catalogue: one SQLite table over the workspace's run directories.

Each run directory the studio makes holds a ``studio.json`` (kind, label, overrides, the
exact command, status, error); ``scan`` rebuilds the table from those files, so the
catalogue is an index that can be deleted and rebuilt, never the only copy of anything.
KPIs are read from the run directory's ``kpis.json`` (the output contract).
"""

import json
import sqlite3
from contextlib import closing
from pathlib import Path

COLUMNS = ("id", "kind", "created", "label", "overrides", "command", "path", "status",
           "error", "kpis", "extra")
SCHEMA = """CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, kind TEXT, created TEXT, label TEXT, overrides TEXT, command TEXT,
  path TEXT, status TEXT, error TEXT, kpis TEXT, extra TEXT)"""
INFO = "studio.json"


class Catalogue:
    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(SCHEMA)

    def _connect(self):
        return sqlite3.connect(self.path, timeout=10)

    def add(self, info: dict) -> None:
        """Insert or replace one entry (``info`` as written to ``studio.json``)."""
        kpis = info.get("kpis")
        if kpis is None and info.get("path"):
            kpis = read_kpis(Path(info["path"]))
        row = {**{c: None for c in COLUMNS}, **info, "kpis": kpis}
        row["extra"] = json.dumps({k: v for k, v in info.items() if k not in COLUMNS})
        row["overrides"] = json.dumps(row["overrides"] or [])
        row["kpis"] = json.dumps(row["kpis"]) if row["kpis"] is not None else None
        with closing(self._connect()) as db, db:
            db.execute(f"INSERT OR REPLACE INTO runs VALUES ({','.join('?' * len(COLUMNS))})",
                       [row[c] for c in COLUMNS])

    def list(self, kind: str | None = None) -> list[dict]:
        query = "SELECT * FROM runs" + (" WHERE kind = ?" if kind else "") + " ORDER BY created DESC"
        with closing(self._connect()) as db:
            rows = db.execute(query, (kind,) if kind else ()).fetchall()
        return [_decode(r) for r in rows]

    def get(self, run_id: str) -> dict | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _decode(row) if row else None

    def scan(self, root) -> int:
        """Index every ``studio.json`` under ``root``; returns how many were found."""
        n = 0
        for info_path in sorted(Path(root).glob(f"*/*/{INFO}")):
            try:
                info = json.loads(info_path.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            info["path"] = str(info_path.parent)
            self.add(info)
            n += 1
        return n


def read_kpis(run_dir: Path) -> dict | None:
    try:
        return json.loads((Path(run_dir) / "kpis.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None


def _decode(row) -> dict:
    out = dict(zip(COLUMNS, row, strict=True))
    out["overrides"] = json.loads(out["overrides"] or "[]")
    out["kpis"] = json.loads(out["kpis"]) if out["kpis"] else None
    extra = json.loads(out.pop("extra") or "{}")
    return {**extra, **out}
