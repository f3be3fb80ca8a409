"""The comparison page of a compact sweep (``marketsim report SWEEP_DIR`` where the jobs
wrote their KPIs alone, ``outputs=compact``).

A compact sweep's jobs keep ``job.json`` and ``kpis.json`` but no tables, so the board
scorecard's per-year measures (``sim.results.scorecard``) cannot be made; its combined
table ``kpis.parquet`` still holds every job's KPIs and overrides. This page compares the
options from it: the answer first (the option with the highest mean NPV, its expected gain
over the runner-up with a 90% paired interval over common seeds and the chance it does
worse: ``sim.results.decision.recommend``, as for full runs), then one row per option with
the spread of its NPV over seeds (5th and 95th percentiles, the share of seeds with a
negative NPV) and the means of a few KPIs (definitions: docs/kpis.md). An option is named
by the overrides that set its jobs apart, the seed left out (``find_runs``'s rule).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.errors import MarketsimError
from sim.results.assumptions import assumption_lines, currency_of
from sim.results.decision import (
    answer_sentence,
    edge_note,
    equity_note,
    is_tie,
    money,
    paired_interval,
    recommend,
    tie_note,
    trouble_note,
)

TABLE = "kpis.parquet"
# (kpi, column label, unit) of the per-option means; units as in sim.results.scorecard
MEANS = [("cumulative_revenue", "revenue", "money"),
         ("cumulative_profit", "cumulative profit", "money"),
         ("final_market_share", "final unit share", "pct"),
         ("launch_day", "launch day", "day"),
         ("cash_min", "lowest cash", "money")]


# what ``trouble_note`` reads: runs short of cash, insolvent, or never launched
TROUBLE = ("cash_exhausted_day", "insolvent_day", "marketing_spend", "killed")


def is_compact_sweep(path) -> bool:
    """Whether ``path`` is a sweep directory with its combined table (``kpis.parquet``)."""
    p = Path(path)
    return (p / TABLE).is_file() and (p / "sweep.json").is_file()


def option_names(table: pd.DataFrame) -> pd.Series:
    """Each job's option: its overrides (``override.<key>`` columns) but the seed, less
    those every job has alike, joined by ", " ("default" where nothing is left)."""
    varied = _varied(table)
    names = []
    for _, row in table[varied].iterrows():
        parts = [f"{c.removeprefix('override.')}={row[c]}" for c in varied
                 if isinstance(row[c], str)]
        names.append(", ".join(parts) or "default")
    return pd.Series(names, index=table.index, dtype=object)


def _varied(table: pd.DataFrame) -> list:
    """The ``override.<key>`` columns (the seed's left out) whose jobs differ."""
    return [c for c in table.columns if c.startswith("override.") and c != "override.seed"
            and table[c].astype(str).nunique(dropna=False) > 1]


def sweep_config(sweep_dir: Path) -> dict | None:
    """The sweep's base configuration (``multirun.yaml`` without ``hydra``), as plain data;
    None where it is missing."""
    path = sweep_dir / "multirun.yaml"
    if not path.is_file():
        return None
    cfg = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    cfg.pop("hydra", None)
    return cfg


def sweep_options(table: pd.DataFrame, sweep_dir=None):
    """``(ok, data, options, label)`` of a sweep's combined table: its complete jobs, their
    option, seed, NPV and ``MEANS`` KPIs as numbers (``data``, one row per seed: a job of
    several replications gives the rows of its ``kpis_replications.parquet`` where
    ``sweep_dir`` holds it, not its mean), the options in sweep order and their short
    labels (``O1``...). Raises ``MarketsimError`` where no job is complete."""
    names = option_names(table)  # over every job, failed ones too: the sweep's options
    done = table["status"] == "ok" if "status" in table else pd.Series(True, table.index)
    ok, names = table[done].reset_index(drop=True), names[done].reset_index(drop=True)
    if ok.empty or "npv" not in ok:
        raise MarketsimError(f"a sweep whose jobs all failed: nothing to compare (their "
                             f"errors are in {TABLE})")
    if "seed" not in ok:
        raise MarketsimError(f"the sweep's {TABLE} has no seed column: its jobs cannot be "
                             "paired by seed")

    def numbers(rows, option):
        part = pd.DataFrame({"option": option, "seed": pd.to_numeric(rows["seed"],
                                                                       errors="coerce")})
        for kpi in ("npv", "npv_with_customer_equity", *(k for k, _, _ in MEANS), *TROUBLE):
            part[kpi] = pd.to_numeric(rows[kpi], errors="coerce") if kpi in rows else np.nan
        return part.reset_index(drop=True)

    reps = [Path(sweep_dir) / str(job) / "kpis_replications.parquet"
            for job in ok["job"]] if sweep_dir is not None and "job" in ok else []
    several = np.array([r.is_file() for r in reps] or [False] * len(ok))
    parts = [numbers(ok[~several], names[~several].to_numpy())]
    parts += [numbers(pd.read_parquet(reps[k]), names.iloc[k]) for k in np.flatnonzero(several)]
    data = pd.concat(parts, ignore_index=True)
    options = list(dict.fromkeys(names))  # in job order
    return ok, data, options, {o: f"O{i + 1}" for i, o in enumerate(options)}


def lost_options(table: pd.DataFrame) -> list:
    """The sweep's options (``option_names``) of which no job completed: left out of the
    comparison, which must say so."""
    if "status" not in table:
        return []
    names = option_names(table)
    done = set(names[table["status"] == "ok"])
    return [o for o in dict.fromkeys(names) if o not in done]


def sweep_answer(data: pd.DataFrame, options: list, label: dict, currency: str,
                 lost=()) -> list:
    """The answer, first saying which options failed in every job (``lost``: compared
    nowhere), then ``_answer``'s paragraphs."""
    paragraphs = _answer(data, options, label, currency)
    # the runs whose firm ran out of cash, went insolvent or never launched: the single run
    # warns of them, and a sweep of marketing_mix's budgets compared an insolvent option's
    # NPV without a word
    trouble = trouble_note(data.assign(option=data["option"].map(
        lambda o: f"{label[o]} ({o})" if o in label else o)),
        [f"{label[o]} ({o})" for o in options]) if len(data) else ""
    if trouble:
        paragraphs.append(trouble)
    if lost:
        paragraphs.insert(0, f"**{len(lost)} of the sweep's {len(lost) + len(options)} "
                             f"options failed in every job and are not compared**: "
                             f"{'; '.join(lost)} (their errors: the {TABLE} error column).")
    return paragraphs


def _answer(data: pd.DataFrame, options: list, label: dict, currency: str) -> list:
    """The answer's paragraphs: the recommendation by mean NPV with its paired interval
    over common seeds (``answer_sentence``), with three options or more those the data do
    not separate from it (``tie_note``), and where it is an end of a numeric grid, the
    warning that the best value may lie beyond it (``edge_note``); for seeds of one
    configuration, their spread (``one_option_sentence``)."""
    if len(options) == 1:  # seeds of one configuration: its spread, not a choice
        return [one_option_sentence(data["npv"].dropna(), currency)]
    ans = recommend(data, "npv")
    best = ans.get("recommendation")
    edge = "" if is_tie(ans) else edge_note(options, best)  # no edge where options tie
    close = (tie_note(data, options, best, ans.get("runner_up"), label)
             if len(options) > 2 else "")
    equity = equity_note(data, ans, "option", currency, lambda o: f"{label[o]} ({o})")
    if best is not None:
        ans["recommendation"] = f"{label[best]} ({best})"
        if "runner_up" in ans:
            ans["runner_up"] = f"{label[ans['runner_up']]} ({ans['runner_up']})"
    return [answer_sentence(ans, "NPV", money, currency), *([close] if close else []),
            *([equity] if equity else []), *([edge] if edge else [])]


def one_option_sentence(npv: pd.Series, currency: str) -> str:
    """The answer of a sweep over seeds of one configuration: its mean NPV with a 90%
    interval of that mean (Student t over the seeds) and the share of seeds that lose
    money: the model's chance variation, with its assumptions held."""
    if npv.empty:
        return "**No answer**: no job has an NPV."
    low, high = paired_interval(npv)
    spread = ("" if not np.isfinite(low) else
              f" (90% interval of the mean [{money(low, currency)}, {money(high, currency)}])")
    return (f"**One configuration over {len(npv):,} seed{'s' * (len(npv) != 1)}**: mean NPV "
            f"{money(npv.mean(), currency)}{spread}; it loses money in "
            f"{100 * (npv < 0).mean():.0f}% of the seeds. This is the spread of the model's "
            "chance events with its assumptions held; it does not include what is uncertain "
            "in the assumptions themselves (python -m experiments.risk draws those).")


def compact_comparison(sweep_dir, out_md: Path, page, fmt) -> Path:
    """``scorecard.md`` (and ``.html``) of a compact sweep at ``out_md``; ``page(title,
    blocks, out_md)`` writes it and ``fmt(value, unit, currency)`` formats a cell (the
    scorecard's, ``sim.results.scorecard_page``)."""
    sweep_dir = Path(sweep_dir)
    table = pd.read_parquet(sweep_dir / TABLE)
    try:
        ok, data, options, label = sweep_options(table, sweep_dir)
    except MarketsimError as e:
        raise MarketsimError(f"{str(sweep_dir)!r}: {e}") from None
    cfg = sweep_config(sweep_dir)
    cur = currency_of(cfg) if cfg else "currency units"
    answer = sweep_answer(data, options, label, cur, lost_options(table))
    head = ["option", "seeds", f"NPV mean ({cur})", "NPV 5th pct", "NPV 95th pct",
            "NPV < 0", *[f"{name} (mean)" for _, name, _ in MEANS]]
    body = []
    for o in options:
        rows = data[data["option"] == o]
        npv = rows["npv"].dropna()
        spread = ([fmt(npv.mean(), "money", ""), fmt(npv.quantile(0.05), "money", ""),
                   fmt(npv.quantile(0.95), "money", ""), fmt((npv < 0).mean(), "pct", "")]
                  if len(npv) else ["-"] * 4)
        body.append([f"{label[o]}: {o}", str(rows["seed"].nunique()), *spread,
                     *[fmt(rows[k].mean(), unit, "") for k, _, unit in MEANS]])
    failed = len(table) - len(ok)
    blocks = [*[("p", text) for text in answer],
              ("p", f"{len(ok):,} complete job{'s' * (len(ok) != 1)} in {len(options)} option"
                    f"{'s' * (len(options) != 1)}" + (f" ({failed:,} failed: their errors are "
                                                      f"in {TABLE})" if failed else "")
                    + f"; money in {cur}. The percentiles and the share of seeds with a "
                      "negative NPV are over each option's seeds; the other columns are "
                      "means over them."),
              ("table", (head, body)),
              ("p", "The jobs wrote compact outputs (their KPIs alone), so this page "
                    "compares the options by their KPIs. The board scorecard per year "
                    "(financial, customer, process, learning) needs each run's tables: run "
                    "the options you weigh again without outputs=compact.")]
    if cfg:
        varied = [c.removeprefix("override.") for c in _varied(table)]
        try:
            lines = assumption_lines(cfg, varied=varied)
        except (KeyError, TypeError, ValueError):  # e.g. a value only a job resolves
            lines = ["- The sweep's base configuration is in multirun.yaml (it holds values "
                     "that only a job resolves, so it is not summarised here)."]
        blocks += [("h2", "Assumptions (the sweep's base configuration)"), ("list", lines)]
    title = (f"Sweep: comparison of {len(options)} options ({sweep_dir.name})"
             if len(options) > 1 else f"Sweep: one configuration over its seeds "
                                      f"({sweep_dir.name})")
    return page(title, blocks, out_md)
