"""Is one commit faster than another at a whole scenario run? (a speed-up's check on a
noisy machine)

    python benchmarks/ab_commits.py --base 98cefcb [--head WORKTREE] [--reps 12]
        [--runs 15] [--kpis-only] [--override KEY=VALUE ...]

Makes a git worktree of ``--base`` (and of ``--head`` where it names a commit; the default,
``WORKTREE``, is this working tree with its uncommitted changes), then alternates
processes: base, head, base, head, ..., ``--reps`` of each. Every process composes the
default scenario (with the overrides), runs it once untimed (compilation, caches), then
``--runs`` times with seeds 1, 2, ..., timing each run's CPU (``time.process_time``);
``--kpis-only`` times ``run_scenario(..., kpis_only=True)``, a compact sweep's job. Each
process gives its best run and its 20th percentile; the JSON printed gives, for each side,
the medians over its processes of the two, the lowest best, and head over base.

Why processes in alternation: on the shared 2-core development machine the time of a run
moved by 10-30% with the host's load (2026-12-06), and one pair of processes could differ
by 10% for nothing; the medians of 12 alternating pairs repeated within about 1-2 ms of a
75 ms run. Two changes that looked 3-4% faster on three pairs were nothing on twelve
(benchmarks/README.md). A worktree's first process compiles its kernels into the
worktree's own cache (untimed). The worktrees are removed at the end.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKTREE = "WORKTREE"

# one process of one side: prints "best p20" in ms of CPU
_CHILD = """
import json, sys, time
from sim.cli import compose
from sim.scenario import run_scenario
overrides, runs, kpis_only = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
cfg = compose(overrides).scenario()
run_scenario(cfg, 0, kpis_only=kpis_only)
ts = []
for k in range(runs):
    t0 = time.process_time()
    run_scenario(cfg, k + 1, kpis_only=kpis_only)
    ts.append(time.process_time() - t0)
ts.sort()
print(json.dumps([ts[0] * 1e3, ts[int(0.2 * (len(ts) - 1))] * 1e3]))
"""


def summary(samples: dict) -> dict:
    """``{side: [(best_ms, p20_ms), ...]}`` -> each side's median best, median 20th
    percentile and lowest best, and head over base (where both sides are there)."""
    out = {}
    for side, pairs in samples.items():
        if not pairs:
            raise ValueError(f"no process of side {side!r} gave a time")
        best = [b for b, _ in pairs]
        out[side] = {"median_best_ms": statistics.median(best),
                     "median_p20_ms": statistics.median([p for _, p in pairs]),
                     "min_best_ms": min(best), "processes": len(pairs)}
    if "base" in out and "head" in out:
        for key in ("median_best_ms", "median_p20_ms"):
            out[f"head_over_base_{key[:-3]}"] = out["head"][key] / out["base"][key]
    return out


def _sha(ref: str) -> str:
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"ab_commits: --base/--head must name a commit of this repository, "
                         f"got {ref!r}")
    return proc.stdout.strip()


def _one(tree: Path, overrides: list, runs: int, kpis_only: bool) -> tuple:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(overrides), str(runs),
                           "1" if kpis_only else "0"], cwd=tree, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"ab_commits: a run in {tree} failed:\n{proc.stderr[-2000:]}")
    best, p20 = json.loads(proc.stdout.strip().splitlines()[-1])
    return best, p20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="the reference commit")
    ap.add_argument("--head", default=WORKTREE,
                    help=f"the commit to compare (default {WORKTREE}: this working tree)")
    ap.add_argument("--reps", type=int, default=12, help="processes of each side")
    ap.add_argument("--runs", type=int, default=15, help="timed runs a process")
    ap.add_argument("--kpis-only", action="store_true", help="time compact runs")
    ap.add_argument("--override", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args(argv)
    if args.reps < 1 or args.runs < 1:
        ap.error(f"--reps and --runs must be >= 1, got {args.reps} and {args.runs}")
    sides = {"base": _sha(args.base)}
    if args.head != WORKTREE:
        sides["head"] = _sha(args.head)
    with tempfile.TemporaryDirectory(prefix="ab_commits_") as tmp:
        trees = {"head": ROOT}
        try:
            for side, sha in sides.items():
                trees[side] = Path(tmp) / side
                subprocess.run(["git", "worktree", "add", "--detach", "--quiet",
                                str(trees[side]), sha], cwd=ROOT, check=True)
            samples = {"base": [], "head": []}
            for _ in range(args.reps):
                for side in ("base", "head"):
                    samples[side].append(_one(trees[side], args.override, args.runs,
                                              args.kpis_only))
        finally:
            for side in sides:
                subprocess.run(["git", "worktree", "remove", "--force", str(trees[side])],
                               cwd=ROOT, capture_output=True)
    out = {"benchmark": "ab_commits", "base_commit": sides["base"],
           "head_commit": sides.get("head", WORKTREE), "reps": args.reps, "runs": args.runs,
           "kpis_only": args.kpis_only, "overrides": args.override,
           "method": "alternating processes; per process the best and the 20th percentile "
                     "of its runs' CPU (time.process_time), after one untimed run",
           **summary(samples)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
