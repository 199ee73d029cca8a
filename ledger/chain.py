"""verify_chain: re-derive all the ledger stores from the entries' bytes; name what disagrees.

From one read snapshot it re-reads every entry in index order and checks that
- the indexes run 0, 1, 2, ... with no gap (a dropped entry),
- the bytes parse strictly (ledger.entries.parse_entry: canonical JSON, schema, version),
- the id index maps the entry's id (sha256 of its bytes) back to its position (a changed byte
  gives an id the index does not know; reordered or renumbered entries sit at positions their ids
  do not name),
- every index row (ledger.journal.index_rows) is there and nothing else is in the index tables,
- notarize versions of each name run 1, 2, 3, ... in log order,
- every stored tree node is the hash recomputed from the leaves, and no node is missing or extra.
It recomputes the root, and with `checkpoint=(size, root)` (the last verified signed checkpoint)
also checks that the first `size` entries have that root: the one check that catches a rewrite
of the whole store, entries, indexes and tree together.

Each problem names the first entry it concerns: its index, and its id as recorded at append (the
id index's), else the id of the bytes now stored. The report's `first` is the lowest index, the
first bad entry.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import lmdb

from engine import merkle
from engine.errors import InputError, VerificationError
from engine.merkle import SHA256, NodeId
from ledger.entries import NotarizeEntry, parse_entry
from ledger.journal import index_rows
from ledger.log import index_key, key_index, node_key, node_of_key
from ledger.store import Store

INDEX_TABLES = ("ids", "versions", "by_name", "by_dataset_id", "by_kind", "by_time")


@dataclass(frozen=True)
class ChainProblem:
    """What is wrong, and the first entry it concerns (None: the log as a whole)."""

    index: int | None
    entry_id: str | None
    message: str

    def __str__(self) -> str:
        if self.index is None:
            return self.message
        named = f" ({self.entry_id})" if self.entry_id else ""
        return f"entry {self.index}{named}: {self.message}"


@dataclass(frozen=True)
class ChainReport:
    size: int
    root: str  # hex of the root recomputed from the entries
    problems: tuple[ChainProblem, ...]
    truncated: bool = False  # more problems than were recorded

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> ChainProblem | None:
        """The problem at the lowest entry index (log-wide problems come last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.index is None, p.index or 0))

    def raise_for_problems(self) -> None:
        if self.problems:
            rest = len(self.problems) - 1
            more = f" (and {rest} more problems)" if rest else ""
            raise VerificationError(f"ledger chain is broken: {self.first}{more}")


@dataclass
class _Scan:
    """State of one verification pass."""

    store: Store
    txn: lmdb.Transaction
    max_problems: int
    problems: list[ChainProblem] = field(default_factory=list)
    truncated: bool = False
    count: int = 0  # entries read
    ids: dict[int, str] = field(default_factory=dict)  # index -> entry id
    leaves: bytearray = field(default_factory=bytearray)
    expected_rows: Counter = field(default_factory=Counter)
    versions: dict[str, int] = field(default_factory=dict)
    recorded: dict[int, str] | None = None  # index -> id, from the id index; built on demand
    handles: dict[str, object] = field(default_factory=dict)

    def problem(self, index: int | None, message: str) -> None:
        if len(self.problems) >= self.max_problems:
            self.truncated = True
            return
        if self.recorded is None:
            self.recorded = {key_index(v): k.hex() for k, v in self.txn.cursor(db=self.db("ids"))
                             if len(v) == 8}
        eid = None if index is None else self.recorded.get(index, self.ids.get(index))
        self.problems.append(ChainProblem(index, eid, message))

    def db(self, name: str):
        if name not in self.handles:
            self.handles[name] = self.store.db(name)
        return self.handles[name]


def verify_chain(store: Store, *, checkpoint: tuple[int, bytes] | None = None,
                 max_problems: int = 100) -> ChainReport:
    """Check every entry, index row and tree node of `store` (module doc); never raises for a
    broken ledger: see ChainReport.ok / first / raise_for_problems."""
    with store.read() as txn:
        scan = _Scan(store, txn, max_problems)
        _check_entries(scan)
        for table in INDEX_TABLES:
            _check_no_extra_rows(scan, table)
        size = scan.count
        hashes = [bytes(scan.leaves[i:i + 32]) for i in range(0, len(scan.leaves), 32)]
        levels = merkle.tree_levels(SHA256, hashes)
        _check_nodes(scan, levels, size)
        root = levels[-1][0].tobytes() if levels else SHA256.empty_root()
        if checkpoint is not None:
            _check_checkpoint(scan, hashes, checkpoint)
    return ChainReport(size, root.hex(), tuple(sorted(
        scan.problems, key=lambda p: (p.index is None, p.index or 0))), scan.truncated)


