"""Equity rounds at milestones (sim/firm/equity.py, FinanceConfig.equity_rounds): paid in
once at the milestone as ``financing:equity``, shown as paid-in capital on the balance
sheet; a bad milestone is one error naming the key."""

import pytest

from sim.cli import UserError, compose
from sim.scenario import run_scenario

ROUNDS = ("firm.finance.equity_rounds=[{at: launch, amount: 5000000},"
          "{at: 'day 100', amount: 1000000},{at: 'gate beta', amount: 2000000}]")


@pytest.fixture(scope="module")
def res():
    return run_scenario(compose(["horizon_days=480", ROUNDS]).scenario(), seed=0)


def _first(events, firm, kind, detail=""):
    hit = events[(events["firm"] == firm) & (events["kind"] == kind)
                 & events["detail"].str.startswith(detail)]
    return float(hit["t"].iloc[0])


def test_each_round_is_paid_once_at_its_milestone(res):
    firm = res.config.firm.name
    led = res.ledger[(res.ledger["firm"] == firm) & (res.ledger["account"] == "financing:equity")]
    assert led["amount"].tolist()[0] == res.config.firm.initial_cash  # day 0
    rounds = led.iloc[1:].set_index("amount")["t"]
    assert sorted(rounds.index) == [1_000_000.0, 2_000_000.0, 5_000_000.0]
    assert rounds[1_000_000.0] == 100.0
    launch = _first(res.events, firm, "launch")
    beta = _first(res.events, firm, "gate_go", "beta")
    # milestones are read daily: paid on the day the event happens or the next
    assert launch <= rounds[5_000_000.0] <= launch + 1.0
    assert beta <= rounds[2_000_000.0] <= beta + 1.0
    ev = res.events[(res.events["firm"] == firm) & (res.events["kind"] == "equity_round")]
    assert len(ev) == 3


def test_rounds_are_paid_in_capital_not_revenue(res):
    pnl, bal = res.statements()
    firm = res.config.firm.name
    b = bal[bal["firm"] == firm]
    assert b["paid_in_capital"].iloc[-1] == pytest.approx(res.config.firm.initial_cash + 8e6)
    assert res.kpis["cumulative_revenue"] == pytest.approx(
        res.ledger[(res.ledger["firm"] == firm) & (res.ledger["account"] == "revenue")][
            "amount"].sum())
    no_rounds = run_scenario(compose(["horizon_days=480"]).scenario(), seed=0)
    assert res.kpis["npv"] == pytest.approx(no_rounds.kpis["npv"])  # financing is not NPV


@pytest.mark.parametrize("rounds, words", [
    ("[{at: tomorrow, amount: 1000}]", ["equity_rounds[0].at", "tomorrow"]),
    ("[{at: 'gate pilot', amount: 1000}]", ["equity_rounds[0].at (gate)", "pilot"]),
    ("[{at: launch, amount: 0}]", ["equity_rounds[0].amount", "0"]),
    ("[{at: 'day -5', amount: 1000}]", ["equity_rounds[0].at (day)", "-5"]),
])
def test_a_bad_round_is_one_error_naming_the_key(rounds, words):
    with pytest.raises(UserError) as e:
        compose([f"firm.finance.equity_rounds={rounds}"])
    for w in words:
        assert w in str(e.value)
