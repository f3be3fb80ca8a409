"""The studio's library layer without a browser: schema forms, catalogue, paired deltas,
runs (exact command, failures kept apart), sweep input checks and the command line."""

import json
import shlex
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.cli import UserError, compose
from sim.studio import cli as studio_cli
from sim.studio import runs, sweeps
from sim.studio.catalogue import Catalogue
from sim.studio.schema import (
    apply_changes,
    check_value,
    fields_of,
    form_fields,
    overrides_from,
    range_of,
    with_value,
)

QUICK = ["horizon_days=182", "plots=false"]


@pytest.fixture(scope="module")
def app():
    return runs.composed(["scenario=baseline"])


def test_form_fields_cover_the_levers_with_units_ranges_and_choices(app):
    fields = {f.key: f for f in form_fields(app)}
    price = fields["firm.pricing.list_price"]
    assert price.kind == "float" and price.unit == "USD" and price.low == (">", 0.0)
    assert price.value == app.firm.pricing.list_price
    assert fields["firm.pricing.strategy"].choices == ("list", "skimming", "penetration",
                                                       "match_competitor")
    assert fields["firm.teams.engineering.headcount"].kind == "int"
    assert fields["firm.teams.engineering.headcount"].label == "engineering headcount"
    # weights divided by their total (tv 1.0 is about 61% of the baseline's budget)
    assert fields["firm.marketing.split.tv"].unit == "weight, normalised"
    assert fields["firm.pricing.floor_over_unit_cost"].unit == "x unit cost"
    for k in ("defects_per_person_day", "detection_rate_per_person_day"):
        assert fields[f"firm.development.{k}"].unit == "per person-day", k
    assert fields["firm.development.fix_effort_person_days"].unit == "person-days"
    assert fields["firm.production.attribute_cost.quality"].unit == "x unit cost per +0.1"
    assert fields["horizon_days"].low == (">", 0.0) and fields["horizon_days"].high == ("<=", 36500.0)
    assert fields["replications"].low == (">=", 1.0)
    assert "experience curve" in fields["firm.production.unit_cost"].help


@pytest.mark.parametrize("key", ["firm.production.progress_ratio", "horizon_days"])
def test_ranges_are_the_checks_that_compose_enforces(app, key):
    """Just outside each bound the schema refuses the value with the CLI's message."""
    field = range_of(app, next(f for f in fields_of(app) if f.key == key))
    for bound, step in ((field.low, -1e-6), (field.high, 1e-6)):
        if bound is None:
            continue
        op, edge = bound
        bad = edge if op in (">", "<") else edge + step
        with pytest.raises(ValueError):
            with_value(app, key, bad)
        with pytest.raises(UserError) as cli_err:
            compose(["scenario=baseline", f"{key}={bad}"])
        assert check_value(app, key, bad) == str(cli_err.value)


def test_form_changes_give_the_config_compose_gives(app):
    """The form's fast path (the cached scenario with each change set through the schema)
    equals Hydra's composition of the exported overrides."""
    fields = form_fields(app)
    values = {"firm.pricing.list_price": 199.0, "firm.teams.engineering.headcount": 15.0,
              "firm.marketing.policy": "test_and_shift", "plots": False, "replications": 2.0,
              "horizon_days": 728, "firm.marketing.split.search": 0.4,
              "firm.marketing.split.tv": app.firm.marketing.split["tv"]}  # unchanged: left out
    overrides = overrides_from(fields, values)
    assert overrides == ["replications=2", "horizon_days=728", "plots=false",
                         "firm.pricing.list_price=199", "firm.marketing.split.search=0.4",
                         "firm.marketing.policy=test_and_shift",
                         "firm.teams.engineering.headcount=15"]
    assert compose(["scenario=baseline", *overrides]) == apply_changes(app, fields, values)


