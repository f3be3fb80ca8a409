"""Perceptual-map geometry: where products and segment ideal points sit in attribute space.

Pure computation (NumPy and pandas, no plotting): ``layout(results)`` returns the 2-D
positions that ``sim.plots.perceptual_map`` draws.

- ``method="attributes"`` plots two attributes themselves (interpretable axes): unless
  ``axes`` names them, the two most informative ones: attributes on which some segment has
  an ideal point first, then by the spread of all plotted positions (products after launch
  and ideal points, over the whole run) times the segments' size-weighted mean weight on
  the attribute.
- ``method="mds"``: classical (Torgerson 1952) multidimensional scaling of all attributes:
  double-centre the squared Euclidean distances between all positions, ``B = -1/2 J D^2
  J``, and take the top two eigenvectors scaled by the square roots of their eigenvalues.
  Attribute directions (and segments' preference vectors) are projected with the linear
  map from centred attributes to MDS coordinates (exact for Euclidean distances).

A segment with an ideal level on both plotted axes is a point with a trail (its drift); one
with no ideal on them is drawn as a preference vector (the direction its attribute weights
point: more is better); one with an ideal on one axis only as a line at that level.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.config import ATTRIBUTES
from sim.units import DAYS_PER_QUARTER, steps_in


@dataclass
class MapLayout:
    xlabel: str
    ylabel: str
    products: list = field(default_factory=list)  # dicts: firm, product, trail (n,2), launched, share
    segments: list = field(default_factory=list)  # dicts: segment, size, trail | vector | line
    attribute_arrows: list = field(default_factory=list)  # (attribute, (dx, dy)) for MDS


def classical_mds(points, dims: int = 2):
    """Torgerson's classical MDS of ``points`` (n, K): coordinates (n, dims) and the share
    of variance of each dimension (dims,). Signs are fixed so each axis's coordinates have
    a non-negative sum of the first coordinates' direction (deterministic)."""
    x = np.asarray(points, dtype=float)
    n = x.shape[0]
    d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=-1)
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ d2 @ j
    vals, vecs = np.linalg.eigh((b + b.T) / 2.0)
    order = np.argsort(vals)[::-1][:dims]
    lam = np.clip(vals[order], 0.0, None)
    coords = vecs[:, order] * np.sqrt(lam)
    for d in range(coords.shape[1]):
        col = coords[:, d]
        pivot = col[np.argmax(np.abs(col))] if len(col) else 0.0
        if pivot < 0:
            coords[:, d] = -col
    total = np.clip(vals, 0.0, None).sum()
    share = lam / total if total > 0 else np.zeros_like(lam)
    return coords, share


def _products(results):
    ts = results.timeseries.sort_values("t", kind="stable")
    out = []
    lines = ts.groupby("firm")["product"].nunique()
    for (firm, product), rows in ts.groupby(["firm", "product"], sort=False):
        cols = [a for a in ATTRIBUTES if a in rows]
        on = rows[rows["launched"]] if "launched" in rows else rows
        launched = len(on) > 0
        pts = (on if launched else rows.tail(1))[cols].to_numpy(dtype=float)
        # unit share over the last quarter (in days, whatever the step length)
        last = rows[rows["t"] > rows["t"].max() - DAYS_PER_QUARTER]
        share = float(last["market_share"].mean()) if launched else 0.0
        # a firm with a product line labels each product: "us hub_lite"
        label = firm if lines[firm] == 1 else f"{firm} {product}"
        out.append({"firm": firm, "product": str(product), "points": pts,
                    "launched": launched, "share": share, "label": label})
    return out


def _segments(results):
    cfg = results.config.market.segments
    prefs = (results.preferences.sort_values("t", kind="stable") if len(results.preferences)
             else None)
    out = []
    for s in cfg:
        has = np.array([a in s.ideal_point for a in ATTRIBUTES])
        if prefs is not None and has.any():
            rows = prefs[prefs["segment"] == s.name]
            ideals = rows[[f"ideal_{a}" for a in ATTRIBUTES]].to_numpy(dtype=float)
        elif has.any():
            ideals = np.array([[s.ideal_point.get(a, np.nan) for a in ATTRIBUTES]])
        else:
            ideals = np.full((1, len(ATTRIBUTES)), np.nan)
        out.append({"segment": s.name, "size": s.size, "has": has, "ideals": ideals,
                    "weights": np.array([s.attribute_weights.get(a, 0.0) for a in ATTRIBUTES])})
    return out


