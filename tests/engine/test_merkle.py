"""RFC 6962 trees and proofs: the transparency-dev vectors (SHA-256), the BLAKE3 row tree against
a recursive MTH, and proof generation against the RFC's recursive PATH and SUBPROOF."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import blake3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError, VerificationError
from engine.merkle import (
    BLAKE3,
    SHA256,
    Hasher,
    MerkleTree,
    NodeId,
    consistency_proof,
    hash_from_hex,
    inclusion_proof,
    proof_from_hex,
    proof_to_hex,
    root,
    tree_levels,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "rfc6962"
INCLUSION = sorted(VECTORS.glob("inclusion/*/*.json"))
CONSISTENCY = sorted(VECTORS.glob("consistency/*/*.json"))
# The eight leaf inputs of the Certificate Transparency test tree the vectors were made from.
CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
CT_ROOT_8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def load(path: Path) -> dict:
    case = json.loads(path.read_text())
    case["proof"] = [b64(h) for h in case["proof"] or []]
    return case


def case_id(path: Path) -> str:
    return str(path.relative_to(VECTORS).with_suffix(""))


def mth(hasher: Hasher, hashes: list[bytes]) -> bytes:
    """RFC 6962 MTH over leaf hashes, recursively (the independent reference)."""
    if not hashes:
        return hasher.empty_root()
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return hasher.node(mth(hasher, hashes[:k]), mth(hasher, hashes[k:]))


def rfc_path(hasher: Hasher, m: int, hashes: list[bytes]) -> list[bytes]:
    """RFC 6962 section 2.1.1 PATH(m, D[n])."""
    if len(hashes) == 1:
        return []
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    if m < k:
        return rfc_path(hasher, m, hashes[:k]) + [mth(hasher, hashes[k:])]
    return rfc_path(hasher, m - k, hashes[k:]) + [mth(hasher, hashes[:k])]


def rfc_subproof(hasher: Hasher, m: int, hashes: list[bytes], b: bool) -> list[bytes]:
    """RFC 6962 section 2.1.2 SUBPROOF(m, D[n], b)."""
    n = len(hashes)
    if m == n:
        return [] if b else [mth(hasher, hashes)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return rfc_subproof(hasher, m, hashes[:k], b) + [mth(hasher, hashes[k:])]
    return rfc_subproof(hasher, m - k, hashes[k:], False) + [mth(hasher, hashes[:k])]


def leaf_hashes(hasher: Hasher, n: int, seed: int = 0) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [hasher.leaf(rng.bytes(int(rng.integers(0, 60)))) for _ in range(n)]


def flip(h: bytes, bit: int = 0) -> bytes:
    return h[:bit // 8] + bytes([h[bit // 8] ^ (1 << bit % 8)]) + h[bit // 8 + 1:]


# --- the transparency-dev RFC 6962 vectors, SHA-256 ---

@pytest.mark.parametrize("path", INCLUSION, ids=case_id)
def test_inclusion_vector(path):
    c = load(path)
    args = (SHA256, c["leafIdx"], c["treeSize"], b64(c["leafHash"]), c["proof"], b64(c["root"]))
    if c["wantErr"]:
        with pytest.raises(VerificationError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY, ids=case_id)
def test_consistency_vector(path):
    c = load(path)
    args = (SHA256, c["size1"], c["size2"], c["proof"], b64(c["root1"]), b64(c["root2"]))
    if c["wantErr"]:
        with pytest.raises(VerificationError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_vector_counts():
    assert len(INCLUSION) == 86 and len(CONSISTENCY) == 84
    assert sum(not load(p)["wantErr"] for p in INCLUSION + CONSISTENCY) == 11


def ct_tree(size: int) -> MerkleTree:
    return MerkleTree(SHA256, [SHA256.leaf(d) for d in CT_LEAVES[:size]])


def test_ct_tree_root():
    assert ct_tree(8).root.hex() == CT_ROOT_8


@pytest.mark.parametrize("path", [p for p in INCLUSION if p.name == "happy-path.json"
                                  and p.parent.name != "single-entry"], ids=case_id)
def test_generated_inclusion_proofs_equal_the_vectors(path):
    c = load(path)
    tree = ct_tree(c["treeSize"])
    assert tree.root == b64(c["root"])
    assert tree.node(NodeId(0, c["leafIdx"])) == b64(c["leafHash"])
    assert tree.inclusion_proof(c["leafIdx"]) == c["proof"]


@pytest.mark.parametrize("path", [p for p in CONSISTENCY if p.name == "happy-path.json"],
                         ids=case_id)
def test_generated_consistency_proofs_equal_the_vectors(path):
    c = load(path)
    assert ct_tree(c["size1"]).root == b64(c["root1"])
    tree = ct_tree(c["size2"])
    assert tree.root == b64(c["root2"])
    assert tree.consistency_proof(c["size1"]) == c["proof"]


# --- the BLAKE3 row tree ---

@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.binary(max_size=80), max_size=300))
def test_blake3_row_tree_equals_recursive_mth(rows):
    buffer = np.frombuffer(b"".join(rows), dtype=np.uint8)
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    leaves = BLAKE3.leaves(buffer, offsets)
    want_leaves = [blake3.blake3(b"\x00" + r).digest() for r in rows]
    assert [h.tobytes() for h in leaves] == want_leaves
    want_root = mth(BLAKE3, want_leaves)
    assert root(BLAKE3, leaves) == want_root
    assert MerkleTree(BLAKE3, leaves).root == want_root


def test_blake3_node_and_empty_definitions():
    left, right = bytes(range(32)), bytes(range(32, 64))
    assert BLAKE3.node(left, right) == blake3.blake3(b"\x01" + left + right).digest()
    assert BLAKE3.leaf(b"row") == blake3.blake3(b"\x00row").digest()
    assert root(BLAKE3, []) == blake3.blake3(b"").digest() == MerkleTree(BLAKE3, []).root


def test_bulk_kernels_equal_the_per_item_path():
    plain = Hasher("blake3-plain", 32, BLAKE3.hash_bytes)
    rng = np.random.default_rng(7)
    rows = [rng.bytes(int(n)) for n in rng.integers(0, 90, size=77)]
    buffer = np.frombuffer(b"".join(rows), dtype=np.uint8)
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    leaves = BLAKE3.leaves(buffer, offsets)
    assert np.array_equal(leaves, plain.leaves(buffer, offsets))
    for fast, slow in zip(tree_levels(BLAKE3, leaves), tree_levels(plain, leaves), strict=True):
        assert np.array_equal(fast, slow)


# --- inclusion proofs of small trees ---

@pytest.mark.parametrize("hasher", [BLAKE3, SHA256], ids=lambda h: h.name)
@pytest.mark.parametrize("size", [*range(1, 18), 31, 32, 33])
def test_every_inclusion_proof_verifies_and_equals_rfc_path(hasher, size):
    hashes = leaf_hashes(hasher, size, seed=size)
    tree = MerkleTree(hasher, hashes)
    for index in range(size):
        proof = tree.inclusion_proof(index)
        assert proof == rfc_path(hasher, index, hashes)
        verify_inclusion(hasher, index, size, hashes[index], proof, tree.root)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 6, 7, 8, 13])
def test_mutated_inclusion_proofs_fail(size):
    hashes = leaf_hashes(BLAKE3, size, seed=100 + size)
    tree = MerkleTree(BLAKE3, hashes)
    for index in range(size):
        proof = tree.inclusion_proof(index)
        bad_claims = [
            (index, size, flip(hashes[index]), proof, tree.root),
            (index, size, hashes[index], proof, flip(tree.root, 255)),
            (index, 2 * size, hashes[index], proof, tree.root),
            (index, size // 2, hashes[index], proof, tree.root),
            (index, size, hashes[index], proof + [tree.root], tree.root),
            (index, size, hashes[index], [hashes[index]] + proof, tree.root),
            (size, size, hashes[index], proof, tree.root),
            (-1, size, hashes[index], proof, tree.root),
        ]
        bad_claims += [(other, size, hashes[index], proof, tree.root)
                       for other in range(size) if other != index]
        bad_claims += [(index, size, hashes[index], proof[:i] + proof[i + 1:], tree.root)
                       for i in range(len(proof))]
        for i in range(len(proof)):
            for bit in (0, 77, 255):
                bad = list(proof)
                bad[i] = flip(bad[i], bit)
                bad_claims.append((index, size, hashes[index], bad, tree.root))
        for claim in bad_claims:
            with pytest.raises(VerificationError):
                verify_inclusion(BLAKE3, *claim)


def test_inclusion_positions_follow_promotion():
    # size 5: leaf 4 is promoted twice; its only sibling is the left half [0, 4)
    assert inclusion_proof(4, 5) == [NodeId(2, 0)]
    # size 7: leaf 6 is promoted once, then pairs with [4, 6), then with [0, 4)
    assert inclusion_proof(6, 7) == [NodeId(1, 2), NodeId(2, 0)]
    assert inclusion_proof(4, 7) == [NodeId(0, 5), NodeId(1, 3), NodeId(2, 0)]
    assert inclusion_proof(0, 1) == []


# --- consistency proofs ---

@pytest.mark.parametrize("hasher", [BLAKE3, SHA256], ids=lambda h: h.name)
def test_every_consistency_proof_verifies_and_equals_rfc_subproof(hasher):
    hashes = leaf_hashes(hasher, 33, seed=5)
    roots = [mth(hasher, hashes[:n]) for n in range(34)]
    for n in range(1, 34):
        tree = MerkleTree(hasher, hashes[:n])
        for m in range(1, n + 1):
            proof = tree.consistency_proof(m)
            assert proof == (rfc_subproof(hasher, m, hashes[:n], True) if m < n else [])
            verify_consistency(hasher, m, n, proof, roots[m], roots[n])


@pytest.mark.parametrize("n", [2, 3, 5, 8, 11, 16, 17])
def test_mutated_consistency_proofs_fail(n):
    hashes = leaf_hashes(BLAKE3, n + 1, seed=200 + n)
    roots = [mth(BLAKE3, hashes[:k]) for k in range(n + 2)]
    tree = MerkleTree(BLAKE3, hashes[:n])
    for m in range(1, n):
        proof = tree.consistency_proof(m)
        bad_claims = [
            (m, n, proof, flip(roots[m]), roots[n]),
            (m, n, proof, roots[m], flip(roots[n], 100)),
            (m, n, proof, roots[n], roots[m]),
            (m + 1, n, proof, roots[m + 1], roots[n]),
            (m, n + 1, proof, roots[m], roots[n + 1]),
            (m, n, proof[:-1], roots[m], roots[n]),
            (m, n, proof + [roots[m]], roots[m], roots[n]),
            (m, n, [roots[m]] + proof, roots[m], roots[n]),
            (n, m, proof, roots[n], roots[m]),
            (0, n, proof, roots[0], roots[n]),
            (m, n, [], roots[m], roots[n]),
        ]
        for i in range(len(proof)):
            bad = list(proof)
            bad[i] = flip(bad[i], 9)
            bad_claims.append((m, n, bad, roots[m], roots[n]))
        for claim in bad_claims:
            with pytest.raises(VerificationError):
                verify_consistency(BLAKE3, *claim)
    with pytest.raises(VerificationError, match="different roots"):
        verify_consistency(BLAKE3, n, n, [], roots[n], roots[n - 1])
    with pytest.raises(VerificationError, match="expected 0"):
        verify_consistency(BLAKE3, n, n, [roots[1]], roots[n], roots[n])


def test_consistency_between_equal_and_empty_trees():
    verify_consistency(SHA256, 0, 0, [], SHA256.empty_root(), SHA256.empty_root())
    verify_consistency(SHA256, 3, 3, [], b"\x07" * 32, b"\x07" * 32)
    with pytest.raises(VerificationError, match="empty tree"):
        verify_consistency(SHA256, 0, 3, [], SHA256.empty_root(), b"\x07" * 32)


# --- argument errors and the hex form ---

@pytest.mark.parametrize("call, match", [
    (lambda: inclusion_proof(5, 5), "outside a tree of 5"),
    (lambda: inclusion_proof(-1, 5), "outside a tree of 5"),
    (lambda: inclusion_proof(0, 0), "outside a tree of 0"),
    (lambda: inclusion_proof(1.0, 5), "index must be an integer"),
    (lambda: inclusion_proof(True, 5), "index must be an integer"),
    (lambda: consistency_proof(0, 3), "0 < old size <= size"),
    (lambda: consistency_proof(4, 3), "0 < old size <= size"),
    (lambda: consistency_proof(2, "3"), "size must be an integer"),
    (lambda: root(BLAKE3, [b"\x00" * 31]), "hash 0 must be 32 bytes"),
    (lambda: root(BLAKE3, ["00" * 32]), "hash 0 must be 32 bytes"),
    (lambda: root(BLAKE3, np.zeros((3, 31), np.uint8)), r"\(n, 32\) uint8 array"),
    (lambda: MerkleTree(SHA256, np.zeros((3, 32), np.int64)), r"\(n, 32\) uint8 array"),
    (lambda: BLAKE3.leaves(np.zeros(4, np.uint8), np.array([0, 5], np.int64)),
     "row layout: offsets must be non-decreasing and lie within the buffer"),
    (lambda: verify_inclusion(SHA256, 0, 1, "00" * 32, [], b"\x00" * 32),
     "leaf hash must be bytes"),
])
def test_bad_arguments_raise_input_error(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_numpy_integers_are_accepted():
    tree = MerkleTree(SHA256, leaf_hashes(SHA256, 6))
    index, size = np.int64(4), np.uint32(6)
    assert inclusion_proof(index, size) == inclusion_proof(4, 6)
    verify_inclusion(SHA256, index, size, tree.node(NodeId(0, 4)), tree.inclusion_proof(4),
                     tree.root)


def test_proof_hex_round_trip():
    tree = MerkleTree(BLAKE3, leaf_hashes(BLAKE3, 11))
    proof = tree.inclusion_proof(9)
    text = proof_to_hex(proof)
    assert all(len(h) == 64 and h == h.lower() for h in text)
    assert proof_from_hex(BLAKE3, json.loads(json.dumps(text))) == proof
    assert hash_from_hex(BLAKE3, tree.root.hex().upper()) == tree.root


@pytest.mark.parametrize("items, match", [
    ("ab" * 32, "must be a list"),
    ({"0": "ab" * 32}, "must be a list"),
    ([7], "proof hash 0 must be a hex string"),
    (["ab" * 32, "zz" * 32], "proof hash 1 is not valid hex"),
    (["ab" * 31], "must be 32 bytes"),
    (["ab" * 33], "must be 32 bytes"),
    (["abc"], "not valid hex"),
])
def test_malformed_hex_proofs_are_rejected(items, match):
    with pytest.raises(InputError, match=match):
        proof_from_hex(BLAKE3, items)


# --- docs/row-merkle.md ---

DOC = Path(__file__).resolve().parents[2] / "docs" / "row-merkle.md"


def test_worked_example_of_the_doc():
    leaves = [BLAKE3.leaf(f"row {i}".encode()) for i in range(5)]
    tree = MerkleTree(BLAKE3, leaves)
    assert leaves[2].hex() == "427d66cd333258a140e5863e1508cf68d70359d0195411d16a88d77bd621e582"
    assert tree.root.hex() == "08c93aaf404cc0e4344c59f30c40711d14c35817b599033d67a072cf939c8227"
    assert proof_to_hex(tree.inclusion_proof(2)) == [
        "62b782ebc7dc74f99a509c518baa2a23a7b6b34236118409e0ab55d90cd5e19b",
        "f442a9dbe781721f54bfd23a8c83c955555762290c2e405ab1c38ce2eb079937",
        "3ecf723eeea464708efb25dcec46e81cc7a331c3dc42377298a665deab15f0ac"]
    assert proof_to_hex(tree.inclusion_proof(4)) == [
        "6bb6a83abb1c9c5922c5b826e1d1bc6aa8ab9970ceb19dd7224997193ec11794"]


def test_the_doc_checker_agrees_with_verify_inclusion():
    source = DOC.read_text().split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(source, namespace)  # the stand-alone checker the doc gives to independent verifiers
    check_row = namespace["check_row"]
    for size in range(1, 12):
        rows = [f"row {i} of {size}".encode() for i in range(size)]
        tree = MerkleTree(BLAKE3, [BLAKE3.leaf(r) for r in rows])
        for index in range(size):
            proof = tree.inclusion_proof(index)
            assert check_row(rows[index], index, size, proof, tree.root)
            assert not check_row(rows[index] + b"!", index, size, proof, tree.root)
            assert not check_row(rows[index], index, size, proof + [tree.root], tree.root)
            if proof:
                assert not check_row(rows[index], index, size, proof[:-1], tree.root)
                assert not check_row(rows[index], index, size, [flip(proof[0])] + proof[1:],
                                     tree.root)
