"""Hydra's basic sweeper with a cheaper check of the batch before launching.

Hydra's ``BasicSweeper`` composes every job of a batch in the launching process, only to
check that it can be composed, and then the launcher composes it again (in a worker for
joblib and Ray). Composing marketsim's config (about 1,200 nodes with its structured
schemas) takes about 0.7 s, so for a 200-job seed sweep the serial check alone took longer
than the runs on two cores.

This sweeper checks the same things for much less: it composes once per distinct set of
*structural* overrides (config-group choices such as ``scenario=price_war``, additions
``+key``, deletions ``~key``, hydra's own keys), and applies each distinct plain value
override (``seed=3``, ``firm.pricing.list_price=299``) once to a scratch copy of that
composition with Hydra's own override code, which raises the same errors as a full
compose would (unknown key, wrong type). The launcher (``marketsim_launcher``) builds
each job's config the same way, in its workers.

With four or more distinct structural sets, marketsim's launcher composes them on its
workers in parallel (``compose_in_workers``; loky keeps the workers for the jobs), and a
set that fails there is composed here again, so that its error is raised as before. The
compositions go, pickled (about 0.01 s each), to marketsim's launcher, which hands each
batch the ones its jobs need: a worker then starts from them instead of composing the
same structural set again (about 0.4 s each; a sweep over eight experiment options had
composed sixteen times).

Unlike ``BasicSweeper``, it checks *every* batch before it writes anything, so a bad
sweep (``marketsim -m sed=0,1 hydra.sweep.dir=OLD``) leaves ``OLD/multirun.yaml`` as it
was; where every job would fail marketsim's own checks (a bad value they all share), the
sweep is refused in one line there too (``_precheck``). It then takes the sweep
directory's lock (a second sweep into the same directory is refused), removes temporary
files a killed writer left, records this sweep's jobs in ``sweep.json`` (so the combined
table holds exactly them) and writes ``multirun.yaml``.
Each finished job's row goes to the combined table's spool as it arrives
(``sim.cli.progress.SweepFeed``; marketsim's launcher hands over each batch as it ends,
another launcher each batch of the sweeper's), with a progress line for long sweeps.
"""

import copy
import logging
import pickle
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType, ValueType
from omegaconf import OmegaConf

from hydra_plugins.marketsim_sweeper._precheck import (
    every_job_fails,
    full_outputs_hint,
    refusal,
)

log = logging.getLogger(__name__)


@dataclass
class MarketsimSweeperConf:
    _target_: str = "hydra_plugins.marketsim_sweeper.marketsim_sweeper.MarketsimSweeper"
    max_batch_size: int | None = None
    params: dict | None = None


ConfigStore.instance().store(group="hydra/sweeper", name="marketsim",
                             node=MarketsimSweeperConf, provider="marketsim")


def base_key(master, structural) -> tuple:
    """What a composition of a sweep job depends on: the primary config's name, hydra's own
    overrides of the command line and the job's structural overrides (their input lines,
    in order)."""
    return (master.hydra.job.config_name, tuple(master.hydra.overrides.hydra),
            tuple(structural))


