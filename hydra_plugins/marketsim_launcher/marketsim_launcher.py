"""The joblib launcher with each worker composing a sweep's shared config once.

hydra-joblib-launcher composes every job's config from scratch in its worker (Hydra's
``load_sweep_config``): about 0.5 s for marketsim's config, more than half of a default
scenario job (the run itself and its files take about 0.3 s). It also pickles Hydra's whole
state (config store, schemas, master config) once per job.

This launcher takes the same options (``hydra.launcher.n_jobs=...`` and the rest of
joblib's) and gives each job the same config, with less work:

- a job's overrides split, as in marketsim's sweeper, into *structural* ones (config-group
  choices, ``+key``/``~key``, hydra's own keys) and *plain values* on existing keys
  (``seed=3``, ``firm.pricing.list_price=299``); a worker composes each distinct structural
  set once, and a job gets a copy with its values applied by Hydra's own override code,
  then Hydra's bookkeeping of the job's overrides (``hydra.overrides.task``,
  ``hydra.job.override_dirname``) set as a full compose sets it. A job whose value
  overrides touch a key that one of its structural overrides also sets (where order
  matters) is composed in full, as Hydra would;
- jobs go to the workers in contiguous batches (about four per worker, at most
  ``MAX_BATCH_JOBS`` jobs each); the results keep the jobs' order. The state is pickled
  once per launch, and each worker unpickles it and sets Hydra's state on its first batch
  of the launch only (``_worker_cache.launch_state``);
- a job's ``JobReturn`` comes back without its config and Hydra's (``run_job`` puts both in
  it: two large ``DictConfig`` pickled back per job and kept to the end of the sweep); what
  the job returned (its record and KPIs) goes, as each batch arrives, to the sweep's
  ``feed`` (``sim.cli.progress.SweepFeed``, set by marketsim's sweeper: the combined
  table's spool and the progress line) and is then dropped, so the launching process holds
  nothing per job but its status;
- with ``outputs=compact`` a job writes no ``.hydra/`` copies of its config
  (``hydra.output_subdir`` is null for it; ``job.json`` records its overrides) and no log
  file of its own (Hydra's job logging is not set up for it); jobs that
  differ only in their seed share one composition and one typed config in each worker,
  jobs without a seed of their own one task config per set of structural overrides
  (``compact_jobs``).

A worker killed by the OS (the out-of-memory killer, a ``kill -9``) breaks joblib's whole
pool (``TerminatedWorkerError``), and the jobs the other workers were running die with it.
The launcher then runs the unfinished jobs that had not started in a fresh pool, and each
job that had started (the killed one is among them) alone in a pool of one worker: a job
whose worker is killed when it runs alone is recorded as failed in its ``job.json`` with
the reason, and the sweep goes on, writes its table and exits 1.

``tests/cli/test_cli_launcher.py`` checks the job configs against full compositions.
"""

import copy
import functools
import logging
import pickle
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, configure_log, filter_overrides, run_job, setup_globals
from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg
from hydra_plugins.hydra_joblib_launcher.config import JobLibLauncherConf
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher
from omegaconf import DictConfig, OmegaConf, open_dict

from hydra_plugins.marketsim_launcher import _worker_cache as cache
from hydra_plugins.marketsim_launcher.compact_jobs import compact_job
from hydra_plugins.marketsim_sweeper.marketsim_sweeper import base_key

log = logging.getLogger(__name__)
BATCHES_PER_WORKER = 4
MAX_BATCH_JOBS = 50  # rows and progress come back at least this often


@dataclass
class MarketsimLauncherConf(JobLibLauncherConf):
    _target_: str = "hydra_plugins.marketsim_launcher.marketsim_launcher.MarketsimLauncher"


ConfigStore.instance().store(group="hydra/launcher", name="marketsim",
                             node=MarketsimLauncherConf, provider="marketsim")

# per worker process (``_worker_cache``): what a composition depends on (``base_key``: the
# primary config's name, hydra's own overrides of the command line, the job's structural
# overrides) -> the composition; and the launching process's compositions (pickled) handed
# over with the batches, unpickled when a job first needs one


def job_config(loader, master: DictConfig, overrides) -> DictConfig:
    """The config of one sweep job: equal to ``loader.load_sweep_config(master, overrides)``."""
    lines = cache.job_lines(loader)
    parsed = lines.parse(overrides)
    values = [o for o in parsed if lines.is_plain_value(o)]
    structural = [o for o in parsed if o not in values]
    set_by_structure = {o.key_or_group for o in structural}
    value_keys = [o.key_or_group for o in values]
    if len(set(value_keys)) != len(value_keys) or set_by_structure & set(value_keys):
        return loader.load_sweep_config(master, list(overrides))
    key = base_key(master, (o.input_line for o in structural))
    if key not in cache.BASES:
        shipped = cache.SHIPPED.pop(key, None)
        cache.BASES[key] = (pickle.loads(shipped) if shipped is not None else
                            loader.load_sweep_config(master, [o.input_line for o in structural]))
    cfg = copy.deepcopy(cache.BASES[key])
    ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
    app = [o for o in parsed if not o.is_hydra_override()]
    names = cfg.hydra.job.config.override_dirname
    with open_dict(cfg.hydra):
        cfg.hydra.overrides.task = [o.input_line for o in app]
        cfg.hydra.job.override_dirname = get_overrides_dirname(
            overrides=app, kv_sep=names.kv_sep, item_sep=names.item_sep,
            exclude_keys=names.exclude_keys)
    OmegaConf.copy_cache(from_config=master, to_config=cfg)
    return cfg


