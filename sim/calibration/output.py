"""Files a calibration leaves behind: ``fit.json`` and the market config ``market/<name>.yaml``.

The market YAML has exactly the keys the scenario engine's market schema reads (one
segment, ``all``, sized at the market potential), so that
``marketsim hydra.searchpath=[file://DIR] market=<name>`` simulates from the fit.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

import yaml

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# sim.config.SegmentConfig accepts sizes up to this.
MAX_SIZE = 2**31 - 2


def default_name(csv_path) -> str:
    """A config-safe name from a file name: ``room air-cond.csv`` -> ``room_air-cond``."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(csv_path).stem).strip("_") or "market"
    return stem if NAME_PATTERN.match(stem) else f"m_{stem}"


def check_name(name: str) -> str:
    """Return ``name`` if it can be a Hydra config name and a YAML string, else raise."""
    if not NAME_PATTERN.match(name):
        raise ValueError(f"--name {name!r} must start with a letter or '_' and contain only "
                         "letters, digits, '_' and '-'")
    if yaml.safe_load(name) != name:
        raise ValueError(f"--name {name!r} would be read back as a YAML "
                         f"{type(yaml.safe_load(name)).__name__}, not a name")
    return name


def _number(x: float) -> str:
    return f"{x:.6g}"


def market_yaml(cal, today: _dt.date | None = None) -> str:
    """The market config text for a calibration (p, q per year; size = m rounded)."""
    today = today or _dt.date.today()
    size = int(round(cal.bass.m))
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"market potential m = {cal.bass.m:.6g} rounds to size {size}, "
                         f"outside the segment size range 1..{MAX_SIZE}; rescale the sales "
                         "column so that one unit is one customer or a fixed block of them")
    p_year = cal.bass.p / cal.period_years
    q_year = cal.bass.q / cal.period_years
    return (
        f"# Fitted by marketsim-fit from {cal.series.source} on {today.isoformat()}: "
        "Bass p, q per year; size = market potential m.\n"
        f"name: {cal.name}\n"
        "segments:\n"
        "  - name: all\n"
        f"    size: {size}\n"
        f"    p: {_number(p_year)}\n"
        f"    q: {_number(q_year)}\n"
    )


def write_outputs(cal, out_dir, plot: bool = True) -> dict:
    """Write fit.json, market/<name>.yaml and (optionally) fit.png; return their paths."""
    text = market_yaml(cal)  # raises before anything is written
    out = Path(out_dir)
    (out / "market").mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "fit.json", "yaml": out / "market" / f"{cal.name}.yaml"}
    paths["json"].write_text(json.dumps(cal.to_dict(), indent=2) + "\n")
    paths["yaml"].write_text(text)
    if plot:
        from sim.calibration.plot import plot_fit

        paths["png"] = out / "fit.png"
        plot_fit(cal, paths["png"])
    return paths
