"""``marketsim studio``: serve the studio on this machine.

Binds 127.0.0.1 unless ``--host`` says otherwise; no login (see docs/studio.md for what to
put in front of it before it faces a network).
"""

import argparse
import os
import socket
import sys
from pathlib import Path


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="marketsim studio",
                description="The strategist's studio: what-if, runs, sweeps and war game "
                            "in the browser.")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--workspace", type=Path, default=Path("outputs/studio"),
                   help="where runs, sweeps, games and the catalogue go (default outputs/studio)")
    p.add_argument("--open", action="store_true", help="open a browser tab")
    return p


def check(args) -> None:
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    try:
        args.workspace.mkdir(parents=True, exist_ok=True)
        probe = args.workspace / ".write_test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise UsageError(f"--workspace: cannot write to {args.workspace} ({e.strerror})") from None
    try:
        infos = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UsageError(f"--host: unknown interface {args.host!r}") from None
    with socket.socket(infos[0][0], socket.SOCK_STREAM) as s:
        try:
            s.bind(infos[0][4])
        except OSError as e:
            raise UsageError(f"--port: cannot listen on {args.host}:{args.port} "
                             f"({e.strerror}); choose another port") from None


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parser().parse_args(argv)
        check(args)
    except UsageError as e:
        print(f"marketsim: error: {e}", file=sys.stderr)
        return 2
    os.environ.setdefault("MPLBACKEND", "Agg")  # plots are written from worker threads
    from sim.studio.app import serve
    from sim.studio.runs import Workspace

    serve(Workspace(args.workspace), args.host, args.port, show=args.open)
    return 0
