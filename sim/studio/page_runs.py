"""Runs tab: the catalogue (what-if runs, baselines, sweeps, games), side-by-side
comparison of two or more runs, each run's command line, and a what-if run opened back in
the What-if form to change and run again."""

from nicegui import ui

from sim.cli.table import unit_of
from sim.studio import runs
from sim.studio.widgets import kpi_text, table

COLUMNS = ["id", "kind", "created", "status", "label", "npv", "currency", "final_market_share"]


LABEL_CHARS = 60  # a label's length in the runs table (the KPIs beside it stay on screen)


HEAD_CHARS = 18  # of a cut label, the start kept ("scenario=baseline ")

# the label cell: the cut label, the whole one in a tooltip
LABEL_CELL = ('<q-td :props="props">{{ props.value }}<q-tooltip max-width="40rem">'
              '{{ props.row.full_label }}</q-tooltip></q-td>')


def short(label) -> str:
    """``label`` cut to ``LABEL_CHARS`` with an ellipsis in the middle: its start (the
    scenario) and its end (the levers, which the form lists after the run settings) stay.
    Cut at the end, three runs had read "scenario=baseline replications=2
    horizon_days=364.0 firm.de..." alike. Compare shows the command whole."""
    text = "" if label is None else str(label)
    if len(text) <= LABEL_CHARS:
        return text
    tail = LABEL_CHARS - HEAD_CHARS - 1
    return text[:HEAD_CHARS] + "\u2026" + text[-tail:]


def build(ws, url, open_in_form=None):
    """``open_in_form(overrides, label)``: puts a run into the What-if form (``app``).
    Returns the catalogue's reload (the app calls it when the tab is shown)."""
    with ui.row().classes("items-center"):
        refresh = ui.button("Refresh", icon="refresh").props('id="runs-refresh"')
        compare_button = ui.button("Compare selected", icon="compare").props(
            'id="runs-compare"')
        open_button = ui.button("Open in What-if", icon="edit").props('id="runs-open"')
        info = ui.label("Select two or more runs to compare them side by side, or one "
                        "what-if run to open it in the form.").props('id="runs-info"')
    listing = ui.column().classes("w-full")
    comparison = ui.column().classes("w-full")
    state = {"table": None}

    def load():
        ws.catalogue.scan(ws.root)
        entries = ws.catalogue.list()
        rows = []
        for e in entries:
            k = e.get("kpis") or {}
            # the NPV's currency beside it (runs of different scenarios may differ)
            rows.append({**{c: e.get(c) for c in COLUMNS[:5]}, "npv": k.get("npv"),
                         "currency": runs.currency_of(e) if k.get("npv") is not None else "",
                         "final_market_share": k.get("final_market_share")})
            # a sweep's whole command is long: cut in the table, whole on hover
            rows[-1]["full_label"] = "" if rows[-1]["label"] is None else str(rows[-1]["label"])
            rows[-1]["label"] = short(rows[-1]["label"])
        listing.clear()
        with listing:
            state["table"] = table(rows, COLUMNS, "runs-table w-full", row_key="id",
                                   selection="multiple", keep=("full_label",))
            state["table"].add_slot("body-cell-label", LABEL_CELL)

    def do_compare():
        picked = [r["id"] for r in (state["table"].selected if state["table"] else [])]
        entries = [ws.catalogue.get(i) for i in picked]
        entries = [e for e in entries if e and e["kind"] in ("run", "baseline")
                   and e["status"] == "ok"]
        comparison.clear()
        if len(entries) < 2:
            info.text = "Pick at least two finished what-if runs (or baselines)."
            return
        frame = runs.compare(entries)
        # one unit column: the runs' currency, or all of them where they differ (the
        # frames note says so too)
        currency = "/".join(dict.fromkeys(runs.currency_of(e) or "?" for e in entries))
        with comparison:
            ui.label("Side by side: mean over each run's replications").classes("text-subtitle1")
            differ = runs.frames_note(frame.attrs["frames"])
            if differ:
                ui.label(differ).classes("text-warning").props('id="compare-differ"')
            note = runs.seeds_note(frame.attrs["seeds"])
            if note:
                ui.label(note).classes("text-warning").props('id="compare-unpaired"')
            rows = [{"kpi": k, "unit": unit_of(k, currency)[0],
                     **{c: kpi_text(v, unit_of(k, currency)[1])
                        for c, v in frame.loc[k].items()}} for k in frame.index]
            rows.append({"kpi": "seeds", "unit": "",
                         **{c: runs.seed_text(v) for c, v in frame.attrs["seeds"].items()}})
            table(rows, ["kpi", "unit", *frame.columns], "compare-table w-full")
            with ui.row().classes("w-full no-wrap"):
                for e in entries:
                    with ui.column().classes("w-1/3"):
                        ui.label(e["label"]).classes("text-caption")
                        ui.code(e["command"], language="bash").classes("w-full")
                        for png in runs.plots_of(e)[:2]:
                            ui.image(url(png)).classes("w-full")

    def do_open():
        picked = [ws.catalogue.get(r["id"])
                  for r in (state["table"].selected if state["table"] else [])]
        picked = [e for e in picked if e]
        others = sorted({e["kind"] for e in picked if e["kind"] not in ("run", "baseline")})
        if others:
            info.text = (f"A {' or '.join(others)} cannot be opened in the What-if form: "
                         "only a what-if run or a baseline can.")
            return
        if len(picked) != 1 or open_in_form is None:
            info.text = (f"Tick one what-if run (or baseline) to open it in the What-if "
                         f"form ({len(picked)} ticked).")
            return
        e = picked[0]
        note = open_in_form(e.get("overrides") or [], e["id"])
        info.text = f"Opened {e['id']} in the What-if form." + (f" {note}" if note else "")

    refresh.on_click(load)
    compare_button.on_click(do_compare)
    open_button.on_click(do_open)
    load()
    return load
