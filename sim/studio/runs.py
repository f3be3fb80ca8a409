"""What-if runs, their baseline and comparisons: the studio's calls into the library.

A run is ``sim.cli.run_app`` on ``compose(overrides)``, written as the usual run directory
under ``WORKSPACE/runs/ID`` with a ``studio.json`` beside the outputs (the exact command
line that reproduces it, the status, any error). Bad input raises ``UserError`` before
anything is written; a run that crashes is recorded as failed with its error, and earlier
runs are never touched (each run has its own new directory).

The baseline of a run is the scenario with the same run settings (scenario, seed,
replications, horizon, mode) and none of the levers; both use the seeds ``seed ..
seed + replications - 1`` (common random numbers), so the deltas are paired per seed and
their interval is the paired-t interval (e.g. Law, *Simulation Modeling and Analysis*,
5th ed., section 10.2.1), computed by ``scipy.stats.ttest_rel``.
"""

import datetime as dt
import functools
import json
import secrets
import shlex
import threading
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.cli import UserError, compose, run_app
from sim.cli.table import table_rows
from sim.results import atomic_write
from sim.studio.catalogue import INFO, Catalogue, read_kpis
from sim.studio.schema import normal_override

BASELINE_KEYS = ("scenario", "seed", "replications", "horizon_days", "mode", "dt_days",
                 "backend", "plots", "draws")
CONFIDENCE = 0.90
_RUN_LOCK = threading.Lock()  # one simulation at a time in the server (matplotlib, CPU)


class Workspace:
    """``root/runs``, ``root/sweeps``, ``root/games`` and the catalogue over them."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.catalogue = Catalogue(self.root / "catalogue.sqlite")
        self.catalogue.scan(self.root)

    def new_dir(self, area: str) -> tuple[str, Path]:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        run_id = f"{area[:-1]}-{stamp}-{secrets.token_hex(3)}"
        path = self.root / area / run_id
        path.mkdir(parents=True)
        return run_id, path

    def record(self, info: dict) -> dict:
        """Write ``studio.json`` into the run directory and index it."""
        path = Path(info["path"])
        atomic_write(path / INFO, lambda p: Path(p).write_text(json.dumps(info, indent=1)))
        self.catalogue.add(info)
        return info


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def command_line(overrides, run_dir) -> str:
    """The ``marketsim`` command that writes the same run beside the studio's (``WORKSPACE/
    cli/ID`` for ``WORKSPACE/runs/ID``): not into ``run_dir`` itself, which the command
    line replaces whole, the studio's record (``studio.json``) with it."""
    run_dir = Path(run_dir)
    words = ["marketsim", *overrides,
             f"hydra.run.dir={run_dir.parent.parent / 'cli' / run_dir.name}"]
    return " ".join(shlex.quote(str(w)) for w in words)


@functools.lru_cache(maxsize=128)
def _compose(overrides: tuple):
    return compose(list(overrides))


def composed(overrides):
    """``sim.cli.compose`` remembered per override list: Hydra's composition of the full
    schema takes about 2 s, and the page composes the same scenario again and again.
    The typed configs are only read (the war game deep-copies its own)."""
    return _compose(tuple(overrides))


def start_run(ws: Workspace, overrides, kind: str = "run", label: str = "", app=None):
    """Compose ``overrides`` (``UserError`` before anything is written) and make the run's
    directory; returns its catalogue entry (status ``running``) and the typed config.
    ``app``, if given, is that config already built (the form's fast path)."""
    overrides = list(overrides)
    if app is None:
        app = composed(overrides)
    run_id, run_dir = ws.new_dir("runs")
    info = {"id": run_id, "kind": kind, "created": now(), "label": label or " ".join(overrides),
            "overrides": overrides, "command": command_line(overrides, run_dir),
            "path": str(run_dir), "status": "running", "error": None,
            "replications": app.replications, "draws": app.draws}
    return ws.record(info), app


def finish_run(ws: Workspace, info: dict, app) -> dict:
    """Run it; a failure is recorded in the entry (status ``failed``, ``error``)."""
    info = dict(info)
    try:
        with _RUN_LOCK:
            run_app(app, Path(info["path"]), progress=False)
        info["status"] = "ok"
    except Exception as e:  # noqa: BLE001 - shown in the page, the server goes on
        info["status"], info["error"] = "failed", f"{type(e).__name__}: {e}"
    info["kpis"] = read_kpis(Path(info["path"]))
    return ws.record(info)


