"""What the sweeper checks before a sweep starts, beyond the schema: whether *every* job
has bad input (then the sweep is refused), and whether a large sweep writes full outputs
(then it says so).

The sweeper checks every job's overrides against the config's schema (unknown key, wrong
type) before it writes anything. A value the schema takes but marketsim's own checks refuse
(``outputs=compactt``, ``firm.pricing.list_price=-5``) fails inside its job, which records
the error while the sweep's other jobs run: one bad point of a grid does not stop a sweep.
But where every job fails that way (a bad value all jobs share), a sweep of 10,000 seeds
started 10,000 jobs only to fail each (about 0.2 CPU-seconds each, on Hydra's path) and
printed the same error 20,000 times.

``every_job_fails`` converts the jobs' typed configs (``sim.cli.compose.to_app_config``,
the conversion a job makes) here, one per distinct set of overrides other than the seed, in
job order, starting from the compositions the sweeper has already made, and stops at the
first that converts: a good sweep pays one conversion (about 0.03 s). Only where every set
fails (at most ``MAX_SETS`` are tried; beyond that the jobs report their own errors) does
the sweeper refuse the sweep, in one line, before it writes anything. A seed's own range is
left to its job. A config with an interpolation outside ``hydra`` is not judged here (it
may read what only a job's run sets).
"""

import pickle

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from omegaconf import OmegaConf, open_dict, read_write

MAX_SETS = 64  # distinct sets of overrides converted at most before a sweep starts
SHOWN = 3  # failing jobs named in the refusal where their errors differ


def every_job_fails(lines, master, bases, jobs, key_of) -> list | None:
    """``[(job number, its overrides, message)]``, one per distinct set of overrides other
    than the seed, where every set fails to convert; None where one converts, or where the
    check cannot decide (more than ``MAX_SETS`` sets, an interpolation, an error that is
    not bad input). ``jobs``: ``[(number, override lines)]``; ``lines``: the sweeper's
    ``JobOverrides``; ``bases``: its compositions by ``key_of(master, structural lines)``."""
    from sim.cli.compose import check_choices, to_app_config
    from sim.cli.messages import one_line
    from sim.errors import MarketsimError

    seen: set = set()
    failures = []
    for num, overrides in jobs:
        parsed = lines.parse(overrides)
        values = [o for o in parsed if lines.is_plain_value(o) and o.key_or_group != "seed"]
        structural = tuple(o.input_line for o in parsed
                           if not lines.is_plain_value(o))
        key = (structural, tuple(o.input_line for o in values))
        if key in seen:
            continue
        seen.add(key)
        blob = bases.get(key_of(master, structural))
        if len(seen) > MAX_SETS or blob is None:
            return None
        cfg = pickle.loads(blob)  # a fresh copy of the set's composition
        try:
            ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
            hydra_cfg = cfg.hydra
            with read_write(cfg), open_dict(cfg):
                del cfg["hydra"]
            if interpolates(OmegaConf.to_container(cfg, resolve=False)):
                return None
            check_choices(hydra_cfg.runtime.choices, hydra_cfg.searchpath)
            to_app_config(cfg)
        except MarketsimError as e:
            task = [o.input_line for o in parsed if not o.is_hydra_override()]
            failures.append((num, task, one_line(str(e))))
            continue
        except Exception:  # noqa: BLE001 - not plainly bad input: the jobs report it
            return None
        return None  # this set converts: the sweep runs
    return failures or None


def refusal(failures: list, n_jobs: int) -> str:
    """The one-line error of a sweep whose every job has bad input (``every_job_fails``)."""
    head = f"every job of this sweep has bad input, so none of its {n_jobs:,} jobs was started"
    messages = list(dict.fromkeys(m for _, _, m in failures))
    if len(messages) == 1:
        return f"{head}: {messages[0]}"
    # each job named by the overrides that set it apart (not those every one of them has)
    common = set.intersection(*(set(task) for _, task, _ in failures))
    named = [f"job {num} ({' '.join(o for o in task if o not in common)}): {m}"
             for num, task, m in failures[:SHOWN]]
    more = len(failures) - SHOWN
    tail = f"; and {more} more set{'s' if more > 1 else ''} of overrides" if more > 0 else ""
    return f"{head}: {'; '.join(named)}{tail}"


def interpolates(node) -> bool:
    """Whether a config (as plain containers, unresolved) holds an interpolation."""
    if isinstance(node, str):
        return "${" in node
    if isinstance(node, dict):
        return any(interpolates(v) for v in node.values())
    if isinstance(node, list):
        return any(interpolates(v) for v in node)
    return False


LARGE_SWEEP = 1000  # jobs from which a sweep with full outputs gets a hint


def full_outputs_hint(master, jobs) -> str | None:
    """A line for a sweep of at least ``LARGE_SWEEP`` jobs that all write full outputs
    (every table of every job, and its plots unless ``plots=false``): a 10,000-seed sweep
    of the baseline then writes about 6 GB, and drawing the plots costs more than the run;
    ``outputs=compact`` writes the KPIs alone. None for a smaller sweep, or one whose jobs
    set ``outputs`` themselves."""
    if len(jobs) < LARGE_SWEEP or any(line.startswith("outputs=") for _, job in jobs
                                       for line in job):
        return None
    try:
        outputs = OmegaConf.select(master, "outputs", default="full")
        plots = bool(OmegaConf.select(master, "plots", default=True))
    except Exception:  # noqa: BLE001 - an interpolation only a job resolves
        return None
    if outputs != "full":
        return None
    what = "all its tables and plots" if plots else "all its tables"
    return (f"[marketsim] {len(jobs):,} jobs with full outputs: each writes {what}; "
            f"to write only each job's KPIs (and the combined table), add outputs=compact "
            f"(docs/sweeps.md)")

