"""Comparing options over paired seeds: summaries, winners, paired differences, tables."""

from __future__ import annotations

import numpy as np
import pandas as pd


def summarise(kpis: pd.DataFrame, columns, by="option") -> pd.DataFrame:
    """Mean, 5th and 95th percentile and n of each KPI per option."""
    rows = []
    for name, grp in kpis.groupby(by, sort=False):
        row = {by: name, "n": len(grp)}
        for c in columns:
            v = pd.to_numeric(grp[c], errors="coerce").dropna()
            row[f"{c}_mean"] = float(v.mean()) if len(v) else np.nan
            row[f"{c}_p5"] = float(v.quantile(0.05)) if len(v) else np.nan
            row[f"{c}_p95"] = float(v.quantile(0.95)) if len(v) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def winner(kpis: pd.DataFrame, kpi: str, higher_is_better: bool = True, by="option") -> dict:
    """Best option by mean ``kpi``, its margin over the runner-up, and the paired
    probability (share of common seeds) that it beats the runner-up."""
    data = kpis[[by, "seed", kpi]].copy()
    data[kpi] = pd.to_numeric(data[kpi], errors="coerce")
    means = data.groupby(by, sort=False)[kpi].mean().dropna()
    if means.empty:
        return {"kpi": kpi, "winner": None}
    order = means.sort_values(ascending=not higher_is_better)
    best = order.index[0]
    result = {"kpi": kpi, "winner": best, "mean": float(order.iloc[0]),
              "higher_is_better": higher_is_better,
              # every option at the best mean (all three pricings at a 100% share)
              "tied": [o for o, m in order.items() if m == order.iloc[0]]}
    if len(order) > 1:
        second = order.index[1]
        wide = data.pivot_table(index="seed", columns=by, values=kpi)
        pair = wide[[best, second]].dropna()
        better = pair[best] > pair[second] if higher_is_better else pair[best] < pair[second]
        result.update({"runner_up": second, "runner_up_mean": float(order.iloc[1]),
                       "margin": float(abs(order.iloc[0] - order.iloc[1])),
                       "p_beats_runner_up": float(better.mean()) if len(pair) else np.nan,
                       "p_ties_runner_up": float((pair[best] == pair[second]).mean())
                       if len(pair) else np.nan,
                       "paired_seeds": int(len(pair))})
    return result


def fmt(v, kpi: str = "") -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if "share" in kpi:
        return f"{100 * v:.1f}%"
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.2f}M"
    if abs(v) >= 1e3:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def fmt_diff(v, kpi: str = "") -> str:
    """A difference of ``kpi``: of shares in percentage points ("1.2 points", never a
    signed zero), else as ``fmt``."""
    if "share" not in kpi or v is None or (isinstance(v, float) and not np.isfinite(v)):
        return fmt(v, kpi)
    text = f"{100 * v:.1f}"
    return f"{text[1:] if text == '-0.0' else text} points"


def signed_points(v) -> str:
    """A difference of shares in signed percentage points ("+1.2", "-0.4", "0.0": a
    difference that rounds to zero has no sign)."""
    text = f"{100 * v:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def winner_sentence(w: dict, label: str | None = None, unit: str = "") -> str:
    label = label or w["kpi"]
    if w.get("winner") is None:
        return f"No option has a value for {label}."
    direction = "highest" if w["higher_is_better"] else "lowest"
    if len(w.get("tied", ())) > 1:  # no winner to name
        named = [f"**{o}**" for o in w["tied"]]
        return (f"{', '.join(named[:-1])} and {named[-1]} tie for the {direction} mean "
                f"{label} ({fmt(w['mean'], w['kpi'])}{unit}): none is best on it.")
    text = f"**{w['winner']}** has the {direction} mean {label} ({fmt(w['mean'], w['kpi'])}{unit})"
    if "runner_up" in w:
        text += (f", {fmt_diff(w['margin'], w['kpi'])}{unit} {'more' if w['higher_is_better'] else 'less'} "
                 f"than the runner-up **{w['runner_up']}** ({fmt(w['runner_up_mean'], w['kpi'])}{unit}); "
                 f"it does better in {100 * w['p_beats_runner_up']:.0f}% "
                 + (f"and ties in {100 * w['p_ties_runner_up']:.0f}% "
                    if w.get("p_ties_runner_up", 0) > 0 else "")
                 + f"of the {w['paired_seeds']} paired seeds")
    return text + "."


def paired_difference(kpis: pd.DataFrame, kpi: str, option, reference,
                      higher_is_better: bool = True, by: str = "option") -> dict:
    """Mean paired difference ``option - reference`` of ``kpi`` over their common seeds and
    the share of those seeds where ``option`` does better."""
    wide = kpis.assign(**{kpi: pd.to_numeric(kpis[kpi], errors="coerce")}).pivot_table(
        index="seed", columns=by, values=kpi)
    if option not in wide or reference not in wide:
        return {"diff": np.nan, "p_better": np.nan, "n": 0}
    pair = wide[[option, reference]].dropna()
    diff = pair[option] - pair[reference]
    better = diff > 0 if higher_is_better else diff < 0
    return {"diff": float(diff.mean()) if len(pair) else np.nan,
            "p_better": float(better.mean()) if len(pair) else np.nan, "n": int(len(pair))}


def summary_table(summary: pd.DataFrame, specs, by: str = "option") -> str:
    """A markdown table of ``mean [p5, p95]`` per option; ``specs``: ``(kpi, header)``."""
    specs = [(k, h) for k, h in specs if f"{k}_mean" in summary]
    lines = ["| " + " | ".join([by] + [h for _, h in specs]) + " |",
             "|" + "---|" * (len(specs) + 1)]
    for _, row in summary.iterrows():
        cells = [str(row[by])]
        for k, _ in specs:
            cells.append(f"{fmt(row[f'{k}_mean'], k)} [{fmt(row[f'{k}_p5'], k)}, "
                         f"{fmt(row[f'{k}_p95'], k)}]")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.compare")
