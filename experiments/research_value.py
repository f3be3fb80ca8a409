"""Value of market research with common seeds: NPV of the focal firm with its configured
studies minus NPV with none (``firm.research.studies=[]``), paired by seed.

    python -m experiments.research_value [scenario=shifting_tastes] [seeds=10] [quick=true]
        [out=DIR] [<overrides>]

Prints the mean paired difference, a 90% t interval on it (the answer's level) and the
share of seeds where research paid (difference > 0), and writes ``report.md`` (the answer with its 90% paired
interval, the assumptions) into ``out`` (default ``experiments_out/research_value``).
Both arms share every random stream but the studies' own draws, so the difference is the
value of the information less its cost.
"""

import time

import numpy as np
import pandas as pd

from experiments.options import ExperimentError, parse_args
from experiments.report import answer_text, main_wrapper, write_report
from sim.cli import compose
from sim.results.decision import LEVEL, paired_interval
from sim.scenario import run_scenario

NAME = "research_value"
QUESTION = "Is the configured market research worth its cost (value of information)?"
NO_RESEARCH = "firm.research.studies=[]"
QUICK_HORIZON_DAYS = 730


def npv(config, seed) -> float:
    return float(run_scenario(config, seed, kpis_only=True).kpis["npv"])


def run(argv):
    """The shared command line (``experiments.options.parse_args``: ``seeds``, ``out``, the
    scenario's overrides; one-line errors): it runs in this process, so ``quick`` gives 2
    seeds over 730 days and there is no launcher."""
    opts = parse_args(NAME, argv, {}, quick_seeds=2, seeds=10)
    if opts.launcher != "joblib" or opts.jobs:
        raise ExperimentError("research_value runs in this process: launcher= and jobs= do "
                              "not apply")
    if opts.seeds < 2:
        raise ExperimentError(f"seeds must be at least 2 for an interval, got {opts.seeds}")
    started = time.perf_counter()
    base = list(opts.overrides)
    if opts.quick and not any(o.startswith("horizon_days=") for o in base):
        base.append(f"horizon_days={QUICK_HORIZON_DAYS}")  # the quick banner's short horizon
    # composed once each (their errors before any run), then run seed by seed
    cfg = compose(base).scenario()
    bare = compose([*base, NO_RESEARCH]).scenario()
    diffs, rows = [], []
    for seed in range(opts.seeds):
        with_research, without = npv(cfg, seed), npv(bare, seed)
        diffs.append(with_research - without)
        rows += [{"option": "research", "seed": seed, "npv": with_research},
                 {"option": "no_research", "seed": seed, "npv": without}]
        print(f"seed {seed}: research - none = {diffs[-1]:,.0f}", flush=True)
    d = np.asarray(diffs)
    low, high = paired_interval(d, LEVEL)  # the answer's level (it had said 95% beside 90%)
    finding = (f"Research minus no research: mean NPV {d.mean():,.0f}, "
               f"{100 * LEVEL:.0f}% t interval "
               f"[{low:,.0f}, {high:,.0f}]; research paid in {(d > 0).sum()} of {len(d)} "
               "seeds.")
    print(f"{' '.join(base) or 'the default scenario'}: {finding}")
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    write_report(out, "Value of market research", QUESTION, [("Findings", [finding], [])],
                 opts, time.perf_counter() - started,
                 raw="none kept (runs in memory, two per seed)",
                 answer=answer_text(pd.DataFrame(rows), cfg),
                 config=cfg, varied=["the studies (configured, or none)"],
                 intervals=f"the finding's and the answer's intervals are {100 * LEVEL:.0f}% "
                           "Student t intervals of the mean paired difference")
    return out


main = main_wrapper(run, NAME)

if __name__ == "__main__":
    raise SystemExit(main())
