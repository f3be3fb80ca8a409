"""Are a commit's outputs identical to a reference? (a refactoring's check)

Runs every shipped scenario with seeds 0 and 1 through the ``marketsim`` command (the one
interface a move of modules must not change), and digests each run's ``kpis.json`` (less
wall-clock fields) and every parquet table (columns, dtypes and every value).

    python benchmarks/check_identical.py --write ref.json     # on the commit before
    python benchmarks/check_identical.py --check ref.json     # on the commit after

``--check`` prints each differing file and exits 1 if any differs. The files are the same
whatever SIMD code NumPy and OpenBLAS pick for the CPU (``sim.kernel.libm``,
``sim.kernel.dots``, stable sorts: docs/architecture.md; try it with
``NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL" OPENBLAS_CORETYPE=Nehalem``), but
another C library, NumPy or OpenBLAS build is not covered: write and check on one machine. ``--skip-table NAME``
leaves out a table whose change is intended (say so in the commit). A change that only adds
a column or KPIs is checked on the rest: ``--drop-column ledger.parquet:product`` digests
the table without that new column, ``--drop-kpi product_`` digests ``kpis.json`` without
the keys starting so (both repeatable; say so in the commit).
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

WALL_KEYS = ("wall_s", "wall", "elapsed")


def scenario_names() -> list[str]:
    out = subprocess.run(["marketsim", "list"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in out.stdout.splitlines()[1:] if line.strip()]


def digest_table(path: Path, drop=()) -> str:
    df = pd.read_parquet(path)
    df = df.drop(columns=[c for c in drop if c in df.columns])
    h = hashlib.sha256()
    h.update(repr(list(df.columns)).encode())
    h.update(repr([str(t) for t in df.dtypes]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).values.tobytes())
    return h.hexdigest()[:16]


def digest_kpis(path: Path, drop_prefixes=()) -> str:
    data = json.loads(path.read_text())
    data = {k: v for k, v in data.items() if not any(w in k for w in WALL_KEYS)
            and not k.startswith(tuple(drop_prefixes))}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def digest_run(run_dir: Path, drop_columns=None, drop_kpis=()) -> dict:
    drop_columns = drop_columns or {}
    out = {"kpis.json": digest_kpis(run_dir / "kpis.json", drop_kpis)}
    for p in sorted(run_dir.glob("*.parquet")):
        out[p.name] = digest_table(p, drop_columns.get(p.name, ()))
    return out


def collect(seeds=(0, 1), drop_columns=None, drop_kpis=()) -> dict:
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in scenario_names():
            for seed in seeds:
                run_dir = Path(tmp) / f"{name}_{seed}"
                cmd = ["marketsim", f"scenario={name}", f"seed={seed}", "plots=false",
                       "progress=false", f"hydra.run.dir={run_dir}"]
                subprocess.run(cmd, capture_output=True, text=True, check=True)
                result[f"{name}/seed={seed}"] = digest_run(run_dir, drop_columns, drop_kpis)
                print(f"{name} seed {seed}: {len(result[f'{name}/seed={seed}'])} files",
                      file=sys.stderr)
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the digests to this JSON file")
    group.add_argument("--check", type=Path, help="compare with digests written before")
    ap.add_argument("--skip-table", action="append", default=[],
                    help="a file name whose change is intended (repeatable)")
    ap.add_argument("--drop-column", action="append", default=[], metavar="TABLE:COLUMN",
                    help="digest TABLE without a column it gained (repeatable)")
    ap.add_argument("--drop-kpi", action="append", default=[], metavar="PREFIX",
                    help="digest kpis.json without the keys starting with PREFIX (repeatable)")
    args = ap.parse_args(argv)
    drop_columns = {}
    for item in args.drop_column:
        table, sep, column = item.partition(":")
        if not sep or not table or not column:
            ap.error(f"--drop-column takes TABLE:COLUMN, got {item!r}")
        drop_columns.setdefault(table, []).append(column)
    now = collect(drop_columns=drop_columns, drop_kpis=args.drop_kpi)
    if args.write:
        args.write.write_text(json.dumps(now, indent=1, sort_keys=True))
        print(f"wrote {sum(len(v) for v in now.values())} digests to {args.write}")
        return 0
    ref = json.loads(args.check.read_text())
    bad = []
    for run in sorted(set(ref) | set(now)):
        files = set(ref.get(run, {})) | set(now.get(run, {}))
        for f in sorted(files - set(args.skip_table)):
            if ref.get(run, {}).get(f) != now.get(run, {}).get(f):
                bad.append(f"{run}: {f}")
    for line in bad:
        print(f"differs: {line}")
    n = sum(len(v) for v in now.values())
    print(f"{n} files in {len(now)} runs checked, {len(bad)} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
