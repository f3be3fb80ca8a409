"""Every config shipped in sim/configs composes through ``sim.cli.compose`` and runs.

Each scenario runs for 800 days (long enough for our launch near day 420, the competitors'
reactions and the policies' deadlines to happen; about 0.3 s a run once composed), every
policy option once on the baseline, and agent mode on small markets with each network.
"""

import json
import math

import pytest
import yaml

from sim.cli import CONFIG_DIR, compose
from sim.scenario import run_scenario

HORIZON = 800
DESIGN_KPIS = ["npv", "cumulative_revenue", "cumulative_profit", "launch_day",
               "time_to_market_days", "final_market_share", "peak_market_share",
               "breakeven_day", "csat", "churn_rate", "marketing_roi"]
TIMESERIES_COLUMNS = {"t", "firm", "product", "units_sold", "installed_base", "revenue",
                      "price", "market_share"}


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def check_run(res, app) -> None:
    """A run that finished: the KPI contract, a plausible time series, finite money."""
    for key in DESIGN_KPIS:
        assert key in res.kpis, key
    assert math.isfinite(res.kpis["npv"])
    ts = res.timeseries
    assert TIMESERIES_COLUMNS <= set(ts.columns)
    assert len(ts) > 0 and ts["t"].max() <= app.horizon_days
    assert set(ts["firm"]) <= {f.name for f in app.firms}
    assert app.firm.name in set(ts["firm"])
    population = sum(s.size for s in app.market.segments)
    assert (ts.groupby("t")["installed_base"].sum() <= population).all()
    assert all(math.isfinite(c) for c in res.final_cash.values())


def test_there_are_configs_to_test():
    assert len(options("scenario")) >= 8
    for group in ("market", "firm", "competitor", "policy"):
        assert options(group), group


@pytest.mark.parametrize("name", options("scenario"))
def test_scenario_composes_runs_and_writes(name, tmp_path):
    app = compose([f"scenario={name}", f"horizon_days={HORIZON}"])
    assert app.name == name and app.horizon_days == HORIZON
    res = run_scenario(app.scenario(), 0)
    check_run(res, app)
    res.write(tmp_path)
    kpis = json.loads((tmp_path / "kpis.json").read_text())
    assert kpis["scenario"] == name
    for table in ("timeseries", "events", "ledger"):
        assert (tmp_path / f"{table}.parquet").stat().st_size > 0


def _scenario_choices(name: str, seen=None) -> set[tuple[str, str]]:
    """(group, option) pairs a scenario picks in its defaults list, through the scenarios it
    extends (a plain entry such as ``- baseline`` names another scenario)."""
    seen = set() if seen is None else seen
    data = yaml.safe_load((CONFIG_DIR / "scenario" / f"{name}.yaml").read_text())
    out = set()
    for entry in data.get("defaults", []):
        if isinstance(entry, dict):
            for key, option in entry.items():
                out.add((key.lstrip("/").split("@")[0], option))
        elif entry != "_self_" and entry not in seen:
            seen.add(entry)
            out |= _scenario_choices(entry, seen)
    return out


def _extends(group: str, option: str) -> set[str]:
    """Options of the same group that ``option`` builds on (``firm/premium`` extends
    ``challenger``), so that running it runs them too."""
    data = yaml.safe_load((CONFIG_DIR / group / f"{option}.yaml").read_text()) or {}
    out = set()
    for entry in data.get("defaults", []):
        if isinstance(entry, str) and entry not in ("_self_", "schema"):
            out |= {entry} | _extends(group, entry)
    return out


@pytest.mark.parametrize("group", ["market", "firm", "competitor"])
def test_every_option_is_run_by_some_scenario(group):
    """Each market, firm and competitor option is part of at least one shipped scenario,
    so ``test_scenario_composes_runs_and_writes`` runs it (policies are run below)."""
    used = set()
    for name in options("scenario"):
        for g, option in _scenario_choices(name):
            if g == group:
                used |= {option} | _extends(group, option)
    assert set(options(group)) <= used, f"{group} options no scenario runs: " \
        f"{sorted(set(options(group)) - used)}"


def _flatten(data, prefix=""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@pytest.mark.parametrize("policy", options("policy"))
def test_policy_option_is_applied_and_runs(policy):
    app = compose(["scenario=baseline", f"policy={policy}", f"horizon_days={HORIZON}"])
    values = yaml.safe_load((CONFIG_DIR / "policy" / f"{policy}.yaml").read_text())
    assert values, policy
    for dotted, expected in _flatten(values):  # the policy's values reached our firm
        node = app.firm
        for part in dotted.split("."):
            node = getattr(node, part)
        assert node == expected, (policy, dotted, node, expected)
    check_run(run_scenario(app.scenario(), 0), app)


@pytest.mark.parametrize("kind", ["fully_mixed", "small_world", "heavy_tailed"])
def test_agent_mode_on_a_small_market(kind):
    """One record per customer (20,000 of them) with each social network."""
    app = compose(["scenario=bass_only", "mode=agent", "market.segments.0.size=20000",
                   f"market.network.kind={kind}", "horizon_days=400"])
    assert app.mode == "agent" and app.market.segments[0].size == 20_000
    res = run_scenario(app.scenario(), 1)
    check_run(res, app)
    assert 0 < res.timeseries["installed_base"].max() <= 20_000


def test_agent_mode_with_competitors_and_segments():
    """Agent mode on a two-segment market with an incumbent whose installed base fits it."""
    app = compose(["scenario=subscription_trial", "mode=agent",
                   "market.segments.0.size=20000", "market.segments.1.size=4000",
                   "competitors.legacy.initial_installed_base.small_business=2000",
                   "competitors.legacy.initial_installed_base.mid_market=600",
                   "horizon_days=500"])
    res = run_scenario(app.scenario(), 2)
    check_run(res, app)
    assert {"us", "legacy"} <= set(res.timeseries["firm"])
