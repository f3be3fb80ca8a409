"""How common are common random numbers? Options run on one seed, each draw path side by side.

    python benchmarks/paired_draws.py [--json] [--seeds 20] [--price-seeds 30] [--tiny-seeds 8]

For each aggregate draw path (``generator``: NumPy's Generator drawn in turn; ``counter``:
keyed draws, the default since 2026-12-07), on the baseline:
- ``pulse_long_term_sd``, ``pulse_short_term_sd``: the sd over seeds of the advertising
  elasticities that ``experiments.stylized_facts`` measures (a +10% marketing pulse for one
  quarter a year after the planned launch), and their means;
- ``tiny_pulse_max_effect``: the largest change, over ``--tiny-seeds`` seeds, of our orders over
  the pulse quarter and the year after when the pulse is +0.01%, as a share of the quarter's
  orders (0 where the options' draws stay in step and the pulse is too small to move any
  draw);
- ``budget_paired_sd``, ``price_paired_sd``: the sd over seeds of the paired NPV difference
  for a +12.5% weekly budget (80k -> 90k, ``--seeds`` seeds) and a +4% list price (249 ->
  259, ``--price-seeds`` seeds), with the mean differences.
The ratio of the two paths' sds is what keyed draws save a paired comparison
(docs/model.md 1.5). About 35 s at the defaults.

``--reactions`` adds, with keyed draws, the same budget and price pairs (``--price-seeds``
seeds each) under three settings of the rivals (``reactions``): as shipped; the follower
at its list price instead of matching ours; and that with the incumbent passive too (its
share threshold 1, its noise 0): what is left of a paired comparison's spread once the
draws are common is mostly the rivals' reactions (docs/model.md 1.5). About 25 s more.
"""

import argparse
import json

import numpy as np

from experiments import facts, stylized_facts
from sim.cli import compose
from sim.scenario import run_scenario

PATHS = ("generator", "counter")


def _config(draws, *overrides):
    return compose(["scenario=baseline", f"draws={draws}", *overrides]).scenario()


def pulse_effects(draws, seeds, step):
    """Per seed, the (short-term, long-term) elasticities of a ``step`` pulse and the extra
    orders over the quarter and the year after as a share of the quarter's orders."""
    base = _config(draws)
    pulse = _config(draws, *stylized_facts._baseline_options(base, ad_step=step)["ad_pulse"])
    p0, p1, p2 = window = stylized_facts._pulse(base)
    out = []
    for seed in seeds:
        a, b = run_scenario(base, seed).timeseries, run_scenario(pulse, seed).timeseries
        quarter = facts.orders(a, "us", p0, p1)
        extra = facts.orders(b, "us", p0, p2) - facts.orders(a, "us", p0, p2)
        e = facts.ad_elasticities(a, b, "us", window)
        out.append((e["advertising_elasticity_short_term"],
                    e["advertising_elasticity_long_term"], extra / quarter))
    return out


# the rivals' reactions, switched off one after the other (``--reactions``)
REACTIONS = {
    "as_shipped": [],
    "follower_at_list_price": ["competitors.follower.pricing.strategy=list"],
    "and_incumbent_passive": ["competitors.follower.pricing.strategy=list",
                              "competitors.incumbent.strategy.share_threshold=1.0",
                              "competitors.incumbent.strategy.observation_noise=0.0"],
}
LEVERS = {"budget": "firm.marketing.budget_per_week=90000",
          "price": "firm.pricing.list_price=259"}


def paired_npv(draws, lever, seeds, *rivals):
    a, b = _config(draws, *rivals), _config(draws, *rivals, lever)
    return np.array([run_scenario(b, s, kpis_only=True).kpis["npv"]
                     - run_scenario(a, s, kpis_only=True).kpis["npv"] for s in seeds])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--price-seeds", type=int, default=30)
    ap.add_argument("--tiny-seeds", type=int, default=8)
    ap.add_argument("--reactions", action="store_true",
                    help="also the paired sds with the rivals' reactions switched off")
    args = ap.parse_args(argv)
    result = {"benchmark": "paired_draws", "scenario": "baseline"}
    for draws in PATHS:
        pulse = np.array(pulse_effects(draws, range(args.seeds), facts.AD_STEP), dtype=float)
        tiny = np.array(pulse_effects(draws, range(args.tiny_seeds), 1.0001), dtype=float)[:, 2]
        budget = paired_npv(draws, LEVERS["budget"], range(args.seeds))
        price = paired_npv(draws, LEVERS["price"], range(args.price_seeds))
        result[draws] = {
            "pulse_short_term_mean": float(pulse[:, 0].mean()),
            "pulse_short_term_sd": float(pulse[:, 0].std(ddof=1)),
            "pulse_long_term_mean": float(pulse[:, 1].mean()),
            "pulse_long_term_sd": float(pulse[:, 1].std(ddof=1)),
            "tiny_pulse_max_effect": float(np.abs(tiny).max()),
            "budget_paired_mean": float(budget.mean()),
            "budget_paired_sd": float(budget.std(ddof=1)),
            "price_paired_mean": float(price.mean()),
            "price_paired_sd": float(price.std(ddof=1)),
        }
    g, c = result["generator"], result["counter"]
    result["sd_ratio_generator_over_counter"] = {
        k: g[k] / c[k] for k in ("pulse_long_term_sd", "pulse_short_term_sd",
                                 "budget_paired_sd", "price_paired_sd")}
    if args.reactions:
        result["reactions"] = {}
        for name, rivals in REACTIONS.items():
            row = {}
            for lever, override in LEVERS.items():
                d = paired_npv("counter", override, range(args.price_seeds), *rivals)
                row[f"{lever}_paired_mean"] = float(d.mean())
                row[f"{lever}_paired_sd"] = float(d.std(ddof=1))
            result["reactions"][name] = row
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(k, v)


if __name__ == "__main__":
    main()
