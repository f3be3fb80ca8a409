"""``outputs=compact``: a run writes only ``kpis.json`` and the tables named in
``output_tables``, with the same KPIs and tables as ``outputs=full`` for the same seed; a
compact sweep's jobs (marketsim's launcher runs them without Hydra's per-job machinery)
write exactly that plus ``job.json``, and the streamed ``kpis.parquet`` equals the table
read back from the jobs' files."""

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run_marketsim
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode
from omegaconf import open_dict, read_write

from hydra_plugins.marketsim_launcher import compact_jobs
from hydra_plugins.marketsim_launcher import marketsim_launcher as ml
from sim.cli import CONFIG_DIR, compose, run_app
from sim.cli.compose import to_app_config
from sim.config.store import register_configs
from sim.errors import MarketsimError
from sim.results.sweeps import combine

SHORT = ["horizon_days=150", "plots=false"]


def _files(d):
    return sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory):
    """Seeds 0 and 1 in full mode, in this process: the reference."""
    out = tmp_path_factory.mktemp("full")
    app = compose(SHORT)
    for seed in (0, 1):
        run_app(dataclasses.replace(app, seed=seed), out / str(seed))
    return out


def test_compact_writes_the_kpis_and_the_named_tables_only(tmp_path, full_runs):
    app = compose([*SHORT, "seed=1", "outputs=compact", "output_tables=[timeseries,pnl]"])
    run_app(app, tmp_path)
    assert _files(tmp_path) == ["kpis.json", "pnl.parquet", "timeseries.parquet"]
    full = full_runs / "1"
    assert (tmp_path / "kpis.json").read_bytes() == (full / "kpis.json").read_bytes()
    for name in ("timeseries", "pnl"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"),
                                      pd.read_parquet(full / f"{name}.parquet"))


def test_compact_without_tables_records_for_its_kpis_alone(tmp_path, full_runs, monkeypatch):
    """A compact run that keeps no tables runs with ``kpis_only`` (no lifecycle phases, no
    segment rows) and writes the full mode's ``kpis.json``, byte for byte."""
    import sim.scenario

    seen = []
    real = sim.scenario.run_scenario

    def spy(*a, **k):
        seen.append(k.get("kpis_only"))
        return real(*a, **k)

    monkeypatch.setattr(sim.scenario, "run_scenario", spy)
    run_app(compose([*SHORT, "seed=1", "outputs=compact"]), tmp_path / "lean")
    run_app(compose([*SHORT, "seed=1", "outputs=compact", "output_tables=[pnl]"]),
            tmp_path / "tables")
    assert seen == [True, False]
    assert _files(tmp_path / "lean") == ["kpis.json"]
    assert (tmp_path / "lean" / "kpis.json").read_bytes() == \
        (full_runs / "1" / "kpis.json").read_bytes()


def test_compact_replications_write_their_table_and_mean_only(tmp_path):
    full, compact = tmp_path / "full", tmp_path / "compact"
    run_app(compose([*SHORT, "replications=2"]), full)
    run_app(compose([*SHORT, "replications=2", "outputs=compact"]), compact)
    assert _files(compact) == ["kpis.json", "kpis_replications.parquet"]
    assert (compact / "kpis.json").read_bytes() == (full / "kpis.json").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(compact / "kpis_replications.parquet"),
                                  pd.read_parquet(full / "kpis_replications.parquet"))


def test_a_sweep_jobs_run_writes_the_same_files_without_building_its_kpi_table(tmp_path):
    app = compose([*SHORT, "seed=1", "outputs=compact"])
    assert run_app(app, tmp_path / "job", table=False) is None  # a sweep job's call
    kpis = run_app(app, tmp_path / "run")
    assert len(kpis) == 1 and kpis["seed"].tolist() == [1]
    assert _files(tmp_path / "job") == _files(tmp_path / "run") == ["kpis.json"]
    assert (tmp_path / "job" / "kpis.json").read_text() == (
        tmp_path / "run" / "kpis.json").read_text()
    reps = compose([*SHORT, "replications=2", "outputs=compact"])
    table = run_app(reps, tmp_path / "reps", table=False)  # its files need the table
    assert len(table) == 2 and (tmp_path / "reps" / "kpis_replications.parquet").exists()


