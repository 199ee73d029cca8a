"""The lineage DAG of a trail: dataset ids as nodes, transform and split entries as edges.

Edges run input -> output (transform) and parent -> child (split), one per pair, each pointing back
at the entry that recorded it. A node's label is "name@vN" from the first entry that names the
dataset (its notarization, a split child, or the entry about it); a dataset referenced only as a
transform input has no name in the trail and is labelled by its id. Node order is first appearance
in log order, so the same trail always gives the same graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.entries import NotarizeEntry, RecertifyEntry, SplitEntry, TransformEntry
from ledger.export.trail import AuditTrail, TrailEntry


@dataclass
class DatasetNode:
    dataset_id: str
    labels: list[str] = field(default_factory=list)  # every "name@vN" seen, first first
    notarizations: list[TrailEntry] = field(default_factory=list)
    recertifications: list[TrailEntry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.dataset_id

    def name(self, label: str) -> None:
        if label not in self.labels:
            self.labels.append(label)


@dataclass(frozen=True)
class LineageEdge:
    source: str
    target: str
    kind: str  # "transform" | "split"
    entry: TrailEntry

    @property
    def label(self) -> str:
        """Short, for the graph: the operation, or the child's split ratio."""
        e = self.entry.entry
        if isinstance(e, TransformEntry):
            return e.operation
        assert isinstance(e, SplitEntry)
        ratio = next(c.ratio for c in e.children if c.dataset_id == self.target)
        return f"{ratio:g}"

    @property
    def description(self) -> str:
        e = self.entry.entry
        if isinstance(e, TransformEntry):
            return f"transform {e.operation}"
        assert isinstance(e, SplitEntry)
        return f"split {e.method} (seed {e.seed}), ratio {self.label}"


@dataclass(frozen=True)
class Lineage:
    nodes: dict[str, DatasetNode]
    edges: list[LineageEdge]


def lineage(trail: AuditTrail) -> Lineage:
    nodes: dict[str, DatasetNode] = {}
    edges: list[LineageEdge] = []

    def node(dataset_id: str) -> DatasetNode:
        return nodes.setdefault(dataset_id, DatasetNode(dataset_id))

    for te in trail.entries:
        e = te.entry
        if isinstance(e, TransformEntry):
            for source in e.inputs:
                node(source)
            edges += [LineageEdge(source, e.output, "transform", te) for source in e.inputs]
        if isinstance(e, SplitEntry):
            node(e.parent)
            for child in e.children:
                node(child.dataset_id).name(f"{child.name}@v{child.version}")
                edges.append(LineageEdge(e.parent, child.dataset_id, "split", te))
        about = node(e.dataset.dataset_id)
        about.name(f"{e.dataset.name}@v{e.dataset.version}")
        if isinstance(e, NotarizeEntry):
            about.notarizations.append(te)
        elif isinstance(e, RecertifyEntry):
            about.recertifications.append(te)
    return Lineage(nodes, edges)


__all__ = ["DatasetNode", "Lineage", "LineageEdge", "lineage"]
