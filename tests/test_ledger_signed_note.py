"""Signed notes: the golang.org/x/mod/sumdb/note test vectors (keys, a signed note, Open cases)
as published, Ed25519 checked against an independent by-hand verification, round trips, and
every malformed form."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError, VerificationError
from ledger.signed_note import (
    MAX_SIGNATURES,
    Signature,
    Signer,
    Verifier,
    key_id,
    open_note,
    parse_note,
    sign_note,
)

# --- the Go package's published vectors (sumdb/note/note_test.go) ---
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
PETER_B64 = ("x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE"
             "6RyyBwJnAM=")
ENOCH_B64 = ("rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33W"
             "Wd1RvMc+QQ=")
PETER_SIG = f"\u2014 PeterNeumann {PETER_B64}\n"
ENOCH_SIG = f"\u2014 EnochRoot {ENOCH_B64}\n"
EM = "\u2014"


def sig(name: str, key: int, b64: str) -> Signature:
    raw = base64.b64decode(b64)
    assert int.from_bytes(raw[:4], "big") == key
    return Signature(name, key, raw[4:])


PETER = sig("PeterNeumann", 0xC74F20A3, PETER_B64)
ENOCH = sig("EnochRoot", 0xAF0CFE78, ENOCH_B64)


def insert_abcd(line: str) -> str:
    """The Go tests' peterSig[:60] + "ABCD" + peterSig[60:], with Go's byte offsets."""
    raw = line.encode()
    return (raw[:60] + b"ABCD" + raw[60:]).decode()


def test_go_verifier_keys_parse():
    peter, enoch = Verifier.from_vkey(PETER_VKEY), Verifier.from_vkey(ENOCH_VKEY)
    assert (peter.name, peter.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert (enoch.name, enoch.key_id) == ("EnochRoot", 0xAF0CFE78)
    assert peter.vkey == PETER_VKEY and enoch.vkey == ENOCH_VKEY
    # key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4], recomputed by hand
    raw = base64.b64decode(PETER_VKEY.split("+", 2)[2])
    assert hashlib.sha256(b"PeterNeumann\n" + raw).digest()[:4] == bytes.fromhex("c74f20a3")
    assert key_id("PeterNeumann", raw[1:]) == 0xC74F20A3


def manglings(key: str):
    """Every proper substring and every one-byte increment, as NewVerifier/NewSigner tests do."""
    b = key.encode()
    for i in range(len(b) + 1):
        for j in range(i + 1, len(b) + 1):
            if (i, j) != (0, len(b)):
                yield b[i:j]
    for i in range(len(b)):
        yield b[:i] + bytes([b[i] + 1]) + b[i + 1:]


@pytest.mark.parametrize("key, parse", [(PETER_VKEY, Verifier.from_vkey),
                                        (PETER_SKEY, Signer.from_skey)], ids=["vkey", "skey"])
def test_go_key_manglings_are_rejected(key, parse):
    count = 0
    for mangled in manglings(key):
        with pytest.raises(InputError):
            parse(mangled.decode())
        count += 1
    assert count > 2000


@pytest.mark.parametrize("vkey, message", [
    # wrong length key, with adjusted key hash (Go vector)
    # (Go rejects it for its length; its last group "EY==" is already non-canonical base64)
    ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
    ("PeterNeumann+5bdbe860+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==", "32 bytes"),
    # unknown algorithm, with adjusted key hash (Go vector)
    ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "algorithm 0x65"),
    ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "lowercase hex"),
    ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n", "base64"),
    ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "spaces"),
    ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "empty"),
    ("PeterNeumann+c74f20a3", "must look like"),
    ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
    ("PeterNeumann+c74f20a3+", "algorithm none"),
])
def test_malformed_verifier_keys(vkey, message):
    with pytest.raises(InputError, match=message):
        Verifier.from_vkey(vkey)


def test_go_signer_key_and_its_errors_keep_the_seed_secret():
    signer = Signer.from_skey(PETER_SKEY)
    assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert signer.verifier.vkey == PETER_VKEY and signer.skey == PETER_SKEY
    seed64 = PETER_SKEY.rsplit("+", 2)[1:]
    assert "AYEKF" not in repr(signer) and "AYEKF" not in str(signer)
    for bad in (PETER_SKEY[:-1], PETER_SKEY.replace("c74f20a3+", ""),
                PETER_SKEY.replace("+Y7", "+Y8")):
        with pytest.raises(InputError) as info:
            Signer.from_skey(bad)
        assert all(part[:8] not in str(info.value) for part in seed64)


def test_go_sign_vector():
    signer = Signer.from_skey(PETER_SKEY)
    assert sign_note(TEXT, signer) == TEXT + "\n" + PETER_SIG


def test_go_sign_rejects_text_without_final_newline():
    with pytest.raises(InputError, match="end with a newline"):
        sign_note("abc", Signer.from_skey(PETER_SKEY))


def test_go_open_one_verified_one_not():
    note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [Verifier.from_vkey(PETER_VKEY)])
    assert note.text == TEXT
    assert note.signatures == (PETER,) and note.unverified == (ENOCH,)


def test_go_open_both_verified():
    verifiers = [Verifier.from_vkey(PETER_VKEY), Verifier.from_vkey(ENOCH_VKEY)]
    note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, verifiers)
    assert note.signatures == (PETER, ENOCH) and note.unverified == ()


def test_go_open_without_known_keys_fails():
    with pytest.raises(VerificationError, match="no verifiable signatures.*PeterNeumann\\+c74f20a3"
                                                ".*EnochRoot\\+af0cfe78"):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_go_open_duplicated_verifier():
    enoch, peter = Verifier.from_vkey(ENOCH_VKEY), Verifier.from_vkey(PETER_VKEY)
    with pytest.raises(InputError, match="ambiguous key EnochRoot\\+af0cfe78"):
        open_note(TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch])
    # an unused duplicate is harmless
    assert open_note(TEXT + "\n" + PETER_SIG, [enoch, peter, enoch]).signatures == (PETER,)


def test_go_open_too_many_signatures():
    for verifiers in ([Verifier.from_vkey(PETER_VKEY)], []):
        with pytest.raises(InputError, match=f"more than {MAX_SIGNATURES}"):
            open_note(TEXT + "\n" + PETER_SIG * 101, verifiers)
    assert open_note(TEXT + "\n" + PETER_SIG * 100,
                     [Verifier.from_vkey(PETER_VKEY)]).signatures == (PETER,)


def test_go_open_invalid_signature():
    with pytest.raises(VerificationError, match="invalid signature for key "
                                                "PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + insert_abcd(PETER_SIG), [Verifier.from_vkey(PETER_VKEY)])


def test_go_open_duplicated_verified_and_unverified_signatures():
    enoch_abcd = insert_abcd(ENOCH_SIG)
    note = open_note(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd,
                     [Verifier.from_vkey(PETER_VKEY)])
    assert note.signatures == (PETER,)
    assert note.unverified == (ENOCH, sig("EnochRoot", 0xAF0CFE78, enoch_abcd.split(" ")[2]))


@pytest.mark.parametrize("message, reason", [
    (TEXT, "no blank line"),
    (TEXT + "\n", "no signature lines"),
    (TEXT + "\n" + PETER_SIG[:-1], "does not end with a newline"),
    ("\x01" + TEXT + "\n" + PETER_SIG, "control character"),
    (b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), "not UTF-8"),
    (TEXT + "\n" + f"{EM} Bad Name {PETER_B64}", "does not end with a newline"),
    (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "does not start with an em dash"),
], ids=["text-only", "no-signatures", "no-final-newline", "control-char", "bad-utf8",
        "name-with-space", "unexpected-line"])
def test_go_open_malformed_messages(message, reason):
    with pytest.raises(InputError, match=f"malformed note: .*{reason}"):
        open_note(message, [Verifier.from_vkey(PETER_VKEY)])


# --- malformed forms beyond the Go vectors ---

@pytest.mark.parametrize("message, reason", [
    (TEXT + "\n" + PETER_SIG.replace(EM, "-"), "em dash"),
    (TEXT + "\n" + PETER_SIG.replace(EM, "\u2013"), "em dash"),  # en dash
    (TEXT + "\n" + PETER_SIG.replace(EM + " ", EM), "em dash"),
    (TEXT + "\n" + f"{EM}  {PETER_B64}\n", "must not be empty"),
    (TEXT + "\n" + f"{EM} Peter+Neumann {PETER_B64}\n", "'\\+'"),
    (TEXT + "\n" + f"{EM} PeterNeumann\n", "has no signature"),
    (TEXT + "\n" + f"{EM} PeterNeumann \n", "shorter than a key ID"),
    (TEXT + "\n" + f"{EM} PeterNeumann x08goA==\n", "shorter than a key ID"),
    (TEXT + "\n" + f"{EM} Bad Name {PETER_B64}\n", "not standard base64"),
    (TEXT + "\n" + f"{EM} PeterNeumann {PETER_B64[:-1]}\n", "not valid base64"),
    (TEXT + "\n" + f"{EM} PeterNeumann {PETER_B64[:-2]}N=\n", "not canonical"),
    (TEXT + "\n" + f"{EM} PeterNeumann {PETER_B64} \n", "not standard base64"),
    (TEXT + "\n" + PETER_SIG.replace("\n", "\r\n"), "control character"),
    (TEXT + "\n" + PETER_SIG + "\n", "no signature lines"),
    (TEXT + "\n" + "\n" + PETER_SIG, None),  # text ends with a blank line: valid, see below
    ("\ud800" + TEXT + "\n" + PETER_SIG, "not UTF-8"),
], ids=["hyphen", "en-dash", "no-space", "empty-name", "plus-in-name", "no-signature",
        "empty-signature", "short-signature", "name-with-space", "bad-padding",
        "noncanonical-base64", "trailing-space", "crlf", "trailing-blank-line", "extra-blank-line", "lone-surrogate"])
def test_malformed_notes(message, reason):
    peter = Verifier.from_vkey(PETER_VKEY)
    if reason is None:  # the text is split off at the last blank line, so it keeps this one
        with pytest.raises(VerificationError, match="invalid signature"):
            open_note(message, [peter])
        assert parse_note(message)[0] == TEXT + "\n"
        return
    with pytest.raises(InputError, match=reason):
        open_note(message, [peter])


def test_wrong_key_same_name_is_an_unknown_key():
    other = Signer.generate("PeterNeumann")
    note = sign_note(TEXT, other)
    with pytest.raises(VerificationError, match="no verifiable signatures"):
        open_note(note, [Verifier.from_vkey(PETER_VKEY)])


def test_forged_key_id_of_a_known_key_fails_verification():
    """An attacker's signature carrying the known key's name and ID must be checked, and fail."""
    other = Signer.generate("PeterNeumann")
    forged = Signature("PeterNeumann", 0xC74F20A3, other.sign(TEXT.encode()))
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(TEXT + "\n" + forged.line(), [Verifier.from_vkey(PETER_VKEY)])


def test_every_signature_of_a_known_key_is_verified():
    """Go skips repeats of a verified key; the spec says each one MUST be verified."""
    bad = insert_abcd(PETER_SIG)
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(TEXT + "\n" + PETER_SIG + bad, [Verifier.from_vkey(PETER_VKEY)])


def test_modified_body_and_signature_fail():
    signer = Signer.generate("example.org/log")
    note = sign_note(TEXT, signer)
    verifiers = [signer.verifier]
    assert open_note(note, verifiers).text == TEXT
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(note.replace("cryptography", "cryptographY"), verifiers)
    line = note.split("\n\n")[1]
    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    for i in (4, 40, len(raw) - 1):  # R, inside, S (past the 4-byte key ID)
        mutated = bytearray(raw)
        mutated[i] ^= 0x01
        bad = f"{EM} example.org/log {base64.b64encode(bytes(mutated)).decode()}\n"
        with pytest.raises(VerificationError, match="invalid signature"):
            open_note(TEXT + "\n" + bad, verifiers)


def test_sign_rejects_bad_inputs():
    signer = Signer.generate("log")
    for text, reason in [("a\x00b\n", "control character"), ("a\rb\n", "control character"),
                         ("\udc80\n", "UTF-8"), (b"bytes\n", "must be a string")]:
        with pytest.raises(InputError, match=reason):
            sign_note(text, signer)
    with pytest.raises(InputError, match="at least one signer"):
        sign_note("x\n")
    for name in ("", "a b", "a+b", "tab\there", "nbsp\u00a0", "ideographic\u3000"):
        with pytest.raises(InputError):
            Signer.generate(name)


def by_hand_open(note: str, vkey: str) -> str:
    """The independent reference: split, decode, recompute the key ID, verify with Ed25519."""
    name, hex_id, key64 = vkey.split("+", 2)
    public = base64.b64decode(key64)
    assert public[0] == 1
    assert hashlib.sha256(name.encode() + b"\n" + public).digest()[:4].hex() == hex_id
    text, block = note.rsplit("\n\n", 1)
    line = block.rstrip("\n")
    dash, signer, b64 = line.split(" ")
    assert dash == EM and signer == name
    raw = base64.b64decode(b64)
    assert raw[:4].hex() == hex_id
    Ed25519PublicKey.from_public_bytes(public[1:]).verify(raw[4:], (text + "\n").encode())
    return text + "\n"


note_texts = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",), min_codepoint=0x20), max_size=30),
    min_size=1, max_size=5).map(lambda lines: "\n".join(lines) + "\n")
key_names = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"),
                                  blacklist_characters="+\x85\u1680\u180e"),
                    min_size=1, max_size=20)


@settings(max_examples=40, deadline=None)
@given(text=note_texts, name=key_names)
def test_round_trip_and_by_hand_verification(text, name):
    signer = Signer.generate(name)
    note = sign_note(text, signer)
    opened = open_note(note, [Verifier.from_vkey(signer.verifier.vkey)])
    assert opened.text == text and [s.name for s in opened.signatures] == [name]
    assert by_hand_open(note, signer.verifier.vkey) == text
    again = Signer.from_skey(signer.skey)
    assert again.verifier == signer.verifier and sign_note(text, again) == note


def test_cosigned_note_lists_both_and_each_verifier_alone_suffices():
    log, witness = Signer.generate("example.org/log"), Signer.generate("witness.example")
    note = sign_note(TEXT, log, witness)
    alone = open_note(note, [witness.verifier])
    assert [s.name for s in alone.signatures] == ["witness.example"]
    assert [s.name for s in alone.unverified] == ["example.org/log"]
