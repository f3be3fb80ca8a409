"""Files a calibration leaves behind: ``fit.json``, the market config ``market/<name>.yaml``
and, for the default method, ``posterior.json``, ``posterior.csv`` and ``forecast.csv``.

The market YAML has exactly the keys the scenario engine's market schema reads (one
segment, ``all``, sized at the market potential), so that
``marketsim scenario=bass_only hydra.searchpath=[file://DIR] market=<name>`` simulates from
the fit (a scenario whose rivals hold no installed base in named segments). It is
produced by a YAML serialiser (``yaml.safe_dump``), never by pasting strings, and its one
comment line carries the source path JSON-escaped, so no file name can add keys. The
posterior, which the typed schema would reject as unknown keys, goes to the sidecar files
that the comment names.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
from pathlib import Path

import yaml

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
# sim.config.SegmentConfig accepts sizes up to this.
MAX_SIZE = 2**31 - 2


def default_name(csv_path) -> str:
    """A config-safe name from a file name: ``room air-cond.csv`` -> ``room_air-cond``."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(csv_path).stem).strip("_")[:60] or "market"
    return stem if NAME_PATTERN.match(stem) else f"m_{stem}"


def check_name(name: str) -> str:
    """Return ``name`` if it can be a Hydra config name and a YAML string, else raise."""
    if not NAME_PATTERN.match(name):
        raise ValueError(f"--name {name!r} must start with a letter or '_', contain only "
                         "letters, digits, '_' and '-', and be at most 64 characters")
    if yaml.safe_load(name) != name:
        raise ValueError(f"--name {name!r} would be read back as a YAML "
                         f"{type(yaml.safe_load(name)).__name__}, not a name")
    return name


def _values(cal):
    """(p, q, m) per period of either kind of calibration."""
    if hasattr(cal, "bass"):
        return cal.bass.p, cal.bass.q, cal.bass.m
    return cal.p, cal.q, cal.m


def market_yaml(cal, today: _dt.date | None = None) -> str:
    """The market config text for a calibration (p, q per year; size = m rounded)."""
    today = today or _dt.date.today()
    p, q, m = _values(cal)
    size = int(round(m)) if m == m and abs(m) < 1e30 else 0
    if not 1 <= size <= MAX_SIZE:
        ceiling = getattr(getattr(cal, "prior", None), "ceiling", None)
        cause = (f"--ceiling {ceiling:.6g} pulls m towards it: give the ceiling in the units "
                 "of the sales column, or " if ceiling is not None else "")
        raise ValueError(f"market potential m = {m:.6g} rounds to size {size}, outside the "
                         f"segment size range 1..{MAX_SIZE}; {cause}rescale the sales column "
                         "so that one unit is one customer or a fixed block of them")
    doc = {"name": cal.name,
           "segments": [{"name": "all", "size": size,
                         "p": float(f"{p / cal.period_years:.6g}"),
                         "q": float(f"{q / cal.period_years:.6g}")}]}
    comment = (f"# Fitted by marketsim-fit from {json.dumps(cal.series.source)} on "
               f"{today.isoformat()}: Bass p, q per year; size = market potential m.\n")
    if not hasattr(cal, "bass"):
        comment += ("# Posterior of (p, q, m): ../posterior.json (mode, covariance, prior) "
                    "and ../posterior.csv (draws).\n")
    return comment + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


def _write(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _staged(path: Path) -> Path:
    """The temporary name ``path`` is written under before its rename (its suffix kept,
    so Matplotlib still knows the format)."""
    return path.with_name(f".{path.stem}.tmp{path.suffix}")


# the list of the files a fit wrote, beside them: the next fit into the same folder removes
# those of them it does not write itself (an earlier fit's posterior, forecast or figure
# must not sit beside a later fit's fit.json), and nothing else
MANIFEST = ".marketsim-fit-files.json"


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()


def output_paths(out: Path, name: str, bayes: bool, forecast: bool, plot: bool,
                 example: bool) -> dict:
    """The files a fit writes in ``out``, by key: fit.json and the market YAML; the
    default method's posterior files and, with a forecast, forecast.csv; the figure; the
    example's data (``write_outputs``, and the command line's check that none of them is
    the input)."""
    paths = {"json": out / "fit.json", "yaml": out / "market" / f"{name}.yaml"}
    if example:
        paths["example"] = out / "example_sales.csv"
    if bayes:
        paths["posterior"] = out / "posterior.json"
        paths["samples"] = out / "posterior.csv"
        if forecast:
            paths["forecast"] = out / "forecast.csv"
    if plot:
        paths["png"] = out / "fit.png"
    return paths


def write_outputs(cal, out_dir, plot: bool = True, example_csv: str | None = None,
                  keep=()) -> dict:
    """Write fit.json, market/<name>.yaml, the posterior and forecast files (default method)
    and, optionally, fit.png; return their paths. Every file is written under a temporary
    name first and renamed only once all are written: a failure leaves an earlier output
    directory as it was. Then the files an earlier fit listed in ``MANIFEST`` that this fit
    did not write are removed (another method's, product's or option's), never a path of
    ``keep`` (the input) nor a file no fit wrote, and this fit's list replaces it."""
    text = market_yaml(cal)  # raises before anything is written
    report = cal.to_dict()
    out = Path(out_dir)
    bayes = not hasattr(cal, "bass")
    paths = output_paths(out, cal.name, bayes, bayes and bool(cal.horizon), plot,
                         example_csv is not None)
    texts = {"json": json.dumps(report, indent=2) + "\n", "yaml": text}
    if example_csv is not None:
        texts["example"] = example_csv
    if bayes:
        texts["posterior"] = json.dumps(cal.posterior_dict(), indent=2) + "\n"
        texts["samples"] = _csv([{"p_per_year": p / cal.period_years,
                                  "q_per_year": q / cal.period_years, "m": m}
                                 for p, q, m in cal.samples])
        if cal.horizon:
            texts["forecast"] = _csv(cal.forecast_rows())
    staged = {key: _staged(path) for key, path in paths.items()}
    try:
        (out / "market").mkdir(parents=True, exist_ok=True)
        for key, body in texts.items():
            staged[key].write_text(body)
        if plot:
            from sim.calibration.plot import plot_fit, plot_forecast

            (plot_fit if hasattr(cal, "bass") else plot_forecast)(cal, staged["png"])
            if not staged["png"].exists():  # a plotter that wrote nothing (a test's stub)
                del paths["png"]
        for path in paths.values():  # a rename onto a folder fails: before any rename
            if path.exists() and not path.is_file():
                raise IsADirectoryError(21, "Is a directory", str(path))
        for key, path in paths.items():
            os.replace(staged[key], path)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
    written = sorted(str(path.relative_to(out)) for path in paths.values())
    manifest = out / MANIFEST
    try:
        earlier = json.loads(manifest.read_text()) if manifest.is_file() else []
    except (OSError, ValueError):
        earlier = []
    kept = {Path(k).resolve() for k in keep}
    for name in earlier if isinstance(earlier, list) else []:
        old = out / str(name)
        if (str(name) not in written and old.parent.resolve() in (out.resolve(),
                                                                  (out / "market").resolve())
                and old.is_file() and old.resolve() not in kept):
            old.unlink()
    _write(manifest, json.dumps(written) + "\n")
    return paths
