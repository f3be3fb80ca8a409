"""The KPI table printed after a run (``sim.cli.table``): each row with its unit, values
written by their kind, never a signed zero."""

import pandas as pd
import pytest

from sim.cli.table import KPI_TABLE, format_table, unit_of


def _rows(text):
    return {line.split()[0]: line.split()[1:] for line in text.splitlines()[1:] if line}


def test_every_row_names_its_unit_and_money_its_currency():
    kpis = {k: 1.5 for k in KPI_TABLE}
    rows = _rows(format_table(pd.DataFrame([kpis]), "EUR"))
    assert rows["npv"] == ["1.50", "EUR"] and rows["cash_min"] == ["1.50", "EUR"]
    assert rows["cac"][1] == "EUR/customer" and rows["ltv"][1] == "EUR/customer"
    assert rows["launch_day"] == ["1.5", "day"] and rows["launch_slip_days"][1] == "days"
    assert rows["final_market_share"] == ["1.500", "fraction", "of", "units"]
    assert rows["churn_rate"][1:] == ["per", "year"] and rows["csat"][1:] == ["score", "0-1"]
    assert rows["installed_base_final"] == ["2", "customers"]
    assert all(unit_of(k)[0] for k in KPI_TABLE)  # no row without a unit


@pytest.mark.parametrize("value, kind, text", [
    (0.0, "fraction", "0.000"), (1.0, "fraction", "1.000"), (-0.0004, "fraction", "0.000"),
    (-0.0, "money", "0"), (-0.004, "money", "0"), (0.005, "money", "0.01"), (-0.4, "count", "0"),
    (-0.0, "day", "0"), (420.0, "day", "420"), (632.5, "day", "632.5"),
    (420.98, "day", "421"), (-0.01, "day", "0"),  # a mean that rounds whole: no ".0"
    (-19_334_157.2, "money", "-19,334,157"), (45.678, "money", "45.68"),
    (31.0, "count", "31"), (-0.00001, "number", "0.000"), (None, "money", "-")])
def test_values_are_written_by_their_kind_and_never_as_a_signed_zero(value, kind, text):
    from sim.cli.table import fmt_value

    assert fmt_value(value, kind) == text


def test_replications_give_mean_p5_p95_n_and_the_unit():
    kpis = pd.DataFrame([{"npv": v, "final_market_share": s}
                         for v, s in ((-2e6, 0.1), (-1e6, 0.2), (0.0, 0.3))])
    head, npv, share = format_table(kpis).splitlines()[:3]
    assert head.split() == ["kpi", "mean", "p5", "p95", "n", "unit"]
    assert npv.split() == ["npv", "-1,000,000", "-1,900,000", "-100,000", "3", "USD"]
    assert share.split()[1:5] == ["0.200", "0.110", "0.290", "3"]


def test_a_product_that_never_launched_is_said_unless_it_was_killed():
    row = {"npv": -1e6, "launch_day": None, "killed": False, "marketing_spend": 16_720_000.0}
    text = format_table(pd.DataFrame([row]), "EUR")
    assert text.splitlines()[-1] == (
        "Warning: the product did not launch within the run (no launch event; the events "
        "say where its project waits, or the horizon ends before the launch): nothing was "
        "sold, so price and marketing cannot show an effect; its marketing, 16,720,000 EUR, "
        "went to a product not on sale")
    assert "did not launch" not in format_table(pd.DataFrame([{**row, "killed": True}]))
    assert "did not launch" not in format_table(pd.DataFrame([{**row, "launch_day": 420.0}]))
    two = format_table(pd.DataFrame([row, {**row, "launch_day": 420.0}]))
    assert two.splitlines()[-1] == (
        "Warning: the product did not launch in 1 of 2 replications, though its marketing "
        "was paid: nothing was sold in those, so price and marketing cannot show an effect "
        "there")


