"""The studio's web app (NiceGUI): one page with four tabs over one workspace.

What-if, Runs (catalogue and comparison), Sweeps and War game; each tab is built by its
own module from the library calls in ``runs``, ``sweeps``, ``games`` and ``sim.game``.
The run directories are served read-only under ``/files`` for the plots.
"""

from nicegui import app, ui

from sim.studio import page_game, page_runs, page_sweeps, page_whatif
from sim.studio.runs import Workspace, composed

FILES = "/files"


def file_url(ws: Workspace, path) -> str:
    """URL of a file inside the workspace."""
    from pathlib import Path

    return f"{FILES}/{Path(path).resolve().relative_to(ws.root).as_posix()}"


def build(ws: Workspace) -> None:
    app.add_static_files(FILES, ws.root, max_cache_age=0)

    @ui.page("/")
    async def index():
        ui.page_title("marketsim studio")
        # the What-if form keeps its edits in the tab's storage, which needs the connection
        await ui.context.client.connected()
        with ui.header().classes("items-center"):
            ui.label("marketsim studio").classes("text-h6")
            ui.label(f"workspace {ws.root}").classes("text-caption q-ml-md")
        with ui.tabs().classes("w-full") as tabs:
            t_what = ui.tab("What-if")
            t_runs = ui.tab("Runs")
            t_sweeps = ui.tab("Sweeps")
            t_game = ui.tab("War game")
        with ui.tab_panels(tabs, value=t_what).classes("w-full"):
            with ui.tab_panel(t_what):
                open_run = page_whatif.build(ws, lambda p: file_url(ws, p))

            def open_in_form(overrides, label):
                note = open_run(overrides, label)
                tabs.set_value(t_what)
                return note

            with ui.tab_panel(t_runs):
                reload_runs = page_runs.build(ws, lambda p: file_url(ws, p), open_in_form)
            with ui.tab_panel(t_sweeps):
                page_sweeps.build(ws, lambda p: file_url(ws, p))
            with ui.tab_panel(t_game):
                page_game.build(ws)
        # the catalogue read afresh each time its tab is shown (a run finished on What-if
        # was missing until Refresh)
        tabs.on_value_change(lambda e: reload_runs() if e.value in (t_runs, "Runs") else None)


def serve(ws: Workspace, host: str, port: int, show: bool = False) -> None:
    composed(["scenario=baseline"])  # the first page then opens without Hydra's 2 s
    build(ws)
    ui.run(host=host, port=port, show=show, reload=False, title="marketsim studio",
           show_welcome_message=True, uvicorn_logging_level="warning", favicon="📈")
