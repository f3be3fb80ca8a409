"""Value of market research with common seeds: NPV of the focal firm with its configured
studies minus NPV with none (``firm.research.studies=[]``), paired by seed.

    python -m experiments.research_value [scenario=shifting_tastes] [seeds=10] [out=DIR]
        [<overrides>]

Prints the mean paired difference, a t interval (95%) on it and the share of seeds where
research paid (difference > 0), and writes ``report.md`` (the answer with its 90% paired
interval, the assumptions) into ``out`` (default ``experiments_out/research_value``).
Both arms share every random stream but the studies' own draws, so the difference is the
value of the information less its cost.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.options import Options
from experiments.report import answer_text, write_report
from sim.cli import compose
from sim.scenario import run_scenario

QUESTION = "Is the configured market research worth its cost (value of information)?"


def npv(overrides, seed):
    res = run_scenario(compose(list(overrides)).scenario(), seed, kpis_only=True)
    return float(res.kpis["npv"])


def main(argv):
    started = time.perf_counter()
    args = dict(a.split("=", 1) for a in argv if "=" in a and not a.startswith(("firm.", "market.")))
    seeds = int(args.pop("seeds", 10))
    out = Path(args.pop("out", "experiments_out/research_value"))
    extra = [a for a in argv if a.startswith(("firm.", "market."))]
    base = [f"{k}={v}" for k, v in args.items()] + extra
    diffs, rows = [], []
    for seed in range(seeds):
        with_research = npv(base, seed)
        without = npv([*base, "firm.research.studies=[]"], seed)
        d = with_research - without
        diffs.append(d)
        rows += [{"option": "research", "seed": seed, "npv": with_research},
                 {"option": "no_research", "seed": seed, "npv": without}]
        print(f"seed {seed}: research - none = {d:,.0f}", flush=True)
    d = np.asarray(diffs)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    print(f"{' '.join(base)}: mean {d.mean():,.0f}, 95% CI [{d.mean() - half:,.0f}, "
          f"{d.mean() + half:,.0f}], research paid in {(d > 0).sum()}/{len(d)} seeds")
    cfg = compose(list(base)).scenario()
    kpis = pd.DataFrame(rows)
    out.mkdir(parents=True, exist_ok=True)
    opts = Options(name="research_value", seeds=seeds, out=out, overrides=base)
    sections = [("Findings", [f"Research minus no research: mean NPV {d.mean():,.0f}, 95% t "
                              f"interval [{d.mean() - half:,.0f}, {d.mean() + half:,.0f}]; "
                              f"research paid in {(d > 0).sum()} of {len(d)} seeds."], [])]
    path = write_report(out, "Value of market research", QUESTION, sections, opts,
                        time.perf_counter() - started,
                        raw="none kept (runs in memory, two per seed)",
                        answer=answer_text(kpis, cfg), config=cfg,
                        varied=["the studies (configured, or none)"],
                        intervals="the finding's interval is a 95% Student t interval of "
                                  "the mean paired difference, the answer's a 90% one")
    print(f"[research_value] report: {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
