"""Run ``sim.cli.main`` for many command lines, each in its own forked process.

A ``marketsim`` process with bad input takes about 1.2 s (imports about 0.4 s, the
schemas' registration about 0.2 s, one composition about 0.4 s) before it answers. This
runner imports ``sim.cli`` and registers the schemas once and forks one child per command
line; each child is a real process with its own exit status, stdout and stderr,
running the same ``main()`` as the console script (an uncaught exception prints a
traceback and exits 1, as the interpreter would).

Usage: ``python cli_forkrun.py CASES.json`` where the file holds a list of
``{"argv": [...], "env": {...}, "stdout": path, "stderr": path, "timeout": s}``; the exit
statuses are written, as a JSON list in the same order, to ``CASES.json.status``. A case
still running after its ``timeout`` (seconds; none by default) is killed and gets the
status 124, as ``timeout(1)`` gives.
"""

import json
import os
import signal
import sys
import time
import traceback

PARALLEL = 2
TIMED_OUT = 124


def _child(case) -> int:
    import sim.cli

    for fd, path in ((1, case["stdout"]), (2, case["stderr"])):
        out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, fd)
        os.close(out)
    for key, value in case.get("env", {}).items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    sys.argv = ["marketsim", *case["argv"]]
    try:
        sim.cli.main()
        code = 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 - report as the interpreter would
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def run(cases) -> list[int]:
    import sim.cli  # noqa: F401 - the slow imports, once, before forking
    from sim.config.store import register_configs

    register_configs()  # the schemas' conversion, once (main() then finds them stored)

    statuses: list[int | None] = [None] * len(cases)
    running: dict[int, tuple[int, float | None]] = {}
    todo = list(range(len(cases)))
    while todo or running:
        while todo and len(running) < PARALLEL:
            i = todo.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                os._exit(_child(cases[i]))
            limit = cases[i].get("timeout")
            running[pid] = (i, None if limit is None else time.monotonic() + limit)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            statuses[running.pop(pid)[0]] = os.waitstatus_to_exitcode(status)
            continue
        now = time.monotonic()
        for pid, (i, deadline) in list(running.items()):
            if deadline is not None and now > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                running.pop(pid)
                statuses[i] = TIMED_OUT
        time.sleep(0.02)
    return statuses


if __name__ == "__main__":
    path = sys.argv[1]
    with open(path) as f:
        cases = json.load(f)
    with open(path + ".status", "w") as f:
        json.dump(run(cases), f)
