"""Text labels placed beside their markers, not on them: a deterministic rule, no solver.

Each label is tried in eight positions around its anchor, at the anchor marker's radius
plus a gap (upper right first, then right, lower right, upper left, left, lower left,
above, below); the first position whose text box overlaps no marker, no label placed
before it and stays inside the axes wins; where none is free, the one with the fewest
overlaps (the earliest among equals), a line (a trail, an arrow) under the text counting
half as much as a marker or a label. Positions are in points from the anchor, so they
hold however the axes are later resized.
"""

import math

import numpy as np

GAP_PT = 3.0  # between a marker's edge and its label
_D = math.sqrt(0.5)
# (dx, dy) of the label's corner or edge nearest the anchor, in the order tried
DIRECTIONS = ((_D, _D), (1.0, 0.0), (_D, -_D), (-_D, _D), (-1.0, 0.0), (-_D, -_D),
              (0.0, 1.0), (0.0, -1.0))


def _align(d: float, low: str, mid: str, high: str) -> str:
    return low if d > 1e-9 else high if d < -1e-9 else mid


def disc_hits_box(cx: float, cy: float, r: float, box) -> bool:
    """Whether a disc (centre and radius in pixels) and a box (``Bbox``) overlap."""
    nx = min(max(cx, box.x0), box.x1)
    ny = min(max(cy, box.y0), box.y1)
    return (nx - cx) ** 2 + (ny - cy) ** 2 < r * r


def _dense(points, step_px: float = 3.0) -> np.ndarray:
    """The points of a polyline (pixels, (n, 2)) with extra points at most ``step_px``
    apart along each segment, so that a box over a segment holds one of them."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) < 2:
        return pts
    out = [pts[:1]]
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        n = max(int(np.ceil(np.hypot(*(b - a)) / step_px)), 1)
        out.append(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
    return np.vstack(out)


def _boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def place_labels(ax, labels, discs, lines=()) -> None:
    """Move each label (an ``Annotation`` anchored at a data point, with the radius in
    points of the marker it names: ``(annotation, radius_pt)``, in priority order) to the
    first free position around its anchor. ``discs``: ``(x, y, radius_pt)`` of every
    marker in data coordinates, the labels' own included; ``lines``: polylines ((n, 2)
    data points) a label should rather not cover. The figure is laid out first
    (``tight_layout``, as ``sim.plots.save`` does) so the positions are measured on the
    axes as they will be saved."""
    fig = ax.figure
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    centres = [(*ax.transData.transform((x, y)), r * px) for x, y, r in discs]
    dense = [_dense(ax.transData.transform(np.asarray(pts, dtype=float).reshape(-1, 2)))
             for pts in lines]
    placed = []
    for text, radius in labels:
        best = None
        for dx, dy in DIRECTIONS:
            off = radius + GAP_PT
            text.xyann = (dx * off, dy * off)
            text.set_horizontalalignment(_align(dx, "left", "center", "right"))
            text.set_verticalalignment(_align(dy, "bottom", "center", "top"))
            box = text.get_window_extent(renderer)
            cost = sum(disc_hits_box(cx, cy, r, box) for cx, cy, r in centres)
            cost += sum(_boxes_overlap(box, other) for other in placed)
            cost += 0.5 * sum(bool(np.any((d[:, 0] > box.x0) & (d[:, 0] < box.x1)
                                          & (d[:, 1] > box.y0) & (d[:, 1] < box.y1)))
                              for d in dense)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                      and box.y1 <= frame.y1)
            cost += 0 if inside else 1
            if best is None or cost < best[0]:
                best = (cost, text.xyann, text.get_horizontalalignment(),
                        text.get_verticalalignment(), box)
            if cost == 0:
                break
        _, xyann, ha, va, box = best
        text.xyann = xyann
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)
        placed.append(box)