def informative_axes(products, segments) -> tuple:
    """Indices of the two attributes with the largest spread x importance (docstring)."""
    pts = [p["points"] for p in products if p["launched"]] or [p["points"] for p in products]
    pts += [s["ideals"] for s in segments]
    allp = np.vstack(pts) if pts else np.zeros((0, len(ATTRIBUTES)))
    spread = np.array([np.nanstd(c) if np.isfinite(c).sum() > 1 else 0.0 for c in allp.T])
    sizes = np.array([s["size"] for s in segments], dtype=float)
    w = np.array([s["weights"] for s in segments])
    importance = np.abs(sizes @ w) / max(sizes.sum(), 1.0)
    score = spread * importance + 1e-9 * importance  # ties (no spread): by importance
    # the map is about where products sit against what segments want: attributes with an
    # ideal point come first
    ideal = np.array([any(s["has"][k] for s in segments) for k in range(len(ATTRIBUTES))])
    order = sorted(range(len(ATTRIBUTES)), key=lambda k: (not ideal[k], -score[k]))
    top = sorted(order[:2])
    return int(top[0]), int(top[1])


def layout(results, method: str = "attributes", axes=None) -> MapLayout:
    """Positions of products and segments for the perceptual map (module docstring)."""
    if method not in ("attributes", "mds"):
        raise ValueError(f"method must be 'attributes' or 'mds', got {method!r}")
    products = _products(results)
    segments = _segments(results)
    if method == "mds":
        return _mds_layout(products, segments, results.config.dt_days)
    if axes is None:
        kx, ky = informative_axes(products, segments)
    else:
        if len(axes) != 2 or any(a not in ATTRIBUTES for a in axes) or axes[0] == axes[1]:
            raise ValueError(f"axes must name two different attributes of {ATTRIBUTES}, got {axes!r}")
        kx, ky = ATTRIBUTES.index(axes[0]), ATTRIBUTES.index(axes[1])
    out = MapLayout(xlabel=ATTRIBUTES[kx], ylabel=ATTRIBUTES[ky])
    for p in products:
        out.products.append({**p, "trail": p["points"][:, [kx, ky]]})
    for s in segments:
        entry = {"segment": s["segment"], "size": s["size"]}
        hx, hy = s["has"][kx], s["has"][ky]
        if hx and hy:
            entry["trail"] = s["ideals"][:, [kx, ky]]
        elif hx or hy:
            k = kx if hx else ky
            entry["line"] = (0 if hx else 1, float(s["ideals"][-1, k]))
        else:
            entry["vector"] = s["weights"][[kx, ky]]
        out.segments.append(entry)
    return out


def _mds_layout(products, segments, dt_days: float) -> MapLayout:
    every = steps_in(DAYS_PER_QUARTER, dt_days)  # one point a quarter along each trail
    blocks, owners = [], []
    for i, p in enumerate(products):
        pts = p["points"]
        take = np.unique(np.r_[np.arange(0, len(pts), every), len(pts) - 1])
        blocks.append(pts[take])
        owners += [("p", i)] * len(take)
    for i, s in enumerate(segments):
        if s["has"].all():
            ideals = s["ideals"]
            take = np.unique(np.r_[np.arange(0, len(ideals), every), len(ideals) - 1])
            blocks.append(ideals[take])
            owners += [("s", i)] * len(take)
    x = np.vstack(blocks)
    coords, share = classical_mds(x)
    centred = x - x.mean(axis=0)
    proj, *_ = np.linalg.lstsq(centred, coords, rcond=None)  # (K, 2): attributes -> map
    out = MapLayout(xlabel=f"MDS dimension 1 ({share[0]:.0%} of variance)",
                    ylabel=f"MDS dimension 2 ({share[1]:.0%} of variance)")
    owners_arr = np.array([f"{k}{i}" for k, i in owners])
    for i, p in enumerate(products):
        out.products.append({**p, "trail": coords[owners_arr == f"p{i}"]})
    for i, s in enumerate(segments):
        entry = {"segment": s["segment"], "size": s["size"]}
        if s["has"].all():
            entry["trail"] = coords[owners_arr == f"s{i}"]
        else:
            entry["vector"] = s["weights"] @ proj
        out.segments.append(entry)
    out.attribute_arrows = [(a, proj[k]) for k, a in enumerate(ATTRIBUTES)]
    return out


def final_positions(layout_: MapLayout) -> pd.DataFrame:
    """One row per product and segment point: name, kind, x, y (for tables and tests)."""
    rows = [{"name": p["label"], "kind": "product", "x": p["trail"][-1, 0], "y": p["trail"][-1, 1]}
            for p in layout_.products]
    rows += [{"name": s["segment"], "kind": "ideal", "x": s["trail"][-1, 0], "y": s["trail"][-1, 1]}
             for s in layout_.segments if "trail" in s]
    return pd.DataFrame(rows, columns=["name", "kind", "x", "y"])