def test_a_slipped_launchs_paused_campaign_is_said_under_the_table():
    row = {"npv": -6.5e6, "launch_day": 557.6, "prelaunch_paused_day": 427.0}
    assert format_table(pd.DataFrame([row])).splitlines()[-1] == (
        "Note: a launch slipped past its planned day and its pre-launch marketing stopped "
        "on day 427 until the product was on the market (marketing.during_slip=continue, "
        "in that product's marketing settings, keeps it spending)")
    two = format_table(pd.DataFrame([row, {**row, "prelaunch_paused_day": None}]))
    assert "stopped in 1 of 2 replications (first on day 427) until the product" in two
    for quiet in ({**row, "prelaunch_paused_day": None}, {"npv": 1.0}):
        assert "pre-launch" not in format_table(pd.DataFrame([quiet]))
    # never launched: the warning above says so, and the note does not say "until"
    never = format_table(pd.DataFrame([{**row, "launch_day": None, "killed": False,
                                        "marketing_spend": 720_000.0}]))
    assert "did not launch" in never and "stopped on day 427 (marketing" in never
    assert "until the product was on the market" not in never


def test_a_horizon_that_ends_before_the_launch_is_said_without_marketing_spent():
    """A 364-day run of the baseline (launch planned on day 420) before its pre-launch
    marketing starts: every price and budget shows no effect. The table said nothing,
    since no marketing had been paid; it says why now."""
    row = {"npv": -4e6, "launch_day": None, "killed": False, "marketing_spend": 0.0}
    last = format_table(pd.DataFrame([row])).splitlines()[-1]
    assert last.startswith("Warning: the product did not launch within the run")
    assert "price and marketing cannot show an effect" in last and "its marketing" not in last


def test_a_task_whose_team_has_nobody_says_so():
    """No engineers: the project waits for ever at its first engineering task; an event
    says so (before, nothing did, while the marketing kept being paid)."""
    import dataclasses

    from sim.cli import compose
    from sim.scenario import run_scenario

    cfg = compose(["firm.teams.engineering.headcount=0"]).scenario()
    res = run_scenario(dataclasses.replace(cfg, horizon_days=200.0), 0)
    ev = res.events[(res.events.firm == "us") & (res.events.kind == "task_waiting")]
    assert len(ev) >= 1 and ev.detail.str.contains("the engineering team has nobody").all()
    assert res.kpis["launch_day"] is None


def test_a_lines_first_product_not_launched_is_not_said_to_have_sold_nothing():
    """A product line whose first product never launched while the second sold 194k units
    had been told "nothing was sold"."""
    row = {"npv": -1e6, "launch_day": None, "killed": False, "marketing_spend": 7.25e6,
           "cumulative_revenue": 34.7e6}
    last = format_table(pd.DataFrame([row])).splitlines()[-1]
    assert last.startswith("Warning: the first product did not launch within the run")
    assert "the line's other products sold" in last and "nothing was sold" not in last
    two = format_table(pd.DataFrame([row, {**row, "launch_day": 576.0}])).splitlines()[-1]
    assert two.startswith("Warning: the first product did not launch in 1 of 2 replications")


def test_a_product_lines_profits_say_they_are_before_shared_costs():
    """hub_pro -9.2M and hub_lite +12.1M had read against a cumulative profit of -16.9M
    with no word that the products' profits are direct, before the shared costs."""
    import pandas as pd

    from sim.cli.table import format_table

    kpis = pd.DataFrame([{"npv": -1.0e7, "cumulative_profit": -16_865_964.0,
                          "product_profit.hub_pro": -9_172_279.0,
                          "product_profit.hub_lite": 12_087_521.0,
                          "product_revenue.hub_pro": 3.0e7, "product_revenue.hub_lite": 4.0e7,
                          "shared_costs": 19_781_206.0}])
    text = format_table(kpis)
    assert ("Note: product_profit.<p> is each product's direct profit, before the firm's "
            "shared costs (salaries, research, interest, 19,781,206 USD)") in text
    assert "Note:" not in format_table(kpis[["npv", "cumulative_profit"]])