class MarketsimSweeper(BasicSweeper):
    bases: dict | None = None  # base_key -> pickled composition, for the launcher

    def sweep(self, arguments):
        from sim.errors import MarketsimError
        from sim.results.files import atomic_write
        from sim.results.sweeps import (
            earlier_results,
            remove_temporary_files,
            sweep_lock,
            write_sweep_jobs,
        )

        assert self.config is not None and self.launcher is not None
        params_conf = self._parse_config()
        params_conf.extend(arguments)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides(params_conf)
        empty = [o.input_line for o in overrides
                 if o.is_sweep_override() and not list(o.sweep_string_iterator())]
        if empty:  # no job at all: refused before the sweep's directory is touched (it had
            # exited 0 and rewritten an earlier sweep's sweep.json beside its old table)
            raise MarketsimError(f"{', '.join(empty)} gives no values, so the sweep has no "
                                 "jobs; nothing was run, and what the sweep directory held "
                                 "is as it was")
        self.overrides = self.split_arguments(overrides, self.max_batch_size)
        tic = time.perf_counter()
        for batch in self.overrides:  # every job, before anything is written
            self.validate_batch_is_legal(batch)
        every = list(enumerate(job for batch in self.overrides for job in batch))
        # bad input in every job (a value they all share): one error, not a failed job each
        failures = every_job_fails(self._lines, self.config, self.bases, every, base_key)
        if failures:
            raise MarketsimError(refusal(failures, len(every)))
        hint = full_outputs_hint(self.config, every)
        if hint:
            print(hint, file=sys.stderr)
        log.debug(f"Validated the sweep's configs in {time.perf_counter() - tic:0.2f} s")
        if hasattr(self.launcher, "bases"):  # marketsim's launcher: workers start from them
            self.launcher.bases = self.bases

        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        lock = sweep_lock(sweep_dir)
        _hold(lock)
        remove_temporary_files(sweep_dir, depth=2)
        jobs = [(num, [o for o in job if not _is_hydra_key(o)]) for num, job in every]
        earlier = earlier_results(sweep_dir, jobs)
        if earlier:  # a re-sweep into the same directory: said, then run (not refused:
            # the runners re-run into their fixed out= folders, and adding seeds to a grid
            # renumbers its jobs)
            num, recorded = earlier[0]
            print(f"[marketsim] hydra.sweep.dir={sweep_dir}: {len(earlier)} finished "
                  f"job{'s' if len(earlier) > 1 else ''} of an earlier sweep with other "
                  f"overrides (job {num} ran {' '.join(recorded) or 'no overrides'}) will be "
                  "replaced by this sweep's; choose another hydra.sweep.dir to keep them",
                  file=sys.stderr)
        write_sweep_jobs(sweep_dir, jobs)
        atomic_write(sweep_dir / "multirun.yaml",
                     lambda p: OmegaConf.save(self.config, p))
        feed = _feed(self.config, sweep_dir, jobs)
        streams = hasattr(self.launcher, "feed")  # marketsim's launcher feeds it per job
        if streams:
            self.launcher.feed = feed
        returns = []
        initial_job_idx = 0
        try:
            for batch in self.overrides:
                results = self.launcher.launch(batch, initial_job_idx=initial_job_idx)
                for i, r in enumerate(results):
                    _ = r.return_value  # raises if the job raised, as BasicSweeper does
                    if not streams:  # e.g. Ray's launcher: all of a batch at its end
                        r.cfg = r.hydra_cfg = None
                        feed.done(initial_job_idx + i, r, last=i == len(results) - 1)
                initial_job_idx += len(batch)
                returns.append(results)
        finally:
            feed.close()
            if streams:
                self.launcher.feed = None
        self.batch_index = len(self.overrides)
        return returns

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        loader = self.hydra_context.config_loader
        parser = OverridesParser.create(config_loader=loader)
        if getattr(self, "_lines", None) is None or self._lines.loader is not loader:
            self._lines = JobOverrides(loader)
        lines = self._lines
        scratch: dict = {}
        checked: set = set()
        if self.bases is None:
            self.bases = {}
        jobs = []
        for overrides in batch:
            parsed = lines.parse(overrides)
            values = [o for o in parsed if lines.is_plain_value(o)]
            jobs.append((values, tuple(o.input_line for o in parsed if o not in values)))
        sets = [s for s in dict.fromkeys(st for _, st in jobs)
                if base_key(self.config, s) not in self.bases]
        made = {}  # many sets: composed on marketsim's launcher's workers, in parallel
        if hasattr(self.launcher, "compose_in_workers") and not _names_a_missing_option(
                loader, parser, [o for st in sets for o in st]):
            made = self.launcher.compose_in_workers(sets)
        for values, structural in jobs:
            if structural not in scratch:
                key = base_key(self.config, structural)
                blob = made.get(structural) or self.bases.get(key)
                if blob is None:  # composed here (and a failure raises its error here)
                    cfg = loader.load_sweep_config(master_config=self.config,
                                                   sweep_overrides=list(structural))
                    blob = pickle.dumps(cfg)
                else:
                    cfg = pickle.loads(blob)
                scratch[structural] = cfg  # a fresh composition: ours to change
                self.bases[key] = blob
            for o in values:
                if (structural, o.input_line) in checked:
                    continue
                ConfigLoaderImpl._apply_overrides_to_config([o], scratch[structural])
                checked.add((structural, o.input_line))


