"""Checks of ``marketsim-fit``'s options: each bad value raises one ``ValueError`` naming the
option and the value, before any file is read or written.

Bounds (a real sales history fits well inside them; outside them the arithmetic stops
meaning anything, or the run would take hours):
- ``--seed`` 0..2**32-1 (a ``numpy.random.SeedSequence`` entropy word);
- ``--period-years`` 0.001..100, finite (a day to a century; 1e-300 would make p 1e297);
- ``--level`` 0.5..0.999 (a 99.9% interval from 2,000 draws rests on two of them);
- ``--bootstrap`` 0 or 10..10,000 replicates (1 to 9 printed no interval and no note),
  ``--draws`` 100..100,000;
- ``--forecast`` 0..500 periods; ``--ceiling`` finite, > 0, at most 1e15;
- ``--name`` a config name of at most 64 characters; ``--out`` not an existing file;
- work: ``--draws`` x the forecast's periods at most 2e7 numbers (160 MB a copy); for
  ``--method nls``, ``--bootstrap`` x rows at most 2e6 (the bootstrap's time grows linearly
  in both: 0.23 ms per row per replicate measured by ``bench_forecast.py --fit-scaling``
  on the 2-core machine, so the cap is about 8 minutes).
"""

from __future__ import annotations

import math
from pathlib import Path

DEFAULT_OUT_ROOT = "outputs/fit"
SEED_MAX = 2**32 - 1
PERIOD_YEARS = (0.001, 100.0)
LEVEL = (0.5, 0.999)
BOOTSTRAP_MAX = 10_000
BOOTSTRAP_MIN = 10  # below it the percentile intervals are not computed (bootstrap.py)
NLS_BOOTSTRAP_DEFAULT = 1000
DRAWS = (100, 100_000)
FORECAST_MAX = 500
CEILING_MAX = 1e15
DRAW_NUMBERS_MAX = 20_000_000
BOOTSTRAP_WORK_MAX = 2_000_000
BOOTSTRAP_MS_PER_ROW = 0.23


def _in(option, value, lo, hi):
    if not (isinstance(value, int) or math.isfinite(value)) or not lo <= value <= hi:
        raise ValueError(f"{option} must be in [{lo}, {hi}], got {value!r}")


def check_args(args):
    """Return (name, output directory) or raise ``ValueError`` for the first bad option."""
    from sim.calibration.output import check_name, default_name

    if args.example and args.csv is not None:
        raise ValueError(f"give either SALES.csv or --example, not both (got {args.csv!r})")
    if not args.example and args.csv is None:
        raise ValueError("the following arguments are required: SALES.csv (or --example)")
    if args.csv is not None and (args.csv == "" or "\x00" in args.csv):
        raise ValueError(f"SALES.csv {args.csv!r} is not a file name")
    _in("--seed", args.seed, 0, SEED_MAX)
    if args.bootstrap is not None:
        _in("--bootstrap", args.bootstrap, 0, BOOTSTRAP_MAX)
        if 0 < args.bootstrap < BOOTSTRAP_MIN:  # percentile intervals need 10 replicates
            raise ValueError(f"--bootstrap must be 0 (no intervals) or at least "
                             f"{BOOTSTRAP_MIN}, got {args.bootstrap!r}")
    _in("--draws", args.draws, *DRAWS)
    _in("--level", args.level, *LEVEL)
    _in("--forecast", args.forecast, 0, FORECAST_MAX)
    if args.period_years is not None:
        _in("--period-years", args.period_years, *PERIOD_YEARS)
    if args.ceiling is not None and not (math.isfinite(args.ceiling)
                                         and 0 < args.ceiling <= CEILING_MAX):
        raise ValueError(f"--ceiling must be > 0 and at most {CEILING_MAX:g}, "
                         f"got {args.ceiling!r}")
    if args.draws * max(args.forecast, 40) > DRAW_NUMBERS_MAX:
        raise ValueError(f"--draws {args.draws} x --forecast {args.forecast} periods is over "
                         f"{DRAW_NUMBERS_MAX:,} simulated numbers; use fewer draws")
    if args.method == "nls":
        for option, value in (("--forecast", args.forecast), ("--analogy", args.analogy),
                              ("--ceiling", args.ceiling)):
            if value:
                raise ValueError(f"{option} {value!r} needs --method bayes (the default); "
                                 "--method nls is the plain least-squares fit")
    if args.analogy is not None:
        from sim.analogies import lookup

        lookup(args.analogy, key="--analogy")
    if args.name is not None:
        name = check_name(args.name)
    else:
        name = "example" if args.example else default_name(args.csv)
    out = Path(args.out) if args.out is not None else Path(DEFAULT_OUT_ROOT) / name
    if args.out is not None and (args.out.strip() == "" or "\x00" in args.out):
        raise ValueError(f"--out {args.out!r} is not a directory name")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} exists and is not a directory")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise ValueError(f"--out {str(out)!r}: {str(parent)!r} is a file, not a directory")
    return name, out


def check_work(args, rows: int) -> None:
    """Refuse an ``nls`` bootstrap that would run for more than about 8 minutes."""
    if args.method == "nls" and nls_replicates(args) * rows > BOOTSTRAP_WORK_MAX:
        minutes = nls_replicates(args) * rows * BOOTSTRAP_MS_PER_ROW / 6e4
        most = BOOTSTRAP_WORK_MAX // rows
        raise ValueError(f"--bootstrap {nls_replicates(args)} with {rows:,} periods would take about "
                         f"{minutes:.0f} minutes ({BOOTSTRAP_MS_PER_ROW} ms per period per "
                         f"replicate); use --bootstrap {most} or fewer, or --method bayes")


def nls_replicates(args) -> int:
    """``--bootstrap``, or its default of 1,000 replicates."""
    return NLS_BOOTSTRAP_DEFAULT if args.bootstrap is None else args.bootstrap
