"""Sweeps tab: one or two levers and their values, launched through ``marketsim -m`` as a
detached process; progress from its jobs, then its table and sweep plot. The list is
read from the catalogue, so a sweep started before the tab was closed shows up again."""

from nicegui import run, ui

from sim.cli import UserError, scenarios
from sim.studio import sweeps
from sim.studio.runs import composed
from sim.studio.schema import MAIN_LEVERS, form_fields
from sim.studio.widgets import table


def _values(text: str) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


def needs_render(entries: list, shown: dict) -> bool:
    """Whether a page that last showed the sweeps with the statuses ``shown`` ({id:
    status}) must show them again: one still runs (its progress moves), or the catalogue
    now holds other sweeps or statuses. Another page (a tab open before a reload, a second
    tab) may be the one that finds a sweep finished and records it so; this page must
    then show it finished too, though none runs any more."""
    current = {e["id"]: e["status"] for e in entries}
    return current != shown or "running" in current.values()


def seeds_column(frame):
    """The table with a ``seeds`` column: a job's seed, or where it ran several replications
    the seeds its KPIs are the mean of ("0-1 (mean of 2)"; the row read "seed 0")."""
    import pandas as pd

    if frame.empty or "seed" not in frame:
        return frame
    seed = pd.to_numeric(frame["seed"], errors="coerce")
    reps = (pd.to_numeric(frame["replications"], errors="coerce").fillna(1)
            if "replications" in frame else pd.Series(1, index=frame.index))
    text = [(f"{s:.0f}" if r <= 1 else f"{s:.0f}-{s + r - 1:.0f} (mean of {r:.0f})")
            if pd.notna(s) else "" for s, r in zip(seed, reps, strict=True)]
    return frame.assign(seeds=text)


def build(ws, url) -> None:
    names = list(scenarios())
    numeric = [f.key for f in form_fields(composed(["scenario=baseline"])) if f.kind in ("float", "int", "choice")]
    keys = [k for k in MAIN_LEVERS if k in numeric] + [k for k in numeric if k not in MAIN_LEVERS]
    with ui.card().classes("w-full"):
        with ui.row().classes("items-end"):
            scenario = ui.select(names, value="baseline", label="scenario").classes("w-48")
            reps = ui.number("replications", value=1, min=1, format="%.0f").classes("w-32")
            extra = ui.input("other overrides", placeholder="horizon_days=1095 plots=false"
                             ).props('for="sweep-extra"').classes("w-72")
        with ui.row().classes("items-end"):
            key1 = ui.select(keys, value="firm.pricing.list_price", label="lever 1",
                             with_input=True).classes("w-72")
            vals1 = ui.input("values (comma-separated)", value="199,249,299").props(
                'for="sweep-values1"').classes("w-64")
        with ui.row().classes("items-end"):
            key2 = ui.select(["(none)", *keys], value="(none)", label="lever 2",
                             with_input=True).classes("w-72")
            vals2 = ui.input("values (comma-separated)").props(
                'for="sweep-values2"').classes("w-64")
        with ui.row().classes("items-center"):
            launch = ui.button("Launch sweep", icon="rocket_launch").props('id="sweep-launch"')
            error = ui.label("").classes("text-negative").props('id="sweep-error"')
    listing = ui.column().classes("w-full")

    def base_overrides():
        out = [f"scenario={scenario.value}", f"replications={int(reps.value or 1)}"]
        return out + (extra.value or "").split()

    async def do_launch():
        error.text = ""
        axes = {key1.value: _values(vals1.value)}
        if key2.value and key2.value != "(none)":
            axes[key2.value] = _values(vals2.value)
        try:
            await run.io_bound(sweeps.launch_sweep, ws, base_overrides(), axes)
        except UserError as e:
            error.text = str(e)
            return
        render()

    shown = {}  # {id: status} of the sweeps as last shown here

    def render():
        listing.clear()
        shown.clear()
        with listing:
            for info in ws.catalogue.list("sweep"):
                st = sweeps.status(ws, info)
                shown[info["id"]] = st["status"]
                with ui.card().classes("w-full sweep-card"):
                    ui.label(info["command"]).classes("text-caption")
                    ui.label(f"{st['status']}: {st['done']} of {st['jobs']} jobs done"
                             + (f", {st['failed']} failed" if st["failed"] else "")
                             ).classes("sweep-status")
                    ui.linear_progress(value=st["done"] / max(st["jobs"], 1), show_value=False)
                    if st["finished"]:
                        if st["status"] != "ok":
                            ui.label(ws.catalogue.get(info["id"])["error"] or "").classes(
                                "text-negative")
                        for text in sweeps.answer(info):  # the recommendation first
                            ui.markdown(text).classes("sweep-answer")
                        frame = seeds_column(sweeps.table(info))
                        if not frame.empty:
                            cols = [f"override.{k}" for k in info.get("axes", {})
                                    if f"override.{k}" in frame] + [
                                c for c in ("seeds", "npv", "cumulative_profit",
                                            "final_market_share", "status") if c in frame]
                            rows = frame[cols].to_dict("records")
                            table(rows, cols, "sweep-table w-full")
                        for png in sweeps.plots(info):
                            ui.image(url(png)).classes("w-1/2")
            if not ws.catalogue.list("sweep"):
                ui.label("No sweeps yet.")

    def tick():
        if needs_render(ws.catalogue.list("sweep"), shown):
            render()

    launch.on_click(do_launch)
    render()
    ui.timer(1.0, tick)