def run_what_if(ws: Workspace, overrides, kind: str = "run", label: str = "") -> dict:
    """``start_run`` then ``finish_run``: the finished entry."""
    info, app = start_run(ws, overrides, kind, label)
    return finish_run(ws, info, app)


def progress(info: dict) -> float:
    """Share of a running run's replications written (0 to 1)."""
    reps = int(info.get("replications") or 1)
    run_dir = Path(info["path"])
    if (run_dir / "kpis.json").exists():
        return 1.0
    if reps == 1:
        return 0.0
    return len(list(run_dir.glob("rep_*/kpis.json"))) / reps


def baseline_overrides(overrides) -> list[str]:
    """The run settings among ``overrides`` (no levers)."""
    return [o for o in overrides if o.split("=", 1)[0].lstrip("+~") in BASELINE_KEYS]


def find_baseline(ws: Workspace, overrides, draws: str = "counter") -> dict | None:
    """The workspace's baseline run with these run settings, their numbers compared as
    numbers (``normal_override``: one run before 2026-12-07 wrote ``horizon_days=364.0``),
    made with the same aggregate ``draws`` as the run it is paired with (a baseline
    catalogued without them ran with the Generator's, the default until 2026-12-07: paired
    with keyed draws it would compare two draw paths, not the levers)."""
    want = sorted(map(normal_override, baseline_overrides(overrides)))
    for entry in ws.catalogue.list("baseline"):
        if entry["status"] == "ok" and entry.get("draws", "generator") == draws \
                and sorted(map(normal_override, entry["overrides"])) == want:
            return entry
    return None


def ensure_baseline(ws: Workspace, overrides) -> dict:
    found = find_baseline(ws, overrides, composed(overrides).draws)
    if found is not None:
        return found
    want = baseline_overrides(overrides)
    return run_what_if(ws, want, kind="baseline", label="baseline " + " ".join(want))


def kpi_frame(run_dir) -> pd.DataFrame:
    """One row per replication (seed) of a run directory."""
    run_dir = Path(run_dir)
    reps = run_dir / "kpis_replications.parquet"
    if reps.exists():
        return pd.read_parquet(reps)
    kpis = read_kpis(run_dir)
    return pd.DataFrame([kpis]) if kpis else pd.DataFrame()


def paired_deltas(run: pd.DataFrame, base: pd.DataFrame,
                  confidence: float = CONFIDENCE) -> list[dict]:
    """Per KPI: the run's mean, the baseline's, the mean paired difference and its
    ``confidence`` paired-t interval (None with one seed; zero width when every seed's
    difference is the same)."""
    both = run.merge(base, on="seed", suffixes=("", "_base"))
    rows = []
    for k in table_rows(run):  # the command line's rows (a line's products, the pipeline)
        if k not in run.columns or f"{k}_base" not in both.columns:
            continue
        a = pd.to_numeric(both[k], errors="coerce")
        b = pd.to_numeric(both[f"{k}_base"], errors="coerce")
        ok = a.notna() & b.notna()
        a, b = a[ok].to_numpy(float), b[ok].to_numpy(float)
        row = {"kpi": k, "n": int(len(a)), "value": _mean(pd.to_numeric(run[k], errors="coerce")),
               "baseline": _mean(pd.to_numeric(base[k], errors="coerce")) if k in base else None,
               "delta": float(np.mean(a - b)) if len(a) else None, "low": None, "high": None}
        if len(a) >= 2:
            d = a - b
            if np.all(d == d[0]):
                row["low"] = row["high"] = float(d[0])
            else:
                ci = stats.ttest_rel(a, b).confidence_interval(confidence)
                row["low"], row["high"] = float(ci.low), float(ci.high)
        rows.append(row)
    return rows


def warnings_of(entry: dict, app) -> list[str]:
    """The KPI table's warning lines for a run's KPIs (``sim.cli.table.table_warnings``):
    cash short or insolvent, no launch within the run, support outgrown; and its note on a
    slipped launch's paused campaign (``slip_note``); ``app`` the run's config (its
    currency)."""
    from sim.cli.table import slip_note, table_warnings

    frame = kpi_frame(entry["path"])
    return table_warnings(frame, app.currency) + slip_note(frame) if not frame.empty else []


