"""The remembered checkpoint: consistency against the transparency-dev RFC 6962 vectors, proofs
from real trees (and mutated ones), rollback and fork detection, and the state file's atomic,
re-verified, never-backwards updates."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError, VerificationError
from engine.merkle import SHA256, MerkleTree
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.signed_note import Signer
from ledger.witness_state import (
    accept_checkpoint,
    check_consistency,
    load_last_checkpoint,
    state_path,
)

VECTORS = Path(__file__).resolve().parent / "fixtures" / "vectors" / "rfc6962" / "consistency"
CASES = sorted(VECTORS.glob("*/*.json"))
ORIGIN = "example.org/zkp-ledger/witness-test"
SIGNER = Signer(ORIGIN, bytes(range(32)))


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def tree(size: int) -> MerkleTree:
    return MerkleTree(SHA256, [SHA256.leaf(f"entry {i}".encode()) for i in range(size)])


def cp(t: MerkleTree, origin: str = ORIGIN) -> Checkpoint:
    return Checkpoint(origin, t.size, t.root)


def note(t: MerkleTree) -> str:
    return sign_checkpoint(ORIGIN, t.size, t.root, SIGNER)


def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


# --- check_consistency ---

def test_vector_count():
    assert len(CASES) == 84


@pytest.mark.parametrize("path", CASES, ids=case_id)
def test_consistency_vector(path):
    c = json.loads(path.read_text())
    proof = [base64.b64decode(h) for h in c["proof"] or []]
    root1, root2 = base64.b64decode(c["root1"]), base64.b64decode(c["root2"])
    if not c["wantErr"]:
        check_consistency(Checkpoint(ORIGIN, c["size1"], root1),
                          Checkpoint(ORIGIN, c["size2"], root2), proof)
        return
    if len(root1) != 32 or len(root2) != 32:  # a 9-byte root is not a checkpoint at all
        with pytest.raises(InputError, match="32 bytes"):
            check_consistency(Checkpoint(ORIGIN, c["size1"], root1),
                              Checkpoint(ORIGIN, c["size2"], root2), proof)
        return
    with pytest.raises(VerificationError):
        check_consistency(Checkpoint(ORIGIN, c["size1"], root1),
                          Checkpoint(ORIGIN, c["size2"], root2), proof)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_real_proofs_pass_and_mutations_fail(data):
    n = data.draw(st.integers(2, 70))
    m = data.draw(st.integers(1, n - 1))
    big = tree(n)
    old, new = cp(tree(m)), cp(big)
    proof = big.consistency_proof(m)
    check_consistency(old, new, proof)
    i = data.draw(st.integers(0, len(proof) - 1))
    with pytest.raises(VerificationError, match=f"consistency proof from size {m} to {n} fails"):
        check_consistency(old, new, proof[:i] + [flip(proof[i])] + proof[i + 1:])
    with pytest.raises(VerificationError, match="fails"):
        check_consistency(old, new, proof[:-1])
    with pytest.raises(VerificationError, match="fails"):
        check_consistency(Checkpoint(ORIGIN, m, flip(old.root)), new, proof)


def test_smaller_checkpoint_is_a_rollback():
    with pytest.raises(VerificationError, match="size 5 is smaller than .* size 8: .*rolled back"):
        check_consistency(cp(tree(8)), cp(tree(5)), [])


def test_same_size_other_root_is_a_fork():
    forked = Checkpoint(ORIGIN, 8, flip(tree(8).root))
    with pytest.raises(VerificationError, match="at size 8 has root .* the log forked"):
        check_consistency(cp(tree(8)), forked, [])
    check_consistency(cp(tree(8)), cp(tree(8)), [])
    with pytest.raises(VerificationError, match="equal sizes is empty"):
        check_consistency(cp(tree(8)), cp(tree(8)), [tree(8).root])


def test_other_origin():
    with pytest.raises(VerificationError, match="for log 'other'"):
        check_consistency(cp(tree(3)), cp(tree(5), "other"), tree(5).consistency_proof(3))


def test_empty_tree():
    empty = Checkpoint(ORIGIN, 0, SHA256.empty_root())
    check_consistency(empty, cp(tree(5)), [])
    check_consistency(empty, empty, [])
    with pytest.raises(VerificationError, match="from the empty tree is empty"):
        check_consistency(empty, cp(tree(5)), [tree(5).root])
    with pytest.raises(VerificationError, match="empty tree must have root"):
        check_consistency(Checkpoint(ORIGIN, 0, tree(5).root), cp(tree(5)), [])


# --- the state file ---

def prover(full: MerkleTree):
    calls = []

    def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
        calls.append((old_size, new_size))
        assert new_size == full.size
        return full.consistency_proof(old_size)

    consistency_proof.calls = calls
    return consistency_proof


def test_first_checkpoint_is_remembered(tmp_path):
    assert load_last_checkpoint(tmp_path, SIGNER.verifier) is None
    t = tree(4)
    proof = prover(t)
    assert accept_checkpoint(tmp_path, note(t), SIGNER.verifier, proof) == cp(t)
    assert proof.calls == []
    assert state_path(tmp_path).read_text() == note(t)
    assert load_last_checkpoint(tmp_path, SIGNER.verifier) == cp(t)


def test_growth_is_checked_and_remembered(tmp_path):
    accept_checkpoint(tmp_path, note(tree(4)), SIGNER.verifier, prover(tree(4)))
    t = tree(11)
    proof = prover(t)
    assert accept_checkpoint(tmp_path, note(t), SIGNER.verifier, proof).size == 11
    assert proof.calls == [(4, 11)]
    assert load_last_checkpoint(tmp_path, SIGNER.verifier) == cp(t)
    # the same checkpoint again: nothing to prove, nothing changes
    assert accept_checkpoint(tmp_path, note(t), SIGNER.verifier, prover(t)) == cp(t)


def test_rejections_leave_the_state_unchanged(tmp_path):
    accept_checkpoint(tmp_path, note(tree(6)), SIGNER.verifier, prover(tree(6)))
    before = state_path(tmp_path).read_bytes()
    with pytest.raises(VerificationError, match="smaller"):
        accept_checkpoint(tmp_path, note(tree(5)), SIGNER.verifier, prover(tree(5)))
    other = MerkleTree(SHA256, [SHA256.leaf(f"other {i}".encode()) for i in range(9)])
    with pytest.raises(VerificationError, match="consistency proof from size 6 to 9 fails"):
        accept_checkpoint(tmp_path, note(other), SIGNER.verifier, prover(other))
    t = tree(9)
    with pytest.raises(VerificationError, match="fails"):
        accept_checkpoint(tmp_path, note(t), SIGNER.verifier,
                          lambda a, b: [flip(h) for h in t.consistency_proof(a)])
    stranger = Signer.generate(ORIGIN)
    with pytest.raises(VerificationError, match="no verifiable signatures"):
        accept_checkpoint(tmp_path, sign_checkpoint(ORIGIN, 9, t.root, stranger),
                          SIGNER.verifier, prover(t))
    assert state_path(tmp_path).read_bytes() == before
    assert [p.name for p in state_path(tmp_path).parent.iterdir() if p.suffix == ".tmp"] == []


def test_tampered_state_file_is_an_error(tmp_path):
    accept_checkpoint(tmp_path, note(tree(6)), SIGNER.verifier, prover(tree(6)))
    path = state_path(tmp_path)
    path.write_text(path.read_text().replace("\n6\n", "\n2\n"))
    with pytest.raises(VerificationError, match=f"{path}: the remembered checkpoint does not "
                                                "verify .*invalid signature.*remove this file"):
        load_last_checkpoint(tmp_path, SIGNER.verifier)
    path.write_text("not a note\n")
    with pytest.raises(InputError, match="remembered checkpoint does not verify"):
        accept_checkpoint(tmp_path, note(tree(7)), SIGNER.verifier, prover(tree(7)))


def test_write_is_atomic_replace(tmp_path, monkeypatch):
    accept_checkpoint(tmp_path, note(tree(2)), SIGNER.verifier, prover(tree(2)))
    inode = os.stat(state_path(tmp_path)).st_ino
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append((a, b)), real_replace(a, b)))
    accept_checkpoint(tmp_path, note(tree(3)), SIGNER.verifier, prover(tree(3)))
    assert [Path(b) for _, b in replaced] == [state_path(tmp_path)]
    assert Path(replaced[0][0]).parent == state_path(tmp_path).parent
    assert os.stat(state_path(tmp_path)).st_ino != inode  # a new file, not rewritten in place

    def crash(a, b):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        accept_checkpoint(tmp_path, note(tree(4)), SIGNER.verifier, prover(tree(4)))
    assert load_last_checkpoint(tmp_path, SIGNER.verifier) == cp(tree(3))
    assert [p for p in state_path(tmp_path).parent.iterdir() if p.suffix == ".tmp"] == []
