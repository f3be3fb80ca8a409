"""The one-page board scorecard (``marketsim report``): markdown and HTML next to the run.

One run (or one run's replications, averaged over seeds): a table per perspective of the
balanced scorecard with a column per year and one for the run. Several runs (a sweep, or
several directories): the answer first (the option with the highest mean NPV, its expected
gain over the runner-up with a paired interval over common seeds, the chance it is
worse), then every measure's run value per option (means over seeds) and the options'
revenue, net income and cash by year. Measures: ``sim.results.scorecard``; definitions:
docs/kpis.md.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import MarketsimError
from sim.formatting import unsigned_zero
from sim.results.assumptions import assumption_lines, currency_of
from sim.results.decision import money
from sim.results.files import atomic_write
from sim.results.scorecard import MEASURES, PERSPECTIVES, find_runs, load_run, year_scorecard
from sim.results.sweep_report import (
    TROUBLE,
    compact_comparison,
    is_compact_sweep,
    sweep_answer,
)

SOURCE = ("Perspectives as in Kaplan and Norton (1992), \"The Balanced Scorecard: Measures "
          "that Drive Performance\", Harvard Business Review 70(1). Definitions: docs/kpis.md.")
TRAJECTORY = ("revenue", "net_income", "cash")


def fmt(v, unit: str, currency: str) -> str:
    if v is None or not np.isfinite(v):
        return "-"
    if unit == "money":
        return money(v, currency)
    if unit == "pct":
        return unsigned_zero(f"{100 * v:.1f}%")
    if unit in ("count", "day"):
        return unsigned_zero(f"{v:,.0f}")
    return unsigned_zero(f"{v:.2f}")


def _table(rows: pd.DataFrame, columns, currency: str, labels=None):
    """Money cells without the currency: the measure's name carries it."""
    head = ["measure", *[(labels or {}).get(c, c) for c in columns]]
    body = [[r["measure"] + (f" ({currency})" if r["unit"] == "money" else ""),
             *[fmt(r[c], r["unit"], "") for c in columns]] for _, r in rows.iterrows()]
    return head, body


def _md(head, body) -> list[str]:
    return (["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            + ["| " + " | ".join(map(str, row)) + " |" for row in body] + [""])


def _html_table(head, body) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in body)
    return f"<table><tr>{cells}</tr>{rows}</table>"


def _page(title: str, blocks, out_md: Path) -> Path:
    """``blocks``: ("h2"|"p"|"list"|"table", payload); writes ``out_md`` and its ``.html``."""
    md, htm = [f"# {title}", ""], [f"<h1>{html.escape(title)}</h1>"]
    for kind, payload in blocks:
        if kind == "h2":
            md += [f"## {payload}", ""]
            htm.append(f"<h2>{html.escape(payload)}</h2>")
        elif kind == "p":
            md += [payload, ""]
            htm.append(f"<p>{html.escape(payload.replace('**', ''))}</p>")
        elif kind == "list":
            md += [*payload, ""]
            htm.append("<ul>" + "".join(f"<li>{html.escape(x[2:].replace('**', ''))}</li>"
                                        for x in payload) + "</ul>")
        else:
            md += _md(*payload)
            htm.append(_html_table(*payload))
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-"
             "collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 8px;"
             "text-align:right}td:first-child,th:first-child{text-align:left}")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{style}</style></head><body>{''.join(htm)}</body></html>")
    atomic_write(out_md, lambda p: Path(p).write_text("\n".join(md)))
    atomic_write(out_md.with_suffix(".html"), lambda p: Path(p).write_text(page))
    return out_md


def _mean_scorecard(cards) -> pd.DataFrame:
    """Cell-by-cell mean over seeds (years a seed lacks are left out)."""
    first = cards[0][["perspective", "key", "measure", "unit"]]
    num = pd.concat([c.drop(columns=["perspective", "key", "measure", "unit"]) for c in cards])
    mean = num.groupby(level=0).mean()
    cols = sorted((c for c in mean.columns if c.startswith("Y")), key=lambda c: int(c[1:]))
    return pd.concat([first, mean[cols + ["run"]]], axis=1)


