"""RFC 6962 Merkle trees over any hash: BLAKE3 for dataset rows, SHA-256 for the ledger log.

Tree (RFC 6962 section 2.1, RFC 9162 section 2.1.1): MTH({}) = H(""), MTH({d}) = H(0x00 || d),
MTH(D[0:n]) = H(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of two below n.
The same tree is built bottom up by hashing adjacent pairs and promoting a lone last node
unchanged, so node (level, index) of the stored levels is MTH(D[index 2^level :
min(n, (index + 1) 2^level)]). Every hash a proof needs is such a node, so proofs are computed as
node positions from the sizes alone (`inclusion_proof`, `consistency_proof`) and filled from
wherever the levels live (`MerkleTree` here; the ledger keeps its own storage).

Verification recomputes the positions the proof must have from (index, size) or (size1, size2),
rejects a proof of any other length, and folds the given hashes up the tree; it raises
VerificationError for any claim that does not check out and returns None otherwise. Bad
arguments to the builders (an index outside the tree, malformed hex) raise InputError.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import blake3
import numpy as np

from engine.errors import InputError, VerificationError
from kernels.cpu.blake3 import hash_rows
from kernels.cpu.blake3_merkle import parents as blake3_parents

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


@dataclass(frozen=True)
class Hasher:
    """A hash function with RFC 6962 domain separation, plus optional bulk (array) versions.

    bulk_parents maps an (m, d) uint8 level to the (ceil(m/2), d) level above it; bulk_leaves
    maps an Arrow-style (buffer, offsets) pair to (n, d) leaf hashes. Without them the plain
    per-item hash is used.
    """

    name: str
    digest_size: int
    hash_bytes: Callable[[bytes], bytes]
    bulk_parents: Callable[[np.ndarray], np.ndarray] | None = None
    bulk_leaves: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    def empty_root(self) -> bytes:
        return self.hash_bytes(b"")

    def leaf(self, data: bytes) -> bytes:
        return self.hash_bytes(LEAF_PREFIX + data)

    def node(self, left: bytes, right: bytes) -> bytes:
        return self.hash_bytes(NODE_PREFIX + left + right)

    def leaves(self, buffer: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """(n, d) uint8 leaf hashes of rows buffer[offsets[i]:offsets[i+1]]."""
        if self.bulk_leaves is not None:
            return self.bulk_leaves(buffer, offsets)
        raw = np.asarray(buffer, dtype=np.uint8).tobytes()
        hashes = [self.leaf(raw[a:b]) for a, b in zip(offsets[:-1], offsets[1:])]
        return _as_level(self, hashes)

    def parents(self, level: np.ndarray) -> np.ndarray:
        """The level above `level` (a lone last node promoted unchanged)."""
        if self.bulk_parents is not None:
            return self.bulk_parents(level)
        up = [self.node(level[i].tobytes(), level[i + 1].tobytes())
              for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            up.append(level[-1].tobytes())
        return _as_level(self, up)


def _blake3(data: bytes) -> bytes:
    return blake3.blake3(data).digest()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _blake3_leaves(buffer: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    try:
        return hash_rows(buffer, offsets, prefix=LEAF_PREFIX[0])
    except ValueError as exc:
        raise InputError(f"row layout: {exc}") from None


BLAKE3 = Hasher("blake3", 32, _blake3, bulk_parents=blake3_parents, bulk_leaves=_blake3_leaves)
SHA256 = Hasher("sha256", 32, _sha256)


class NodeId(NamedTuple):
    """Node `index` of `level`: MTH of leaves [index 2^level, min(size, (index + 1) 2^level))."""

    level: int
    index: int


def _as_level(hasher: Hasher, hashes: np.ndarray | Sequence[bytes]) -> np.ndarray:
    """Validate leaf/node hashes and return them as an (n, digest_size) uint8 array."""
    d = hasher.digest_size
    if isinstance(hashes, np.ndarray):
        if hashes.dtype != np.uint8 or hashes.ndim != 2 or hashes.shape[1] != d:
            raise InputError(f"{hasher.name} hashes must be an (n, {d}) uint8 array, "
                             f"got {hashes.dtype} {hashes.shape}")
        return np.ascontiguousarray(hashes)
    for i, h in enumerate(hashes):
        if not isinstance(h, bytes) or len(h) != d:
            raise InputError(f"hash {i} must be {d} bytes, got {type(h).__name__} "
                             f"of length {len(h) if isinstance(h, bytes) else '-'}")
    return np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(len(hashes), d)


def tree_levels(hasher: Hasher, leaf_hashes: np.ndarray | Sequence[bytes]) -> list[np.ndarray]:
    """All levels, leaves first and the one-node root level last ([] for no leaves)."""
    level = _as_level(hasher, leaf_hashes)
    if len(level) == 0:
        return []
    levels = [level]
    while len(levels[-1]) > 1:
        levels.append(hasher.parents(levels[-1]))
    return levels


def root(hasher: Hasher, leaf_hashes: np.ndarray | Sequence[bytes]) -> bytes:
    """MTH of the leaves; each level is dropped once the one above it is built."""
    level = _as_level(hasher, leaf_hashes)
    if len(level) == 0:
        return hasher.empty_root()
    while len(level) > 1:
        level = hasher.parents(level)
    return level[0].tobytes()


def _level_width(size: int, level: int) -> int:
    return (size + (1 << level) - 1) >> level


def _as_int(name: str, value: int) -> int:
    if isinstance(value, bool):
        raise InputError(f"{name} must be an integer, got bool")
    try:
        return operator.index(value)
    except TypeError:
        raise InputError(f"{name} must be an integer, got {type(value).__name__}") from None


def inclusion_proof(index: int, size: int) -> list[NodeId]:
    """Positions of the audit path of leaf `index` in a tree of `size` leaves, leaf level first."""
    index, size = _as_int("index", index), _as_int("size", size)
    if not 0 <= index < size:
        raise InputError(f"leaf index {index} is outside a tree of {size} leaves")
    path = []
    level = 0
    while _level_width(size, level) > 1:
        sibling = (index >> level) ^ 1
        if sibling < _level_width(size, level):  # else this node is promoted unchanged
            path.append(NodeId(level, sibling))
        level += 1
    return path


def _node_of(lo: int, hi: int) -> NodeId:
    """The node whose leaf range is [lo, hi): an MTH range, so lo is a multiple of 2^level."""
    level = (hi - lo - 1).bit_length()
    return NodeId(level, lo >> level)


def _split(n: int) -> int:
    """The largest power of two below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def consistency_proof(old_size: int, size: int) -> list[NodeId]:
    """Positions of the RFC 6962 consistency proof from `old_size` to `size` (0 < old <= size)."""
    old_size, size = _as_int("old_size", old_size), _as_int("size", size)
    if not 0 < old_size <= size:
        raise InputError(f"a consistency proof needs 0 < old size <= size, got {old_size} "
                         f"and {size}")
    proof: list[NodeId] = []
    if old_size < size:
        _subproof(old_size, 0, size, True, proof)
    return proof


