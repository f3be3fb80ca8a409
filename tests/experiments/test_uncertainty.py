"""experiments/uncertainty.py: the input-uncertainty config, its Latin hypercube draws, the
overrides of a draw, and the statistics that split input uncertainty from seed noise."""

import csv
import io
import json
import math

import numpy as np
import pytest
from scipy import stats

from experiments import uncertainty as unc
from experiments.common import ExperimentError, base_config, parse_args
from sim.analogies import table_text


def _table(col):
    lines = [ln for ln in table_text().splitlines() if ln.strip() and not ln.startswith("#")]
    rows = [r for r in csv.DictReader(io.StringIO("\n".join(lines)))
            if r["source"] != "sultan_farley_lehmann_1990"]
    return np.array([float(r[col]) for r in rows])


@pytest.mark.parametrize("name,col", [("market_p", "p"), ("market_q", "q")])
def test_default_bass_spreads_are_the_analogy_tables(name, col):
    """sigma = interquartile range of log p (q) / 1.349; bounds = 10th and 90th percentiles
    over the median, recomputed from sim/data/analogies.csv."""
    inp = unc.load()[name]
    v = _table(col)
    q25, q75 = np.percentile(np.log(v), [25, 75])
    assert inp.params["sigma"] == pytest.approx((q75 - q25) / 1.349, abs=5e-4)
    p10, p50, p90 = np.percentile(v, [10, 50, 90])
    assert inp.params["low"] == pytest.approx(p10 / p50, rel=5e-3)
    assert inp.params["high"] == pytest.approx(p90 / p50, rel=5e-3)
    assert len(v) == 31


def test_every_input_is_defined_with_a_source():
    inputs = unc.load()
    assert list(inputs) == list(unc.INPUTS)
    for inp in inputs.values():
        assert inp.source


