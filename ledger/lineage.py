"""The lineage DAG of a ledger: dataset ids as nodes, transform and split entries as edges.

Edges run input -> output (transform) and parent -> child (split). The graph is never held in
memory as a whole: the journal's by_dataset_id index lists, for a dataset id, every entry naming it
with its role (subject, input, output, parent, child), so a walk reads only the entries on the
paths it follows. `ancestors` walks edges backwards (where a dataset came from), `descendants`
forwards (what was made from it); both stop at datasets already seen, so a ledger written by
other software with a cycle in it still terminates.

`Ledger.record_transform` refuses an edge that would close a cycle (`closes_cycle`): a dataset
that is its own ancestor has no provenance.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from ledger.entries import Entry, SplitEntry, TransformEntry

Direction = Literal["up", "down"]
# Roles (ledger.journal.dataset_roles) by which an entry leads up from / down from a dataset.
_ROLES: dict[Direction, str] = {"up": "output,child", "down": "input,parent"}


class EntrySource(Protocol):
    """What a walk reads: ledger.journal.Journal has both."""

    def by_dataset_id(self, dataset: str) -> list[tuple[int, tuple[str, ...]]]: ...
    def entry(self, index: int) -> Entry: ...


@dataclass(frozen=True)
class Edge:
    """source -> target, recorded by the entry at `log_index` (kind "transform" or "split")."""

    source: str
    target: str
    kind: str
    log_index: int


def edges_of(entry: Entry, log_index: int) -> list[Edge]:
    """The lineage edges an entry records (none for notarize and recertify)."""
    if isinstance(entry, TransformEntry):
        return [Edge(source, entry.output, "transform", log_index) for source in entry.inputs]
    if isinstance(entry, SplitEntry):
        return [Edge(entry.parent, c.dataset_id, "split", log_index) for c in entry.children]
    return []


def _neighbour_edges(source: EntrySource, dataset: str, direction: Direction) -> list[Edge]:
    roles = set(_ROLES[direction].split(","))
    found = []
    for index, entry_roles in source.by_dataset_id(dataset):
        if roles.isdisjoint(entry_roles):
            continue
        for edge in edges_of(source.entry(index), index):
            if (edge.target if direction == "up" else edge.source) == dataset:
                found.append(edge)
    return found


@dataclass(frozen=True)
class Walk:
    """The datasets reached from the start (start included, in the order reached) and the
    edges followed."""

    datasets: tuple[str, ...]
    edges: tuple[Edge, ...]


def walk(source: EntrySource, start: Iterable[str], direction: Direction) -> Walk:
    """Breadth-first from `start`: up (ancestors) or down (descendants)."""
    seen: dict[str, None] = dict.fromkeys(start)
    queue = deque(seen)
    edges: dict[Edge, None] = {}
    while queue:
        dataset = queue.popleft()
        for edge in _neighbour_edges(source, dataset, direction):
            edges[edge] = None
            nxt = edge.source if direction == "up" else edge.target
            if nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
    return Walk(tuple(seen), tuple(sorted(edges, key=lambda e: (e.log_index, e.source,
                                                                  e.target))))


def ancestors(source: EntrySource, dataset: str) -> tuple[str, ...]:
    """Every dataset `dataset` was derived from, nearest first (itself excluded)."""
    return walk(source, [dataset], "up").datasets[1:]


def descendants(source: EntrySource, dataset: str) -> tuple[str, ...]:
    """Every dataset derived from `dataset`, nearest first (itself excluded)."""
    return walk(source, [dataset], "down").datasets[1:]


def related(source: EntrySource, start: Iterable[str]) -> Walk:
    """The start datasets with all their ancestors and all their descendants (not siblings:
    another child of a shared parent is reached only if it descends from a start dataset)."""
    start = list(dict.fromkeys(start))
    up, down = walk(source, start, "up"), walk(source, start, "down")
    datasets = dict.fromkeys(start)
    datasets.update(dict.fromkeys(up.datasets))
    datasets.update(dict.fromkeys(down.datasets))
    edges = sorted(set(up.edges) | set(down.edges), key=lambda e: (e.log_index, e.source, e.target))
    return Walk(tuple(datasets), tuple(edges))


def closes_cycle(source: EntrySource, inputs: Iterable[str], output: str) -> bool:
    """Whether edges inputs -> output would close a cycle: `output` is one of the inputs or
    already an ancestor of one."""
    return output in walk(source, inputs, "up").datasets


__all__ = ["Direction", "Edge", "EntrySource", "Walk", "ancestors", "closes_cycle",
           "descendants", "edges_of", "related", "walk"]
