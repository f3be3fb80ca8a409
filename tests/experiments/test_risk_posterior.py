"""experiments.risk posterior=PATH: the Bass p, q and market size of each draw come from a
marketsim-fit posterior (joint rows, over the posterior mode), and a fitted market joins the
runner's search path. The fit's files are written here by hand: a one-segment market at the
mode and a posterior whose draws are known."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments import uncertainty as unc
from experiments.common import ExperimentError

MODE = {"p": 0.02, "q": 0.4, "m": 50_000.0}  # per period of half a year


def _fit_dir(root, rows, period_years=0.5):
    """A marketsim-fit output directory: posterior.csv/json and market/fitted.yaml."""
    (root / "market").mkdir(parents=True)
    pd.DataFrame(rows, columns=["p_per_year", "q_per_year", "m"]).to_csv(
        root / "posterior.csv", index=False)
    (root / "posterior.json").write_text(json.dumps(
        {"mode": MODE, "period_years": period_years}))
    seg = {"name": "all", "size": int(MODE["m"]), "p": MODE["p"] / period_years,
           "q": MODE["q"] / period_years}
    (root / "market" / "fitted.yaml").write_text(yaml.safe_dump({"name": "fitted",
                                                                 "segments": [seg]}))
    return root


def test_posterior_multipliers_are_draws_over_the_mode(tmp_path):
    rows = [[0.04, 0.8, 50_000.0], [0.08, 1.2, 25_000.0]]  # per year; the mode is 0.04, 0.8
    mult = unc.load_posterior(_fit_dir(tmp_path, rows) / "posterior.csv")
    np.testing.assert_allclose(mult, [[1.0, 1.0, 1.0], [2.0, 1.5, 0.5]])
    picked = unc.sample_posterior(mult, 2, seed=3)
    assert sorted(map(tuple, picked)) == sorted(map(tuple, mult))  # without replacement


@pytest.mark.parametrize("change,match", [
    ("no_csv", "no such file"),
    ("no_json", "posterior.json"),
    ("negative", "row 3, value -1.0"),
    ("no_column", "needs columns"),
])
def test_bad_posterior_gives_one_clear_error(tmp_path, change, match):
    root = _fit_dir(tmp_path, [[0.04, 0.8, 5e4], [0.05, 0.9, 6e4]])
    csv = root / "posterior.csv"
    if change == "no_csv":
        csv = root / "missing.csv"
    elif change == "no_json":
        (root / "posterior.json").unlink()
    elif change == "negative":
        csv.write_text("p_per_year,q_per_year,m\n0.04,0.8,5e4\n0.05,0.9,-1.0\n")
    else:
        csv.write_text("p,q,m\n0.04,0.8,5e4\n")
    with pytest.raises(ExperimentError, match=match):
        unc.load_posterior(csv)


def test_risk_runs_on_the_fitted_market_with_its_posterior(exp, tmp_path):
    rng = np.random.default_rng(0)
    n = 50
    rows = np.column_stack([0.04 * rng.lognormal(0, 0.3, n), 0.8 * rng.lognormal(0, 0.1, n),
                            5e4 * rng.lognormal(0, 0.2, n)])
    root = _fit_dir(tmp_path / "fit", rows)
    out = exp.run("risk", tmp_path / "risk", "scenario=bass_only",
                    f"hydra.searchpath=[file://{root}]", "market=fitted",
                    f"posterior={root / 'posterior.csv'}")
    draws = pd.read_csv(out / "draws.csv")
    mult = rows / np.array([0.04, 0.8, 5e4])
    got = draws[["market_p", "market_q", "market_size"]].to_numpy()
    # every draw is one posterior row, p, q and m together
    for row in got:
        assert np.isclose(mult, row).all(axis=1).any()
    # and each job ran the fitted segment at that row's values
    for meta in sorted((out / "sweep").glob("*/job.json")):
        job = json.loads(meta.read_text())
        option = dict(o.lstrip("+").split("=", 1) for o in job["overrides"] if "=" in o)
        if option["experiment_option"] == "nominal":
            continue
        cfg = json.loads((meta.parent / "config.json").read_text())
        seg = cfg["market"]["segments"][0]
        row = draws.set_index("option").loc[option["experiment_option"]]
        assert seg["p"] == pytest.approx(0.04 * row["market_p"], rel=1e-6)
        assert seg["q"] == pytest.approx(0.8 * row["market_q"], rel=1e-6)
        assert seg["size"] == pytest.approx(5e4 * row["market_size"], abs=1)
    assert "joint posterior draws" in (out / "report.md").read_text()