@pytest.mark.parametrize("n", [7, 50])
def test_latin_hypercube_hits_every_stratum_once(n):
    inputs = unc.load()
    x = unc.sample(inputs, n, seed=3)
    assert x.shape == (n, len(inputs))
    for j, inp in enumerate(inputs.values()):
        p = inp.params
        assert (x[:, j] >= p["low"] - 1e-12).all() and (x[:, j] <= p["high"] + 1e-12).all()
        # back to probabilities: exactly one draw per 1/n stratum
        if inp.dist == "triangular":
            w = p["high"] - p["low"]
            u = stats.triang.cdf(x[:, j], (p["mode"] - p["low"]) / w, loc=p["low"], scale=w)
        else:
            d = stats.lognorm(s=p["sigma"], scale=p["median"])
            lo, hi = d.cdf(p["low"]), d.cdf(p["high"])
            u = (d.cdf(x[:, j]) - lo) / (hi - lo)
        strata = np.floor(np.clip(u, 0, 1 - 1e-12) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_triangular_and_truncated_lognormal_quantiles():
    tri = unc.Input("unit_cost", "triangular", {"low": 0.9, "mode": 1.0, "high": 1.3}, "")
    # closed form: F(mode) = (mode - low) / (high - low)
    assert tri.ppf(np.array([0.25]))[0] == pytest.approx(1.0)
    ln = unc.Input("market_p", "lognormal", {"median": 1.0, "sigma": 1.0, "low": 1e-9,
                                              "high": 1e9}, "")
    assert ln.ppf(np.array([0.5]))[0] == pytest.approx(1.0, rel=1e-6)
    assert ln.ppf(np.array([0.8413447]))[0] == pytest.approx(math.e, rel=1e-4)


@pytest.mark.parametrize("text,words", [
    ("inputs: {market_x: {dist: uniform, low: 0, high: 1}}", "inputs.market_x is not an input"),
    ("inputs: {market_p: {dist: normal}}", "inputs.market_p.dist must be one of"),
    ("inputs: {unit_cost: {dist: triangular, low: 0.9, mode: 2, high: 1.3}}",
     "inputs.unit_cost.mode must lie in [low, high]"),
    ("inputs: {unit_cost: {dist: uniform, low: 0.9}}", "inputs.unit_cost.high must be a number"),
    ("inputs: {unit_cost: {dist: uniform, low: 0, high: 1}}", "inputs.unit_cost.low must be > 0"),
    ("nothing: 1", "needs an 'inputs' mapping"),
])
def test_bad_uncertainty_files_name_the_key(tmp_path, text, words):
    path = tmp_path / "u.yaml"
    path.write_text(text)
    with pytest.raises(ExperimentError, match=None) as e:
        unc.load(path)
    assert words in str(e.value)


def test_missing_file_is_one_error(tmp_path):
    with pytest.raises(ExperimentError, match="no such file"):
        unc.load(tmp_path / "none.yaml")


def test_overrides_scale_the_scenario_and_keep_the_outside_good_consistent():
    base = base_config(parse_args("risk", [], {}))
    values = {"market_p": 0.5, "market_q": 2.0, "market_size": 0.8, "price_sensitivity": 1.2,
              "unit_cost": 1.1, "rival_price_cut": 2.0}
    ovr = unc.overrides_for(base, values)
    segs = json.loads(next(o for o in ovr if o.startswith("market.segments="))
                      .split("=", 1)[1])
    for new, old in zip(segs, base.market.segments, strict=True):
        assert new["p"] == pytest.approx(old.p * 0.5)
        assert new["q"] == pytest.approx(old.q * 2.0)
        assert new["size"] == round(old.size * 0.8)
        assert new["price_sensitivity"] == pytest.approx(old.price_sensitivity * 1.2)
        # a product meeting expectations at the reference price keeps its margin over the
        # outside good: outside_utility + ps * ln(reference_price) is unchanged
        lhs = new["outside_utility"] + new["price_sensitivity"] * math.log(old.reference_price)
        rhs = old.outside_utility + old.price_sensitivity * math.log(old.reference_price)
        assert lhs == pytest.approx(rhs, abs=1e-5)
    cost = float(next(o for o in ovr if o.startswith("firm.production.unit_cost=")).split("=")[1])
    assert cost == pytest.approx(base.firm.production.unit_cost * 1.1, abs=1e-3)
    cut = [o for o in ovr if ".strategy.price_cut=" in o]
    assert cut == [f"competitors.incumbent.strategy.price_cut="
                   f"{round(base.competitors['incumbent'].strategy.price_cut * 2, 4)}"]


def test_market_size_never_falls_below_the_installed_base():
    base = base_config(parse_args("risk", [], {}))
    segs = json.loads(unc.overrides_for(base, {"market_size": 1e-6})[0].split("=", 1)[1])
    held = {s: sum(f.initial_installed_base.get(s, 0) for f in base.firms)
            for s in (x.name for x in base.market.segments)}
    assert [s["size"] for s in segs] == [max(held[s["name"]], 1) for s in segs]


def test_variance_split_recovers_known_components():
    """NPV = a(draw) + e(draw, seed) with sd(a) = 3 and sd(e) = 2: the split estimates 9 and
    4 (a random-effects ANOVA, unbiased)."""
    rng = np.random.default_rng(1)
    npv = rng.normal(0, 3, (4000, 1)) + rng.normal(0, 2, (4000, 4))
    s = unc.variance_split(npv)
    assert s["var_inputs"] == pytest.approx(9, rel=0.06)
    assert s["var_seeds"] == pytest.approx(4, rel=0.03)
    assert s["share_inputs"] == pytest.approx(9 / 13, abs=0.02)


def test_pure_seed_noise_gives_no_input_share():
    rng = np.random.default_rng(2)
    s = unc.variance_split(rng.normal(0, 1, (3000, 3)))
    assert s["share_inputs"] < 0.03


def test_expected_shortfall_and_wilson():
    v = np.arange(1, 101, dtype=float) - 50.5  # -49.5 .. 49.5
    assert unc.expected_shortfall(v, 0.1) == pytest.approx(np.mean(v[:10]))
    lo, hi = unc.wilson(0, 40)
    assert lo == 0.0 and 0.05 < hi < 0.07  # 90% Wilson upper bound with 0 of 40: 0.063
    lo, hi = unc.wilson(20, 40)
    assert lo < 0.5 < hi


def test_drivers_find_the_input_that_makes_the_loss():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, (1000, 3))
    npv = (5 * x[:, [1]] - 2) + rng.normal(0, 0.3, (1000, 2))
    d = {r["input"]: r for r in unc.drivers(x, npv, ["a", "b", "c"])}
    assert d["b"]["rank_corr"] > 0.9 and abs(d["a"]["rank_corr"]) < 0.1
    assert d["b"]["tail_shift_sd"] < -1.2  # the worst runs had low b
    assert d["b"]["mean_loss"] < d["b"]["mean_all"]


def test_cluster_bootstrap_interval_covers_the_estimate():
    rng = np.random.default_rng(5)
    npv = rng.normal(1, 2, (60, 3))
    ci = unc.cluster_bootstrap(npv, unc.risk_stats, n_boot=300)
    est = unc.risk_stats(npv)
    for k in ("prob_loss", "es"):
        assert ci[k][0] <= est[k] <= ci[k][1]


def test_one_seed_per_draw_cannot_split_the_variance():
    # it used to say inputs explain 100% (the draw means carry all the seed noise)
    s = unc.variance_split(np.random.default_rng(0).normal(0, 1, (50, 1)))
    assert all(np.isnan(v) for v in s.values())
    ci = unc.cluster_bootstrap(np.random.default_rng(1).normal(0, 1, (20, 1)),
                               lambda a: unc.risk_stats(a), n_boot=200)
    assert np.isnan(ci["share_inputs"]).all() and np.isfinite(ci["prob_loss"]).all()
