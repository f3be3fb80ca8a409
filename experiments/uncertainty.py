"""Input uncertainty for the risk runner: distributions of what we assumed, Latin hypercube
draws of them, the marketsim overrides of one draw, and the statistics that separate input
uncertainty from seed noise.

The distributions live in ``configs/uncertainty.yaml`` (``sim.configs`` once installed);
every input is a multiplier on the scenario's configured value. ``sample`` draws ``n``
points by Latin hypercube (``scipy.stats.qmc.LatinHypercube``: each input's range is cut
into ``n`` equally likely strata and every stratum is hit once) and maps them through each
distribution's quantile function. ``overrides_for`` turns one draw into marketsim overrides.
"""

from __future__ import annotations

import dataclasses
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from scipy import stats
from scipy.stats import qmc

from experiments.options import ExperimentError

INPUTS = {
    "market_p": "Bass p, innovation (x scenario)",
    "market_q": "Bass q, imitation (x scenario)",
    "market_size": "market size (x scenario)",
    "price_sensitivity": "price sensitivity (x scenario)",
    "unit_cost": "our unit cost (x scenario)",
    "rival_price_cut": "rivals' defensive price cut (x scenario)",
}
DISTS = {"lognormal": ("median", "sigma", "low", "high"), "triangular": ("low", "mode", "high"),
         "uniform": ("low", "high")}
CUTTERS = ("incumbent", "disruptor")  # rival strategies whose price_cut is used
MAX_PRICE_CUT = 0.9


@dataclasses.dataclass(frozen=True)
class Input:
    """One uncertain input: its distribution and where the spread comes from."""

    name: str
    dist: str
    params: dict
    source: str

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The quantile function of the input's distribution at ``u`` in [0, 1)."""
        p = self.params
        if self.dist == "uniform":
            return p["low"] + u * (p["high"] - p["low"])
        if self.dist == "triangular":
            width = p["high"] - p["low"]
            c = (p["mode"] - p["low"]) / width if width > 0 else 0.5
            return stats.triang.ppf(u, c, loc=p["low"], scale=width)
        dist = stats.lognorm(s=p["sigma"], scale=p["median"])  # truncated to [low, high]
        lo, hi = dist.cdf(p["low"]), dist.cdf(p["high"])
        return dist.ppf(lo + u * (hi - lo))

    def describe(self) -> str:
        p = self.params
        if self.dist == "posterior":
            return (f"joint posterior draws of marketsim-fit, median {p['median']:.3g}, 90% of "
                    f"draws in [{p['q05']:.3g}, {p['q95']:.3g}] (x the posterior mode)")
        if self.dist == "lognormal":
            return (f"lognormal, median {p['median']:g}, sd of log {p['sigma']:g}, truncated to "
                    f"[{p['low']:g}, {p['high']:g}]")
        if self.dist == "triangular":
            return f"triangular {p['low']:g} / {p['mode']:g} / {p['high']:g}"
        return f"uniform [{p['low']:g}, {p['high']:g}]"


def default_path():
    """The shipped ``uncertainty.yaml`` (repository ``configs/``, or ``sim.configs``)."""
    return resources.files("sim.configs").joinpath("uncertainty.yaml")