def _feed(config, sweep_dir: Path, jobs: list):
    """The sweep's ``SweepFeed``: its jobs' rows into the combined table's spool, and a
    progress line unless ``progress=false``."""
    from sim.cli.progress import SweepFeed
    from sim.results.sweep_table import RowSpool

    try:
        show = bool(OmegaConf.select(config, "progress", default=True))
    except Exception:  # noqa: BLE001 - an interpolation only a job resolves
        show = True
    spool = RowSpool(sweep_dir, {str(num): overrides for num, overrides in jobs})
    return SweepFeed(spool, total=len(jobs), show=show)


def _names_a_missing_option(loader, parser, lines) -> bool:
    """Whether an override chooses an option its config group does not have (a misspelt
    ``scenario=...``): the check then composes in this process, in job order, and stops at
    that job's error at once instead of first starting the launcher's workers. Only groups
    of the loader's own search path are looked at (an option on a ``hydra.searchpath``
    directory is not taken for missing)."""
    repo = loader.repository
    for o in parser.parse_overrides(list(dict.fromkeys(lines))):
        if o.type != OverrideType.CHANGE and o.type != OverrideType.ADD:
            continue
        group = o.key_or_group
        if group.startswith("hydra") or not repo.group_exists(group):
            continue
        try:
            value = o.value()
        except Exception:  # noqa: BLE001 - the composition reports it
            return True
        if isinstance(value, str) and not repo.config_exists(f"{group}/{value}"):
            return True
    return False


# ``key=N``: a plain key and a whole number >= 0 without sign, leading zero or underscore
_KEY_WHOLE_NUMBER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(0|[1-9][0-9]*)")


class JobOverrides:
    """Sweep jobs' override lines parsed as ``OverridesParser.parse_overrides`` parses them,
    for less. Every job of a sweep repeats the command line's other overrides
    (``outputs=compact``, ``plots=false``, ...), and Hydra's grammar (ANTLR) takes about
    0.2 ms a line: each distinct line is parsed once here, and a line ``key=N`` (a seed
    sweep's ``seed=17``: a plain key, a whole number without sign, leading zero or
    underscore) is made without the grammar, as the same element override of ``int(N)``
    (``tests/cli/test_cli_sweeper.py`` compares both ways line for line). Each call gets
    copies. ``is_plain_value`` looks each key's config group up once (about 0.1 ms a
    lookup)."""

    def __init__(self, loader):
        self.loader = loader
        self.parser = OverridesParser.create(config_loader=loader)
        self._parsed: dict = {}
        self._groups: dict = {}

    def parse(self, lines) -> list:
        """``parser.parse_overrides(list(lines))``: equal overrides, the same errors."""
        out = []
        for line in lines:
            o = self._parsed.get(line)
            if o is None:
                match = _KEY_WHOLE_NUMBER.fullmatch(line)
                if match is None:
                    o = self._parsed[line] = self.parser.parse_overrides([line])[0]
                else:  # distinct in every job: not kept
                    o = Override(type=OverrideType.CHANGE, key_or_group=match[1],
                                 value_type=ValueType.ELEMENT, _value=int(match[2]),
                                 package=None, input_line=line, config_loader=self.loader)
                    out.append(o)
                    continue
            out.append(copy.copy(o))
        return out

    def is_plain_value(self, override) -> bool:
        """Whether ``override`` is ``key=value`` on an existing key that is not a config
        group or hydra's own (a plain value, not a structural override)."""
        key = override.key_or_group
        if (override.type != OverrideType.CHANGE or override.package is not None
                or key.startswith("hydra") or "/" in key):
            return False
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = self.loader.repository.group_exists(key)
        return not group


def _is_hydra_key(override: str) -> bool:
    return override.lstrip("+~").startswith(("hydra.", "hydra/"))


def _hold(lock) -> None:
    """Keep the lock open until ``marketsim``'s ``main()`` returns (it closes it), or, where
    no ``main()`` runs, until this process ends."""
    from sim.cli.messages import CONTEXT

    ctx = CONTEXT.get()
    (ctx.held if ctx is not None else _HELD).append(lock)


_HELD: list = []  # locks of sweeps started without sim.cli.main (closed at process exit)
