"""The perceptual map: products and segment ideal points in attribute space, with trails.

The geometry (positions, MDS) is ``sim.results.perceptual``; this module only draws it.
"""

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from sim.plots.labels import place_labels
from sim.plots.style import product_styles, style


def _radius_pt(area: float, marker: str = "o") -> float:
    """The radius in points of the circle around a scatter marker of area ``s`` (points
    squared): half its side, times sqrt(2) for a shape with corners."""
    return float(np.sqrt(area)) / 2.0 * (1.0 if marker in ("o", "*") else 1.42)


def perceptual_map(results, ax=None, method: str = "attributes", axes=None):
    """Perceptual map of a run: products and segment ideal points, with trails over time.

    Products: their attributes from launch (small dot) to the end of the run (large dot,
    area ~ unit share over the last quarter); a hollow marker for a product never
    launched. Segments: ideal points as stars (area ~ size) with their drift as a dashed
    trail from the open star (day 0); a segment without an ideal on the plotted axes as a
    preference vector (an arrow from the centre: the direction its attribute weights
    favour). A firm's products share its colour in shades, each with its own marker;
    labels sit beside the markers, not on them (``sim.plots.labels``). ``method``:
    "attributes" (the two most informative attributes, or ``axes=("quality",
    "features")``) or "mds" (classical MDS of all attributes, ``sim.results.perceptual``).
    Returns the matplotlib Axes.
    """
    from matplotlib.lines import Line2D

    from sim.results.perceptual import layout

    lay = layout(results, method=method, axes=axes)
    if ax is None:  # a caller's own Axes keep the caller's style
        style()
        _, ax = plt.subplots(figsize=(11, 7))
    looks = product_styles(lay.products)
    seg_colors = sns.color_palette("dark", max(len(lay.segments), 1))
    sizes = np.array([s["size"] for s in lay.segments], dtype=float)
    pts = [p["trail"] for p in lay.products] + [s["trail"] for s in lay.segments if "trail" in s]
    allp = np.vstack(pts)
    for s in lay.segments:  # an ideal level on one axis only: keep its line in view
        if "line" in s:
            axis, value = s["line"]
            extra = allp[:1].copy()
            extra[0, axis] = value
            allp = np.vstack([allp, extra])
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = np.maximum((hi - lo) * 0.15, 0.05)
    centre = (lo + hi) / 2.0
    half = (hi - lo) / 2.0 + pad * 0.5
    handles, labels, segment_labels, discs, lines = [], [], [], [], []
    for p in lay.products:
        (c, mk), tr = looks[(p["firm"], p["product"])], p["trail"]
        label = f"{p['firm']} ({p['product']})"
        if not p["launched"]:
            ax.scatter(*tr[-1], s=90, marker=mk, facecolors="none", edgecolors=c, lw=1.5,
                       zorder=3)
            discs.append((*tr[-1], _radius_pt(90, mk)))
            labels.append((ax.annotate(f"{p['label']}: not launched", tr[-1], xytext=(6, -12),
                                       textcoords="offset points", color=c, fontsize=9),
                           _radius_pt(90, mk)))
            handles.append(Line2D([], [], marker=mk, mfc="none", color=c, ls="",
                                  label=f"{label}: not launched"))
            continue
        ax.plot(tr[:, 0], tr[:, 1], color=c, lw=1.6, alpha=0.8)
        lines.append(tr)
        if len(tr) > 1 and np.any(tr[-1] != tr[-2]):
            ax.annotate("", tr[-1], xytext=tr[-2],
                        arrowprops=dict(arrowstyle="-|>", color=c, lw=1.6))
        area = 60 + 900 * p["share"]
        ax.scatter(*tr[0], s=25, marker=mk, color=c, alpha=0.6, zorder=3)
        ax.scatter(*tr[-1], s=area, marker=mk, color=c, edgecolors="black", lw=0.6, zorder=4)
        discs += [(*tr[0], _radius_pt(25, mk)), (*tr[-1], _radius_pt(area, mk) + 0.6)]
        labels.append((ax.annotate(p["label"], tr[-1], xytext=(8, 6), textcoords="offset points",
                                   color=c, fontsize=10, fontweight="bold"),
                       _radius_pt(area, mk) + 0.6))
        handles.append(Line2D([], [], marker=mk, color=c, ms=8, mec="black", mew=0.5,
                              label=f"{label}: {p['share']:.0%} unit share (last quarter)"))
    vectors: dict = {}  # segments whose preference vectors point the same way share one
    for k, s in enumerate(lay.segments):
        c = seg_colors[k % len(seg_colors)]
        if "trail" in s:
            tr = s["trail"]
            area = 120 + 500 * s["size"] / max(sizes.max(), 1.0)
            ax.plot(tr[:, 0], tr[:, 1], color=c, lw=1.2, ls="--", alpha=0.8)
            lines.append(tr)
            ax.scatter(*tr[0], s=area * 0.5, marker="*", facecolors="none", edgecolors=c,
                       zorder=3)
            ax.scatter(*tr[-1], s=area, marker="*", color=c, edgecolors="black", lw=0.5,
                       zorder=5)
            discs += [(*tr[0], _radius_pt(area * 0.5)), (*tr[-1], _radius_pt(area))]
            segment_labels.append((ax.annotate(f"{s['segment']} ideal", tr[-1], xytext=(8, -14),
                                               textcoords="offset points", color=c, fontsize=9,
                                               style="italic"), _radius_pt(area)))
            moved = " (dashed: drift from day 0)" if np.any(tr[-1] != tr[0]) else ""
            handles.append(Line2D([], [], marker="*", color=c, ms=12, ls="--" if moved else "",
                                  label=f"ideal point of {s['segment']} "
                                        f"({s['size']:,} customers){moved}"))
        elif "line" in s:
            axis, value = s["line"]
            (ax.axvline if axis == 0 else ax.axhline)(value, color=c, ls=":", lw=1.5)
            name = lay.xlabel if axis == 0 else lay.ylabel
            handles.append(Line2D([], [], color=c, ls=":", label=f"ideal {name} of {s['segment']}"))
        else:
            v = np.asarray(s["vector"], dtype=float)
            norm = float(np.hypot(*(v / np.maximum(half, 1e-12))))
            if norm <= 0:
                continue
            angle = float(np.degrees(np.arctan2(*(v / np.maximum(half, 1e-12))[::-1])))
            near = [a for a in vectors if abs((a - angle + 180.0) % 360.0 - 180.0) < 8.0]
            vectors.setdefault(near[0] if near else angle, (v, norm, c, []))[3].append(
                s["segment"])
    for v, norm, c, names in vectors.values():
        tip = centre + v / norm * 0.75  # 3/4 of the way to the frame, in its proportions
        lines.append(np.array([centre, tip]))
        ax.annotate("", tip, xytext=centre,
                    arrowprops=dict(arrowstyle="-|>", color=c, lw=1.5, alpha=0.75))
        verb = " prefer" if len(names) > 1 else " prefers"
        segment_labels.append((ax.annotate(" & ".join(names) + verb, tip, xytext=(5, 5),
                                           textcoords="offset points", color=c, fontsize=9,
                                           style="italic"), 2.0))
        handles.append(Line2D([], [], color=c, marker=">", ms=6,
                              label=f"preference direction of {', '.join(names)} (no ideal point)"))
    for name, vec in lay.attribute_arrows:
        vec = np.asarray(vec, dtype=float)
        norm = float(np.hypot(*(vec / np.maximum(half, 1e-12))))
        if norm > 0:
            tip = centre + vec / norm * 0.5
            ax.annotate("", tip, xytext=centre, arrowprops=dict(arrowstyle="->", color="grey"))
            lines.append(np.array([centre, tip]))
            segment_labels.append((ax.annotate(f"+{name}", tip, xytext=(0, 0),
                                               textcoords="offset points", color="grey",
                                               fontsize=9), 2.0))
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
    ax.set(xlabel=lay.xlabel, ylabel=lay.ylabel,
           title="Perceptual map: products (small dot at launch, trail to the end of the run)\n"
                 "and what the segments want")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    # last, on the axes as laid out: the products' names first, then the segments'
    place_labels(ax, labels + segment_labels, discs, lines)
    return ax
