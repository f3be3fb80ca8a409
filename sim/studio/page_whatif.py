"""What-if tab: a scenario, its levers as a form generated from the schemas, a run with N
replications, the KPI table with paired deltas against the scenario's baseline, plots and
the command line that reproduces the run."""

import time

from nicegui import run, ui

from sim.cli import UserError, scenarios
from sim.cli.table import fmt_value, unit_of
from sim.studio import runs
from sim.studio.schema import (
    MAIN_LEVERS,
    RUN_SETTINGS,
    apply_changes,
    check_value,
    cli_message,
    form_fields,
    overrides_from,
)
from sim.studio.widgets import field_input, table


def build(ws, url) -> None:
    state = {"fields": [], "inputs": {}, "app": None, "info": None}
    names = list(scenarios())
    with ui.row().classes("items-center"):
        scenario = ui.select(names, value="baseline" if "baseline" in names else names[0],
                             label="scenario").props('for="f-scenario"').classes("w-64")
        run_button = ui.button("Run", icon="play_arrow").props('id="run-button"')
        status = ui.label("").props('id="run-status"')
    progress = ui.linear_progress(value=0, show_value=False).props('id="run-progress"')
    progress.visible = False
    error = ui.label("").classes("text-negative").props('id="run-error"')
    form = ui.column().classes("w-full")
    results = ui.column().classes("w-full")

    def check(key, value):
        if state["app"] is None or value is None:
            return None
        try:
            return check_value(state["app"], key, value)
        except Exception:  # noqa: BLE001 - a type the schema refuses: compose says why
            return None

    def load_form():
        app = runs.composed([f"scenario={scenario.value}"])
        state["app"] = app
        state["fields"] = form_fields(app)
        state["inputs"] = {}
        form.clear()
        with form:
            main = [f for f in state["fields"] if f.key in MAIN_LEVERS or f.key in RUN_SETTINGS]
            with ui.card().classes("w-full"):
                ui.label("Levers and run settings").classes("text-subtitle1")
                with ui.grid(columns=4).classes("w-full"):
                    for f in main:
                        state["inputs"][f.key] = field_input(f, check)
            sections = {}
            for f in state["fields"]:
                if f not in main:
                    sections.setdefault(f.section, []).append(f)
            with ui.expansion("All settings (from the config schemas)").classes("w-full"):
                for section, fields in sections.items():
                    with ui.expansion(section).classes("w-full"):
                        if fields[0].help:
                            ui.label(fields[0].help).classes("text-caption")
                        with ui.grid(columns=4).classes("w-full"):
                            for f in fields:
                                state["inputs"][f.key] = field_input(f, check)

    def current() -> tuple[list[str], object]:
        """The run's overrides and its typed config (the cached scenario with the form's
        changes set; a value the schema refuses raises its ValueError)."""
        values = {k: el.value for k, el in state["inputs"].items()}
        overrides = [f"scenario={scenario.value}", *overrides_from(state["fields"], values)]
        return overrides, apply_changes(state["app"], state["fields"], values)

    async def do_run():
        # one run at a time: a double click started three runs, two of them left "running"
        # in the catalogue for ever (the button was disabled only after the first await)
        if state.get("busy"):
            return
        state["busy"] = True
        try:
            await _do_run()
        finally:
            state["busy"] = False

    async def _do_run():
        error.text = ""
        # a field emptied is refused, naming it (it ran the scenario's value without a word)
        for f in state["fields"]:
            el = state["inputs"].get(f.key)
            if el is not None and el.value in (None, "") and f.value not in (None, ""):
                error.text = (f"{f.key} is blank: enter a value (the scenario's is "
                              f"{f.value})")
                return
        started = time.perf_counter()
        try:
            # the whole form checked together (each field alone was checked against the
            # scenario's other values: a capacity above the old maximum was refused though
            # the maximum was raised beside it), then the field marks cleared
            overrides, fast = current()
            for el in state["inputs"].values():
                if getattr(el, "error", None):
                    el.error = None
            info, app = await run.io_bound(runs.start_run, ws, overrides, "run", "", fast)
        except (UserError, ValueError) as e:
            message = str(e) if isinstance(e, UserError) else cli_message(state["app"], str(e))
            _mark_field(state, message)
            error.text = message
            return
        run_button.disable()
        progress.visible = True
        progress.value = 0
        try:
            base = runs.find_baseline(ws, overrides)
            if base is None:
                status.text = "running the scenario's baseline (same seeds, no levers)..."
                want = runs.baseline_overrides(overrides)
                binfo, bapp = await run.io_bound(runs.start_run, ws, want, "baseline",
                                                 "baseline " + " ".join(want))
                base = await _run_with_progress(ws, binfo, bapp, progress)
            status.text = f"running {app.replications} replication(s)..."
            info = await _run_with_progress(ws, info, app, progress)
        finally:
            run_button.enable()
            progress.visible = False
        state["info"] = info
        elapsed = time.perf_counter() - started
        status.text = f"{info['status']} in {elapsed:.1f} s ({info['id']})"
        show_results(info, base)

    def show_results(info, base):
        results.clear()
        with results:
            if info["status"] != "ok":
                ui.label(f"Run failed: {info['error']}").classes("text-negative").props(
                    'id="run-failed"')
                return
            rows = runs.paired_deltas(runs.kpi_frame(info["path"]), runs.kpi_frame(base["path"]))
            currency = state["app"].currency
            for r in rows:  # each value written by its kind, with its unit (as the CLI)
                r["unit"], kind = unit_of(r["kpi"], currency)
                r["interval"] = (f"[{fmt_value(r['low'], kind)}, {fmt_value(r['high'], kind)}]"
                                 if r["low"] is not None else "-")
                for k in ("value", "baseline", "delta"):
                    r[k] = fmt_value(r[k], kind)
            ui.label(f"KPIs of firm '{state['app'].firm.name}': mean over "
                     f"{rows[0]['n'] if rows else 0} seed(s); delta vs baseline on the same "
                     f"seeds; interval: the {runs.CONFIDENCE:.0%} interval of the mean delta "
                     "(how sure the change is, not the spread of outcomes; none from one "
                     "seed); n: the seeds paired").classes("text-subtitle1")
            table(rows, ["kpi", "value", "baseline", "delta", "interval", "unit", "n"],
                  "kpi-table w-full")
            if len(runs.plots_of(info)) and info.get("replications", 1) > 1:
                ui.label("Plots: the first replication's (seed "
                         f"{state['app'].seed}), not the mean above").classes(
                    "text-caption")
            for line in runs.warnings_of(info, state["app"]):
                ui.label(line).classes("text-warning").props('id="run-warning"')
            ui.label("Reproduce on the command line:").classes("text-caption")
            ui.code(info["command"], language="bash").classes("w-full").props('id="run-command"')
            with ui.row():
                for png in runs.plots_of(info):
                    ui.image(url(png)).classes("w-96")

    scenario.on_value_change(lambda: load_form())
    run_button.on_click(do_run)
    load_form()


async def _run_with_progress(ws, info, app, bar):
    timer = ui.timer(0.5, lambda: setattr(bar, "value", runs.progress(info)))
    try:
        return await run.io_bound(runs.finish_run, ws, info, app)
    finally:
        timer.cancel()


def _mark_field(state, message: str) -> None:
    """Show the CLI's message on the field it names."""
    for key, el in state["inputs"].items():
        if key.split(".", 1)[-1] in message and hasattr(el, "props"):
            el.props(f'error error-message="{message}"')
            return
