"""War game tab: set the levers, play a period, read the period report; save, resume and
replay. All of it is ``sim.game.Game``: the page only shows what its API returns. The game
on screen is kept in the browser tab's storage (its log and seed, ``Game.to_dict``) and
replayed after a reload of the page."""

import json

from nicegui import run, ui

from sim.cli import UserError, scenarios
from sim.config import CHANNELS, TEAMS
from sim.game import Game
from sim.studio import games
from sim.studio.runs import composed
from sim.studio.widgets import tab_memory, table


def labels(currency: str) -> dict:
    """The report tables' headers, with units (``currency``: the scenario's)."""
    cur = currency or "currency"
    return {"amount": f"amount ({cur})", "on_market": "on the market", "price": f"price ({cur})",
            "units_sold": "units sold", "revenue": f"revenue ({cur})",
            "unit_share": "unit share (fraction)", "installed_base": "installed base (customers)",
            "cash": f"cash ({cur})", "quality": "quality (0-1)",
            "share": "share of installed base (fraction)", "t": "day"}


def build(ws) -> None:
    state = {"game": None, "info": None, "currency": "", "saved_period": 0}
    memory = tab_memory("game")  # the game on screen, replayed after a reload
    names = list(scenarios())
    with ui.row().classes("items-end"):
        scenario = ui.select(names, value="baseline", label="scenario").classes("w-48")
        # counts without a display format: its rounding on blur turned 2.5 into 2 unseen
        seed = ui.number("seed", value=0, min=0).classes("w-24")
        period = ui.number("period (days)", value=91, min=1, format="%.0f").classes("w-32")
        new = ui.button("New game", icon="casino").props('id="game-new"')
        saved = ui.select({}, label="saved games").classes("w-72").props('for="game-saved"')
        resume_button = ui.button("Resume").props('id="game-resume"')
    header = ui.label("Start a new game or resume a saved one.").classes(
        "text-subtitle1").props('id="game-header"')
    error = ui.label("").classes("text-negative").props('id="game-error"')
    decision = ui.card().classes("w-full")
    with ui.row():
        play = ui.button("Play next period", icon="skip_next").props('id="game-play"')
        save = ui.button("Save game", icon="save").props('id="game-save"')
        replay = ui.button("Replay saved log", icon="replay").props('id="game-replay"')
    replay_note = ui.label("").props('id="game-replay-note"')
    report_box = ui.column().classes("w-full")
    inputs = {}

    def keep():
        """The game on screen into the tab's storage (replayed after a reload)."""
        g = state["game"]
        memory.update(data=json.dumps(g.to_dict()) if g is not None else None,
                      info=state["info"]["id"] if state["info"] else None,
                      saved_period=state["saved_period"], currency=state["currency"])

    async def restore():
        if not memory.get("data"):
            return
        try:
            g = await run.io_bound(Game.from_dict, json.loads(memory["data"]))
        except ValueError as e:
            error.text = f"the game on screen before the reload could not be replayed: {e}"
            return
        state.update(game=g, saved_period=memory.get("saved_period", 0),
                     currency=memory.get("currency", ""),
                     info=ws.catalogue.get(memory["info"]) if memory.get("info") else None)
        name = games.scenario_of(g.overrides)
        if name in names:
            scenario.value = name
        header.text = (f"The game on screen before the reload ({name}, seed {g.seed}), at "
                       f"period {g.period}")
        build_decision()
        show_report(g.report())

    def refresh_saved():
        saved.options = {e["id"]: f"{e['label']} ({e['status']})"
                         for e in ws.catalogue.list("game")}
        saved.update()

    def build_decision():
        g = state["game"]
        if g.finished:  # nothing left to decide: no form, and Play says so by being off
            decision.clear()
            with decision:
                ui.label("The game is over. Save it to replay it from its log and seed.")
            play.disable()
            return
        play.enable()
        f = g.firm
        cur = state["currency"] or "currency"
        inputs.clear()
        decision.clear()
        with decision:
            ui.label(f"Decisions for period {g.period + 1} of {g.periods} "
                     f"(from day {g.day:g})").classes("text-subtitle2")
            with ui.grid(columns=4).classes("w-full"):
                inputs["price"] = ui.number(f"list price ({cur})",
                                            value=f.pricing.cfg.list_price).props('for="g-price"')
                inputs["marketing_budget_per_week"] = ui.number(
                    f"marketing budget ({cur}/week)", value=f.marketing.cfg.budget_per_week
                ).props('for="g-budget"')
                inputs["capacity_per_week"] = ui.number(
                    "capacity (units/week)", value=f.production.capacity_per_week
                ).props('for="g-capacity"')
                inputs["research_studies"] = ui.number("research studies to buy", value=0,
                                                       min=0).props('for="g-research"')
            with ui.grid(columns=4).classes("w-full"):
                for c, share in zip(CHANNELS, f.marketing.split, strict=True):
                    inputs[f"split.{c}"] = ui.number(f"mix: {c} (share)", value=round(share, 3))
            with ui.grid(columns=6).classes("w-full"):
                for t in TEAMS:
                    inputs[f"hire.{t}"] = ui.number(f"hire {t} (people, +/-)",
                                                    value=0).props(f'for="g-hire-{t}"')
            with ui.row():
                inputs["launch_project"] = ui.checkbox("launch the project now")
                inputs["kill_project"] = ui.checkbox("kill the project")

    def number(key: str):
        """A field's number; a blank field is refused, naming it (not read as 0)."""
        value = inputs[key].value
        if value is None or value == "":
            raise ValueError(f"{inputs[key].props.get('label', key)} is blank: enter a "
                             "number")
        return value

    def whole(key: str) -> int:
        """A count's field (0 when blank); a fraction is refused, naming it (2.5 hires had
        been made 2 without a word)."""
        value = inputs[key].value or 0
        if not float(value).is_integer():
            raise ValueError(f"{inputs[key].props.get('label', key)} must be a whole number, "
                             f"got {value:g}")
        return int(value)

    def levers() -> dict:
        f = state["game"].firm
        out = {}
        if number("price") != f.pricing.cfg.list_price:
            out["price"] = float(number("price"))
        if number("marketing_budget_per_week") != f.marketing.cfg.budget_per_week:
            out["marketing_budget_per_week"] = float(number("marketing_budget_per_week"))
        if number("capacity_per_week") != f.production.capacity_per_week:
            out["capacity_per_week"] = float(number("capacity_per_week"))
        split = {c: float(number(f"split.{c}")) for c in CHANNELS}
        if any(abs(split[c] - round(s, 3)) > 1e-9
               for c, s in zip(CHANNELS, f.marketing.split, strict=True)):
            out["marketing_split"] = split
        hires = {t: whole(f"hire.{t}") for t in TEAMS}
        if any(hires.values()):
            out["hires"] = {t: n for t, n in hires.items() if n}
        studies = whole("research_studies")
        if studies:
            out["research_studies"] = studies
        for k in ("launch_project", "kill_project"):
            if inputs[k].value:
                out[k] = True
        return out

    async def may_drop(action: str) -> bool:
        """Whether the game on screen may be replaced: it has no periods played since its
        last save, or the player says ``action`` may drop them."""
        g = state["game"]
        lost = 0 if g is None or g.finished else g.period - state["saved_period"]
        return lost <= 0 or await confirm(
            f"The game on screen has {lost} period(s) not saved. {action} and drop them?")

    async def start():
        error.text = ""
        if not await may_drop("Start a new game"):
            return
        overrides = [f"scenario={scenario.value}"]
        if seed.value is not None and not float(seed.value).is_integer():
            error.text = f"seed must be a whole number, got {seed.value:g}"
            return
        try:
            app = await run.io_bound(composed, overrides)  # remembered: 2 s the first time
            state["game"] = Game(app.scenario(), int(seed.value or 0), float(period.value or 91),
                                 overrides)
            state["currency"] = app.currency
        except (UserError, ValueError) as e:
            error.text = str(e)
            return
        state["info"] = None
        state["saved_period"] = 0
        report_box.clear()
        replay_note.text = ""
        header.text = f"New game: {scenario.value}, seed {state['game'].seed}"
        keep()
        build_decision()

    async def resume():
        error.text = ""
        entry = ws.catalogue.get(saved.value) if saved.value else None
        if entry is None:
            error.text = "pick a saved game"
            return
        if not await may_drop("Resume the other game"):
            return
        try:
            state["game"] = games.load_game(entry)
        except ValueError as e:
            error.text = str(e)
            return
        state["info"] = entry
        try:
            state["currency"] = composed(entry.get("overrides") or []).currency
        except UserError:
            state["currency"] = ""
        state["saved_period"] = state["game"].period
        name = games.scenario_of(entry.get("overrides"))
        if name in names:
            scenario.value = name  # the game's own scenario, not the last one picked
        header.text = (f"Resumed {entry['label']} ({name}, seed {state['game'].seed}) at "
                       f"period {state['game'].period}")
        keep()
        build_decision()
        show_report(state["game"].report())

    async def do_play():
        g = state["game"]
        error.text = ""
        if g is None:
            error.text = "start a game first"
            return
        try:
            g.decide(**levers())
        except ValueError as e:
            error.text = str(e)
            return
        play.disable()
        try:
            rep = await run.io_bound(g.advance)
        except ValueError as e:
            error.text = str(e)
            return
        finally:
            play.enable()
        header.text = (f"Period {rep['period']} of {rep['periods']} played (days "
                       f"{rep['start_day']:g} to {rep['end_day']:g})"
                       + (": the game is over" if rep["finished"] else ""))
        keep()
        build_decision()
        show_report(rep)

    def do_save():
        if state["game"] is None:
            error.text = "start a game first"
            return
        state["info"] = games.save_game(ws, state["game"], info=state["info"])
        state["saved_period"] = state["game"].period
        keep()
        replay_note.text = f"saved: {state['info']['command']}"
        refresh_saved()

    async def do_replay():
        if state["info"] is None:
            error.text = "save the game first"
            return
        again = await run.io_bound(games.load_game, state["info"])
        same = games.same_play(state["game"], again) if again.period == state["game"].period \
            else False
        replay_note.text = (f"replayed {again.period} period(s) from the log and seed: "
                            + ("identical records" if same else
                               "differs from the game on screen (unsaved periods?)"))

    def show_report(rep):
        report_box.clear()
        if rep is None:
            return
        heads = labels(state["currency"])
        with report_box:
            with ui.row().classes("w-full no-wrap"):
                with ui.column().classes("w-1/3"):
                    ui.label("Our cash flow this period (before financing and tax)").classes("text-subtitle2")
                    table([{"account": k, "amount": v} for k, v in rep["pnl"].items()],
                          ["account", "amount"], "pnl-table w-full", labels=heads)
                with ui.column().classes("w-2/3"):
                    ui.label("Firms this period").classes("text-subtitle2")
                    table(rep["firms"], ["firm", "on_market", "price", "units_sold", "revenue",
                                         "unit_share", "installed_base", "cash", "quality"],
                          "firms-table w-full", labels=heads)
            with ui.row().classes("w-full no-wrap"):
                with ui.column().classes("w-1/2"):
                    ui.label("Share of installed base by segment").classes("text-subtitle2")
                    table(rep["segments"], ["segment", "firm", "installed_base", "share"],
                          "w-full", labels=heads)
                with ui.column().classes("w-1/2"):
                    ui.label("Perceptual map: price vs quality").classes("text-subtitle2")
                    ui.echart({"xAxis": {"name": "quality", "scale": True},
                               "yAxis": {"name": "price", "scale": True},
                               "legend": {},
                               "series": [{"type": "scatter", "name": r["firm"],
                                           "symbolSize": 16, "data": [[r["quality"], r["price"]]]}
                                          for r in rep["firms"]]}).classes("w-full h-64")
            for title, key in (("Competitors' moves", "competitor_moves"),
                               ("What research found", "research"), ("Our events", "our_events")):
                ui.label(title).classes("text-subtitle2")
                items = rep[key] or [{"t": "", "firm": "", "kind": "", "detail": "nothing"}]
                table(items, ["t", "firm", "kind", "detail"], "w-full", labels=heads)

    async def confirm(question: str) -> bool:
        with ui.dialog() as dialog, ui.card():
            ui.label(question)
            with ui.row():
                ui.button("Yes, drop them", on_click=lambda: dialog.submit(True)).props(
                    'id="game-confirm"')
                ui.button("Keep playing", on_click=lambda: dialog.submit(False)).props(
                    'flat id="game-keep"')
        return bool(await dialog)

    new.on_click(start)
    resume_button.on_click(resume)
    play.on_click(do_play)
    save.on_click(do_save)
    replay.on_click(do_replay)
    refresh_saved()
    ui.timer(0.1, restore, once=True)
