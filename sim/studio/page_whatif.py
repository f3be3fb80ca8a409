"""What-if tab: a scenario, its levers as a form generated from the schemas, a run with N
replications, the KPI table with paired deltas against the scenario's baseline, plots and
the command line that reproduces the run.

The form's edits are kept per scenario for as long as the browser tab is open (NiceGUI's
tab storage, on the server): switching to another scenario and back, or reloading the
page, finds them as they were, and a reload shows the last run's results again; "Reset"
gives the scenario's own values back. A run from the Runs tab opens here with its
scenario and its changes (``build``'s returned ``open_run``)."""

import time

from nicegui import run, ui

from sim.cli import UserError, scenarios
from sim.cli.table import unit_of
from sim.studio import runs
from sim.studio.schema import (
    MAIN_LEVERS,
    RUN_SETTINGS,
    apply_changes,
    check_value,
    cli_message,
    form_fields,
    overrides_from,
    value_text,
)
from sim.studio.widgets import field_input, fmt, kpi_text, tab_memory, table


def _memory() -> dict:
    """The tab's kept form: ``{"scenario": name, "drafts": {scenario: {key: value}},
    "extras": {scenario: [key=value, ...]}}`` (a run's overrides the form has no field
    for)."""
    kept = tab_memory("whatif")
    kept.setdefault("scenario", None)
    kept.setdefault("drafts", {})
    kept.setdefault("extras", {})
    return kept