def _check_entries(scan: _Scan) -> None:
    ids_db = scan.db("ids")
    expect = 0
    for key, data in scan.txn.cursor(db=scan.db("entries")):
        scan.count += 1
        scan.leaves += SHA256.leaf(data)  # in stored order: a hole shifts every later leaf
        if len(key) != 8:
            scan.problem(expect, f"an entry is stored under a malformed key {key.hex()}")
            continue
        index = key_index(key)
        eid = scan.ids[index] = hashlib.sha256(data).hexdigest()
        if index != expect:
            scan.problem(expect, f"missing: the entries jump from {expect - 1} to {index} "
                         f"(dropped)" if index > expect else f"stored out of order at {index}")
        expect = index + 1
        at = scan.txn.get(bytes.fromhex(eid), db=ids_db)
        if at is None:
            scan.problem(index, "its id is not in the id index: its bytes changed after "
                         "it was appended")
        elif key_index(at) != index:
            scan.problem(index, f"its id is indexed at {key_index(at)}: entries were "
                         f"reordered, dropped or inserted")
        try:
            entry = parse_entry(data)
        except InputError as exc:
            scan.problem(index, f"does not parse: {exc}")
            continue
        _check_rows(scan, index, entry, eid)


def _check_rows(scan: _Scan, position: int, entry, eid: str) -> None:
    for table, key, value in index_rows(position, entry, eid):
        scan.expected_rows[table] += 1
        if table == "ids":
            continue  # checked against the entry's position above
        stored = scan.txn.get(key, db=scan.db(table))
        if stored != value:
            scan.problem(position, f"its {table} index row is "
                         f"{'missing' if stored is None else 'different'}")
    if isinstance(entry, NotarizeEntry):
        name, version = entry.dataset.name, entry.dataset.version
        expect = scan.versions.get(name, 0) + 1
        if version != expect:
            scan.problem(position, f"notarizes {name} version {version}; the next version of "
                         f"{name} is {expect}")
        scan.versions[name] = max(version, scan.versions.get(name, 0))


def _row_index(table: str, key: bytes, value: bytes) -> int | None:
    raw = value if table in ("ids", "versions") else key[-8:]
    return key_index(raw) if len(raw) == 8 else None


def _check_no_extra_rows(scan: _Scan, table: str) -> None:
    """Rows that no entry accounts for (only looked for when the counts differ)."""
    stored = scan.txn.stat(scan.db(table))["entries"]
    if stored == scan.expected_rows[table]:
        return
    if stored < scan.expected_rows[table]:
        return  # the missing rows were named entry by entry
    for key, value in scan.txn.cursor(db=scan.db(table)):
        index = _row_index(table, key, value)
        data = None if index is None else scan.txn.get(index_key(index), db=scan.db("entries"))
        if data is None:
            scan.problem(index, f"missing (dropped): its {table} index row is still there"
                         if index is not None else f"the {table} index has a malformed row "
                         f"(key {key.hex()})")
            continue
        try:
            rows = index_rows(index, parse_entry(data), scan.ids[index])
        except InputError:
            continue  # already reported as unparsable
        if (table, key, value) not in rows:
            scan.problem(index, f"the {table} index has a row that does not belong to it "
                         f"(key {key.hex()})")


def _check_nodes(scan: _Scan, levels: list, size: int) -> None:
    """Stored nodes against the recomputed tree. A node that disagrees is reported only where both
    its children agree: one changed leaf hash is one problem, not one per level above it."""
    seen: Counter = Counter()
    wrong: set[NodeId] = set()
    for key, value in scan.txn.cursor(db=scan.db("nodes")):
        if len(key) != 9:
            scan.problem(None, f"the node table has a malformed key {key.hex()}")
            continue
        node = node_of_key(key)
        if node.index >= size >> node.level:
            scan.problem(node.index << node.level, f"stored node (level {node.level}, index "
                         f"{node.index}) is not a complete subtree of a {size}-entry log")
            continue
        seen[node.level] += 1
        if value != levels[node.level][node.index].tobytes():
            wrong.add(node)
    for node in sorted(wrong):
        left = NodeId(node.level - 1, 2 * node.index)
        if node.level and (left in wrong or NodeId(left.level, left.index + 1) in wrong):
            continue
        first = node.index << node.level
        scan.problem(first, f"stored tree node (level {node.level}, index {node.index}) over "
                     f"entries {first}..{first + (1 << node.level) - 1} disagrees with the hash "
                     f"of those entries")
    for level in range(size.bit_length()):
        if seen[level] != size >> level:
            _name_missing_nodes(scan, level, size)


def _name_missing_nodes(scan: _Scan, level: int, size: int) -> None:
    nodes = scan.db("nodes")
    for index in range(size >> level):
        if scan.txn.get(node_key(level, index), db=nodes) is None:
            scan.problem(index << level, f"tree node (level {level}, index {index}) is missing")


def _check_checkpoint(scan: _Scan, hashes: list[bytes], checkpoint: tuple[int, bytes]) -> None:
    size, root = checkpoint
    if size > len(hashes):
        scan.problem(None, f"the log has {len(hashes)} entries, fewer than the {size} of the "
                     f"last verified checkpoint: entries were dropped")
        return
    got = merkle.root(SHA256, hashes[:size])
    if got != root:
        scan.problem(None, f"the first {size} entries have root {got.hex()}, not the last "
                     f"verified checkpoint's {root.hex()}: the log was rewritten")


__all__ = ["ChainProblem", "ChainReport", "INDEX_TABLES", "verify_chain"]
