"""Checkpoints: the C2SP example body, transparency-dev's parser cases, round trips over origins,
sizes and roots, every malformed form, and signature failures (wrong key, modified body or
signature, another log's origin)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError, VerificationError
from engine.merkle import SHA256, MerkleTree
from ledger.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from ledger.signed_note import Signer, sign_note

ROOT = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
# The CT test tree's eight leaves (the RFC 6962 vectors' tree) and its root at size 8.
CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
CT_ROOT_8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
# A fixed test key (never a real log's): seed = SHA-256("zkp-ledger checkpoint test key").
TEST_SEED = hashlib.sha256(b"zkp-ledger checkpoint test key").digest()


def test_c2sp_example_body():
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    cp = parse_checkpoint(text)
    assert (cp.origin, cp.size, cp.root, cp.extensions) == (
        "example.com/behind-the-sofa", 20852163, ROOT, ())
    assert cp.text() == text


def test_transparency_dev_cases():
    """Their parser cases, adapted: their roots are short strings, ours must be 32 bytes."""
    root64 = base64.b64encode(ROOT).decode()
    cp = parse_checkpoint(f"Log\n9944\n{root64}\nHere's some associated data.\n")
    assert cp == Checkpoint("Log", 9944, ROOT, ("Here's some associated data.",))
    cp = parse_checkpoint(f"Log\n9944\n{root64}\nlots\nof\nlines\n")
    assert cp.extensions == ("lots", "of", "lines")
    for bad in ["Head\n9944\n", f"\n9944\n{root64}\n", f"Log\n123\n{root64}",
                f"Log\nbananas\n{root64}\n", f"Log\n-34\n{root64}\n",
                f"Log\n3438945738945739845734895735\n{root64}\n", "Log\n123\nThisIsn'tBase64\n",
                "Log\n123\nYmFuYW5hcw==\n", f"Log\n9944\n{root64}\n\n\n\n"]:
        with pytest.raises(InputError):
            parse_checkpoint(bad)


def test_ct_tree_checkpoint_commits_to_the_vectors_root():
    tree = MerkleTree(SHA256, [SHA256.leaf(d) for d in CT_LEAVES])
    signer = Signer("example.org/ct-test", TEST_SEED)
    note = sign_checkpoint("example.org/ct-test", tree.size, tree.root, signer)
    assert note.startswith(
        "example.org/ct-test\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n")
    cp = verify_checkpoint(note, signer.verifier)
    assert (cp.size, cp.root) == (8, CT_ROOT_8)


R64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize("text, reason", [
    (f"log\n5\n{R64}", "end with a newline"),
    ("log\n5\n", "2 lines"),
    ("", "end with a newline"),
    (f"\n5\n{R64}\n", "origin \\(line 1\\) must not be empty"),
    (f"log\n\n{R64}\n", "size \\(line 2\\) must not be empty"),
    (f"log\n05\n{R64}\n", "leading zeros"),
    (f"log\n00\n{R64}\n", "leading zeros"),
    (f"log\n+5\n{R64}\n", "decimal"),
    (f"log\n-5\n{R64}\n", "decimal"),
    (f"log\n 5\n{R64}\n", "decimal"),
    (f"log\n5 \n{R64}\n", "decimal"),
    (f"log\n1_000\n{R64}\n", "decimal"),
    (f"log\n0x10\n{R64}\n", "decimal"),
    (f"log\n\u0661\u0662\n{R64}\n", "decimal"),  # Arabic-Indic digits: int() would take them
    (f"log\n5.0\n{R64}\n", "decimal"),
    (f"log\n{2**64}\n{R64}\n", "exceeds 2\\^64-1"),
    (f"log\n5\n{R64[:-1]}\n", "not valid base64"),
    (f"log\n5\n{R64.rstrip('=')}\n", "not valid base64"),
    (f"log\n5\n{R64[:-2]}J=\n", "not canonical"),
    (f"log\n5\n {R64}\n", "not standard base64"),
    (f"log\n5\n{R64.replace('/', '_')}\n", "not standard base64"),  # URL-safe alphabet
    (f"log\n5\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
    (f"log\n5\n{base64.b64encode(ROOT + b'x').decode()}\n", "33 bytes"),
    (f"log\n5\n\n", "root \\(line 3\\) must not be empty"),
    (f"log\n5\n{R64}\n\n", "extension line \\(line 4\\) must not be empty"),
    (f"log\n5\n{R64}\next\n\n", "extension line \\(line 5\\) must not be empty"),
    (f"lo\rg\n5\n{R64}\n", "control character"),
    (f"log\n5\n{R64}\nex\tt\n", "control character"),
    (f"log\r\n5\n{R64}\n", "control character"),
], ids=lambda v: v.replace(R64, "<root>"))
def test_malformed_checkpoints(text, reason):
    with pytest.raises(InputError, match=reason):
        parse_checkpoint(text)


def test_malformed_checkpoint_values():
    for args, reason in [(("", 1, ROOT), "origin must not be empty"),
                         (("a\nb", 1, ROOT), "control character"),
                         (("log", -1, ROOT), "outside"), (("log", 2**64, ROOT), "outside"),
                         (("log", True, ROOT), "integer"), (("log", 1.0, ROOT), "integer"),
                         (("log", 1, ROOT[:16]), "32 bytes, got 16"),
                         (("log", 1, ROOT.hex()), "32 bytes, got str"),
                         (("log", 1, ROOT, ["ext"]), "tuple"),
                         (("log", 1, ROOT, ("",)), "extension line 0 must not be empty")]:
        with pytest.raises(InputError, match=reason):
            Checkpoint(*args)
    with pytest.raises(InputError, match="must be a string"):
        parse_checkpoint(b"log\n1\n" + R64.encode() + b"\n")


origins = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
key_names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
                                  blacklist_characters="+\x85\u1680\u180e"),
                    min_size=1, max_size=40)
sizes = st.one_of(st.integers(0, 2**20), st.integers(0, MAX_TREE_SIZE),
                  st.sampled_from([0, 1, MAX_TREE_SIZE]))
roots = st.binary(min_size=32, max_size=32)
extensions = st.lists(origins, max_size=3).map(tuple)


@settings(max_examples=50, deadline=None)
@given(origin=origins, size=sizes, root=roots, ext=extensions)
def test_format_parse_round_trip(origin, size, root, ext):
    cp = Checkpoint(origin, size, root, ext)
    text = cp.text()
    assert text == "".join(f"{line}\n" for line in
                           [origin, str(size), base64.b64encode(root).decode(), *ext])
    assert parse_checkpoint(text) == cp


@settings(max_examples=25, deadline=None)
@given(origin=key_names, size=sizes, root=roots, ext=extensions)
def test_sign_verify_round_trip(origin, size, root, ext):
    signer = Signer.generate(origin)
    note = sign_checkpoint(origin, size, root, signer, ext)
    assert verify_checkpoint(note, signer.verifier) == Checkpoint(origin, size, root, ext)
    assert verify_checkpoint(note.encode(), signer.verifier).size == size
    # an independent check of the signature with the raw Ed25519 key
    text, line = note.rsplit("\n\n", 1)
    raw = base64.b64decode(line.split(" ")[-1])
    assert raw[:4] == signer.key_id.to_bytes(4, "big")
    Ed25519PublicKey.from_public_bytes(signer.verifier.public_key).verify(
        raw[4:], (text + "\n").encode())


@pytest.fixture()
def signed():
    signer = Signer("example.org/log", TEST_SEED)
    return signer, sign_checkpoint("example.org/log", 1234, ROOT, signer)


def test_wrong_key(signed):
    _, note = signed
    with pytest.raises(VerificationError, match="no verifiable signatures"):
        verify_checkpoint(note, Signer.generate("example.org/log").verifier)


@pytest.mark.parametrize("change", [
    ("\n1234\n", "\n1235\n"), ("example.org/log\n", "example.org/lag\n"),
    ("=\n\n", "=\nextra\n\n")], ids=["size", "origin", "extension"])
def test_modified_body(signed, change):
    signer, note = signed
    with pytest.raises(VerificationError, match="invalid signature"):
        verify_checkpoint(note.replace(*change, 1), signer.verifier)


def test_modified_signature(signed):
    signer, note = signed
    text, line = note.rsplit("\n\n", 1)
    dash, name, b64 = line.rstrip("\n").split(" ")
    raw = bytearray(base64.b64decode(b64))
    raw[10] ^= 0x80
    bad = f"{text}\n\n{dash} {name} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(VerificationError, match="invalid signature"):
        verify_checkpoint(bad, signer.verifier)


def test_origin_must_match_the_key_name():
    signer = Signer("example.org/log", TEST_SEED)
    with pytest.raises(InputError, match="named after it"):
        sign_checkpoint("example.org/other", 1, ROOT, signer)
    # the same key signing another log's checkpoint text: valid signature, wrong log
    note = sign_note(Checkpoint("example.org/other", 1, ROOT).text(), signer)
    with pytest.raises(VerificationError, match="origin 'example.org/other' is not the expected"):
        verify_checkpoint(note, signer.verifier)
    assert verify_checkpoint(note, signer.verifier, origin="example.org/other").size == 1


def test_signed_note_body_must_be_a_checkpoint():
    signer = Signer("example.org/log", TEST_SEED)
    with pytest.raises(InputError, match="malformed checkpoint"):
        verify_checkpoint(sign_note("example.org/log\n12\n", signer), signer.verifier)


def test_docs_worked_example():
    """docs/checkpoints.md's example, reproduced from its seed (Go's note.Open accepted it)."""
    signer = Signer("example.org/zkp-ledger/demo",
                    hashlib.sha256(b"zkp-ledger docs example key").digest())
    assert signer.verifier.vkey == ("example.org/zkp-ledger/demo+c5600731+"
                                    "Abet7uqhxNonhF+/Rbt798nm7XBTcosnMofUFLJZZJH6")
    tree = MerkleTree(SHA256, [SHA256.leaf(d) for d in CT_LEAVES])
    note = sign_checkpoint(signer.name, 8, tree.root, signer)
    assert note == (
        "example.org/zkp-ledger/demo\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
        "\u2014 example.org/zkp-ledger/demo xWAHMTrb4QrEwI7WN7DWIyZfp+lhHkq7ELYbj9WCqN52NCg1vxZHuwp"
        "aUxfn2XtzSPyZ4pABlNwqja3tL5JY2itXZg8=\n")
    assert verify_checkpoint(note, signer.verifier) == Checkpoint(signer.name, 8, CT_ROOT_8)
    assert [base64.b64encode(h).decode() for h in tree.consistency_proof(5)] == [
        "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
        "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]