def _subproof(m: int, lo: int, hi: int, whole_old_tree: bool, out: list[NodeId]) -> None:
    """RFC 6962 SUBPROOF(m, D[lo:hi], b): `whole_old_tree` is b, true while D[lo:lo+m] is still
    the entire old tree (whose root the verifier already has)."""
    if m == hi - lo:
        if not whole_old_tree:
            out.append(_node_of(lo, hi))
        return
    k = _split(hi - lo)
    if m <= k:
        _subproof(m, lo, lo + k, whole_old_tree, out)
        out.append(_node_of(lo + k, hi))
    else:
        _subproof(m - k, lo + k, hi, False, out)
        out.append(_node_of(lo, lo + k))


class MerkleTree:
    """A tree with all its levels in memory: root, node lookup and proof hashes."""

    def __init__(self, hasher: Hasher, leaf_hashes: np.ndarray | Sequence[bytes]):
        self.hasher = hasher
        self.levels = tree_levels(hasher, leaf_hashes)
        self.size = len(self.levels[0]) if self.levels else 0

    @property
    def root(self) -> bytes:
        return self.levels[-1][0].tobytes() if self.levels else self.hasher.empty_root()

    def node(self, node: NodeId) -> bytes:
        return self.levels[node.level][node.index].tobytes()

    def inclusion_proof(self, index: int) -> list[bytes]:
        return [self.node(n) for n in inclusion_proof(index, self.size)]

    def consistency_proof(self, old_size: int) -> list[bytes]:
        return [self.node(n) for n in consistency_proof(old_size, self.size)]


def _check_hash(hasher: Hasher, what: str, h: object) -> None:
    if not isinstance(h, bytes):
        raise InputError(f"{what} must be bytes, got {type(h).__name__}")
    if len(h) != hasher.digest_size:
        raise VerificationError(f"{what} has {len(h)} bytes; a {hasher.name} hash has "
                                f"{hasher.digest_size}")