def _execute_batch(batch, state: bytes, bases=None, token=None):
    """Run a batch of (job index, overrides) in this worker, in order; returns
    ``[(job index, JobReturn), ...]``. ``state``: the launch's Hydra context, master
    config, task function and Hydra's singleton state, pickled once (``launch_blob``;
    unpickled once per worker and launch, ``_worker_cache.launch_state``); ``bases``:
    compositions of the launching process (``base_key`` -> pickled config) that the
    batch's jobs may start from; ``token``: the launch's (what the worker kept from
    another launch is dropped)."""
    hydra_context, config, task_function = cache.launch_state(token, state)
    for key, blob in (bases or {}).items():
        if key not in cache.BASES:
            cache.SHIPPED[key] = blob
    returns = []
    for idx, overrides in batch:
        ret = compact_job(hydra_context.config_loader, config, idx, overrides)
        if ret is not None:
            returns.append((idx, ret))
            continue
        sweep_config = job_config(hydra_context.config_loader, config, overrides)
        with open_dict(sweep_config):
            sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
            sweep_config.hydra.job.num = idx
            compact = sweep_config.get("outputs") == "compact"
            if compact:
                sweep_config.hydra.output_subdir = None
        HydraConfig.instance().set_config(sweep_config)
        ret = run_job(hydra_context=hydra_context, config=sweep_config,
                      task_function=task_function, job_dir_key="hydra.sweep.dir",
                      job_subdir_key="hydra.sweep.subdir", configure_logging=not compact)
        ret.cfg = ret.hydra_cfg = None  # nobody reads them in the launching process
        returns.append((idx, ret))
    return returns


def launch_blob(hydra_context, config, task_function, singleton_state) -> bytes:
    """The state every batch of a launch needs, pickled once (with loky's cloudpickle,
    which pickled it with each batch before)."""
    from joblib.externals import cloudpickle

    return cloudpickle.dumps((hydra_context, config, task_function, singleton_state))


def bases_for(bases: dict | None, part) -> dict:
    """The compositions a batch of (job index, overrides) may start from: those whose
    structural overrides are all among the batch's overrides (a superset is harmless: a
    worker unpickles one only when a job needs it)."""
    if not bases:
        return {}
    lines = {o for _, overrides in part for o in overrides}
    return {key: blob for key, blob in bases.items() if lines.issuperset(key[2])}


def _compose_blob(loader, master, structural, singleton_state):
    """A structural override set's composition, pickled, made in a worker; None where it
    fails (the sweeper composes it again in the launching process, to raise its error)."""
    setup_globals()
    Singleton.set_state(singleton_state)
    try:
        return pickle.dumps(loader.load_sweep_config(master, list(structural)))
    except Exception:  # noqa: BLE001 - reported by the sweeper's own composition
        return None


