"""A base that outgrows its support team, end to end: next_generation's hub reaches hundreds
of thousands of owners with the challenger's 4 support agents, so support answers a few %
of the tickets and satisfaction falls; the KPIs say so (``service_level_final``) and the
table warns. ``firm.support.staffing=to_load`` hires to the load: the service level holds
near its target, satisfaction with it, and the agents are paid as salaries."""

import dataclasses

import pandas as pd

from sim.cli import compose, format_table
from sim.scenario import run_scenario

HORIZON = 900.0


def run(*overrides):
    cfg = dataclasses.replace(compose(["scenario=next_generation", *overrides]).scenario(),
                              horizon_days=HORIZON)
    return run_scenario(cfg, 0)


def test_an_outgrown_team_is_reported_and_to_load_staffing_holds_the_service():
    fixed, staffed = run(), run("firm.support.staffing=to_load")
    assert fixed.kpis["service_level_final"] < 0.1
    assert "Warning: support answered" in format_table(pd.DataFrame([fixed.kpis]))
    assert staffed.kpis["service_level_final"] > 0.8
    assert "Warning: support answered" not in format_table(pd.DataFrame([staffed.kpis]))
    assert staffed.kpis["csat"] > fixed.kpis["csat"] + 0.3

    def support_pay(res):
        led = res.ledger
        return -led[(led.firm == "us") & (led.account == "salaries:support")].amount.sum()

    assert support_pay(staffed) > 5 * support_pay(fixed)
    ev = staffed.events
    assert (ev[(ev.firm == "us") & (ev.kind == "hired")].detail.str.startswith("support +")).any()
    hub = fixed.timeseries[fixed.timeseries["product"] == "hub"]
    assert fixed.kpis["service_level_final"] == hub["service_level"].iloc[-1]


def test_no_support_warning_where_satisfaction_is_fixed():
    """bass_only holds csat at 1 and churn at 0 by construction: the unanswered tickets move
    nothing, and the warning that csat and churn reflect an outgrown team was false there."""
    import pandas as pd

    from sim.cli.table import support_warning

    low = {"service_level_final": 0.02, "csat": 1.0}
    assert support_warning(pd.DataFrame([low])) == []
    assert support_warning(pd.DataFrame([{**low, "csat": 0.34}]))[0].startswith(
        "Warning: support answered 2% of the tickets")
