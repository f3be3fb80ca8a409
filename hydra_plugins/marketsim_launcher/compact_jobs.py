"""Compact sweep jobs without Hydra's per-job machinery: one composition and one typed config
per group of jobs that differ only in their seed (replications of one configuration), and
one task config per set of structural overrides for jobs without a seed of their own.

With ``outputs=compact`` a job writes only ``job.json``, ``kpis.json`` and the tables it
names (``sim.cli.runs``). For such a job Hydra's ``run_job`` costs more than the files it
no longer writes: deep copies of the composed config (about 1,200 nodes) in
``job_config`` and twice in ``run_job``, its conversion to the typed ``AppConfig``, a log
file per job. A worker runs a job here instead when

- its config says ``outputs=compact``, ``hydra.job.chdir`` is false, the sweep's subdir is
  Hydra's default ``${hydra.job.num}``, and the config holds no interpolation outside
  ``hydra`` (so that nothing else follows the seed);
- its overrides set ``seed`` to a whole number and are otherwise those of the group.

A group's first job composes its config (``job_config``) and converts it once; each job
then gets a deep copy of that ``AppConfig`` (unpickled from one pickle of it, about five
times faster than ``copy.deepcopy``) with its own seed (``dataclasses.replace``,
which runs the same range checks) and runs ``sim.cli.jobs.run_sweep_job``, the body of a
job on Hydra's path, so its files, its record and the row it returns are the same. What it
skips: ``.hydra/`` (a compact job writes none on Hydra's path either), the job's log file
and Hydra's ``on_job_start``/``on_job_end`` callbacks (marketsim's config has none). A job
that meets none of this, or whose group cannot be converted (bad input: the job's own
error is then recorded on Hydra's path), takes Hydra's path.

A job without a seed of its own (a grid over plain values, ``list_price=range(200,280)``)
has no group of replications, and on Hydra's path paid three deep copies of the composed
config (one in ``job_config``, two in ``run_job``) besides its conversion (docs/sweeps.md:
0.18 CPU-seconds a job against 0.06 for a seed sweep's). Such jobs share one task config per set of structural
overrides (``_value_group``: composed, ``hydra`` removed and checked once per worker); a
job sets its plain values on it, converts it to its ``AppConfig`` with ``to_app_config``
(the conversion Hydra's path makes) and sets the old values back, so nothing is copied.
Only scalar values on scalar keys go this way; anything else, and a job whose values fail
to apply or convert, or do not leave it compact, takes Hydra's path (which reports bad
input the usual way).
"""

import dataclasses
import os
import pickle
from pathlib import Path

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.override_parser.types import OverrideType
from hydra.core.utils import JobReturn, JobStatus
from omegaconf import OmegaConf, open_dict, read_write

from hydra_plugins.marketsim_launcher import _worker_cache as cache
from hydra_plugins.marketsim_sweeper._precheck import interpolates
from hydra_plugins.marketsim_sweeper.marketsim_sweeper import base_key

DEFAULT_SUBDIR = "${hydra.job.num}"

# per worker process (``_worker_cache.GROUPS``): the group's key -> (AppConfig, sweep
# directory, job name) or None where the group's jobs take Hydra's path


def compact_job(loader, master, idx: int, overrides) -> JobReturn | None:
    """Run job ``idx`` here when it is a compact job of a group (module docstring); returns
    its ``JobReturn``, or None where it takes Hydra's path."""
    from sim.cli.jobs import run_sweep_job

    parsed = cache.job_lines(loader).parse(overrides)
    seeds = [o for o in parsed if o.key_or_group == "seed" and o.type == OverrideType.CHANGE
             and o.package is None]
    if not seeds:
        return _value_job(loader, master, idx, parsed)
    if len(seeds) != 1:
        return None
    seed = seeds[0].value()
    if isinstance(seed, bool) or not isinstance(seed, int):
        return None
    key = base_key(master, (o.input_line for o in parsed if o is not seeds[0]))
    if key not in cache.GROUPS:
        group = _group(loader, master, overrides)
        if group is False:  # bad input: Hydra's path records this job's error
            return None
        cache.GROUPS[key] = group
    group = cache.GROUPS[key]
    if group is None:
        return None
    app, sweep_dir, name, blob, digests = group
    task = [o.input_line for o in parsed if not o.is_hydra_override()]

    def make_app():  # a deep copy: unpickling is about 5x faster than copy.deepcopy
        return dataclasses.replace(pickle.loads(blob), seed=seed)

    def digest_of(job_app):  # config_digest(job_app): the group's fields, its seed
        return digests(job_app.seed)

    ret = JobReturn(overrides=task, working_dir=os.getcwd(), task_name=name)
    ret.return_value = run_sweep_job(make_app, Path(sweep_dir) / str(idx), task, idx,
                                     digest_of)
    ret.status = JobStatus.COMPLETED
    return ret