def batches(jobs: list, workers: int) -> list:
    """Contiguous slices of ``jobs`` in order: about ``BATCHES_PER_WORKER`` per worker, more
    where that would put over ``MAX_BATCH_JOBS`` jobs in one."""
    n = min(len(jobs), max(max(1, workers) * BATCHES_PER_WORKER,
                           -(-len(jobs) // MAX_BATCH_JOBS)))
    if n == 0:
        return []
    size, extra = divmod(len(jobs), n)
    out, start = [], 0
    for b in range(n):
        stop = start + size + (1 if b < extra else 0)
        out.append(jobs[start:stop])
        start = stop
    return out


MIN_PARALLEL_SETS = 4  # fewer structural sets are composed in the launching process


class MarketsimLauncher(JoblibLauncher):
    feed = None  # marketsim's sweeper sets it: where each finished job goes
    bases = None  # marketsim's sweeper sets it: its compositions (``base_key`` -> pickled)

    def _joblib_cfg(self) -> dict:
        joblib_cfg: dict[str, Any] = dict(self.joblib)
        joblib_cfg["backend"] = "loky"  # as hydra-joblib-launcher: threads break Hydra
        process_joblib_cfg(joblib_cfg)
        return joblib_cfg

    def compose_in_workers(self, sets) -> dict:
        """The sweeper's check composes each distinct structural override set once; with
        ``MIN_PARALLEL_SETS`` or more sets and two or more workers it asks for them here:
        composed on the launcher's workers (loky keeps them for the jobs), about half the
        wall time of composing them one after another (0.4 s each). Returns {set: pickled
        composition, or None where it failed there}; {} where it is not worth it or the
        pool failed (the sweeper then composes here)."""
        from joblib import Parallel, delayed, effective_n_jobs

        sets = list(sets)
        joblib_cfg = self._joblib_cfg()
        workers = effective_n_jobs(joblib_cfg.get("n_jobs", -1))
        if workers < 2 or len(sets) < MIN_PARALLEL_SETS:
            return {}
        loader, state = self.hydra_context.config_loader, Singleton.get_state()
        try:
            blobs = Parallel(**{**joblib_cfg, "n_jobs": workers})(
                delayed(_compose_blob)(loader, self.config, s, state) for s in sets)
        except Exception as e:  # noqa: BLE001 - the serial check still runs
            log.warning(f"composing the sweep's configs on the workers failed ({e}); "
                        "composing them here")
            return {}
        return dict(zip(sets, blobs, strict=True))

    def launch(self, job_overrides, initial_job_idx: int) -> list[JobReturn]:
        from joblib import effective_n_jobs

        setup_globals()
        assert self.config is not None and self.hydra_context is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        joblib_cfg = self._joblib_cfg()
        log.info("Joblib.Parallel({}) is launching {} jobs".format(
            ",".join(f"{k}={v}" for k, v in joblib_cfg.items()), len(job_overrides)))
        log.info(f"Launching jobs, sweep output dir : {sweep_dir}")
        jobs = [(initial_job_idx + i, list(o)) for i, o in enumerate(job_overrides)]
        for idx, overrides in jobs:
            log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))}")
        singleton_state = Singleton.get_state()
        run = functools.partial(self._run, joblib_cfg=joblib_cfg,
                                singleton_state=singleton_state)
        started_at = time.time()
        results: dict = {}
        suspects: list = []
        pending = jobs
        while pending:
            broken = run(pending, effective_n_jobs(joblib_cfg.get("n_jobs", -1)), results)
            if broken is None:
                break
            unfinished = [j for j in pending if not _finished(sweep_dir, j, results, started_at)]
            started = [j for j in unfinished if _started(sweep_dir, j, started_at)] or unfinished
            log.warning(f"a worker died ({broken}); re-running {len(unfinished)} unfinished "
                        f"job(s), the {len(started)} that had started one at a time")
            suspects += started
            pending = [j for j in unfinished if j not in started]
        for job in suspects:  # in a worker process of its own (n_jobs=1 would run it here)
            broken = run([job], 2, results)
            if broken is not None:
                _record_killed(sweep_dir, job, broken)
        return [results[idx] for idx, _ in jobs if idx in results]

    def _run(self, jobs, workers, results, joblib_cfg, singleton_state):
        """Run ``jobs`` on ``workers`` processes into ``results``; returns the error when a
        worker was killed (the pool is then gone), else None."""
        from joblib import Parallel, delayed
        from joblib.externals.loky.process_executor import TerminatedWorkerError

        cfg = {**joblib_cfg, "n_jobs": workers, "return_as": "generator_unordered"}
        token = uuid.uuid4().hex  # this launch's: workers drop what earlier ones left
        state = launch_blob(self.hydra_context, self.config, self.task_function,
                            singleton_state)
        try:
            for part in Parallel(**cfg)(
                    delayed(_execute_batch)(part, state, bases_for(self.bases, part), token)
                    for part in batches(jobs, workers)):
                for k, (idx, ret) in enumerate(part):
                    if self.feed is not None:
                        self.feed.done(idx, ret, last=k == len(part) - 1)
                    results[idx] = ret
        except TerminatedWorkerError as e:
            return f"{type(e).__name__}: {str(e).splitlines()[0]}"
        return None


def _job_record(sweep_dir: Path, job, started_at: float) -> dict:
    """This sweep's ``job.json`` of ``job`` ({} if none was written since ``started_at``)."""
    from sim.results.sweeps import read_job

    path = sweep_dir / str(job[0]) / "job.json"
    try:
        if path.stat().st_mtime < started_at - 1:
            return {}
    except OSError:
        return {}
    return read_job(path.parent)


def _finished(sweep_dir, job, results, started_at) -> bool:
    return job[0] in results or _job_record(sweep_dir, job, started_at).get("status") in (
        "ok", "failed")


def _started(sweep_dir, job, started_at) -> bool:
    return _job_record(sweep_dir, job, started_at).get("status") == "running"


def _record_killed(sweep_dir: Path, job, reason: str) -> None:
    from sim.results.sweeps import write_json

    idx, overrides = job
    job_dir = sweep_dir / str(idx)
    job_dir.mkdir(parents=True, exist_ok=True)
    message = ("its worker process was killed (by the OS: out of memory, or a signal) "
               f"while it ran, also when re-run alone: {reason}")
    task = [o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    write_json(job_dir / "job.json", {"overrides": task, "status": "failed", "error": message})
    log.error(f"job {idx} failed: {message}")
