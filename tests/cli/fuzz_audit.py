"""Run the fuzz table (``fuzz_table.FUZZ``) and count the outcomes, as the audit did.

``python tests/cli/fuzz_audit.py [WORKDIR]`` prints one line per case and the counts:
clear errors (exit 2, one line naming the key, no traceback), tracebacks (or another exit
status), hangs (killed after ``TIMEOUT`` s), garbage accepted (exit 0), unclear errors
(exit 2 without the key, or over several lines), and whether the earlier run was touched.
``test_cli_fuzz.py`` uses ``command`` and ``classify``.
"""

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from cli_helpers import run_forked_timed, run_marketsim, snapshot  # noqa: E402
from fuzz_table import FUZZ  # noqa: E402

BASE = ["horizon_days=120", "plots=false"]
TIMEOUT = 20.0


def command(run_dir, args):
    """``args`` after a base pointing at ``run_dir`` (a key set by ``args`` replaces the
    base's); a sweep goes into the sweep directory beside it."""
    flags = [a for a in args if a.startswith("-")]
    args = [a for a in args if not a.startswith("-")]
    keys = {a.split("=", 1)[0] for a in args}
    base = [a for a in BASE if a.split("=", 1)[0] not in keys]
    dirs = [d for d in (f"hydra.run.dir={run_dir}", f"hydra.sweep.dir={run_dir}_sweep")
            if d.split("=", 1)[0] not in keys]
    return [*flags, *base, *dirs, *args]


def classify(result, fragments) -> str:
    out, err, rc = result["stdout"], result["stderr"], result["rc"]
    if rc == 124:
        return "hang"
    if "Traceback" in out + err or rc not in (0, 2):
        return "traceback"
    if rc == 0:
        return "accepted"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if (len(lines) == 1 and lines[0].startswith("marketsim: error: ")
            and all(f in lines[0] for f in fragments)):
        return "clear"
    return "unclear"


def main(work: Path) -> dict:
    run_dir = work / "run"
    proc = run_marketsim([*BASE, f"hydra.run.dir={run_dir}"], cwd=work)
    assert proc.returncode == 0, proc.stderr
    before = snapshot(run_dir)
    cases = [(command(run_dir, args), {}) for _, args, _ in FUZZ]
    results = run_forked_timed(cases, work / "forked", TIMEOUT)
    counts: dict = {}
    for (name, _, fragments), result in zip(FUZZ, results, strict=True):
        kind = classify(result, fragments)
        counts[kind] = counts.get(kind, 0) + 1
        last = (result["stderr"].strip().splitlines() or [""])[-1][:150]
        print(f"{kind:<10} rc={result['rc']:<4} {name:<28} {last}")
    counts["earlier_run_touched"] = snapshot(run_dir) != before
    print(counts)
    return counts


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()))
