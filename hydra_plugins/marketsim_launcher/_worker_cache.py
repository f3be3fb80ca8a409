"""What a worker process of marketsim's launcher keeps between the batches of one launch.

The caches live here, not in ``marketsim_launcher`` or ``compact_jobs``: Hydra's plugin
scanner runs the body of every module of ``hydra_plugins`` again each time it builds its
``Plugins`` singleton, which a worker does for every batch (``Singleton.set_state``), and
that emptied their module-level dicts: each batch composed its configs anew. The scanner
skips modules whose names start with ``_``.

A launch gives its batches a token of its own; a worker that sees a new token forgets what
it kept, so a later sweep in a reused worker process (loky keeps its workers) never gets a
composition made from config files that have changed since.

The launch's state (Hydra's context, the master config, the task function and Hydra's
singletons) comes with every batch as one pickle, made once by the launching process; a
worker unpickles it and sets Hydra's state from it on its first batch of the launch only
(``launch_state``). Unpickled and set for every batch, it cost a worker about 0.12
CPU-seconds a batch (some 2.4 ms a job of 50-job batches), and pickling it the launching
process about 0.05 s a batch.
"""

import pickle

TOKEN = None
STATE: list = []  # [(hydra_context, config, task_function)] of the current launch
BASES: dict = {}  # marketsim_launcher.job_config: base_key -> composition
SHIPPED: dict = {}  # base_key -> the launching process's composition, pickled
GROUPS: dict = {}  # compact_jobs: a compact group's key -> (AppConfig, dir, name) or None
LINES: list = []  # [the sweeper's JobOverrides] for the loader the last batch came with


def job_lines(loader):
    """This worker's parsed override lines (``JobOverrides``) for ``loader``: kept while the
    batches come with the same loader object."""
    from hydra_plugins.marketsim_sweeper.marketsim_sweeper import JobOverrides

    if not LINES or LINES[0].loader is not loader:
        LINES[:] = [JobOverrides(loader)]
    return LINES[0]


def start(token) -> None:
    """Keep what this worker holds if ``token`` is the current launch's, else drop it."""
    global TOKEN
    if token != TOKEN:
        BASES.clear()
        SHIPPED.clear()
        GROUPS.clear()
        LINES.clear()
        STATE.clear()
        TOKEN = token


def launch_state(token, blob: bytes) -> tuple:
    """(hydra_context, config, task_function) of launch ``token``, whose batches carry them
    and Hydra's singleton state pickled in ``blob``: unpickled, and Hydra's globals and
    singletons set, on this worker's first batch of the launch; kept for its others."""
    from hydra.core.singleton import Singleton
    from hydra.core.utils import setup_globals

    start(token)
    if not STATE:
        hydra_context, config, task_function, singleton_state = pickle.loads(blob)
        setup_globals()
        Singleton.set_state(singleton_state)
        STATE.append((hydra_context, config, task_function))
    return STATE[0]
