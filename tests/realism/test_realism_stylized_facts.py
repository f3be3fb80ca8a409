"""The model against marketing science's published regularities, in the default suite:
``experiments.stylized_facts`` on the full five-year design with 10 seeds (the runner's
default is 20; docs/model.md 12 and docs/experiments.md report those), about 15 s of CPU.

A fact is *contradicted* when the model's whole 90% t interval over the seeds lies outside
the fact's published band; none may be. The interval, not the mean, is what is tested:
with 10 seeds the long-term advertising elasticity's mean sits at the band's floor (0.102
against 0.10 on seeds 0-9; 0.116 on 20 seeds), so a verdict on the mean would flip with
any change of the draws, while an elasticity of zero, a price elasticity of -0.5 or a
market that ignores a far price would still fail. The facts' own side conditions are
tested on the means: the category's part of the price effect is negative and smaller than
the brand's, and the long-term advertising elasticity exceeds the short-term one
(carry-over)."""

import math

import pandas as pd

from experiments.facts import FACT_NAMES

SEEDS = 10


def test_no_published_fact_is_contradicted(tmp_path):
    """One test, so that one worker of a parallel run makes the 90 runs (a module fixture
    shared by several tests was made once per worker)."""
    from experiments import stylized_facts

    assert stylized_facts.main([f"seeds={SEEDS}", f"out={tmp_path}"]) == 0
    summary = pd.read_csv(tmp_path / "summary.csv").set_index("fact")
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert summary.index.tolist() == FACT_NAMES
    assert len(runs) == SEEDS and (summary["seeds"] == SEEDS).all()
    contradicted = []
    for fact, row in summary.iterrows():
        lo, hi = float(row["ci_low"]), float(row["ci_high"])
        if not (math.isfinite(lo) and math.isfinite(hi)
                and hi >= row["band_low"] and lo <= row["band_high"]):
            contradicted.append(
                f"{fact}: the model's 90% interval [{lo:.4g}, {hi:.4g}] over {SEEDS} seeds "
                f"lies outside the published band [{row['band_low']:.4g}, "
                f"{row['band_high']:.4g}] ({row['source']})")
    assert not contradicted, "\n".join(contradicted)
    # the facts' side conditions, on the means
    mean = runs.mean(numeric_only=True)
    assert mean["category_price_elasticity"] < 0
    assert abs(mean["category_price_elasticity"]) < abs(mean["own_price_elasticity"])
    assert mean["advertising_elasticity_long_term"] > mean["advertising_elasticity_short_term"]
