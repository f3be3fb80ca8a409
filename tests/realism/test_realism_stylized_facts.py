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
import pytest

from experiments.facts import FACT_NAMES

SEEDS = 10


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    from experiments import stylized_facts

    out = tmp_path_factory.mktemp("facts")
    assert stylized_facts.main([f"seeds={SEEDS}", f"out={out}"]) == 0
    return (pd.read_csv(out / "summary.csv").set_index("fact"),
            pd.read_csv(out / "runs.csv"))


def test_every_fact_was_measured_on_every_seed(facts):
    summary, runs = facts
    assert summary.index.tolist() == FACT_NAMES
    assert len(runs) == SEEDS and (summary["seeds"] == SEEDS).all()


@pytest.mark.parametrize("fact", FACT_NAMES)
def test_no_published_fact_is_contradicted(facts, fact):
    summary, _ = facts
    row = summary.loc[fact]
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    assert math.isfinite(lo) and math.isfinite(hi), (fact, lo, hi)
    assert hi >= row["band_low"] and lo <= row["band_high"], (
        f"{fact}: the model's 90% interval [{lo:.4g}, {hi:.4g}] over {SEEDS} seeds lies "
        f"outside the published band [{row['band_low']:.4g}, {row['band_high']:.4g}] "
        f"({row['source']})")


def test_the_facts_side_conditions_hold_on_the_means(facts):
    _, runs = facts
    mean = runs.mean(numeric_only=True)
    assert mean["category_price_elasticity"] < 0
    assert abs(mean["category_price_elasticity"]) < abs(mean["own_price_elasticity"])
    assert mean["advertising_elasticity_long_term"] > mean["advertising_elasticity_short_term"]
