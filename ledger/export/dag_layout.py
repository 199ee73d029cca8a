"""Layered (Sugiyama-style) layout of a small DAG, left to right, for the HTML lineage graph.

Steps, each the textbook choice for graphs of tens of nodes:
1. layers: longest path from the sources (a node sits one layer right of its furthest input);
   a cycle is an InputError naming its nodes (lineage must be a DAG);
2. an edge that spans several layers is routed through one dummy point per layer it crosses, so
   it never runs through a node box;
3. order within layers: barycenter sweeps (down then up, a fixed number of rounds), keeping the
   order with the fewest edge crossings seen; ties keep the earlier position, so the result is
   deterministic and a crossing-free order that the sweeps reach is kept;
4. coordinates: layer -> x, rank -> y, every layer centred vertically.
Everything is integers and plain data; drawing is svg.py's job.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from engine.errors import InputError

NODE_W, NODE_H = 200, 46
GAP_X, GAP_Y, MARGIN = 120, 26, 16
ROUNDS = 8


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    boxes: dict[str, tuple[int, int]]  # node -> top-left corner of its NODE_W x NODE_H box
    layers: dict[str, int]
    routes: list[tuple[str, str, list[tuple[int, int]]]]  # (source, target, polyline points)


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    incoming = {n: 0 for n in nodes}
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in edges:
        out[u].append(v)
        incoming[v] += 1
    layer = {n: 0 for n in nodes}
    ready = deque(n for n in nodes if incoming[n] == 0)
    done = 0
    while ready:
        u = ready.popleft()
        done += 1
        for v in out[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            incoming[v] -= 1
            if incoming[v] == 0:
                ready.append(v)
    if done != len(nodes):
        stuck = [n for n in nodes if incoming[n] > 0]
        raise InputError(f"the lineage has a cycle through {', '.join(stuck[:6])}")
    return layer


def crossings(order: list[list[str]], links: Sequence[tuple[str, str]]) -> int:
    """Edge crossings between adjacent layers (links join consecutive layers)."""
    pos = {n: i for layer in order for i, n in enumerate(layer)}
    layer_of = {n: li for li, layer in enumerate(order) for n in layer}
    by_gap: dict[int, list[tuple[int, int]]] = {}
    for u, v in links:
        by_gap.setdefault(layer_of[u], []).append((pos[u], pos[v]))
    total = 0
    for pairs in by_gap.values():
        for i, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[i + 1:]:
                total += (a1 - a2) * (b1 - b2) < 0
    return total


def _sweep(order: list[list[str]], neighbours: dict[str, list[str]], layers: range) -> None:
    for li in layers:
        ref = order[li - 1] if layers.step > 0 else order[li + 1]
        ref_pos = {n: i for i, n in enumerate(ref)}

        def key(item: tuple[int, str]) -> tuple[float, int]:
            i, n = item
            around = [ref_pos[m] for m in neighbours[n] if m in ref_pos]
            return (sum(around) / len(around) if around else float(i), i)

        order[li] = [n for _, n in sorted(enumerate(order[li]), key=key)]


def layout(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> Layout:
    """Place `nodes` (ids, in a stable order) and route `edges` (pairs of ids, no duplicates
    needed) of a DAG."""
    nodes = list(dict.fromkeys(nodes))
    edges = list(dict.fromkeys(edges))
    for u, v in edges:
        if u not in nodes or v not in nodes:
            raise InputError(f"edge {u} -> {v} names a node that is not in the graph")
    layer = _layers(nodes, edges)
    # Dummy points for long edges; `links` join consecutive layers only.
    chains: list[tuple[str, str, list[str]]] = []
    links: list[tuple[str, str]] = []
    members: dict[str, int] = dict(layer)
    for u, v in edges:
        chain = [u]
        for li in range(layer[u] + 1, layer[v]):
            dummy = f"\0{u}\0{v}\0{li}"
            members[dummy] = li
            chain.append(dummy)
        chain.append(v)
        links += list(zip(chain, chain[1:]))
        chains.append((u, v, chain))
    depth = max(members.values(), default=-1) + 1
    order: list[list[str]] = [[] for _ in range(depth)]
    for n, li in members.items():
        order[li].append(n)
    down: dict[str, list[str]] = {n: [] for n in members}
    up: dict[str, list[str]] = {n: [] for n in members}
    for u, v in links:
        up[v].append(u)
        down[u].append(v)
    best, best_crossings = [list(layer) for layer in order], crossings(order, links)
    for _ in range(ROUNDS):
        if best_crossings == 0:
            break
        _sweep(order, up, range(1, depth))
        _sweep(order, down, range(depth - 2, -1, -1))
        c = crossings(order, links)
        if c < best_crossings:
            best, best_crossings = [list(layer) for layer in order], c
    tallest = max((len(layer) for layer in best), default=0)
    height = 2 * MARGIN + tallest * NODE_H + max(tallest - 1, 0) * GAP_Y
    width = 2 * MARGIN + depth * NODE_W + max(depth - 1, 0) * GAP_X
    corner: dict[str, tuple[int, int]] = {}
    for li, members_of_layer in enumerate(best):
        span = len(members_of_layer) * NODE_H + (len(members_of_layer) - 1) * GAP_Y
        top = (height - span) // 2
        for rank, n in enumerate(members_of_layer):
            corner[n] = (MARGIN + li * (NODE_W + GAP_X), top + rank * (NODE_H + GAP_Y))
    routes = []
    for u, v, chain in chains:
        ux, uy = corner[u]
        vx, vy = corner[v]
        points = [(ux + NODE_W, uy + NODE_H // 2)]
        points += [(corner[d][0] + NODE_W // 2, corner[d][1] + NODE_H // 2) for d in chain[1:-1]]
        points.append((vx, vy + NODE_H // 2))
        routes.append((u, v, points))
    return Layout(width, height, {n: corner[n] for n in nodes}, layer, routes)


__all__ = ["GAP_X", "GAP_Y", "Layout", "NODE_H", "NODE_W", "crossings", "layout"]