@pytest.mark.parametrize("overrides,message", [
    (["outputs=tiny"], "outputs must be one of full, compact; got 'tiny'"),
    (["outputs=compact", "output_tables=[timeseries,ledgr]"],
     "output_tables must be one of timeseries, events, ledger, tasks, segments, "
     "preferences, distribution, pnl, balance, regions; got 'ledgr'"),
    (["output_tables=[timeseries]"],
     "output_tables=['timeseries'] chooses the tables of outputs=compact (outputs=full "
     "writes them all): set outputs=compact, got outputs='full'"),
])
def test_bad_values_of_the_new_keys_name_the_key_and_the_value(overrides, message):
    with pytest.raises(MarketsimError) as e:
        compose(overrides)
    assert str(e.value) == message


def test_a_bad_value_on_the_command_line_is_one_line_with_status_2(tmp_path):
    proc = run_marketsim(["outputs=tiny", f"hydra.run.dir={tmp_path / 'run'}"], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("marketsim: error: outputs must be one of full, compact; "
                                   "got 'tiny'")
    assert not (tmp_path / "run").exists()


@pytest.fixture
def loader_and_master():
    """Hydra's loader and master config, Hydra initialised for the test alone: a module's
    fixture kept it initialised between tests, and a test of this module that composes
    (``full_runs``) failed with "GlobalHydra is already initialized" whenever pytest-xdist
    gave a worker a test of this fixture first."""
    register_configs()  # the schemas the configs compose with (run alone, too)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration("config", overrides=[], run_mode=RunMode.MULTIRUN)
        # Resolved once, as the launcher does before its jobs: ``${now:...}`` is cached in
        # the master and copied to each job's config, so every job of the launch gets the
        # same sweep directory even when a second turns over between them.
        str(master.hydra.sweep.dir)
        yield loader, master


def _full_app(loader, master, overrides):
    cfg = loader.load_sweep_config(master, overrides)
    with read_write(cfg), open_dict(cfg):
        del cfg["hydra"]
    return to_app_config(cfg)


def test_a_compact_group_gives_each_seed_the_config_a_full_composition_gives(
        loader_and_master):
    loader, master = loader_and_master
    rest = ["scenario=price_war", "firm.pricing.list_price=249", "outputs=compact"]
    app, _, _, _, _ = compact_jobs._group(loader, master, ["seed=3", *rest])
    for seed in (3, 8):
        assert dataclasses.replace(app, seed=seed) == _full_app(loader, master,
                                                                [f"seed={seed}", *rest])


def test_a_compact_job_records_the_digest_of_its_full_composition(loader_and_master,
                                                                  tmp_path, monkeypatch):
    """The group's job gets an unpickled copy of the group's config with its seed, and its
    ``config_sha256`` from the group's fields with the seed replaced: both equal what a
    full composition of the job gives (the config the run gets, and its digest)."""
    from sim.cli import jobs
    from sim.results.sweeps import config_digest

    loader, master = loader_and_master
    rest = ["scenario=price_war", "firm.pricing.list_price=249", "outputs=compact"]
    got = []

    def fake_run(app, run_dir, progress=False, table=True):  # the run itself is tested elsewhere
        got.append(app)
        Path(run_dir).mkdir(parents=True, exist_ok=True)
        (Path(run_dir) / "kpis.json").write_text("{}")

    monkeypatch.setattr(jobs, "run_app", fake_run)
    monkeypatch.chdir(tmp_path)  # the sweep directory (relative) lies under it
    compact_jobs.cache.start(str(tmp_path))  # a launch of its own: nothing kept
    sweep_dir = Path(compact_jobs._group(loader, master, ["seed=3", *rest])[1])
    assert sweep_dir.is_relative_to(tmp_path)
    for idx, seed in enumerate((3, 8, 12345678901)):
        ret = compact_jobs.compact_job(loader, master, idx, [f"seed={seed}", *rest])
        full = _full_app(loader, master, [f"seed={seed}", *rest])
        assert got[-1] == full and got[-1].seed == seed
        meta = json.loads((sweep_dir / str(idx) / "job.json").read_text())
        assert meta["status"] == "ok" and meta["config_sha256"] == config_digest(full)
        assert ret.return_value["job"] == meta
    assert got[0] is not got[1] and got[0].firm is not got[1].firm  # copies, not shared


def test_jobs_that_are_not_compact_or_not_plain_take_hydras_path(loader_and_master):
    loader, master = loader_and_master
    assert compact_jobs._group(loader, master, ["seed=3"]) is None  # outputs=full
    assert compact_jobs._group(loader, master, ["seed=3", "outputs=compact",
                                                "hydra.job.chdir=true"]) is None
    assert compact_jobs._group(loader, master, ["seed=3", "outputs=compact",
                                                "description=${seed}"]) is None
    assert compact_jobs._group(loader, master, ["seed=3", "outputs=compact",
                                                "+nmae=2"]) is False  # bad input
    assert compact_jobs.compact_job(loader, master, 0, ["seed=-1", "outputs=compact"]) is None


def test_more_batches_when_a_sweep_is_long():
    parts = ml.batches(list(range(1000)), 2)
    assert [j for p in parts for j in p] == list(range(1000))
    assert max(map(len, parts)) <= ml.MAX_BATCH_JOBS


@pytest.fixture(scope="module")
def compact_sweep(tmp_path_factory):
    work = tmp_path_factory.mktemp("compact")
    sweep = work / "sweep"
    proc = run_marketsim(["-m", "seed=0,1", "firm.marketing.budget_per_week=60000,-5",
                          *SHORT, "outputs=compact", "output_tables=[timeseries]",
                          "sweep_plot=false", f"hydra.sweep.dir={sweep}"], cwd=work)
    return sweep, proc


def test_a_compact_sweep_writes_exactly_the_requested_files(compact_sweep, full_runs):
    sweep, proc = compact_sweep
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the two jobs with -5 fail
    assert "Traceback" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in sweep.iterdir()) == [
        ".marketsim-sweep.lock", "0", "1", "2", "3", "kpis.parquet", "multirun.yaml",
        "sweep.json"]
    for job, seed in (("0", 0), ("2", 1)):  # budget 60000 is the baseline's own
        d = sweep / job
        assert _files(d) == ["job.json", "kpis.json", "timeseries.parquet"]
        assert (d / "kpis.json").read_bytes() == (full_runs / str(seed) / "kpis.json").read_bytes()
        pd.testing.assert_frame_equal(pd.read_parquet(d / "timeseries.parquet"),
                                      pd.read_parquet(full_runs / str(seed) / "timeseries.parquet"))
    for job in ("1", "3"):
        meta = json.loads((sweep / job / "job.json").read_text())
        assert meta["status"] == "failed" and "budget_per_week must be >= 0" in meta["error"]
        assert _files(sweep / job) == ["job.json"]


