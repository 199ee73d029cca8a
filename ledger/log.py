"""The ledger's RFC 6962 Merkle log in LMDB: leaves, perfect-subtree hashes, roots and proofs.

Tree and proof positions are engine.merkle's (SHA-256, 0x00 leaf / 0x01 node prefixes); this module
only stores the tree. Two tables (ledger.store.SUB_DBS):
- "entries": leaf index (8 bytes big-endian) -> leaf bytes (an entry's canonical JSON);
- "nodes":   level (1 byte) + index (8 bytes big-endian) -> the 32-byte hash of node (level, index)
  once it is *perfect*, i.e. once all 2^level leaves under it exist. Level 0 holds the leaf hashes.
A perfect node never changes again, so appending leaf i writes its hash and the perfect nodes it
completes (one per trailing 1 bit of i + 1: two puts per leaf on average), with the left siblings
read from the "frontier" (the perfect roots of the binary decomposition of the old size).

Any node of the tree at size n <= size is a range [lo, hi) whose left part is perfect, so it is at
most log2(n) stored hashes folded along the right edge. root(n), inclusion_proof(index, n) and
consistency_proof(m, n) therefore take O(log n) reads (O(log^2 n) hashes at worst), for any n up to
the current size, and never touch the leaves' bytes.
"""

from __future__ import annotations

import operator
import struct
from collections.abc import Iterator, Sequence

import lmdb

from engine import merkle
from engine.errors import InputError
from engine.merkle import SHA256, NodeId
from ledger.store import Store

HASH = SHA256
EMPTY_ROOT = SHA256.empty_root()
_U64 = struct.Struct(">Q")
_NODE = struct.Struct(">BQ")


def _as_int(name: str, value: object) -> int:
    if isinstance(value, bool):
        raise InputError(f"{name} must be an integer, got bool")
    try:
        return operator.index(value)
    except TypeError:
        raise InputError(f"{name} must be an integer, got {type(value).__name__}") from None


def index_key(index: int) -> bytes:
    return _U64.pack(index)


def key_index(key: bytes) -> int:
    return _U64.unpack(key)[0]


def node_key(level: int, index: int) -> bytes:
    return _NODE.pack(level, index)


def node_of_key(key: bytes) -> NodeId:
    level, index = _NODE.unpack(key)
    return NodeId(level, index)


def perfect_nodes(size: int) -> Iterator[NodeId]:
    """The perfect subtrees whose concatenation is a tree of `size` leaves, left to right."""
    lo = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            yield NodeId(level, lo >> level)
            lo += 1 << level


