"""Inline SVG for the HTML report: the lineage graph, the entry timeline and per-column charts.

Charts are drawn from public statement values only (bounds, totals, per-shard sums); geometry
uses floats, every number printed next to a chart is the exact integer or decimal. Colours come
from classes in the report's stylesheet, so the SVG carries no style attributes (the page's CSP
allows only the hashed stylesheet).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from ledger.export.dag_layout import NODE_H, NODE_W, Layout
from ledger.export.dom import el
from ledger.export.lineage import Lineage

LABEL_CHARS = 26
MAX_BARS = 64


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _curve(points: Sequence[tuple[int, int]]) -> str:
    """A path through the points, each hop a cubic with horizontal tangents."""
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{x0} {y0}"]
    for x1, y1 in rest:
        mid = (x0 + x1) / 2
        d.append(f"C{mid:g} {y0} {mid:g} {y1} {x1} {y1}")
        x0, y0 = x1, y1
    return " ".join(d)


def lineage_svg(graph: Lineage, lay: Layout, node_class: dict[str, str]) -> ET.Element:
    """The DAG: one box per dataset (linked to its section when it has one), one curve per edge
    with its operation or split ratio as tooltip and label."""
    svg = el("svg", {"class": "lineage", "viewBox": f"0 0 {lay.width} {lay.height}",
                     "width": lay.width, "height": lay.height, "role": "img",
                     "aria-label": "lineage graph"})
    svg.append(el("defs", None, el("marker", {
        "id": "arrow", "viewBox": "0 0 10 10", "refX": 10, "refY": 5, "markerWidth": 7,
        "markerHeight": 7, "orient": "auto-start-reverse"}, el("path", {"d": "M0 0L10 5L0 10z",
                                                                        "class": "arrowhead"}))))
    edges = {(e.source, e.target): e for e in graph.edges}
    for source, target, points in lay.routes:
        edge = edges[(source, target)]
        tip = (f"{edge.description}: {graph.nodes[source].label} -> "
               f"{graph.nodes[target].label} (log entry {edge.entry.log_index})")
        (x1, y1), (x2, y2) = points[-2], points[-1]
        svg.append(el("g", {"class": f"edge {edge.kind}", "data-source": source,
                            "data-target": target},
                      el("title", None, tip),
                      el("path", {"d": _curve(points), "marker-end": "url(#arrow)"}),
                      el("text", {"x": (x1 + x2) // 2, "y": (y1 + y2) // 2 - 5,
                                  "text-anchor": "middle"}, clip(edge.label, 18))))
    for dataset_id, (x, y) in lay.boxes.items():
        node = graph.nodes[dataset_id]
        box = el("g", {"class": f"node {node_class.get(dataset_id, '')}".strip(),
                       "data-dataset": dataset_id},
                 el("title", None, f"{', '.join(node.labels) or 'unnamed'} ({dataset_id})"),
                 el("rect", {"x": x, "y": y, "width": NODE_W, "height": NODE_H, "rx": 6}),
                 el("text", {"x": x + 10, "y": y + 19, "class": "name"}, clip(node.label)),
                 el("text", {"x": x + 10, "y": y + 36, "class": "id"}, clip(dataset_id, 24)))
        if node.notarizations:
            box = el("a", {"href": f"#{dataset_id}"}, box)
        svg.append(box)
    return svg


def timeline_svg(points: Sequence[tuple[datetime, str, int]], width: int = 900) -> ET.Element:
    """Entries on a time axis: (time, kind, log index); evenly spread when all times are equal."""
    height, pad = 56, 14
    svg = el("svg", {"class": "timeline", "viewBox": f"0 0 {width} {height}", "width": width,
                     "height": height, "role": "img", "aria-label": "entries over time"})
    svg.append(el("line", {"x1": pad, "y1": 30, "x2": width - pad, "y2": 30, "class": "axis"}))
    if not points:
        return svg
    t0, t1 = points[0][0], points[-1][0]
    span = (t1 - t0).total_seconds()
    for i, (moment, kind, index) in enumerate(points):
        frac = ((moment - t0).total_seconds() / span if span > 0
                else (i / (len(points) - 1) if len(points) > 1 else 0.5))
        x = pad + frac * (width - 2 * pad)
        svg.append(el("circle", {"cx": f"{x:.1f}", "cy": 30, "r": 6, "class": f"dot {kind}"},
                      el("title", None, f"#{index} {kind} {moment.isoformat()}")))
    for moment, anchor, x in ((t0, "start", pad), (t1, "end", width - pad)):
        svg.append(el("text", {"x": x, "y": 52, "text-anchor": anchor, "class": "tick"},
                      moment.strftime("%Y-%m-%d %H:%M:%S UTC")))
    return svg


def range_svg(lo: int, hi: int, mean: float, width: int = 120) -> ET.Element:
    """The declared bounds [lo, hi] as a bar with the column mean marked on it."""
    height = 16
    frac = 0.5 if hi == lo else min(max((mean - lo) / (hi - lo), 0.0), 1.0)
    x = 1 + frac * (width - 2)
    return el("svg", {"class": "range", "viewBox": f"0 0 {width} {height}", "width": width,
                      "height": height, "role": "img", "aria-label": "mean within bounds"},
              el("rect", {"x": 0, "y": 4, "width": width, "height": 8, "rx": 4, "class": "bounds"}),
              el("rect", {"x": f"{x - 1.5:.1f}", "y": 0, "width": 3, "height": height,
                          "class": "mean"}))


def _buckets(values: Sequence[int], limit: int) -> list[tuple[int, int, int]]:
    """(first shard, last shard, summed value) with at most `limit` buckets of adjacent shards."""
    per = -(-len(values) // limit)
    return [(i, min(i + per, len(values)) - 1, sum(values[i:i + per]))
            for i in range(0, len(values), per)]


def shard_bars_svg(values: Sequence[int], width: int = 160) -> ET.Element:
    """One bar per shard sum (adjacent shards summed when there are more than MAX_BARS), drawn
    from a zero baseline, so negative sums hang below it."""
    height = 48
    buckets = _buckets(values, MAX_BARS)
    top, bottom = max(0, *(v for _, _, v in buckets)), min(0, *(v for _, _, v in buckets))
    span = (top - bottom) or 1
    zero = 2 + (height - 4) * top / span
    step = width / len(buckets)
    svg = el("svg", {"class": "bars", "viewBox": f"0 0 {width} {height}", "width": width,
                     "height": height, "role": "img", "aria-label": "sum per shard"})
    for k, (first, last, value) in enumerate(buckets):
        h = (height - 4) * abs(value) / span
        y = zero - h if value >= 0 else zero
        shards = f"shard {first}" if first == last else f"shards {first}-{last}"
        svg.append(el("rect", {"x": f"{k * step + 0.5:.1f}", "y": f"{y:.1f}",
                               "width": f"{max(step - 1, 1):.1f}", "height": f"{max(h, 0.5):.1f}",
                               "class": "bar neg" if value < 0 else "bar"},
                      el("title", None, f"{shards}: {value}")))
    svg.append(el("line", {"x1": 0, "y1": f"{zero:.1f}", "x2": width, "y2": f"{zero:.1f}",
                           "class": "axis"}))
    return svg


__all__ = ["clip", "lineage_svg", "range_svg", "shard_bars_svg", "timeline_svg"]