def load(path=None) -> dict[str, Input]:
    """Name -> Input from an uncertainty YAML; bad input raises one ExperimentError naming the
    key and the value."""
    src = default_path() if path is None else Path(path)
    if path is not None and not src.is_file():
        raise ExperimentError(f"uncertainty must be a YAML file, got {str(path)!r} (no such file)")
    try:
        doc = yaml.safe_load(src.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ExperimentError(f"uncertainty: {src} is not valid YAML ({e})") from None
    raw = doc.get("inputs") if isinstance(doc, dict) else None
    if not isinstance(raw, dict) or not raw:
        raise ExperimentError(f"uncertainty: {src} needs an 'inputs' mapping, got {raw!r}")
    out = {}
    for name, spec in raw.items():
        key = f"inputs.{name}"
        if name not in INPUTS:
            raise ExperimentError(f"uncertainty: {key} is not an input; inputs are "
                                  f"{', '.join(INPUTS)}")
        if not isinstance(spec, dict) or spec.get("dist") not in DISTS:
            got = spec.get("dist") if isinstance(spec, dict) else spec
            raise ExperimentError(f"uncertainty: {key}.dist must be one of "
                                  f"{', '.join(DISTS)}, got {got!r}")
        params = {}
        for field in DISTS[spec["dist"]]:
            value = spec.get(field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0:
                raise ExperimentError(f"uncertainty: {key}.{field} must be a number >= 0, "
                                      f"got {value!r}")
            params[field] = float(value)
        _check_shape(key, spec["dist"], params)
        out[name] = Input(name, spec["dist"], params, str(spec.get("source", "assumption")))
    return out


POSTERIOR_INPUTS = ("market_p", "market_q", "market_size")
POSTERIOR_COLUMNS = ("p_per_year", "q_per_year", "m")


def load_posterior(path) -> np.ndarray:
    """Multipliers (market_p, market_q, market_size) of every draw of a ``marketsim-fit``
    posterior: ``posterior.csv``'s p, q (per year) and m over the posterior mode in the
    ``posterior.json`` beside it. Bad input raises one ExperimentError naming the file and
    the value."""
    src = Path(path)
    if not src.is_file():
        raise ExperimentError(f"posterior must be marketsim-fit's posterior.csv, got "
                              f"{str(path)!r} (no such file)")
    meta = src.with_suffix(".json")
    if not meta.is_file():
        raise ExperimentError(f"posterior: {str(meta)!r} (the fit's posterior.json, beside "
                              f"{src.name}) is missing")
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        mode, years = info["mode"], float(info["period_years"])
        centre = np.array([mode["p"] / years, mode["q"] / years, mode["m"]], dtype=float)
    except (ValueError, KeyError, TypeError) as e:
        raise ExperimentError(f"posterior: {meta} has no mode p, q, m and period_years "
                              f"({e!r})") from None
    try:
        draws = np.genfromtxt(src, delimiter=",", names=True, dtype=float)
        table = np.column_stack([np.atleast_1d(draws[c]) for c in POSTERIOR_COLUMNS])
    except (ValueError, TypeError) as e:
        raise ExperimentError(f"posterior: {src} needs columns {', '.join(POSTERIOR_COLUMNS)} "
                              f"({e})") from None
    bad = ~np.isfinite(table) | (table <= 0)
    if not len(table) or bad.any() or not (np.isfinite(centre).all() and (centre > 0).all()):
        where = (f"row {int(np.argwhere(bad)[0][0]) + 2}, value "
                 f"{float(table[bad][0])!r}" if bad.any() else f"mode {centre.tolist()}")
        raise ExperimentError(f"posterior: {src} needs positive finite draws and mode, got "
                              f"{where}" if len(table) else f"posterior: {src} has no draws")
    return table / centre


def posterior_inputs(mult: np.ndarray, path) -> dict[str, Input]:
    """The three posterior inputs, described by their draws (the report's assumptions)."""
    out = {}
    for j, name in enumerate(POSTERIOR_INPUTS):
        col = mult[:, j]
        q05, med, q95 = np.quantile(col, [0.05, 0.5, 0.95])
        out[name] = Input(name, "posterior", {"median": float(med), "q05": float(q05),
                                              "q95": float(q95)},
                          f"the posterior of a marketsim-fit calibration ({path}): p, q and m "
                          "drawn together, so their correlation is kept")
    return out


def sample_posterior(mult: np.ndarray, n: int, seed: int = 12345) -> np.ndarray:
    """``n`` joint draws (rows of ``mult``): without replacement when there are enough."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(mult), size=n, replace=len(mult) < n)
    return mult[rows]


def _check_shape(key, dist, p):
    if p["low"] > p["high"]:
        raise ExperimentError(f"uncertainty: {key}.low must be <= high, got low={p['low']:g}, "
                              f"high={p['high']:g}")
    if dist == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        raise ExperimentError(f"uncertainty: {key}.mode must lie in [low, high] = "
                              f"[{p['low']:g}, {p['high']:g}], got {p['mode']:g}")
    if dist == "lognormal":
        if p["median"] <= 0 or p["sigma"] <= 0 or p["low"] <= 0 or p["low"] >= p["high"]:
            raise ExperimentError(f"uncertainty: {key} needs median > 0, sigma > 0 and "
                                  f"0 < low < high, got {p}")
    if key.endswith(("market_p", "market_q", "market_size", "price_sensitivity", "unit_cost")) \
            and p["low"] <= 0:
        raise ExperimentError(f"uncertainty: {key}.low must be > 0 (a multiplier of a positive "
                              f"value), got {p['low']:g}")


def sample(inputs: dict[str, Input], n: int, seed: int = 12345) -> np.ndarray:
    """``n`` Latin hypercube draws, one row per draw, one column per input (in order)."""
    u = qmc.LatinHypercube(d=len(inputs), seed=seed).random(n)
    return np.column_stack([inp.ppf(u[:, j]) for j, inp in enumerate(inputs.values())])


def cutters(base) -> list:
    """The rivals whose strategy has a defensive price cut."""
    return [k for k, c in base.competitors.items() if c.strategy.kind in CUTTERS]


def overrides_for(base, values: dict) -> list:
    """Marketsim overrides that apply the multipliers in ``values`` to the composed config
    ``base`` (inputs not in ``values`` stay as configured)."""
    out = []
    seg_inputs = ("market_p", "market_q", "market_size", "price_sensitivity")
    if any(k in values for k in seg_inputs):
        held = {}
        for firm in base.firms:
            for seg, n in firm.initial_installed_base.items():
                held[seg] = held.get(seg, 0) + int(n)
        segments = []
        for seg in base.market.segments:
            d = dataclasses.asdict(seg)
            if "market_p" in values:
                d["p"] = round(d["p"] * values["market_p"], 8)
            if "market_q" in values:
                d["q"] = round(d["q"] * values["market_q"], 8)
            if "market_size" in values:
                d["size"] = max(int(round(d["size"] * values["market_size"])),
                                held.get(seg.name, 0), 1)
            if "price_sensitivity" in values:
                new = d["price_sensitivity"] * values["price_sensitivity"]
                shift = (new - d["price_sensitivity"]) * math.log(d["reference_price"])
                d["price_sensitivity"] = round(new, 6)
                if d["outside_utility"] is not None:  # None: no outside option to move
                    d["outside_utility"] = round(d["outside_utility"] - shift, 6)
            segments.append(d)
        out.append("market.segments=" + json.dumps(segments))
        if base.market.analogy is not None:
            out.append("market.analogy=null")  # it would overwrite the drawn p and q
    if "unit_cost" in values:
        out.append("firm.production.unit_cost="
                   f"{round(base.firm.production.unit_cost * values['unit_cost'], 4)}")
    if "rival_price_cut" in values:
        for k in cutters(base):
            cut = min(base.competitors[k].strategy.price_cut * values["rival_price_cut"],
                      MAX_PRICE_CUT)
            out.append(f"competitors.{k}.strategy.price_cut={round(cut, 4)}")
    return out


def variance_split(npv: np.ndarray) -> dict:
    """One-way random-effects split of the variance of ``npv`` (draws x seeds, every draw on
    the same seeds): seed noise is the mean within-draw variance; input uncertainty is the
    variance of the draw means less the seed noise they still carry (``/ seeds``), floored
    at 0. Shares are of their sum. With one seed per draw the two cannot be told apart:
    every figure is NaN (it used to give inputs 100%)."""
    k = npv.shape[1]
    if k < 2:
        return {"var_inputs": float("nan"), "var_seeds": float("nan"),
                "share_inputs": float("nan")}
    within = float(npv.var(axis=1, ddof=1).mean())
    between = max(float(npv.mean(axis=1).var(ddof=1)) - within / k, 0.0)
    total = between + within
    share = between / total if total > 0 else float("nan")
    return {"var_inputs": between, "var_seeds": within, "share_inputs": share}


def expected_shortfall(npv: np.ndarray, tail: float = 0.1) -> float:
    """Mean of the worst ``tail`` share of ``npv`` (at least one value)."""
    v = np.sort(np.ravel(npv))
    return float(v[: max(1, int(math.ceil(tail * len(v))))].mean())


def risk_stats(npv: np.ndarray, tail: float = 0.1) -> dict:
    """P(loss), expected shortfall and the variance split of a draws x seeds NPV array."""
    return {"prob_loss": float((npv < 0).mean()), "es": expected_shortfall(npv, tail),
            **variance_split(npv)}


def cluster_bootstrap(npv: np.ndarray, fn, n_boot: int = 2000, level: float = 0.9,
                      seed: int = 0) -> dict:
    """Percentile intervals of ``fn(npv)`` (a dict of numbers) resampling whole draws (the
    independent units; a draw's seeds stay together)."""
    rng = np.random.default_rng(seed)
    rows = [fn(npv[rng.integers(0, len(npv), len(npv))]) for _ in range(n_boot)]
    a = (1 - level) / 2
    out = {}
    for k in rows[0]:
        v = np.array([r[k] for r in rows], dtype=float)
        v = v[np.isfinite(v)]  # a figure that is NaN in every resample has no interval
        out[k] = ((float(np.quantile(v, a)), float(np.quantile(v, 1 - a))) if len(v)
                  else (float("nan"), float("nan")))
    return out


def wilson(k: int, n: int, z: float = 1.6449) -> tuple:
    """Wilson score interval of a proportion k/n (90% by default)."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def drivers(x: np.ndarray, npv: np.ndarray, names, tail: float = 0.1) -> list[dict]:
    """Per input: Spearman rank correlation of the input with NPV over all runs (draws x
    seeds), and how far the input's mean in the worst ``tail`` of runs sits from its mean
    over all runs, in its standard deviations (negative: the bad runs had low values)."""
    k = npv.shape[1]
    xr = np.repeat(x, k, axis=0)
    y = npv.ravel()
    worst = y <= np.sort(y)[max(1, int(math.ceil(tail * len(y)))) - 1]
    out = []
    for j, name in enumerate(names):
        col = xr[:, j]
        rho = float(stats.spearmanr(col, y)[0]) if col.std() > 0 and y.std() > 0 else 0.0
        sd = col.std()
        shift = float((col[worst].mean() - col.mean()) / sd) if sd > 0 else 0.0
        out.append({"input": name, "rank_corr": rho, "tail_shift_sd": shift,
                    "mean_all": float(col.mean()), "mean_worst": float(col[worst].mean()),
                    "mean_loss": float(col[y < 0].mean()) if (y < 0).any() else float("nan")})
    return out


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.uncertainty")
