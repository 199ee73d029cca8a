"""The LMDB Merkle log: every transparency-dev RFC 6962 vector (happy and mutated) against a log of
the Certificate Transparency test leaves, and roots/proofs against engine.merkle's in-memory tree
and the RFC's recursive definitions for random sizes, appended in random batches."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError, VerificationError
from engine.merkle import SHA256, MerkleTree, verify_consistency, verify_inclusion
from ledger.log import EMPTY_ROOT, MerkleLog, node_key, perfect_nodes
from ledger.store import Store

VECTORS = Path(__file__).resolve().parent / "fixtures" / "vectors" / "rfc6962"
INCLUSION = sorted(VECTORS.glob("inclusion/*/*.json"))
CONSISTENCY = sorted(VECTORS.glob("consistency/*/*.json"))
# The leaves of the Certificate Transparency test tree the vectors were made from.
CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
SINGLE_LEAF = b"data"  # the one leaf of the inclusion/single-entry cases


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def case_id(path: Path) -> str:
    return str(path.relative_to(VECTORS).with_suffix(""))


@pytest.fixture(scope="module")
def ct_log(tmp_path_factory):
    log = MerkleLog(Store(tmp_path_factory.mktemp("ct") / "lmdb"))
    log.append_many(CT_LEAVES[:3])  # two transactions: the frontier carries across them
    for leaf in CT_LEAVES[3:]:
        log.append(leaf)
    return log


@pytest.fixture(scope="module")
def single_log(tmp_path_factory):
    log = MerkleLog(Store(tmp_path_factory.mktemp("single") / "lmdb"))
    log.append(SINGLE_LEAF)
    return log


def _ours(fn, *args):
    """What the log answers for the claimed positions, or None where it rejects them."""
    try:
        return fn(*args)
    except InputError:
        return None


@pytest.mark.parametrize("path", INCLUSION, ids=case_id)
def test_inclusion_vector(ct_log, single_log, path):
    c = json.loads(path.read_text())
    log = single_log if path.parent.name == "single-entry" else ct_log
    leaves = [SINGLE_LEAF] if log is single_log else CT_LEAVES
    idx, size = c["leafIdx"], c["treeSize"]
    claim = ([b64(h) for h in c["proof"] or []], b64(c["root"]), b64(c["leafHash"]))
    ours = (_ours(log.inclusion_proof, idx, size), _ours(log.root, size),
            _ours(log.leaf_hash, idx))
    if not c["wantErr"]:
        assert ours == claim
        assert ours[2] == SHA256.leaf(leaves[idx])
        verify_inclusion(SHA256, idx, size, claim[2], claim[0], claim[1])
    else:
        assert ours != claim  # the log never produces the mutated claim ...
        with pytest.raises(VerificationError):  # ... and the verifier rejects it
            verify_inclusion(SHA256, idx, size, claim[2], claim[0], claim[1])


@pytest.mark.parametrize("path", CONSISTENCY, ids=case_id)
def test_consistency_vector(ct_log, path):
    c = json.loads(path.read_text())
    m, n = c["size1"], c["size2"]
    claim = ([b64(h) for h in c["proof"] or []], b64(c["root1"]), b64(c["root2"]))
    ours = (_ours(ct_log.consistency_proof, m, n), _ours(ct_log.root, m), _ours(ct_log.root, n))
    if not c["wantErr"]:
        assert ours == claim
        verify_consistency(SHA256, m, n, *claim)
    else:
        assert ours != claim
        with pytest.raises(VerificationError):
            verify_consistency(SHA256, m, n, *claim)


def test_ct_roots_and_stored_nodes(ct_log):
    assert ct_log.size() == 8
    assert ct_log.root(0) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert ct_log.root().hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert [ct_log.leaf(i) for i in range(8)] == CT_LEAVES
    with ct_log.store.read() as txn:  # exactly the perfect nodes: 8 + 4 + 2 + 1
        keys = [k for k, _ in txn.cursor(db=ct_log.store.db("nodes"))]
    assert sorted(keys) == sorted(node_key(lvl, i) for lvl in range(4) for i in range(8 >> lvl))


@pytest.mark.parametrize("call, match", [
    (lambda log: log.root(9), "outside the log's 0..8"),
    (lambda log: log.root(-1), "outside the log's 0..8"),
    (lambda log: log.inclusion_proof(8), "outside a tree of 8"),
    (lambda log: log.inclusion_proof(2, 2), "outside a tree of 2"),
    (lambda log: log.consistency_proof(0, 3), "0 < old size"),
    (lambda log: log.consistency_proof(5, 3), "0 < old size <= size"),
    (lambda log: log.leaf(8), "outside a log of 8"),
    (lambda log: log.leaf(True), "got bool"),
    (lambda log: log.root("3"), "must be an integer"),
])
def test_bad_positions_are_input_errors(ct_log, call, match):
    with pytest.raises(InputError, match=match):
        call(ct_log)


def test_leaves_must_be_bytes(tmp_path):
    log = MerkleLog(Store(tmp_path / "lmdb"))
    with pytest.raises(InputError, match="bytes, got str"):
        log.append("text")
    assert log.size() == 0  # the failed transaction left nothing


def test_perfect_nodes():
    assert list(perfect_nodes(0)) == []
    assert list(perfect_nodes(13)) == [(3, 0), (2, 2), (0, 12)]


def mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 MTH over leaf hashes, recursively (independent of both trees)."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return SHA256.node(mth(hashes[:k]), mth(hashes[k:]))


@settings(max_examples=25, deadline=None)
@given(data=st.data(), batches=st.lists(st.integers(1, 90), min_size=1, max_size=5))
def test_log_equals_in_memory_tree(tmp_path_factory, data, batches):
    log = MerkleLog(Store(tmp_path_factory.mktemp("h") / "lmdb"))
    leaves: list[bytes] = []
    for count in batches:
        batch = [data.draw(st.binary(max_size=12)) for _ in range(count)]
        assert log.append_many(batch) == len(leaves)
        leaves += batch
    total = len(leaves)
    n = data.draw(st.integers(1, total), label="n")
    m = data.draw(st.integers(1, n), label="m")
    index = data.draw(st.integers(0, n - 1), label="index")
    tree = MerkleTree(SHA256, [SHA256.leaf(x) for x in leaves[:n]])
    assert log.root(n) == tree.root == mth([SHA256.leaf(x) for x in leaves[:n]])
    assert log.root() == MerkleTree(SHA256, [SHA256.leaf(x) for x in leaves]).root
    with log.store.read() as txn:  # one snapshot for several reads
        proof = log.inclusion_proof(index, n, txn)
        assert proof == tree.inclusion_proof(index)
        assert log.consistency_proof(m, n, txn) == tree.consistency_proof(m)
    verify_inclusion(SHA256, index, n, log.leaf_hash(index), proof, log.root(n))
    verify_consistency(SHA256, m, n, log.consistency_proof(m, n), log.root(m), log.root(n))
