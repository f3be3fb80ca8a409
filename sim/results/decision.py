"""The answer a board reads first: which option, by how much, how sure.

Options run on common seeds (common random numbers), so the comparison of the best option
with the runner-up is paired: the difference per seed, its mean (the expected gain), a
Student t interval on that mean and the share of seeds where the recommended option does
worse. Used by ``marketsim report`` (``sim.results.scorecard``) and by the experiment
runners (``experiments.compare``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.formatting import unsigned_zero

LEVEL = 0.90  # two-sided level of the paired interval


def paired_interval(diff, level: float = LEVEL) -> tuple[float, float]:
    """Student t interval on the mean of paired differences ``diff`` (NaN with fewer than
    two pairs); a zero spread gives the mean itself."""
    from scipy import stats

    d = np.asarray(diff, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return (math.nan, math.nan)
    half = stats.t.ppf(0.5 + level / 2.0, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return (float(d.mean() - half), float(d.mean() + half))


def recommend(values: pd.DataFrame, kpi: str, by: str = "option",
              higher_is_better: bool = True, level: float = LEVEL) -> dict:
    """The option with the best mean ``kpi`` and its paired comparison with the runner-up.

    ``values``: one row per (option, seed) with columns ``by``, ``seed`` and ``kpi``.
    Returns ``recommendation``, ``mean``, and with two or more options ``runner_up``,
    ``gain`` (mean paired difference, in the better direction), ``low``/``high`` (its
    ``level`` interval), ``p_worse`` (share of common seeds where the recommendation
    does worse), ``n`` (common seeds).
    """
    data = values[[by, "seed", kpi]].copy()
    data[kpi] = pd.to_numeric(data[kpi], errors="coerce")
    means = data.groupby(by, sort=False)[kpi].mean().dropna()
    out = {"kpi": kpi, "recommendation": None, "level": level,
           "higher_is_better": higher_is_better}
    if means.empty:
        return out
    order = means.sort_values(ascending=not higher_is_better)
    best = order.index[0]
    out.update(recommendation=best, mean=float(order.iloc[0]), options=len(order))
    if len(order) < 2:
        return out
    second = order.index[1]
    wide = data.pivot_table(index="seed", columns=by, values=kpi)
    pair = wide[[best, second]].dropna()
    sign = 1.0 if higher_is_better else -1.0
    diff = sign * (pair[best] - pair[second])
    low, high = paired_interval(diff, level)
    out.update(runner_up=second, runner_up_mean=float(order.iloc[1]), n=int(len(pair)),
               gain=float(diff.mean()) if len(pair) else math.nan, low=low, high=high,
               p_worse=float((diff < 0).mean()) if len(pair) else math.nan)
    return out


def money(v, currency: str = "") -> str:
    """``1.23M USD``, ``-456k USD``, ``789 USD``: amounts for reports (never "-0")."""
    if v is None or not np.isfinite(v):
        return "n/a"
    unit = f" {currency}" if currency else ""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f}B{unit}"
    if a >= 1e6:
        return f"{v / 1e6:,.2f}M{unit}"
    if a >= 1e4:
        return f"{v / 1e3:,.0f}k{unit}"
    return unsigned_zero(f"{v:,.0f}") + unit


# the KPIs that are the NPV of the whole plan: below 0, not doing it beats the option (not
# line_npv: generation_timing's v1 is on the market anyway, so 0 is not its alternative)
NPV_KPIS = ("npv", "npv_after_tax")


def answer_sentence(ans: dict, label: str, fmt=money, currency: str = "",
                    lead: str = "Recommendation", diff_fmt=None) -> str:
    """The report's first sentence: the recommendation, its expected gain over the
    runner-up with the paired interval, and the chance it is worse; when the best NPV is
    a loss, a second sentence says that every option loses money within the horizon (no
    value is counted after it). ``diff_fmt`` writes the
    gain and its interval (default ``fmt``; a difference of shares is in points, not %)."""
    text = _answer(ans, label, fmt, currency, lead, diff_fmt or fmt)
    if (ans.get("kpi") in NPV_KPIS and ans.get("higher_is_better", True)
            and "runner_up" in ans and ans.get("mean") is not None and ans["mean"] < 0):
        text += (f" Every option loses money on average: the best's expected {label} is "
                 f"{fmt(ans['mean'], currency)}, so not doing it (NPV 0) beats them all "
                 "within this horizon (NPV counts the run's cash flows alone, nothing for "
                 "the years after it: not what the customers held at its end will still "
                 "buy, nor later sales).")
    return text


def is_tie(ans: dict) -> bool:
    """Whether the best and the runner-up of ``recommend``'s answer give the same value on
    every common seed: no gain and, over two seeds or more, an interval of width 0 (on one
    seed there is no interval: a 1-seed price grid whose product never launched in the
    horizon named one of four equal NPVs the recommendation)."""
    if "runner_up" not in ans or not ans.get("n") or ans.get("gain") != 0.0:
        return False
    return ans["n"] == 1 or (ans["low"] == 0.0 and ans["high"] == 0.0)


def _answer(ans: dict, label: str, fmt, currency: str, lead: str, dfmt) -> str:
    if ans.get("recommendation") is None:
        return f"**No recommendation**: no option has a value for {label}."
    rec = f"**{lead}: {ans['recommendation']}**"
    if "runner_up" not in ans:
        return f"{rec} (the only option; mean {label} {fmt(ans['mean'], currency)})."
    more = "more" if ans["higher_is_better"] else "less"
    if ans["n"] == 0:  # no seed in common: means, no paired comparison
        return (f"{rec}: mean {label} {fmt(ans['mean'], currency)} against "
                f"{fmt(ans['runner_up_mean'], currency)} for **{ans['runner_up']}**, but "
                "they share no seed, so there is no paired comparison: run both on the "
                "same seeds before deciding.")
    if is_tie(ans):
        seeds = ("their one common seed (more seeds may separate them)" if ans["n"] == 1
                 else f"every one of their {ans['n']} common seeds")
        return (f"**No single recommendation**: {ans['recommendation']} and "
                f"{ans['runner_up']} give the same {label} ({fmt(ans['mean'], currency)} on "
                f"average) on {seeds}, so what sets them "
                f"apart does not reach {label} in this run (a horizon that ends before it "
                "matters, a lever that does not bind).")
    if ans["n"] == 1:  # a difference, no evidence of its spread
        return (f"{rec}: {label} {dfmt(ans['gain'], currency)} {more} than "
                f"**{ans['runner_up']}** on their one common seed; one seed gives no "
                "interval, so run more seeds (a seed sweep, or replications) before deciding.")
    if lead == "Recommendation" and np.isfinite(ans["low"]) and not ans["low"] > 0:
        # the interval reaches no gain: the headline says so, not only its last clause (a
        # reader who stops at the bold words had read a recommendation)
        rec = f"**No clear winner: {ans['recommendation']} leads on average**"
    interval = ("no interval with one seed" if not np.isfinite(ans["low"]) else
                f"{100 * ans['level']:.0f}% paired interval [{dfmt(ans['low'], currency)}, "
                f"{dfmt(ans['high'], currency)}]")
    sure = ("" if not np.isfinite(ans["low"]) or ans["low"] > 0 else
            "; the interval includes no gain, so the data do not separate the two")
    return (f"{rec}: expected {label} {dfmt(ans['gain'], currency)} {more} than "
            f"**{ans['runner_up']}** ({interval} over {ans['n']} common seeds); it does "
            f"worse in {100 * ans['p_worse']:.0f}% of those seeds{sure}.")


def not_separated(values: pd.DataFrame, kpi: str, best, options, by: str = "option",
                  higher_is_better: bool = True, level: float = LEVEL) -> list:
    """The ``options`` (``best`` left out) that the data do not tell from ``best``: their
    paired difference from it over common seeds has a ``level`` interval that reaches no
    gain (its lower end at or below 0 in the better direction). An option sharing fewer
    than two seeds with ``best`` has no interval and is left out."""
    data = values[[by, "seed", kpi]].copy()
    data[kpi] = pd.to_numeric(data[kpi], errors="coerce")
    wide = data.pivot_table(index="seed", columns=by, values=kpi)
    if best not in wide:
        return []
    sign = 1.0 if higher_is_better else -1.0
    out = []
    for option in options:
        if option == best or option not in wide:
            continue
        pair = wide[[best, option]].dropna()
        low, _ = paired_interval(sign * (pair[best] - pair[option]), level)
        if len(pair) >= 2 and np.isfinite(low) and low <= 0.0:
            out.append(option)
    return out


SHOWN_TIED = 8  # options named as not separated from the best, at most


def tie_note(values: pd.DataFrame, options, best, runner_up=None, label=None,
             kpi: str = "npv", by: str = "option", higher_is_better: bool = True,
             level: float = LEVEL) -> str:
    """The sentence naming the options the data do not separate from ``best``
    (``not_separated``); "" where there are none, or where the only one is ``runner_up``
    (the answer's first sentence says it). ``label``: short names (``O1``...), the best
    then named by its label and the others by label and option."""
    if best is None:
        return ""
    tied = not_separated(values, kpi, best, options, by, higher_is_better, level)
    if not tied or tied == [runner_up]:
        return ""
    names = ([f"{label[o]} ({o})" for o in tied] if label else [str(o) for o in tied])
    named = ", ".join(names[:SHOWN_TIED])
    more = len(names) - SHOWN_TIED
    named += f" and {more} more" if more > 0 else ""
    return (f"Options the data do not separate from {label[best] if label else best} (each "
            f"one's {100 * level:.0f}% paired interval against it includes no gain): {named}. "
            "Any of them may be the best; more seeds narrow the intervals, and what the model "
            "leaves out may decide.")


def _settings(option) -> dict | None:
    """``{key: value text}`` of an option named ``key=value, key=value``; None otherwise."""
    out = {}
    for part in str(option).split(", "):
        key, sep, value = part.partition("=")
        if not sep or not key or key in out:
            return None
        out[key] = value
    return out


def edge_note(options, best) -> str:
    """A warning where the recommended option ``best`` lies at an end of a grid: for each
    key the options set (options named ``key=value[, key=value]``, all with the same keys)
    that takes at least three numbers, ``best``'s value being the lowest or the highest
    swept; for each key that takes only two numbers, that two say nothing of what lies
    between or beyond them. The best value may then lie outside what was swept, and the
    recommendation is only the best of what was tried. "" otherwise."""
    grid = [_settings(o) for o in options]
    if best not in options or any(g is None for g in grid) or len({tuple(g) for g in grid}) != 1:
        return ""
    chosen = grid[list(options).index(best)]
    ends = []
    for key, value in chosen.items():
        try:
            numbers = {float(g[key]) for g in grid}
            x = float(value)
        except ValueError:
            continue
        if len(numbers) == 2:  # every option is at an end: the best may be anywhere
            low, high = sorted(numbers)
            ends.append(f"only two values of {key} were swept ({low:g} and {high:g}), so "
                        f"the best {key} may lie between them or beyond either")
            continue
        if len(numbers) < 3 or x not in (min(numbers), max(numbers)):
            continue
        side, beyond = ("highest", "above") if x == max(numbers) else ("lowest", "below")
        ends.append(f"{key}={value} is the {side} value swept, so the best {key} may lie "
                    f"{beyond} it")
    if not ends:
        return ""
    return (f"**At the edge of the grid**: {'; '.join(ends)}; sweep further before taking "
            "this as the answer.")


def trouble_note(values: pd.DataFrame, options, by: str = "option") -> str:
    """A warning naming, option by option, the runs (seeds, or seeds x rivals where an
    option meets several) in which the firm ran out of cash
    (``cash_exhausted_day``), went insolvent (``insolvent_day``) or never launched its
    product (``launch_day`` missing, not ``killed``; until 2026-12-07 only where its
    marketing was paid, and a 300-day launch_timing run recommended a plan that launched
    in none of its runs, for the development cost it put beyond the horizon): the
    figures of those runs are those of a firm that stopped its discretionary spending or
    left the market, which a comparison of NPV alone does not show (marketing_mix at
    320k a week: NPV 7.03M lower than at 80k, insolvent on day 1,085). "" where none."""
    def count(rows, col):
        if col not in rows:
            return 0, None
        days = pd.to_numeric(rows[col], errors="coerce").dropna()
        return len(days), (float(days.min()) if len(days) else None)

    parts = []
    for option in options:
        rows = values[values[by] == option]
        n = len(rows)  # runs: seeds, or seeds x rivals where an option meets several
        said = []
        short, first_short = count(rows, "cash_exhausted_day")
        broke, first_broke = count(rows, "insolvent_day")
        if short:
            said.append(f"short of cash in {short} of {n} runs (from day {first_short:,.0f}"
                        "; discretionary spending stopped)")
        if broke:
            said.append(f"insolvent in {broke} of {n} runs (from day {first_broke:,.0f})")
        if "launch_day" in rows.columns:
            killed = (pd.to_numeric(rows["killed"], errors="coerce").fillna(0.0).astype(bool)
                      if "killed" in rows else False)  # bools, or numbers from a sweep
            unlaunched = pd.to_numeric(rows["launch_day"], errors="coerce").isna() & ~killed
            if unlaunched.any():
                k = int(unlaunched.sum())
                paid = (int((pd.to_numeric(rows["marketing_spend"], errors="coerce")
                             [unlaunched] > 0).sum()) if "marketing_spend" in rows else 0)
                sold = ("cumulative_revenue" in rows and bool(
                    (pd.to_numeric(rows["cumulative_revenue"], errors="coerce")[unlaunched]
                     > 0).all()))  # a line's other products sold
                said.append(f"{'its first product ' if sold else ''}not launched in {k} of "
                            f"{n} runs" + (
                                " (the line's other products sold)" if sold else
                                ", its marketing paid" if paid == k else
                                f" (its marketing paid in {paid})" if paid else
                                " (nothing sold: its NPV is the project's cost alone)"))
        if said:
            parts.append(f"{option}: {', '.join(said)}")
    if not parts:
        return ""
    return ("**Warning**: " + "; ".join(parts) + ". These runs' figures are those of a firm "
            "that stopped spending or left the market, or of a product never on sale; "
            "compare them with that in mind.")


def go_no_go(npv_per_draw, p_loss: float, what: str, currency: str = "",
             level: float = LEVEL) -> str:
    """The answer of a risk study: go ahead with ``what`` or not, against not doing it
    (NPV 0): the expected NPV with a t interval over the input draws (each draw's mean
    over its seeds) and ``p_loss``, the share of runs that lose money."""
    d = np.asarray(npv_per_draw, dtype=float)
    d = d[np.isfinite(d)]
    if not len(d):
        return f"**No recommendation**: no run of {what} has an NPV."
    mean = float(d.mean())
    low, high = paired_interval(d, level)
    rec = "go ahead" if mean > 0 else "do not go ahead as planned"
    interval = ("no interval with one draw" if not np.isfinite(low) else
                f"{100 * level:.0f}% interval [{money(low, currency)}, {money(high, currency)}]"
                f" over {len(d)} input draws, each the mean of its seeds")
    text = (f"**Recommendation: {rec} with {what}**: expected NPV {money(mean, currency)} "
            f"against not doing it (NPV 0; {interval}); it loses money in "
            f"{100 * p_loss:.0f}% of runs.")
    if mean <= 0:  # as answer_sentence says it: the horizon bounds what NPV counts
        text += (" This holds within the horizon: NPV counts the run's cash flows alone, "
                 "not what the customers held at its end will still buy, nor later sales.")
    return text


EQUITY = "npv_with_customer_equity"


def equity_note(kpis: pd.DataFrame, ans: dict, by: str, cur: str, name=str) -> str:
    """Where NPV within the horizon says every option loses money, or where another option
    leads once the customers held at the end are counted (``npv_with_customer_equity``,
    docs/kpis.md), that comparison with its paired interval (``answer_sentence``: "no
    clear winner" included); "" otherwise or without it, and a sentence naming the options
    it is not defined for (then nothing is compared). ``ans``: ``recommend``'s NPV answer;
    ``name``: how an option is written."""
    best = ans.get("recommendation")
    if best is None or ans.get("mean") is None or EQUITY not in kpis:
        return ""
    values = pd.to_numeric(kpis[EQUITY], errors="coerce")
    missing = list(dict.fromkeys(kpis.loc[values.isna(), by]))
    if missing:
        if ans["mean"] >= 0:
            return ""
        return (f"What the customers held at the end will still pay "
                f"(npv_with_customer_equity) is not defined for {', '.join(map(name, missing))}"
                " (a chain of generations, no churn in the last year or no sales; in a "
                "product line, in one of its products), so the options are not compared "
                "on it.")
    if "npv" in kpis and np.allclose(values, pd.to_numeric(kpis["npv"], errors="coerce"),
                                     rtol=0.0, atol=0.5):
        return ""  # no customers held anywhere (nothing launched): it would repeat NPV
    eq = recommend(kpis.assign(**{EQUITY: values}), EQUITY, by=by)
    top = eq.get("recommendation")
    if top is None or is_tie(eq) or (ans["mean"] >= 0 and top == best):
        return ""
    named = dict(eq, recommendation=name(top))
    if "runner_up" in eq:
        named["runner_up"] = name(eq["runner_up"])
    text = answer_sentence(named, "NPV with customer equity", money, cur,
                           lead="Counting the customers held at the end, best")
    why = ("what they will still pay after the horizon, discounted, with no new customer "
           f"and none of the costs after it; its mean {money(float(eq['mean']), cur)}")
    if top != best:
        why += f"; NPV within the horizon favours {name(best)}"
    return f"{text.removesuffix('.')} (npv_with_customer_equity: {why})."
