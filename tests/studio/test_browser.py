"""End to end in headless Chromium: what-if (a bad value refused, a lever changed, the KPI
table and its deltas), comparison, a two-point sweep, two quarters of a war game and its
replay. Each test saves a screenshot."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sim.cli import UserError, compose


def _set(page, key, value):
    field = page.locator(f"#f-{key.replace('.', '__')}")
    field.fill(str(value))
    field.press("Tab")


def _settle(page):
    """Images loaded and their fade-in over, for a readable screenshot."""
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    page.wait_for_timeout(800)


def _kpi_rows(page) -> dict:
    rows = {}
    for tr in page.locator(".kpi-table tbody tr").all():
        cells = [c.inner_text() for c in tr.locator("td").all()]
        rows[cells[0]] = cells[1:]
    return rows


def test_what_if_refuses_a_bad_value_then_runs_a_lever_change(page, screens, workspace):
    with pytest.raises(UserError) as cli:
        compose(["firm.pricing.list_price=-5.0"])
    _set(page, "firm.pricing.list_price", -5)
    page.get_by_text(str(cli.value)).wait_for()  # the CLI's message, in the field
    page.click("#run-button")
    # the click goes to the server and the error comes back: wait for it (read at once, it
    # was still empty on a busy machine)
    expect(page.locator("#run-error")).to_have_text(str(cli.value))
    assert not list((workspace / "runs").glob("*")) if (workspace / "runs").exists() else True
    # an emptied field is refused, naming it (it ran the scenario's price without a word)
    _set(page, "firm.pricing.list_price", "")
    page.click("#run-button")
    expect(page.locator("#run-error")).to_contain_text("firm.pricing.list_price is blank")
    assert not list((workspace / "runs").glob("*")) if (workspace / "runs").exists() else True

    _set(page, "firm.pricing.list_price", 199)
    _set(page, "replications", 2)
    _set(page, "horizon_days", 728)
    page.click("#run-button")
    page.locator(".kpi-table").wait_for(timeout=120_000)
    assert page.inner_text("#run-status").startswith("ok in")
    rows = _kpi_rows(page)
    value, baseline, delta, interval, unit, n = rows["cumulative_revenue"]
    assert n == "2" and value != baseline and delta not in ("0", "-")
    assert unit == "USD" and rows["final_market_share"][4] == "fraction of units"
    assert re.match(r"\[.*, .*\]", interval)
    command = page.inner_text("#run-command")
    assert "firm.pricing.list_price=199" in command and "replications=2" in command
    page.locator("img").first.wait_for()
    _settle(page)
    page.screenshot(path=screens / "studio_whatif.png", full_page=True)
    # the saved run directory holds what the table shows
    # (the command writes beside it: WORKSPACE/cli/ID for WORKSPACE/runs/ID)
    cli_dir = Path(re.search(r"hydra\.run\.dir=(\S+)", command).group(1))
    run_dir = cli_dir.parent.parent / "runs" / cli_dir.name
    kpis = json.loads((run_dir / "kpis.json").read_text())
    assert kpis["replications"] == 2 and (run_dir / "rep_001" / "plots").is_dir()


def test_compare_two_runs_side_by_side(page, screens):
    page.get_by_text("Runs", exact=True).click()
    page.click("#runs-refresh")
    rows = page.locator(".runs-table tbody tr")
    rows.first.wait_for()
    if rows.count() < 2:
        pytest.skip("needs the what-if test's run and baseline")
    for i in range(2):
        rows.nth(i).locator(".q-checkbox").click()
    page.click("#runs-compare")
    page.locator(".compare-table").wait_for()
    header = page.locator(".compare-table thead").inner_text()
    assert header.count("run-") == 2 and "unit" in header
    # the what-if run (2 replications) and its baseline: the same seeds, so no warning
    assert page.locator("#compare-unpaired").count() == 0
    _settle(page)
    page.screenshot(path=screens / "studio_compare.png", full_page=True)


def _value(page, key) -> str:
    return page.locator(f"#f-{key.replace('.', '__')}").input_value()


def _pick_scenario(page, name):
    page.locator("#f-scenario").click()
    page.locator(".q-menu .q-item", has_text=name).first.click()


def test_a_runs_levers_open_back_in_the_form(page, screens, workspace):
    """A catalogued run could not be put back into the form to change and run again: its
    scenario and its changes are set from the Runs tab, and say so. (Its own run: under
    two workers the what-if test's run may be in the other worker's workspace.)"""
    from sim.studio import runs

    made = runs.run_what_if(runs.Workspace(workspace), [
        "scenario=baseline", "replications=2", "horizon_days=364", "plots=false",
        "firm.pricing.list_price=207"])
    page.get_by_text("Runs", exact=True).click()  # the tab reads the catalogue afresh
    row = page.locator(".runs-table tbody tr", has_text=made["id"])
    row.wait_for()
    row.get_by_text("scenario=baseline").hover()  # a cut label is whole on hover
    expect(page.locator(".q-tooltip")).to_contain_text(
        "horizon_days=364 plots=false firm.pricing.list_price=207")
    page.click("#runs-open")  # nothing picked: told what to do
    expect(page.locator("#runs-info")).to_contain_text("Tick one what-if run")
    # the NPV's currency is a column of its own (read before the tab switches: a hidden
    # tab panel is not in the page)
    assert page.locator(".runs-table thead").inner_text().count("currency") == 1
    row.locator(".q-checkbox").click()
    page.click("#runs-open")
    expect(page.locator("#run-status")).to_contain_text("opened run-")
    assert (_value(page, "firm.pricing.list_price"), _value(page, "replications"),
            _value(page, "horizon_days"), _value(page, "firm.marketing.budget_per_week")) \
        == ("207", "2", "364", "80000")  # the budget untouched: the scenario's
    page.wait_for_timeout(800)
    page.screenshot(path=screens / "studio_open_run.png", full_page=True)


def test_form_edits_survive_a_scenario_switch_and_a_reload_until_reset(page):
    """Switching the scenario (or reloading the page) had dropped every edit in the form;
    the last scenario's error (or results) had stayed on screen under the next one."""
    _set(page, "firm.pricing.list_price", -5)
    page.click("#run-button")
    expect(page.locator("#run-error")).to_contain_text("list_price must be > 0")
    _set(page, "firm.pricing.list_price", 211)
    expect(page.locator("#form-changes")).to_have_text(
        "Changed from the scenario: firm.pricing.list_price=211")
    _pick_scenario(page, "global_rollout")
    expect(page.locator("#f-firm__pricing__list_price")).not_to_have_value("211")
    expect(page.locator("#run-error")).to_have_text("")
    expect(page.locator("#form-changes")).to_have_text("No changes from the scenario's values.")
    _pick_scenario(page, "baseline")
    expect(page.locator("#f-firm__pricing__list_price")).to_have_value("211")
    page.reload()
    page.wait_for_selector("#run-button")
    expect(page.locator("#f-firm__pricing__list_price")).to_have_value("211")
    page.click("#form-reset")
    expect(page.locator("#f-firm__pricing__list_price")).to_have_value("249")