def _group(loader, master, overrides):
    """(AppConfig, absolute sweep directory, job name, the AppConfig pickled, its
    ``config_digest`` as a function of the seed) of the job's group; None when its jobs
    take Hydra's path, False when this job's config cannot be converted."""
    from sim.cli.compose import to_app_config
    from sim.results.sweeps import seed_digests

    found = _value_group(loader, master, overrides)
    if not found:
        return found
    task, sweep_dir, name = found
    if task.get("outputs") != "compact":
        return None
    try:
        app = to_app_config(task)
    except Exception:  # noqa: BLE001 - Hydra's path reports it
        return False
    return app, sweep_dir, name, pickle.dumps(app), seed_digests(dataclasses.asdict(app))


_SCALARS = (bool, int, float, str)
_ABSENT = object()


def _value_job(loader, master, idx: int, parsed) -> JobReturn | None:
    """A job without a seed override whose plain values are scalars (module docstring):
    run here on its group's task config, or None for Hydra's path."""
    from sim.cli.jobs import run_sweep_job

    found = value_config(loader, master, parsed)
    if found is None:
        return None
    app, sweep_dir, name = found
    lines = [o.input_line for o in parsed if not o.is_hydra_override()]
    ret = JobReturn(overrides=lines, working_dir=os.getcwd(), task_name=name)
    ret.return_value = run_sweep_job(lambda: app, Path(sweep_dir) / str(idx), lines, idx)
    ret.status = JobStatus.COMPLETED
    return ret


def value_config(loader, master, parsed):
    """(AppConfig, absolute sweep directory, job name) of a job without a seed override
    (``parsed``: its overrides, parsed), made on its group's task config; None where the
    job takes Hydra's path."""
    from sim.cli.compose import to_app_config

    values = [o for o in parsed if cache.job_lines(loader).is_plain_value(o)]
    structural = [o for o in parsed if o not in values]
    if not values or len({o.key_or_group for o in values}) != len(values):
        return None
    for o in values:
        v = o.value()
        if not (v is None or isinstance(v, _SCALARS)) or (isinstance(v, str) and "${" in v):
            return None
    key = ("values", base_key(master, (o.input_line for o in structural)))
    if key not in cache.GROUPS:  # bad input (False) too: its jobs take Hydra's path
        cache.GROUPS[key] = _value_group(loader, master,
                                         [o.input_line for o in structural]) or None
    group = cache.GROUPS[key]
    if group is None:
        return None
    task, sweep_dir, name = group
    outputs = next((o.value() for o in values if o.key_or_group == "outputs"),
                   task.get("outputs"))
    if outputs != "compact":  # full outputs: Hydra's path, before any work here
        return None
    old = []
    try:
        for o in values:
            was = OmegaConf.select(task, o.key_or_group, default=_ABSENT,
                                   throw_on_missing=True)
            if was is _ABSENT or not (was is None or isinstance(was, _SCALARS)):
                return None  # a key the config lacks, or not a scalar
            old.append((o.key_or_group, was))
    except Exception:  # noqa: BLE001 - Hydra's path reports it
        return None
    try:
        ConfigLoaderImpl._apply_overrides_to_config(values, task)
        app = to_app_config(task)
    except Exception:  # noqa: BLE001 - Hydra's path reports it
        app = None
    if not _restored(task, old):
        cache.GROUPS[key] = None  # later jobs of the group take Hydra's path
    if app is None or app.outputs != "compact":
        return None
    return app, sweep_dir, name


def _restored(task, old) -> bool:
    """Set the group's task config back to the values it had (``(key, value)`` pairs);
    whether every one reads back as it was, of the same type."""
    try:
        for key, was in old:
            OmegaConf.update(task, key, was, merge=False)
        now = [OmegaConf.select(task, key) for key, _ in old]
    except Exception:  # noqa: BLE001
        return False
    return all(type(v) is type(was) and (v == was or v != v and was != was)
               for v, (_, was) in zip(now, old, strict=True))


def _value_group(loader, master, overrides: list):
    """(task config without ``hydra``, absolute sweep directory, job name) of the jobs with
    these overrides; None when they take Hydra's path (a job directory of Hydra's making,
    an interpolation), False when the config cannot be composed (bad input)."""
    from sim.cli.compose import check_choices

    from .marketsim_launcher import job_config

    try:
        cfg = job_config(loader, master, overrides)
        hydra_cfg = cfg.hydra
        subdir = OmegaConf.to_container(hydra_cfg.sweep, resolve=False).get("subdir")
        if hydra_cfg.job.chdir or subdir != DEFAULT_SUBDIR:
            return None
        with read_write(cfg), open_dict(cfg):
            del cfg["hydra"]
        if interpolates(OmegaConf.to_container(cfg, resolve=False)):
            return None
        check_choices(hydra_cfg.runtime.choices, hydra_cfg.searchpath)
    except Exception:  # noqa: BLE001 - Hydra's path reports it
        return False
    sweep_dir = os.path.abspath(str(OmegaConf.select(hydra_cfg, "sweep.dir")))
    return cfg, sweep_dir, str(hydra_cfg.job.name)
