"""The war game: slices of a run equal one run, levers act as stated, save/replay is exact."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import compose
from sim.game import Decision, Game
from sim.game.cli import main, new_game
from sim.scenario import run_scenario

SHORT = ["horizon_days=546"]  # six quarters of 91 days


@pytest.fixture(scope="module")
def scenario():
    return compose(SHORT).scenario()


def _tables(rec):
    return (pd.DataFrame(rec.timeseries_dicts()), pd.DataFrame(rec.events), pd.DataFrame(rec.ledger))


def test_game_without_decisions_equals_one_run(scenario):
    """SimPy stops before the events of the stop instant, so running in slices is the same
    run: the twin is ``run_scenario`` itself."""
    game = Game(scenario, seed=3, period_days=91)
    game.play_to_end()
    assert game.period == 6 and game.finished
    ref = run_scenario(scenario, 3)
    got = game.results()
    pd.testing.assert_frame_equal(got.timeseries, ref.timeseries)
    pd.testing.assert_frame_equal(got.ledger, ref.ledger)
    pd.testing.assert_frame_equal(got.events, ref.events)
    assert got.kpis == ref.kpis


def test_uneven_last_period_stops_at_horizon():
    game = Game(compose(["horizon_days=200"]).scenario(), seed=0, period_days=91)
    game.play_to_end()
    assert game.period == 3 and game.day == 200.0
    with pytest.raises(ValueError, match="the game is over"):
        game.advance()


def test_decisions_are_logged_and_replayed_exactly(scenario, tmp_path):
    game = Game(scenario, seed=5, period_days=91)
    game.decide(price=350.0, marketing_budget_per_week=90_000.0)
    game.decide(hires={"engineering": 4}, research_studies=1)
    game.advance()
    game.advance()  # a period without decisions is not logged
    game.decide(marketing_split={"online": 1.0, "search": 1.0}, capacity_per_week=5_000.0)
    game.advance()
    assert [e["period"] for e in game.log] == [0, 2]
    assert game.log[0]["decision"] == {"price": 350.0, "marketing_budget_per_week": 90_000.0,
                                       "hires": {"engineering": 4}, "research_studies": 1}
    path = game.save(tmp_path / "g.json")
    back = Game.load(path)
    assert back.period == 3 and back.day == game.day
    for a, b in zip(_tables(game.recorder), _tables(back.recorder), strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert back.report() == game.report()
    # resume: both go on the same way
    for g in (game, back):
        g.decide(price=420.0)
        g.play_to_end()
    assert game.results().kpis == back.results().kpis
    # a replay of fewer periods stops there
    assert Game.load(path, periods=1).day == 91.0


def test_price_lever_sets_price_at_once(scenario):
    game = Game(scenario, seed=0, period_days=91)
    game.advance()
    game.decide(price=333.0)
    game.advance()
    assert game.firm.pricing.cfg.list_price == 333.0
    assert game.firm.product.price == pytest.approx(333.0)  # list pricing, no floor at 333
    assert scenario.firm.pricing.list_price != 333.0  # the caller's config is untouched


def test_marketing_budget_and_mix_are_what_the_ledger_spends():
    """Once marketing runs (pre-launch window open), a period's spend per channel is the
    budget times the mix times the weeks (cash permitting)."""
    sc = compose(["horizon_days=546", "firm.development.planned_launch_day=0",
                  "firm.marketing.prelaunch_days=0",
                  "firm.marketing.during_slip=continue"]).scenario()
    game = Game(sc, seed=0, period_days=91)
    game.decide(marketing_budget_per_week=70_000.0, marketing_split={"tv": 3, "search": 1})
    rep = game.advance()
    weeks = 13  # weekly spend at days 0, 7, ..., 84
    led = pd.DataFrame(game.recorder.ledger, columns=["t", "firm", "account", "amount"])
    mine = led[(led.firm == "us") & led.account.str.startswith("marketing")]
    by = -mine.groupby("account")["amount"].sum()
    assert by["marketing:tv"] == pytest.approx(70_000 * 0.75 * weeks)
    assert by["marketing:search"] == pytest.approx(70_000 * 0.25 * weeks)
    assert set(by.index) == {"marketing:tv", "marketing:search"}
    assert rep["pnl"]["marketing"] == pytest.approx(-70_000 * weeks)


def test_hires_join_after_the_lag_and_layoffs_are_immediate(scenario):
    game = Game(scenario, seed=0, period_days=91)
    eng = game.firm.teams["engineering"]
    before = eng.headcount
    lag = scenario.firm.teams["engineering"].hiring_lag_days
    assert lag < 91
    game.decide(hires={"engineering": 5, "design": -1})
    game.advance()
    assert eng.headcount == before + 5
    assert game.firm.teams["design"].headcount == scenario.firm.teams["design"].headcount - 1
    kinds = [e["kind"] for e in game.report()["our_events"]]
    assert "hiring_started" in kinds and "hired" in kinds and "layoff" in kinds


def test_capacity_rise_costs_pro_rata_and_arrives_after_the_lead_time(scenario):
    game = Game(scenario, seed=0, period_days=200)
    prod = game.firm.production
    cfg = scenario.firm.production
    base = prod.capacity_per_week
    cash = game.firm.ledger.cash
    game.decide(capacity_per_week=base + 1_500.0)
    levers_done = game.advance()["decisions"]
    assert any("ordered" in d for d in levers_done)
    spent = [r for r in game.recorder.ledger if r[2] == "capacity" and r[0] == 0.0]
    assert spent and spent[0][3] == pytest.approx(-cfg.expansion_cost * 1_500 / cfg.expansion_units_per_week)
    assert cfg.expansion_lead_days < 200 and prod.capacity_per_week == base + 1_500.0
    assert game.firm.ledger.cash < cash


def test_kill_stops_sales_and_salaries():
    sc = compose(["horizon_days=1092"]).scenario()
    game = Game(sc, seed=0, period_days=546)
    game.advance()
    assert game.firm.product.on_market  # launched in the first half
    game.decide(kill_project=True)
    game.advance()
    ts = pd.DataFrame(game.recorder.timeseries_dicts())
    after = ts[(ts.firm == "us") & (ts.t >= 546)]
    assert (after.units_sold == 0).all() and (after.revenue == 0).all()
    led = pd.DataFrame(game.recorder.ledger, columns=["t", "firm", "account", "amount"])
    late = led[(led.firm == "us") & (led.t > 546) & led.account.str.startswith("salaries")]
    assert np.allclose(late.amount, 0.0)


@pytest.mark.parametrize("levers, message", [
    ({"price": -1.0}, "price must be > 0, got -1"),
    ({"hires": {"enginering": 2}}, "hires key must be one of engineering"),
    ({"marketing_split": {"radio": 1.0}}, "marketing_split key must be one of tv"),
    ({"research_studies": 1.5}, "research_studies must be a whole number, got 1.5"),
    ({"prize": 3}, "decision lever must be one of price"),
])
def test_bad_decisions_are_refused_naming_the_lever(scenario, levers, message):
    game = Game(scenario, seed=0)
    game.decide(price=300.0)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        game.decide(**levers)
    assert game.pending == Decision(price=300.0)  # nothing changed


def test_capacity_above_the_maximum_is_refused_before_anything_changes(scenario):
    game = Game(scenario, seed=0)
    # refused when decided, with the price beside it: nothing waits to be applied later
    # (the studio's player who then took both back got the price of 300 a period later)
    with pytest.raises(ValueError, match="capacity_per_week must be <="):
        game.decide(price=300.0, capacity_per_week=1e9)
    assert game.pending == Decision()
    report = game.advance()
    assert report["decisions"] == []
    assert game.firm.pricing.cfg.list_price == scenario.firm.pricing.list_price
    assert game.log == []


def test_a_decision_the_firm_cannot_take_now_is_refused_when_decided(scenario):
    game = Game(scenario, seed=0)
    game.decide(kill_project=True)
    game.advance()
    with pytest.raises(ValueError, match="kill_project: the project is already killed"):
        game.decide(kill_project=True)
    assert game.pending == Decision()


def test_cli_replay_prints_and_writes(scenario, tmp_path, capsys):
    game = new_game(SHORT, seed=2)
    game.decide(price=360.0)
    game.advance()
    path = game.save(tmp_path / "g.json")
    assert main(["replay", str(path), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "Replayed 1 of 6 periods" in out and "npv" in out
    # one period in, before the launch: said as progress, not as a warning
    assert "did not launch" not in out and "Not launched yet on day" in out
    kpis = json.loads((tmp_path / "run" / "kpis.json").read_text())
    assert kpis["seed"] == 2


def test_cli_replay_refuses_periods_it_cannot_replay(scenario, tmp_path, capsys):
    """0 periods crashed on their empty results (a KeyError traceback); more periods than
    were played simulated on without the player's decisions."""
    game = new_game(SHORT, seed=2)
    game.advance()
    path = game.save(tmp_path / "g.json")
    capsys.readouterr()
    assert main(["replay", str(path), "--periods", "0"]) == 2
    assert "--periods must be >= 1" in capsys.readouterr().err
    assert main(["replay", str(path), "--periods", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["marketsim: error: cannot replay 5 periods: the log holds 1 periods played; "
                   "give at most 1"]


def test_cli_replay_bad_input_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}')
    assert main(["replay", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["marketsim: error: not a marketsim game log: format must be "
                   "'marketsim-game/1', got 'other'"]
    assert main(["replay", str(tmp_path / "missing.json")]) == 2
    assert main(["nonsense"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_a_project_launched_before_its_configured_start_runs_once():
    """``launch_project`` on day 0 of a project configured to start on day 200 starts it
    then; the configured start, when it comes, does not start it again (it had: two
    ``project_started`` events, the plan counted again from day 200)."""
    sc = compose([*SHORT, "firm.development.start_day=200",
                  "firm.development.planned_after_start_days=400"]).scenario()
    game = Game(sc, seed=0, period_days=91)
    game.decide(launch_project=True)
    game.play_to_end()
    started = [e for e in game.recorder.events if e[3] == "project_started"
               and e[1] == sc.firm.name]
    assert [(e[0], e[4]) for e in started] == [(0.0, "planned launch day 400")]
    assert game.firm.project.planned_launch_day == 400.0


def test_a_game_saved_before_keyed_draws_loads_as_it_was_played():
    """Saved configs from before ``draws`` existed drew with the Generator and replay so;
    an agent-mode game saved with the old default ``draws: generator`` loads (agent mode
    reads no aggregate draws) instead of being refused."""
    import dataclasses

    from sim.game.serialise import config_from_dict
    data = dataclasses.asdict(compose(SHORT).scenario())
    assert config_from_dict(data).draws == "counter"  # a config of today: as saved
    del data["draws"]
    assert config_from_dict(data).draws == "generator"
    agent = dict(data, mode="agent", draws="generator")
    assert config_from_dict(agent).mode == "agent"