def test_a_run_with_a_setting_the_form_lacks_opens_and_runs_with_it(page, workspace):
    """A run in euros (``currency`` has no field in the form) had opened as the scenario in
    dollars, with a note, and run in dollars."""
    from sim.studio import runs

    made = runs.run_what_if(runs.Workspace(workspace),
                            ["scenario=baseline", "currency=EUR", "horizon_days=91", "plots=false"])
    page.get_by_text("Runs", exact=True).click()  # the tab reads the catalogue afresh
    row = page.locator(".runs-table tbody tr", has_text=made["id"])
    row.wait_for()
    assert "EUR" in row.inner_text()
    row.locator(".q-checkbox").click()
    page.click("#runs-open")
    expect(page.locator("#form-changes")).to_contain_text("currency=EUR")
    page.click("#run-button")
    page.locator(".kpi-table").wait_for(timeout=120_000)
    assert "currency=EUR" in page.inner_text("#run-command")
    assert "EUR" in page.locator(".kpi-table").inner_text()


def test_two_point_sweep_runs_detached_and_shows_its_table(page, screens, workspace):
    page.get_by_text("Sweeps", exact=True).click()
    page.fill("#sweep-extra", "horizon_days=728 plots=false hydra.launcher.n_jobs=1")
    page.fill("#sweep-values1", "199,349")
    page.click("#sweep-launch")
    page.locator(".sweep-card").first.wait_for()
    page.reload()  # a closed or reloaded tab does not stop the sweep
    page.get_by_text("Sweeps", exact=True).click()
    page.locator(".sweep-table").wait_for(timeout=120_000)
    status = page.locator(".sweep-status").first.inner_text()
    assert status.startswith("ok: 2 of 2 jobs done")
    assert page.locator(".sweep-table tbody tr").count() == 2
    # the answer first, as marketsim report gives it
    assert page.locator(".sweep-answer").first.inner_text().startswith(
        ("Recommendation: O", "No clear winner: O"))
    page.locator(".sweep-card img").first.wait_for()
    _settle(page)
    page.screenshot(path=screens / "studio_sweep.png", full_page=True)
    sweep_dir = next((workspace / "sweeps").iterdir())
    assert (sweep_dir / "kpis.parquet").exists()