def test_the_streamed_table_equals_the_table_read_back(compact_sweep, tmp_path):
    sweep, _ = compact_sweep
    combine(sweep).to_parquet(tmp_path / "old.parquet", index=False)
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "kpis.parquet"),
                                  pd.read_parquet(tmp_path / "old.parquet"))
    table = pd.read_parquet(sweep / "kpis.parquet")
    assert list(table["status"]) == ["ok", "failed", "ok", "failed"]



def test_a_compact_sweep_is_reported_from_its_combined_table(compact_sweep, tmp_path):
    """``marketsim report`` on a compact sweep: the options compared by their KPIs (the
    board scorecard per year needs the tables a compact job does not write)."""
    from sim.cli.report import main as report_main

    sweep, _ = compact_sweep
    out = tmp_path / "compare.md"
    assert report_main([str(sweep), "--out", str(out)]) == 0
    page = out.read_text()
    table = pd.read_parquet(sweep / "kpis.parquet")
    ok = table[table["status"] == "ok"]
    mean = pd.to_numeric(ok["npv"]).mean()
    # the jobs at -5 failed: one configuration left, over its two seeds
    assert "**One configuration over 2 seeds**: mean NPV" in page
    assert "2 complete jobs in 1 option (2 failed: their errors are in kpis.parquet)" in page
    row = next(ln for ln in page.splitlines() if ln.startswith("| O1: "))
    assert f"| {mean / 1e6:.2f}M |" in row  # the mean NPV over seeds 0 and 1
    assert "- **Market**: consumer_electronics" in page  # the sweep's base configuration
    assert "firm.marketing.budget_per_week" in page.split("## Assumptions")[1]
