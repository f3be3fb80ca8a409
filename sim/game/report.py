"""The period report (a Courier-like page): the player's cash flow for the period by
account (cash basis, before financing and tax: not the accrual P&L of the statements), each firm's
sales, share and position, share of the installed base by segment, the rivals' moves and
what research found, read from the run's records between two days.

Plain dicts and lists (JSON-ready): a web page, a notebook and a test read the same thing.
"""

from collections import defaultdict

from sim.config import ATTRIBUTES

P_AND_L_ORDER = ("revenue", "production", "channel_margin", "marketing", "salaries",
                 "development", "research", "capacity", "support")


def period_report(game, start: float, end: float, decisions) -> dict:
    rec, focal = game.recorder, game.firm.name
    return {
        "period": game.period, "start_day": start, "end_day": end,
        "periods": game.periods, "finished": game.finished,
        "decisions": list(decisions),
        "cash": {f.name: f.ledger.cash for f in game.firms},
        "pnl": profit_and_loss([r for r in rec.ledger if start <= r[0] < end and r[1] == focal]),
        "firms": firm_rows(game, [r for r in rec.timeseries_dicts() if start <= r["t"] < end]),
        "segments": segment_shares([r for r in rec.segments if start <= r[0] < end]),
        "competitor_moves": [_event(e) for e in rec.events
                             if start <= e[0] < end and e[1] != focal],
        "research": [_event(e) for e in rec.events
                     if start <= e[0] < end and e[1] == focal and e[3].startswith("research")],
        "our_events": [_event(e) for e in rec.events
                       if start <= e[0] < end and e[1] == focal
                       and not e[3].startswith("research")],
    }


def profit_and_loss(ledger_rows) -> dict:
    """Period totals by account (the part before ':'), money in positive; financing
    (equity, credit) is left out of the cash flow."""
    lines = defaultdict(float)
    for _, _, account, amount in ledger_rows:
        head = account.split(":")[0]
        if head != "financing":
            lines[head] += amount
    ordered = {k: lines.pop(k) for k in P_AND_L_ORDER if k in lines}
    ordered.update(sorted(lines.items()))
    # a cash flow before financing: production and capacity (capital spending) count when
    # paid, no depreciation or tax (the statements' net income for the period differs)
    ordered["cash_flow_before_financing"] = sum(v for k, v in ordered.items())
    return ordered


def firm_rows(game, ts_rows) -> list[dict]:
    """Per firm over the period: units, revenue, unit share of orders; price and attributes
    at the period's end (the perceptual map's coordinates)."""
    orders_total = sum(r["orders"] for r in ts_rows)
    out = []
    for f in game.firms:
        mine = [r for r in ts_rows if r["firm"] == f.name]
        p = f.product
        row = {"firm": f.name, "on_market": bool(p.on_market), "price": float(p.price),
               "units_sold": float(sum(r["units_sold"] for r in mine)),
               "revenue": float(sum(r["revenue"] for r in mine)),
               "unit_share": (float(sum(r["orders"] for r in mine)) / orders_total
                              if orders_total > 0 else 0.0),
               "installed_base": int(mine[-1]["installed_base"]) if mine else 0,
               "cash": float(f.ledger.cash)}
        row.update({a: float(v) for a, v in zip(ATTRIBUTES, p.attributes, strict=True)})
        out.append(row)
    return out


def segment_shares(segment_rows) -> list[dict]:
    """Share of each segment's installed base per firm at the period's last step."""
    if not segment_rows:
        return []
    last = max(r[0] for r in segment_rows)
    base = defaultdict(dict)
    for t, seg, firm, installed, *_ in segment_rows:
        if t == last:  # a firm's installed base over all the products of its line
            base[seg][firm] = base[seg].get(firm, 0) + installed
    out = []
    for seg, by_firm in base.items():
        total = sum(by_firm.values())
        for firm, n in by_firm.items():
            out.append({"segment": seg, "firm": firm, "installed_base": int(n),
                        "share": n / total if total > 0 else 0.0})
    return out


def _event(e) -> dict:
    t, firm, product, kind, detail = e
    return {"t": t, "firm": firm, "product": product, "kind": kind, "detail": detail}