def build(ws, url):
    """Build the tab; returns ``open_run(overrides, label)``, which puts a run's scenario
    and changes into the form."""
    state = {"fields": [], "inputs": {}, "app": None, "info": None}
    memory = _memory()
    names = list(scenarios())
    first = memory["scenario"] if memory["scenario"] in names else (
        "baseline" if "baseline" in names else names[0])
    with ui.row().classes("items-center"):
        scenario = ui.select(names, value=first,
                             label="scenario").props('for="f-scenario"').classes("w-64")
        run_button = ui.button("Run", icon="play_arrow").props('id="run-button"')
        reset_button = ui.button("Reset", icon="undo").props('id="form-reset" flat').tooltip(
            "the scenario's own values back (drops this scenario's edits)")
        status = ui.label("").props('id="run-status"')
    # what the form changes, in the command line's words (kept edits in closed panels too)
    changed = ui.label("").classes("text-caption").props('id="form-changes"')
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

    def remember(key, value):
        """Keep an edit in the scenario's draft; a value back at the scenario's drops it."""
        field = state["by_key"].get(key)
        draft = memory["drafts"].setdefault(scenario.value, {})
        if field is None or value == field.value or (value in (None, "") and field.value
                                                     in (None, "")):
            draft.pop(key, None)
        else:
            draft[key] = value
        show_changes()

    def show_changes():
        values = {k: el.value for k, el in state["inputs"].items()}
        try:
            words = overrides_from(state["fields"], values)
        except ValueError:  # a fraction in a whole-number field: its own message says so
            words = [f"{k}={value_text(v)}"
                     for k, v in memory["drafts"].get(scenario.value, {}).items()]
        words += memory["extras"].get(scenario.value, [])
        changed.text = ("Changed from the scenario: " + " ".join(words) if words
                        else "No changes from the scenario's values.")

    def load_form():
        app = runs.composed([f"scenario={scenario.value}"])
        memory["scenario"] = scenario.value
        state["app"] = app
        state["fields"] = form_fields(app)
        state["by_key"] = {f.key: f for f in state["fields"]}
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
        # the scenario's kept edits back in their fields, then every edit kept
        for key, value in dict(memory["drafts"].get(scenario.value, {})).items():
            if key in state["inputs"]:
                state["inputs"][key].value = value
        for key, el in state["inputs"].items():
            el.on_value_change(lambda e, k=key: remember(k, e.value))
        show_changes()

    def switched():
        """Another scenario: its form, and nothing of the last one's run or error."""
        memory.pop("shown", None)
        results.clear()
        status.text = error.text = ""
        load_form()

    def reset():
        memory.pop("shown", None)
        memory["drafts"].pop(scenario.value, None)
        memory["extras"].pop(scenario.value, None)
        results.clear()
        status.text = error.text = ""
        load_form()

    def open_run(overrides, label: str = "") -> str:
        """Put a run's scenario and its changes (``key=value`` overrides, as the studio
        writes them) into the form, an override with no field kept beside it; returns a
        note when this replaced edits not yet run, else ""."""
        pairs = dict(o.split("=", 1) for o in overrides if "=" in o)
        name = pairs.pop("scenario", scenario.value)
        if name not in names:
            error.text = f"scenario '{name}' of {label or 'the run'} is not one of {names}"
            return error.text
        fields = {f.key: f for f in form_fields(runs.composed([f"scenario={name}"]))}
        draft, extras = {}, []
        for key, text in pairs.items():
            f = fields.get(key)
            if f is None:  # kept beside the form and run with it (e.g. currency=EUR)
                extras.append(f"{key}={text}")
                continue
            draft[key] = typed(f, text)
        replaced = len(memory["drafts"].get(name, {})) + len(memory["extras"].get(name, []))
        memory["drafts"][name], memory["extras"][name] = draft, extras
        if scenario.value != name:
            scenario.value = name  # its change loads the form, with the draft
        else:
            switched()
        note = ""
        if replaced:
            note = (f"it replaced {replaced} edit(s) of {name} that had not been run")
        status.text = f"opened {label or 'the run'}" + (f" ({note})" if note else "")
        return note

    def current() -> tuple[list[str], object]:
        """The run's overrides and its typed config (the cached scenario with the form's
        changes set; a value the schema refuses raises its ValueError)."""
        values = {k: el.value for k, el in state["inputs"].items()}
        extras = list(memory["extras"].get(scenario.value, []))
        overrides = [f"scenario={scenario.value}", *overrides_from(state["fields"], values),
                     *extras]
        fast = apply_changes(state["app"], state["fields"], values)
        # overrides the form has no field for are composed by Hydra with the rest
        return overrides, (None if extras else fast)

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
                # a number input holds nothing for text that is not a number ("abc")
                what = ("is blank or not a number: enter a number" if f.kind in (
                    "float", "int") else "is blank: enter a value")
                error.text = f"{f.key} {what} (the scenario's is {fmt(f.value)})"
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
            base = runs.find_baseline(ws, overrides, app.draws)
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
        # told by the run's own config: the form may have moved to another scenario since
        name = overrides[0].removeprefix("scenario=")
        show_results(info, base, app, name)
        if name == scenario.value:  # shown again after a reload of the page
            memory["shown"] = {"scenario": name, "run": info["id"], "base": base["id"]}

    def show_results(info, base, app, name):
        results.clear()
        with results:
            if info["status"] != "ok":
                ui.label(f"Run failed: {info['error']}").classes("text-negative").props(
                    'id="run-failed"')
                return
            rows = runs.paired_deltas(runs.kpi_frame(info["path"]), runs.kpi_frame(base["path"]))
            currency = app.currency
            for r in rows:  # each value written by its kind, with its unit (as the CLI)
                r["unit"], kind = unit_of(r["kpi"], currency)
                r["interval"] = (f"[{kpi_text(r['low'], kind)}, {kpi_text(r['high'], kind)}]"
                                 if r["low"] is not None else "-")
                for k in ("value", "baseline", "delta"):
                    r[k] = kpi_text(r[k], kind)
            ui.label(f"KPIs of firm '{app.firm.name}' in scenario {name}: mean over "
                     f"{rows[0]['n'] if rows else 0} seed(s); delta vs baseline on the same "
                     f"seeds; interval: the {runs.CONFIDENCE:.0%} interval of the mean delta "
                     "(how sure the change is, not the spread of outcomes; none from one "
                     "seed); n: the seeds paired").classes("text-subtitle1")
            table(rows, ["kpi", "value", "baseline", "delta", "interval", "unit", "n"],
                  "kpi-table w-full")
            if len(runs.plots_of(info)) and info.get("replications", 1) > 1:
                ui.label("Plots: the first replication's (seed "
                         f"{app.seed}), not the mean above").classes(
                    "text-caption")
            for line in runs.warnings_of(info, app):
                ui.label(line).classes("text-warning").props('id="run-warning"')
            ui.label("Reproduce on the command line:").classes("text-caption")
            ui.code(info["command"], language="bash").classes("w-full").props('id="run-command"')
            with ui.row():
                for png in runs.plots_of(info):
                    ui.image(url(png)).classes("w-96")

    scenario.on_value_change(lambda: switched())
    run_button.on_click(do_run)
    reset_button.on_click(reset)
    load_form()

    async def restore():
        """The results shown before the page was reloaded, if they are still the form's."""
        shown = memory.get("shown")
        if not shown or shown["scenario"] != scenario.value:
            return
        info, base = ws.catalogue.get(shown["run"]), ws.catalogue.get(shown["base"])
        if not info or not base or info["status"] != "ok":
            return
        try:
            app = await run.io_bound(runs.composed, info["overrides"])
        except UserError:
            return
        status.text = f"{info['status']} ({info['id']}, shown again after a reload)"
        show_results(info, base, app, shown["scenario"])

    ui.timer(0.1, restore, once=True)
    return open_run


def typed(field, text: str):
    """An override's text as the form's field holds it (a number, a switch, a choice)."""
    if field.kind == "bool":
        return text.strip().lower() in ("true", "1", "yes", "on")
    if field.kind in ("float", "int"):
        try:
            value = float(text)
        except ValueError:
            return text  # shown as is; the run refuses it, naming the key
        return int(value) if field.kind == "int" and value.is_integer() else value
    return text


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
