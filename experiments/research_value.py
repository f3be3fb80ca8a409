"""Value of market research with common seeds: NPV of the focal firm with its configured
studies minus NPV with none (``firm.research.studies=[]``), paired by seed.

    python -m experiments.research_value [scenario=shifting_tastes] [seeds=10] [<overrides>]

Prints the mean paired difference, a t interval (95%) on it and the share of seeds where
research paid (difference > 0). Both arms share every random stream but the studies' own
draws, so the difference is the value of the information less its cost.
"""

import sys

import numpy as np
from scipy import stats

from sim.cli import compose
from sim.scenario import run_scenario


def npv(overrides, seed):
    res = run_scenario(compose(list(overrides)).scenario(), seed)
    return float(res.kpis["npv"])


def main(argv):
    args = dict(a.split("=", 1) for a in argv if "=" in a and not a.startswith(("firm.", "market.")))
    seeds = int(args.pop("seeds", 10))
    extra = [a for a in argv if a.startswith(("firm.", "market."))]
    base = [f"{k}={v}" for k, v in args.items()] + extra
    diffs = []
    for seed in range(seeds):
        d = npv(base, seed) - npv([*base, "firm.research.studies=[]"], seed)
        diffs.append(d)
        print(f"seed {seed}: research - none = {d:,.0f}", flush=True)
    d = np.asarray(diffs)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    print(f"{' '.join(base)}: mean {d.mean():,.0f}, 95% CI [{d.mean() - half:,.0f}, "
          f"{d.mean() + half:,.0f}], research paid in {(d > 0).sum()}/{len(d)} seeds")


if __name__ == "__main__":
    main(sys.argv[1:])
