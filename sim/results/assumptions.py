"""The assumptions block of a report: market, horizon, money, our firm, competitors and
their rules, what is fitted and what is assumed, from a run's configuration (the dict of
``config.json``, or ``dataclasses.asdict`` of a ``ScenarioConfig``)."""

from __future__ import annotations

from sim.results.decision import money
from sim.units import DAYS_PER_YEAR

QUICK_BANNER = ("> **QUICK MODE: NOT AN ANSWER.** Few seeds and a short horizon, to check that "
                "the runner works; do not take a decision on these numbers.")
QUICK_PLOT_BANNER = "QUICK MODE: not an answer (few seeds, short horizon)"


def currency_of(cfg: dict) -> str:
    return cfg.get("currency") or "currency units"


def _weighted(segments, key):
    size = sum(s["size"] for s in segments)
    return sum(s[key] * s["size"] for s in segments) / size if size else float("nan")


def assumption_lines(cfg: dict, fitted=(), varied=(), competitors: str | None = None) -> list[str]:
    """Markdown bullets. ``fitted``: what the caller estimated from data (by default
    nothing is fitted in a run); ``varied``: what the experiment changes between options
    (so the reader knows which assumptions the answer rests on); ``competitors``: the
    competitors' line where the caller's jobs replace the config's own."""
    cur = currency_of(cfg)
    mkt, firm = cfg["market"], cfg["firm"]
    segs = mkt["segments"]
    size = sum(s["size"] for s in segs)
    horizon = float(cfg["horizon_days"])
    lines = [
        f"- **Market**: {mkt['name']}, {size:,.0f} potential customers in {len(segs)} "
        f"segment{'s' * (len(segs) != 1)}; Bass p = {_weighted(segs, 'p'):.3f}, q = "
        f"{_weighted(segs, 'q'):.3f} per year (size-weighted)"
        + (f", prior from the analogy '{mkt['analogy']}'" if mkt.get("analogy") else "") + ".",
        f"- **Horizon**: {horizon:,.0f} days ({horizon / DAYS_PER_YEAR:.1f} years), the "
        f"market steps every {float(cfg['dt_days']):g} days; {cfg.get('mode', 'aggregate')} "
        "mode" + _draws(cfg) + ".",
        f"- **Money**: all amounts in {cur}; discount rate "
        f"{100 * float(cfg['discount_rate_per_year']):.1f}% a year, tax "
        f"{100 * float(cfg.get('tax_rate', 0.0)):.0f}% of pretax income (losses carried "
        "forward).",
        f"- **Our firm** ({firm['name']}): {firm['product']['name']}, a "
        f"{firm['product']['kind']}, list price {money(firm['pricing']['list_price'], cur)}"
        f" ({firm['pricing']['strategy']} pricing), unit cost "
        f"{money(firm['production']['unit_cost'], cur)} falling on an experience curve, "
        f"marketing {money(firm['marketing']['budget_per_week'], cur)} a week, starting cash "
        f"{money(firm['initial_cash'], cur)}, credit line {money(firm['credit_line'], cur)}.",
    ]
    comps = cfg.get("competitors") or {}
    if competitors is not None:
        lines.append(f"- **Competitors**: {competitors}")
    elif comps:
        rules = "; ".join(
            f"{c['name']} ({c['strategy']['kind'].replace('_', ' ')}, list price "
            f"{money(c['pricing']['list_price'], cur)}"
            + _entry(c, cfg.get("horizon_days")) + ")" for c in comps.values())
        lines.append(f"- **Competitors and their rules**: {rules}; each reacts to what it "
                     "observes, late and noisily (docs/model.md, competitors).")
    else:
        lines.append("- **Competitors**: none.")
    lines.append("- **Fitted**: " + ("; ".join(fitted) if fitted else
                                      "nothing is fitted to this firm's own sales") + ".")
    lines.append("- **Assumed**: diffusion coefficients and price sensitivities from "
                 "published estimates (docs/model.md); costs, budgets, teams and the "
                 "competitors' rules as configured"
                 + (f"; the options vary {', '.join(varied)}" if varied else "") + ".")
    return lines


def _draws(cfg: dict) -> str:
    """The aggregate market's draws where they are not the default keyed ones (with
    NumPy's Generator, options compared on one seed drift apart: docs/model.md 1.5)."""
    draws = cfg.get("draws", "generator")  # a config saved before the key drew so
    if cfg.get("mode", "aggregate") != "aggregate" or draws == "counter":
        return ""
    return {"generator": " with NumPy's Generator drawn in turn (options compared on one "
                         "seed drift apart)",
            "approx": " with approximate keyed draws"}.get(draws, f" with {draws} draws")


def _entry(c: dict, horizon: float | None) -> str:
    """A late entrant's schedule: its entry day starts its development, and it launches no
    earlier than its planned day, a day of the run (``launch_not_before_plan``), whatever
    the entry day; the plan is named where it comes after the entry (an entry day moved
    alone does not move it), and said to lie past the horizon where it does."""
    entry = c["strategy"].get("entry_day")
    if not entry:
        return ""
    text = f", starts developing on day {entry:,g}"
    dev = c.get("development") or {}
    plan = dev.get("planned_launch_day")
    if dev.get("planned_after_start_days") is not None:  # counted from the start
        plan = max(entry, dev.get("start_day", 0.0)) + dev["planned_after_start_days"]
    if plan is not None and plan > entry and dev.get("launch_not_before_plan", True):
        text += f" and launches no earlier than its planned day {plan:,.0f}"
        if horizon is not None and plan >= horizon:
            text += " (after the horizon)"
    return text