def test_paired_deltas_are_the_paired_t_interval():
    rng = np.random.default_rng(0)
    base = pd.DataFrame({"seed": range(8), "npv": rng.normal(100, 10, 8)})
    run = pd.DataFrame({"seed": range(8), "npv": base["npv"] + rng.normal(5, 2, 8)})
    (row,) = [r for r in runs.paired_deltas(run, base) if r["kpi"] == "npv"]
    d = (run["npv"] - base["npv"]).to_numpy()
    half = stats.t.ppf(0.95, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert row["n"] == 8 and row["delta"] == pytest.approx(d.mean())
    assert (row["low"], row["high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    one = runs.paired_deltas(run.head(1), base.head(1))[0]
    assert one["low"] is None and one["delta"] == pytest.approx(d[0])


def test_catalogue_is_rebuilt_from_the_run_directories(tmp_path):
    ws = runs.Workspace(tmp_path / "ws")
    info = runs.run_what_if(ws, QUICK)
    assert info["status"] == "ok" and info["kpis"]["scenario"] == "baseline"
    (ws.root / "catalogue.sqlite").unlink()
    again = Catalogue(ws.root / "catalogue.sqlite")
    assert again.scan(ws.root) == 1
    entry = again.get(info["id"])
    assert entry["command"] == info["command"] and entry["replications"] == 1
    assert entry["kpis"] == json.loads((ws.root / "runs" / info["id"] / "kpis.json").read_text())


def test_exported_command_reproduces_the_run(tmp_path):
    ws = runs.Workspace(tmp_path / "ws")
    info = runs.run_what_if(ws, [*QUICK, "firm.pricing.list_price=222"])
    # run as shown: it writes beside the studio's run, whose record it used to delete
    done = subprocess.run([*sweeps.marketsim_command(), *shlex.split(info["command"])[1:]],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    again = ws.root / "cli" / info["id"]
    a = json.loads((again / "kpis.json").read_text())
    b = json.loads((ws.root / "runs" / info["id"] / "kpis.json").read_text())
    a.pop("wall_s", None), b.pop("wall_s", None)
    assert a == b
    assert (ws.root / "runs" / info["id"] / "studio.json").is_file()
    rebuilt = Catalogue(tmp_path / "rebuilt.sqlite")
    assert rebuilt.scan(ws.root) == 1 and rebuilt.get(info["id"])["kpis"] == info["kpis"]


def test_a_crash_is_recorded_and_earlier_runs_are_kept(tmp_path, monkeypatch):
    ws = runs.Workspace(tmp_path / "ws")
    first = runs.run_what_if(ws, QUICK)
    before = sorted(p.name for p in (ws.root / "runs" / first["id"]).iterdir())

    def boom(*a, **k):
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(runs, "run_app", boom)
    failed = runs.run_what_if(ws, [*QUICK, "seed=4"])
    assert failed["status"] == "failed" and failed["error"] == "RuntimeError: kernel exploded"
    assert sorted(p.name for p in (ws.root / "runs" / first["id"]).iterdir()) == before
    assert {e["id"]: e["status"] for e in ws.catalogue.list()} == {first["id"]: "ok",
                                                                   failed["id"]: "failed"}


def test_bad_input_is_refused_before_anything_is_written(tmp_path):
    ws = runs.Workspace(tmp_path / "ws")
    with pytest.raises(UserError, match=r"pricing\.list_price must be > 0, got -1$"):
        runs.run_what_if(ws, ["firm.pricing.list_price=-1"])
    with pytest.raises(UserError, match="must be > 0, got -1"):
        sweeps.launch_sweep(ws, QUICK, {"firm.pricing.list_price": ["100", "-1"]})
    with pytest.raises(UserError, match="give at least one value"):
        sweeps.launch_sweep(ws, QUICK, {"firm.pricing.list_price": []})
    assert not any((ws.root / "runs").glob("*")) if (ws.root / "runs").exists() else True
    assert not (ws.root / "sweeps").exists()


def test_baseline_keeps_run_settings_only():
    assert runs.baseline_overrides(["scenario=price_war", "seed=3", "replications=5",
                                    "firm.pricing.list_price=300", "policy=skimming",
                                    "horizon_days=700"]) == [
        "scenario=price_war", "seed=3", "replications=5", "horizon_days=700"]


@pytest.mark.parametrize("argv, message", [
    (["--port", "0"], "--port must be between 1 and 65535, got 0"),
    (["--port", "x"], "argument --port: invalid int value: 'x'"),
    (["--host", "no.such.host.invalid"], "--host: unknown interface 'no.such.host.invalid'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_studio_cli_bad_input_is_one_line(argv, message, capsys, tmp_path):
    assert studio_cli.main([*argv, "--workspace", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"marketsim: error: {message}"]


def test_studio_cli_refuses_an_unwritable_workspace(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert studio_cli.main(["--workspace", str(blocker / "ws")]) == 2
    assert capsys.readouterr().err.startswith("marketsim: error: --workspace: cannot write to")


def test_studio_binds_localhost_by_default():
    args = studio_cli.parser().parse_args([])
    assert args.host == "127.0.0.1" and args.port == 8080


def test_python_m_sim_studio_help():
    done = subprocess.run([sys.executable, "-m", "sim.studio", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "--workspace" in done.stdout


def test_a_sweeps_page_shows_a_sweep_again_once_another_page_found_it_finished():
    """The Sweeps page re-renders while a sweep runs, and also when the catalogue's sweeps
    or statuses differ from what it last showed: after a reload the old page's timer may
    be the one that finds the sweep finished and records it "ok"; the new page, which
    showed it running, must then show its table (it used to wait for a running sweep
    that no longer existed, and showed "running" for good)."""
    from sim.studio.page_sweeps import needs_render

    running = [{"id": "a", "status": "running"}]
    finished = [{"id": "a", "status": "ok"}]
    assert needs_render(running, {"a": "running"})  # progress moves
    assert needs_render(finished, {"a": "running"})  # finished elsewhere: show it
    assert not needs_render(finished, {"a": "ok"})  # shown as it is: nothing to do
    assert needs_render(finished + [{"id": "b", "status": "failed"}], {"a": "ok"})  # new one
    assert needs_render([], {"a": "ok"})  # removed
    assert not needs_render([], {})


def test_a_finished_sweeps_answer_is_the_reports(tmp_path):
    """The Sweeps card's answer: the recommendation by mean NPV over common seeds, as
    ``marketsim report`` words it, with the edge-of-grid warning; none without jobs."""
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    rows = [{"job": str(k), "status": "ok", "override.firm.pricing.list_price": str(p),
             "override.seed": str(seed), "seed": seed, "npv": npv}
            for k, (p, seed, npv) in enumerate(
                [(200, 0, 1e6), (200, 1, 2e6), (220, 0, 3e6), (220, 1, 5e6),
                 (240, 0, 4e6), (240, 1, 7e6)])]
    pd.DataFrame(rows).to_parquet(sweep / "kpis.parquet", index=False)
    text = sweeps.answer({"path": str(sweep)})
    assert text[0].startswith("**No clear winner: O3 (firm.pricing.list_price=240) leads on "
                              "average**: expected NPV 1.50M currency units more than **O2")
    # two seeds: wide intervals, neither other option is told apart from the best
    assert text[1].startswith("Options the data do not separate from O3 (each one's 90% "
                              "paired interval against it includes no gain): O1 "
                              "(firm.pricing.list_price=200), O2 (firm.pricing.list_price=220)")
    assert text[2].startswith("**At the edge of the grid**: firm.pricing.list_price=240")
    assert sweeps.answer({"path": str(tmp_path / "none")}) == []


def test_a_what_if_run_shows_the_tables_warnings(tmp_path):
    """The what-if page shows the KPI table's warning lines under its KPIs: a price of 1
    runs the firm out of cash and into insolvency, as the command line's table says."""
    ws = runs.Workspace(tmp_path / "ws")
    overrides = [*QUICK, "horizon_days=700", "firm.pricing.list_price=1"]
    info = runs.run_what_if(ws, overrides)
    lines = runs.warnings_of(info, compose(overrides))
    assert any(line.startswith("Warning: insolvent on day ") for line in lines), lines
    # a 182-day run ends before the launch (day 420): that alone is said, nothing else
    lines = runs.warnings_of(runs.run_what_if(ws, QUICK), compose(QUICK))
    assert [ln.split(" (")[0] for ln in lines] == [
        "Warning: the product did not launch within the run"]


def test_a_sweep_job_of_several_replications_shows_the_seeds_it_averages():
    from sim.studio.page_sweeps import seeds_column

    frame = pd.DataFrame({"seed": [0, 0, 5], "replications": [2, 2, 1], "npv": [1.0, 2.0, 3.0]})
    # a job of 2 replications is the mean of seeds 0 and 1: it used to read "seed 0"
    assert seeds_column(frame)["seeds"].tolist() == ["0-1 (mean of 2)", "0-1 (mean of 2)", "5"]
    assert seeds_column(frame.drop(columns="replications"))["seeds"].tolist() == ["0", "0", "5"]
    assert seeds_column(pd.DataFrame()).empty


def test_runs_on_different_seeds_are_compared_with_a_warning(tmp_path):
    ws = runs.Workspace(tmp_path / "ws")
    one = runs.run_what_if(ws, [*QUICK, "firm.pricing.list_price=229"])
    three = runs.run_what_if(ws, [*QUICK, "firm.pricing.list_price=239", "replications=2"])
    frame = runs.compare([one, three])
    assert frame.attrs["seeds"] == {one["id"]: [0], three["id"]: [0, 1]}
    note = runs.seeds_note(frame.attrs["seeds"])
    assert note.startswith("Not paired") and "seeds 0-1" in note and "seed 0" in note
    assert runs.seeds_note({"a": [0, 1], "b": [0, 1]}) == ""
    assert runs.currency_of(one) == "USD"


def test_the_what_if_table_has_the_command_lines_rows_and_units(tmp_path):
    from sim.cli.table import fmt_value, unit_of

    base = pd.DataFrame({"seed": [0], "npv": [-1.0e6], "final_market_share": [0.2],
                         "pipeline_projects": [1], "pipeline_strength": [2.0e6]})
    run = base.assign(npv=-0.5e6, final_market_share=0.25, pipeline_strength=3.0e6)
    kpis = [r["kpi"] for r in runs.paired_deltas(run, base)]
    assert kpis == ["npv", "final_market_share", "pipeline_strength"]  # as the CLI's table
    assert unit_of("final_market_share", "EUR") == ("fraction of units", "fraction")
    assert unit_of("cac", "EUR")[0] == "EUR/customer"
    assert (fmt_value(0.25, "fraction"), fmt_value(9606.0, "count"), fmt_value(420.0, "day"),
            fmt_value(-0.0001, "fraction")) == ("0.250", "9,606", "420", "0.000")


def test_settings_that_go_together_are_checked_together(app):
    """Each field alone is checked against the scenario's other values; the run checks the
    form's values together (the studio refused a capacity of 35,000 beside a maximum raised
    to 40,000, and a launch target's units and day, each refused alone)."""
    fields = form_fields(app)
    values = {"firm.production.max_capacity_per_week": 40000.0,
              "firm.production.capacity_per_week": 35000.0,
              "firm.product.success_units": 50000.0, "firm.product.success_by_day": 900.0}
    assert check_value(app, "firm.production.capacity_per_week", 35000.0) is not None
    assert check_value(app, "firm.product.success_units", 50000.0) is not None
    fast = apply_changes(app, fields, values)
    want = compose(["scenario=baseline", *overrides_from(fields, values)])
    assert fast == want
    assert (fast.firm.production.capacity_per_week, fast.firm.product.success_by_day) == (
        35000.0, 900.0)
    with pytest.raises(ValueError, match="max_capacity_per_week"):  # still refused together
        apply_changes(app, fields, {**values, "firm.production.capacity_per_week": 45000.0})


def test_long_labels_are_cut_and_whole_numbers_have_no_decimals():
    from sim.studio.page_runs import LABEL_CHARS, short
    from sim.studio.widgets import fmt

    long = "marketsim -m " + " ".join(f"key{i}=value{i}" for i in range(20))
    assert len(short(long)) == LABEL_CHARS and short(long).startswith("marketsim -m key0")
    # the end stays: the lever that sets a run apart (the form lists levers last)
    assert short(long).endswith("key19=value19") and "\u2026" in short(long)
    runs_ = [f"scenario=baseline replications=2 horizon_days=364.0 firm.{k}=1" for k in (
        "development.planned_launch_day", "pricing.list_price")]
    assert short(runs_[0]) != short(runs_[1])
    assert short("scenario=baseline") == "scenario=baseline" and short(None) == ""
    # the war game's tables: an installed base of 9,606 customers, day 420
    assert (fmt(9606.0), fmt(420.0), fmt(0.253), fmt(12.5), fmt(-0.0001)) == (
        "9,606", "420", "0.253", "12.5", "0")


def test_runs_of_different_horizons_are_compared_with_a_warning(tmp_path):
    """A 364-day run beside a longer one had read NPV -4.03M against -18.94M, revenue 0
    against 49.5M, with no note; the comparison now says they answer different questions."""
    ws = runs.Workspace(tmp_path / "ws")
    short = runs.run_what_if(ws, [*QUICK, "horizon_days=150"])
    longer = runs.run_what_if(ws, [*QUICK, "horizon_days=200"])
    frame = runs.compare([short, longer])
    assert frame.attrs["frames"] == {short["id"]: ("baseline", 150.0, "USD"),
                                     longer["id"]: ("baseline", 200.0, "USD")}
    note = runs.frames_note(frame.attrs["frames"])
    assert note.startswith("Not comparable") and "150 days" in note and "200 days" in note
    same = runs.compare([short, runs.run_what_if(ws, [*QUICK, "horizon_days=150",
                                                      "firm.pricing.list_price=229"])])
    assert runs.frames_note(same.attrs["frames"]) == ""


def test_a_fraction_in_a_whole_number_field_is_refused_as_the_command_line_does(app):
    """12.5 engineers had been shown as 12 and run as 12 (the field's "%.0f" format), and the
    run matched its baseline row for row without a word; the CLI refuses it."""
    with pytest.raises(UserError) as cli:
        compose(["firm.teams.engineering.headcount=12.5"])
    fields = form_fields(app)
    with pytest.raises(ValueError) as form:
        apply_changes(app, fields, {"firm.teams.engineering.headcount": 12.5})
    assert str(form.value) == str(cli.value)
    assert apply_changes(app, fields, {"firm.teams.engineering.headcount": 12.0}) == compose(
        ["scenario=baseline", "firm.teams.engineering.headcount=12"])


def test_money_fields_name_the_scenarios_currency(app):
    """The form said "(currency)" and "(currency/week)" while the results said USD."""
    units = {f.key: f.unit for f in form_fields(app)}
    assert units["firm.pricing.list_price"] == app.currency == "USD"
    assert units["firm.marketing.budget_per_week"] == "USD/week"
    assert not any("currency" in (u or "") for u in units.values())


def test_every_setting_with_a_fixed_set_of_values_is_a_choice_list(app):
    """The support staffing policy (``fixed`` or ``to_load``) was a free-text input: its
    allowed values live only in the schema's check. Every text setting whose check allows
    a fixed set of strings is now a choice list of exactly that set."""
    from sim.config.commercial import ALLOCATION, PRICING
    from sim.config.line import POLICIES, RETIRE_RULES, STOCK_AT_RETIREMENT
    from sim.config.scenario import MODES

    fields = {f.key: f for f in form_fields(app)}
    staffing = fields["firm.support.staffing"]
    assert staffing.kind == "choice" and staffing.choices == ("fixed", "to_load")
    assert staffing.value in staffing.choices
    for key, allowed in {"mode": MODES, "firm.pricing.strategy": PRICING,
                         "firm.marketing.policy": ALLOCATION,
                         "firm.allocation.policy": POLICIES, "firm.retire.rule": RETIRE_RULES,
                         "firm.retire.stock": STOCK_AT_RETIREMENT,
                         "firm.production.stockout": ("lose", "defer")}.items():
        assert (fields[key].kind, fields[key].choices) == ("choice", tuple(allowed)), key
    # each choice is one the command line takes; no text field left that the schema
    # refuses as "not one of" its values (those are names, e.g. generation_of)
    for value in staffing.choices:
        assert check_value(app, "firm.support.staffing", value) is None
    for f in fields.values():
        if f.kind == "str":
            assert "must be one of" not in (check_value(app, f.key, "?") or ""), f.key


@pytest.mark.parametrize("value, text", [
    (364.0, "364"), (0.25, "0.25"), (-0.0, "0"), (0.1 + 0.2, "0.30000000000000004"),
    (123456789012345.0, "123456789012345"), (1e20, "1e+20"), (1.5e-7, "1.5e-07"),
    (-2.0, "-2"), (12, "12"), (True, "true"), ("to_load", "to_load"),
    (np.float64(364.0), "364"), (np.int64(3), "3"), (np.bool_(False), "false")])
def test_override_values_are_written_whole_without_a_decimal_and_fractions_exactly(value,
                                                                                    text):
    from sim.studio.schema import value_text

    assert value_text(value) == text
    if isinstance(value, float):
        assert float(text) == value  # the same number back, to the last bit


def test_the_runs_command_writes_whole_floats_as_whole_numbers(app, tmp_path):
    """The command shown for a run read ``horizon_days=364.0``; a whole number is written
    ``364``, a fraction as it is, and Hydra composes the same config from either."""
    fields = form_fields(app)
    values = {"horizon_days": 364.0, "firm.pricing.list_price": 249.75,
              "firm.marketing.budget_per_week": 100000.0, "firm.marketing.split.tv": 2.0,
              "firm.product.success_units": 50000.0, "firm.product.success_by_day": 900.0,
              "firm.production.capacity_per_week": 1.5e4, "firm.support.staffing": "to_load"}
    overrides = overrides_from(fields, values)
    assert overrides == ["horizon_days=364", "firm.pricing.list_price=249.75",
                         "firm.marketing.budget_per_week=100000", "firm.marketing.split.tv=2",
                         "firm.production.capacity_per_week=15000",
                         "firm.product.success_units=50000",
                         "firm.product.success_by_day=900", "firm.support.staffing=to_load"]
    composed = compose(["scenario=baseline", *overrides])
    assert composed == apply_changes(app, fields, values)
    assert isinstance(composed.horizon_days, float) and composed.horizon_days == 364.0
    command = runs.command_line(["scenario=baseline", *overrides], tmp_path / "runs" / "r1")
    assert " horizon_days=364 " in command and ".0 " not in command


@pytest.mark.parametrize("value, kind, text", [
    (0.0, "money", "0"), (-0.0, "money", "0"), (0, "money", "0"), (-0.004, "money", "0"),
    (0.004, "money", "0"), (np.float64(-0.0), "money", "0"), (45.678, "money", "45.68"),
    (-0.01, "money", "-0.01"), (1234.0, "money", "1,234"), (-19_334_157.2, "money", "-19,334,157"),
    (None, "money", "-"), (float("nan"), "money", "-"), (np.float32("nan"), "money", "nan"),
    (np.float32(0.0), "money", "0"), (0.0, "fraction", "0.000"),
    (-0.0, "day", "0"), (0.0, "count", "0")])
def test_a_money_value_of_zero_reads_0_never_0_00_or_a_signed_zero(value, kind, text):
    """The KPI tables (what-if, compare) read "0.00" for a revenue of zero beside "1,234"."""
    from sim.studio.widgets import kpi_text

    assert kpi_text(value, kind) == text


def test_a_baseline_catalogued_with_364_0_is_found_for_364(tmp_path):
    """Runs catalogued before the commands wrote whole floats whole hold
    ``horizon_days=364.0``; the form now sends ``horizon_days=364``: the same setting, so
    the stored baseline is used, not run again."""
    from sim.studio.schema import normal_override

    assert normal_override("horizon_days=364.0") == "horizon_days=364"
    assert normal_override("firm.support.staffing=to_load") == "firm.support.staffing=to_load"
    ws = runs.Workspace(tmp_path / "ws")
    old = ["horizon_days=364.0", "dt_days=7.0"]
    ws.catalogue.add({"id": "b1", "kind": "baseline", "status": "ok", "created": "x",
                      "overrides": old, "label": "baseline", "draws": "counter"})
    found = runs.find_baseline(ws, ["horizon_days=364", "dt_days=7",
                                    "firm.pricing.list_price=222"])
    assert found is not None and found["id"] == "b1"
    assert runs.find_baseline(ws, ["horizon_days=365"]) is None


def test_a_baseline_made_with_other_draws_is_not_paired(tmp_path):
    """A baseline catalogued before keyed draws became the default (no ``draws``: the
    Generator's) is not reused for a run with keyed draws, nor a keyed one for a run with
    ``draws=generator``: the pairs would compare two draw paths, not the levers."""
    ws = runs.Workspace(tmp_path / "ws")
    ws.catalogue.add({"id": "old", "kind": "baseline", "status": "ok", "created": "x",
                      "overrides": ["horizon_days=364"], "label": "baseline"})
    assert runs.find_baseline(ws, ["horizon_days=364"], "counter") is None
    assert runs.find_baseline(ws, ["horizon_days=364"], "generator")["id"] == "old"
    info, app = runs.start_run(ws, ["horizon_days=364"], "baseline")
    assert info["draws"] == app.draws == "counter"
    assert runs.baseline_overrides(["draws=generator", "firm.pricing.list_price=222"]) == [
        "draws=generator"]