def _single(option: str, runs, out_md: Path) -> Path:
    loaded = [load_run(d) for _, _, d in runs]
    cfg, cur = loaded[0].config, currency_of(loaded[0].config)
    sc = _mean_scorecard([year_scorecard(r) for r in loaded])
    years = [c for c in sc.columns if c.startswith("Y")]
    seeds = sorted({s for _, s, _ in runs})
    blocks = [("p", f"Scenario **{cfg['name']}**: {cfg.get('description', '')}. Firm "
                    f"**{loaded[0].firm}**; " + (f"mean over {len(seeds)} seeds "
                                                 f"({seeds[0]}-{seeds[-1]})" if len(seeds) > 1
                                                 else f"seed {seeds[0]}")
                    + f"; money in {cur}. Y1 is days 0-365; *run* is the run's total, its "
                      "value at the end, its KPI, or (margins) its total over its revenue.")]
    horizon = float(cfg["horizon_days"])
    labels = {}
    if years and horizon < 365.0 * len(years) - 1e-9:  # the last year is cut by the horizon
        labels[years[-1]] = f"{years[-1]} (to day {horizon:,.0f})"
    for persp, name in PERSPECTIVES.items():
        blocks += [("h2", name), ("table", _table(sc[sc["perspective"] == persp],
                                                  [*years, "run"], cur, labels))]
    blocks += [("h2", "Assumptions"), ("list", assumption_lines(cfg)), ("p", SOURCE)]
    return _page(f"Board scorecard: {cfg['name']} ({option})", blocks, out_md)


def _frames_caution(frames: dict, label: dict) -> str:
    """A warning where the runs compared differ in scenario, horizon or currency: their
    NPVs then answer different questions (a one-year run whose product never launched was
    recommended over the five-year run as "NPV 15.17M more"). "" where they agree."""
    seen = set().union(*frames.values()) if frames else set()
    if len(seen) <= 1:
        return ""
    def says(option):
        return "; ".join(f"{name}, {horizon:,.0f} days, {cur}"
                         for name, horizon, cur in sorted(frames[option], key=str))
    listed = "; ".join(f"{label[o]}: {says(o)}" for o in frames)
    return (f"**Caution**: the runs compared differ in scenario, horizon or currency "
            f"({listed}), so their NPVs are not options of one decision: compare runs of "
            "one scenario and horizon.")


def _compare(runs, out_md: Path, title: str) -> Path:
    options = list(dict.fromkeys(o for o, _, _ in runs))
    cards, kpi_rows, cfg = {}, [], None
    frames = {}  # option -> (scenario, horizon in days, currency) of its runs
    for option, seed, d in runs:
        run = load_run(d)
        cfg = cfg or run.config
        frames.setdefault(option, set()).add((run.config.get("name"),
                                              float(run.config.get("horizon_days", 0.0)),
                                              currency_of(run.config)))
        cards.setdefault(option, []).append(year_scorecard(run))
        kpi_rows.append({"option": option, "seed": seed, "npv": run.kpis.get("npv"),
                         **{k: run.kpis.get(k) for k in ("launch_day", *TROUBLE)}})
    cur = currency_of(cfg)
    means = {o: _mean_scorecard(c) for o, c in cards.items()}
    label = {o: f"O{i + 1}" for i, o in enumerate(options)}
    base = means[options[0]][["perspective", "key", "measure", "unit"]].copy()
    for o in options:
        base[label[o]] = means[o]["run"].to_numpy()
    caution = _frames_caution(frames, label)
    blocks = [*([("p", caution)] if caution else []),
              *[("p", text) for text in sweep_answer(pd.DataFrame(kpi_rows), options, label,
                                                     cur)],
              ("list", [f"- **{label[o]}**: {o} ({len(cards[o])} seed"
                        f"{'s' * (len(cards[o]) != 1)})" for o in options]),
              ("p", f"Values are means over seeds, money in {cur}; *run* values: the run's "
                    "total, its value at the end, its KPI, or (margins) its total over its "
                    "revenue.")]
    for persp, name in PERSPECTIVES.items():
        blocks += [("h2", name), ("table", _table(base[base["perspective"] == persp],
                                                  [label[o] for o in options], cur))]
    blocks.append(("h2", "Revenue, net income and cash by year"))
    for key in TRAJECTORY:
        unit = next(u for _, k, _, u in MEASURES if k == key)
        name = next(lbl for _, k, lbl, _ in MEASURES if k == key)
        years = sorted({c for m in means.values() for c in m.columns if c.startswith("Y")},
                       key=lambda c: int(c[1:]))
        body = [[label[o], *[fmt(means[o].loc[means[o]["key"] == key, y].iloc[0]
                                 if y in means[o] else np.nan, unit, "") for y in years]]
                for o in options]
        blocks += [("p", f"*{name}*" + (f" ({cur})" if unit == "money" else "")),
                   ("table", (["option", *years], body))]
    blocks += [("h2", f"Assumptions (configuration of {label[options[0]]})"),
               ("list", assumption_lines(cfg, varied=[
                   f"the settings that name {label[options[0]]}-{label[options[-1]]}"])),
               ("p", SOURCE)]
    return _page(title, blocks, out_md)