def _mean(v: pd.Series):
    v = v.dropna()
    return float(v.mean()) if len(v) else None


def compare(entries: list[dict]) -> pd.DataFrame:
    """KPI (rows) by run (columns): each run's mean over its replications; ``attrs["seeds"]``
    each run's seeds ({id: sorted list})."""
    cols, seeds, order = {}, {}, []
    for e in entries:
        frame = kpi_frame(e["path"])
        rows = table_rows(frame)
        order += [k for k in rows if k not in order]
        cols[e["id"]] = {k: _mean(pd.to_numeric(frame[k], errors="coerce")) for k in rows}
        seeds[e["id"]] = (sorted(pd.to_numeric(frame["seed"], errors="coerce").dropna()
                                 .astype(int).tolist()) if "seed" in frame else [])
    out = pd.DataFrame(cols).reindex(order)
    out.attrs["seeds"] = seeds
    out.attrs["frames"] = {e["id"]: frame_of(e) for e in entries}
    return out


def frame_of(entry: dict) -> tuple | None:
    """(scenario, horizon in days, currency) of a catalogued run, from its ``config.json``
    (its first replication's for several), else from its overrides composed again; None
    where they no longer compose."""
    run_dir = Path(entry["path"])
    for path in (run_dir / "config.json", run_dir / "rep_000" / "config.json"):
        try:
            cfg = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        return (cfg.get("name"), float(cfg.get("horizon_days", 0.0)),
                cfg.get("currency", "USD"))
    try:  # a compact run writes no config.json: its overrides composed again
        app = composed(entry.get("overrides") or [])
    except UserError:
        return None
    return app.name, float(app.horizon_days), app.currency


def frames_note(frames: dict) -> str:
    """A warning where the runs compared differ in scenario, horizon or currency: their
    KPIs then answer different questions (a 364-day run beside a 1,825-day one read as
    NPV -4.03M against -18.94M, revenue 0 against 49.5M, without a word); "" where they
    agree."""
    seen = {f for f in frames.values() if f is not None}
    if len(seen) <= 1:
        return ""
    said = "; ".join(f"{k}: {f[0]}, {f[1]:,.0f} days, {f[2]}" for k, f in frames.items()
                     if f is not None)
    return (f"Not comparable: these runs differ in scenario, horizon or currency ({said}), "
            "so their KPIs answer different questions. Compare runs of one scenario and "
            "horizon.")


def currency_of(entry: dict) -> str:
    """The currency of a catalogued run: its written config's (``config.json``, the first
    replication's for a run of several), else its composed config's."""
    run_dir = Path(entry.get("path") or ".")
    for path in (run_dir / "config.json", run_dir / "rep_000" / "config.json"):
        try:
            found = json.loads(path.read_text()).get("currency")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(found, str) and found:
            return found
    try:
        return composed(entry.get("overrides") or []).currency
    except UserError:  # a run from a config that no longer composes: its amounts as they are
        return ""


def seeds_note(seeds: dict) -> str:
    """A warning where the runs compared were run on different seeds: their differences then
    mix the change with seed noise (price 239 over seeds 0-2 against 229 on seed 0: about
    half of the 0.71M apart was the seeds); "" where every run has the same seeds."""
    sets = {tuple(v) for v in seeds.values()}
    if len(sets) <= 1:
        return ""
    said = "; ".join(f"{k}: {seed_text(v)}" for k, v in seeds.items())
    return (f"Not paired: these runs used different seeds ({said}), so their differences "
            "include seed noise. Run them on the same seeds to compare them (the what-if "
            "page pairs each run with its baseline on its own seeds).")


def seed_text(v: list) -> str:
    """A run's seeds in words: "seed 0", "seeds 0-2", "seeds 0, 5", "none"."""
    if not v:
        return "none"
    if v == list(range(v[0], v[-1] + 1)) and len(v) > 1:
        return f"seeds {v[0]}-{v[-1]}"
    return ("seed " if len(v) == 1 else "seeds ") + ", ".join(map(str, v))


def plots_of(entry: dict) -> list[Path]:
    """A run's figures (the first replication's for a multi-replication run)."""
    run_dir = Path(entry["path"])
    for d in (run_dir / "plots", run_dir / "rep_000" / "plots"):
        if d.is_dir():
            return sorted(d.glob("*.png"))
    return []