def test_a_sweep_finished_shows_in_every_open_tab(browser, server):
    """Two tabs on the Sweeps page: whichever finds the sweep finished records it so, and
    the other must show it finished too (it used to wait for a running sweep that no
    longer existed, and showed "running" for good)."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000})
                for _ in range(2)]
    try:
        tabs = []
        for context in contexts:
            tab = context.new_page()
            tab.set_default_timeout(60_000)
            tab.goto(server)
            tab.get_by_text("Sweeps", exact=True).click()
            tabs.append(tab)
        first = tabs[0]
        first.fill("#sweep-extra", "horizon_days=364 plots=false hydra.launcher.n_jobs=1")
        first.fill("#sweep-values1", "229,279")
        first.click("#sweep-launch")
        for tab in tabs:
            card = tab.locator(".sweep-card", has_text="list_price=229,279")
            card.locator(".sweep-table").wait_for(timeout=120_000)
            assert card.locator(".sweep-status").inner_text().startswith("ok: 2 of 2 jobs done")
            assert card.locator(".sweep-table tbody tr").count() == 2
    finally:
        for context in contexts:
            context.close()


def test_war_game_two_quarters_then_replay(page, screens, workspace):
    page.get_by_text("War game", exact=True).click()
    page.click("#game-new")
    page.locator("#g-price").fill("229")
    page.click("#game-play")
    page.get_by_text("Period 1 of 21 played").wait_for()
    # the next period's form is built after the report: filled before it, the budget was
    # lost without a word
    page.get_by_text("Decisions for period 2 of 21").wait_for()
    page.locator("#g-hire-engineering").fill("2.5")  # a fraction of a hire is refused
    page.click("#game-play")
    expect(page.locator("#game-error")).to_contain_text(
        "hire engineering (people, +/-) must be a whole number, got 2.5")
    page.locator("#g-hire-engineering").fill("0")
    page.locator("#g-budget").fill("120000")
    page.click("#game-play")
    page.get_by_text("Period 2 of 21 played").wait_for()
    pnl = page.locator(".pnl-table tbody").inner_text()
    assert "salaries" in pnl and "cash_flow_before_financing" in pnl
    firms = page.locator(".firms-table tbody").inner_text()
    assert "229" in firms and "incumbent" in firms  # our new price, and the rivals
    page.click("#game-save")
    page.get_by_text("saved: marketsim game replay").wait_for()
    log = json.loads(max((workspace / "games").glob("*/game.json"),
                         key=lambda f: f.stat().st_mtime).read_text())
    assert "120000" in json.dumps(log) and "229" in json.dumps(log), log
    page.click("#game-replay")
    page.get_by_text("replayed 2 period(s) from the log and seed: identical records").wait_for()
    # headers with their units, and yes/no rather than Python's True/False
    heads = page.locator(".firms-table thead").inner_text()
    assert "price (USD)" in heads and "installed base (customers)" in heads
    firms = page.locator(".firms-table tbody").inner_text()
    assert "True" not in firms and "False" not in firms and "yes" in firms
    page.get_by_text("list price (USD)").first.wait_for()  # the decision form's unit too
    page.locator("#game-saved").click()  # resume the saved game from the list
    page.locator(".q-menu .q-item").first.click()
    page.click("#game-resume")
    page.get_by_text("at period 2").wait_for()
    _settle(page)
    page.screenshot(path=screens / "studio_wargame.png", full_page=True)
    # a reload replays the game on screen from its log (it had been dropped)
    page.reload()
    page.get_by_text("War game", exact=True).click()
    expect(page.locator("#game-header")).to_contain_text(
        "The game on screen before the reload (baseline, seed 0), at period 2")
    page.get_by_text("Decisions for period 3 of 21").wait_for()


def test_clicks_on_run_before_it_answers_start_one_run(page, workspace):
    """A double click had started three runs, two of them left "running" in the catalogue
    for ever: the button was disabled only after the first await."""
    def entries():
        out = {}
        for meta in (workspace / "runs").glob("*/studio.json"):
            out[meta.parent.name] = json.loads(meta.read_text())
        return out

    before = set(entries())
    _set(page, "horizon_days", 91)
    # three clicks in one go, before the server has answered the first
    page.evaluate("() => { const b = document.querySelector('#run-button'); "
                  "b.click(); b.click(); b.click(); }")
    page.locator(".kpi-table").wait_for(timeout=120_000)
    page.wait_for_timeout(3000)  # any further run would have made its directory by now
    new = {k: v for k, v in entries().items() if k not in before}
    kinds = sorted(v["kind"] for v in new.values())
    assert kinds.count("run") == 1, kinds
    assert all(v["status"] == "ok" for v in new.values()), new
    # 91 days is before the launch: no revenue, which read "0.00" beside "-1,619,398"
    assert _kpi_rows(page)["cumulative_revenue"][:3] == ["0", "0", "0"]
    # a reload shows the run's results again with the form (it had shown the form alone)
    page.reload()
    page.locator(".kpi-table").wait_for(timeout=60_000)
    expect(page.locator("#run-status")).to_contain_text("shown again after a reload")
    assert re.search(r"\bhorizon_days=91(\s|$)", page.inner_text("#run-command"))


def test_a_finished_game_offers_no_more_decisions(page):
    """After the last period the form had still offered a period's decisions and Play, which
    answered "the game is over"."""
    page.get_by_text("War game", exact=True).click()
    page.get_by_label("period (days)").fill("1825")
    page.click("#game-new")
    page.get_by_text("Decisions for period 1 of 1").wait_for()
    page.click("#game-play")
    page.get_by_text("Period 1 of 1 played").wait_for()
    page.get_by_text("The game is over. Save it to replay it").wait_for()
    expect(page.locator("#game-play")).to_be_disabled()