def directory_options(paths) -> list:
    """Each directory's option name when several runs are compared: its name, and the
    command-line overrides (its ``.hydra/overrides.yaml``, the seed left out) that set it
    apart from the others, so that the page says what the options are, not only when they
    ran; the name alone where the run keeps no overrides."""
    from omegaconf import OmegaConf

    sets = []
    for p in paths:
        f = Path(p) / ".hydra" / "overrides.yaml"
        try:
            items = [str(o) for o in OmegaConf.to_container(OmegaConf.load(f))]
        except Exception:  # noqa: BLE001 - missing, unreadable or not a list: the name alone
            items = None
        sets.append(None if items is None else
                    [o for o in items if not o.lstrip("+~").startswith("seed=")])
    kept = [set(s) for s in sets if s is not None]
    common = set.intersection(*kept) if kept else set()
    names = []
    for p, s in zip(paths, sets, strict=True):
        if s is None:
            names.append(Path(p).name)
            continue
        own = [o for o in s if o not in common]
        what = ", ".join(own) if own else ("the defaults" if not s
                                           else "no override of its own")
        names.append(f"{Path(p).name}: {what}")
    return names


def write_scorecard(paths, out=None) -> Path:
    """The scorecard of one run, one run's replications, a sweep, or several runs given as
    ``paths``; written as ``scorecard.md`` and ``scorecard.html`` in the (first) directory
    or at ``out``. Raises ``MarketsimError`` for a path that holds no run."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise MarketsimError("marketsim report needs a run or sweep directory: marketsim "
                             "report DIR [DIR ...] [--out FILE.md]")
    out_md = Path(out) if out else paths[0] / "scorecard.md"
    if out_md.suffix != ".md":
        raise MarketsimError(f"--out must name a .md file, got {str(out_md)!r}")
    if len(paths) == 1:
        try:
            runs = find_runs(paths[0])
        except MarketsimError:
            if (paths[0] / "sweep.json").is_file() and not (paths[0] / "kpis.parquet").is_file():
                raise MarketsimError(
                    f"{str(paths[0])!r} is a sweep without its combined table (kpis.parquet, "
                    "written when the sweep ends): it is still running, or it was stopped; "
                    "run the same command into the same hydra.sweep.dir to finish it") from None
            if not is_compact_sweep(paths[0]):
                raise
            # a compact sweep (KPIs only): its options compared from its combined table
            return compact_comparison(paths[0], out_md, _page, fmt)
    else:  # several directories: each is one option (its runs are its seeds)
        names = directory_options(paths)
        runs = [(names[k], s, d) for k, p in enumerate(paths) for _, s, d in find_runs(p)]
    if len({o for o, _, _ in runs}) == 1:
        return _single(runs[0][0], runs, out_md)
    return _compare(runs, out_md, f"Board scorecard: comparison of {len({o for o, _, _ in runs})}"
                                  f" options ({paths[0].name})")