class MerkleLog:
    """The append-only log of `store`: write with `extend(txn, leaves)` inside a write transaction
    (or `append`/`append_many` for a transaction of their own); read with a snapshot or without."""

    def __init__(self, store: Store):
        self.store = store

    # --- writing ---

    def extend(self, txn: lmdb.Transaction, leaves: Sequence[bytes]) -> int:
        """Append `leaves` in the write transaction `txn`; returns the index of the first one."""
        entries, nodes = self.store.db("entries"), self.store.db("nodes")
        start = size = txn.stat(entries)["entries"]
        stored = _Nodes(txn, nodes)
        frontier = [stored.get(node) for node in perfect_nodes(size)]  # perfect roots
        for data in leaves:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise InputError(f"a log leaf is bytes, got {type(data).__name__}")
            if not txn.put(index_key(size), data, db=entries, append=True, overwrite=False):
                raise InputError(f"log leaf {size} already exists")
            h = HASH.leaf(bytes(data))
            txn.put(node_key(0, size), h, db=nodes)
            level, index = 0, size
            while index & 1:  # a right child: its parent is now perfect
                h = HASH.node(frontier.pop(), h)
                level, index = level + 1, index >> 1
                txn.put(node_key(level, index), h, db=nodes)
            frontier.append(h)
            size += 1
        return start

    def append(self, data: bytes) -> int:
        """Append one leaf in a durable transaction of its own; returns its index."""
        return self.store.write(lambda txn: self.extend(txn, [data]))

    def append_many(self, leaves: Sequence[bytes]) -> int:
        """Append leaves in one durable transaction; returns the index of the first one."""
        return self.store.write(lambda txn: self.extend(txn, leaves))

    # --- reading: every method takes an optional snapshot so several reads agree ---

    def size(self, txn: lmdb.Transaction | None = None) -> int:
        if txn is None:
            with self.store.read() as txn:
                return self.size(txn)
        return txn.stat(self.store.db("entries"))["entries"]

    def leaf(self, index: int, txn: lmdb.Transaction | None = None) -> bytes:
        """The bytes of leaf `index`."""
        if txn is None:
            with self.store.read() as txn:
                return self.leaf(index, txn)
        data = txn.get(index_key(self._index(index, self.size(txn))), db=self.store.db("entries"))
        if data is None:
            raise InputError(f"log leaf {index} is missing from the store")
        return data

    def leaf_hash(self, index: int, txn: lmdb.Transaction | None = None) -> bytes:
        if txn is None:
            with self.store.read() as txn:
                return self.leaf_hash(index, txn)
        index = self._index(index, self.size(txn))
        return _Nodes(txn, self.store.db("nodes")).get(NodeId(0, index))

    def root(self, size: int | None = None, txn: lmdb.Transaction | None = None) -> bytes:
        """The tree head of the first `size` leaves (default: all of them)."""
        if txn is None:
            with self.store.read() as txn:
                return self.root(size, txn)
        size = self._size(size, txn)
        return _Nodes(txn, self.store.db("nodes")).range(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None,
                        txn: lmdb.Transaction | None = None) -> list[bytes]:
        """The RFC 6962 audit path of leaf `index` in the tree of the first `size` leaves."""
        if txn is None:
            with self.store.read() as txn:
                return self.inclusion_proof(index, size, txn)
        size = self._size(size, txn)
        stored = _Nodes(txn, self.store.db("nodes"))
        return [stored.at(node, size) for node in merkle.inclusion_proof(index, size)]

    def consistency_proof(self, old_size: int, size: int | None = None,
                          txn: lmdb.Transaction | None = None) -> list[bytes]:
        """The RFC 6962 consistency proof from the first `old_size` leaves to the first `size`."""
        if txn is None:
            with self.store.read() as txn:
                return self.consistency_proof(old_size, size, txn)
        size = self._size(size, txn)
        stored = _Nodes(txn, self.store.db("nodes"))
        return [stored.at(node, size) for node in merkle.consistency_proof(old_size, size)]

    # --- internals ---

    def _size(self, size: int | None, txn: lmdb.Transaction) -> int:
        current = self.size(txn)
        if size is None:
            return current
        size = _as_int("tree size", size)
        if not 0 <= size <= current:
            raise InputError(f"tree size {size} is outside the log's 0..{current}")
        return size

    @staticmethod
    def _index(index: int, size: int) -> int:
        index = _as_int("leaf index", index)
        if not 0 <= index < size:
            raise InputError(f"leaf index {index} is outside a log of {size} leaves")
        return index


class _Nodes:
    """The stored nodes as one snapshot sees them (the table handle looked up once)."""

    def __init__(self, txn: lmdb.Transaction, db):
        self.txn, self.db = txn, db

    def get(self, node: NodeId) -> bytes:
        h = self.txn.get(node_key(*node), db=self.db)
        if h is None:
            raise InputError(f"the log's node (level {node.level}, index {node.index}) is missing "
                             f"from the store: run verify-chain")
        return h

    def range(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for a range whose left part is perfect (every tree node's is)."""
        width = hi - lo
        if width & (width - 1) == 0:
            level = width.bit_length() - 1
            return self.get(NodeId(level, lo >> level))
        k = 1 << (width.bit_length() - 1)
        return HASH.node(self.range(lo, lo + k), self.range(lo + k, hi))

    def at(self, node: NodeId, size: int) -> bytes:
        """Node `node` of the tree of the first `size` leaves."""
        lo = node.index << node.level
        return self.range(lo, min(size, lo + (1 << node.level)))


__all__ = ["EMPTY_ROOT", "HASH", "MerkleLog", "index_key", "key_index", "node_key",
           "node_of_key", "perfect_nodes"]