def _check_proof(hasher: Hasher, proof: Sequence[bytes], expected: int, what: str) -> None:
    if len(proof) != expected:
        raise VerificationError(f"{what} has {len(proof)} hashes, expected {expected}")
    for i, h in enumerate(proof):
        _check_hash(hasher, f"{what} hash {i}", h)


def _claimed_size(name: str, value: int) -> int:
    value = _as_int(name, value)
    if value < 0:
        raise VerificationError(f"{name} {value} is negative")
    return value


def verify_inclusion(hasher: Hasher, index: int, size: int, leaf_hash: bytes,
                     proof: Sequence[bytes], root_hash: bytes) -> None:
    """Check that `leaf_hash` is leaf `index` of the `size`-leaf tree with root `root_hash`."""
    index, size = _claimed_size("index", index), _claimed_size("size", size)
    _check_hash(hasher, "leaf hash", leaf_hash)
    _check_hash(hasher, "root", root_hash)
    if index >= size:
        raise VerificationError(f"leaf index {index} is outside a tree of {size} leaves")
    path = inclusion_proof(index, size)
    _check_proof(hasher, proof, len(path), "inclusion proof")
    h = leaf_hash
    for node, sibling in zip(path, proof):
        h = hasher.node(sibling, h) if node.index < index >> node.level else hasher.node(h, sibling)
    if h != root_hash:
        raise VerificationError(f"inclusion proof for leaf {index} of {size} gives root "
                                f"{h.hex()}, not {root_hash.hex()}")


def verify_consistency(hasher: Hasher, size1: int, size2: int, proof: Sequence[bytes],
                       root1: bytes, root2: bytes) -> None:
    """Check that the `size2`-leaf tree with root `root2` extends the `size1`-leaf tree with
    root `root1` (the first size1 leaves are the same)."""
    size1, size2 = _claimed_size("size1", size1), _claimed_size("size2", size2)
    _check_hash(hasher, "root1", root1)
    _check_hash(hasher, "root2", root2)
    if size1 > size2:
        raise VerificationError(f"size1 {size1} is larger than size2 {size2}")
    if size1 == size2:
        _check_proof(hasher, proof, 0, "consistency proof between equal sizes")
        if root1 != root2:
            raise VerificationError(f"trees of equal size {size1} have different roots")
        return
    if size1 == 0:
        raise VerificationError("a consistency proof from the empty tree proves nothing")
    positions = consistency_proof(size1, size2)
    _check_proof(hasher, proof, len(positions), "consistency proof")
    known = {_leaf_range(node, size2): h for node, h in zip(positions, proof)}
    if size1 & (size1 - 1) == 0:  # the old tree is a node of the new one: its root is omitted
        known[(0, size1)] = root1
    if (got := _fold(hasher, known, 0, size1)) != root1:
        raise VerificationError(f"consistency proof gives old root {got.hex()}, "
                                f"not {root1.hex()}")
    if (got := _fold(hasher, known, 0, size2)) != root2:
        raise VerificationError(f"consistency proof gives new root {got.hex()}, "
                                f"not {root2.hex()}")


def _leaf_range(node: NodeId, size: int) -> tuple[int, int]:
    lo = node.index << node.level
    return lo, min(size, lo + (1 << node.level))


def _fold(hasher: Hasher, known: dict[tuple[int, int], bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) from the known subtree hashes (the proof's positions always cover it)."""
    if (lo, hi) in known:
        return known[(lo, hi)]
    k = _split(hi - lo)
    return hasher.node(_fold(hasher, known, lo, lo + k), _fold(hasher, known, lo + k, hi))


def proof_to_hex(proof: Sequence[bytes]) -> list[str]:
    """The JSON form of a proof: lowercase hex strings, audit-path order."""
    return [h.hex() for h in proof]


def hash_from_hex(hasher: Hasher, text: object, what: str = "hash") -> bytes:
    """Parse one hex-encoded hash of the hasher's digest size."""
    if not isinstance(text, str):
        raise InputError(f"{what} must be a hex string, got {type(text).__name__}")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise InputError(f"{what} is not valid hex: {text[:80]!r}") from None
    if len(raw) != hasher.digest_size:
        raise InputError(f"{what} must be {hasher.digest_size} bytes ({2 * hasher.digest_size} "
                         f"hex digits), got {len(raw)}")
    return raw


def proof_from_hex(hasher: Hasher, items: object) -> list[bytes]:
    """Parse the JSON form of a proof (a list of hex strings)."""
    if not isinstance(items, list):
        raise InputError(f"a proof must be a list of hex strings, got {type(items).__name__}")
    return [hash_from_hex(hasher, item, f"proof hash {i}") for i, item in enumerate(items)]
