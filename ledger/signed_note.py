"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys.

The ledger signs its checkpoints as signed notes so that anyone holding the log's verifier key
string can check them with standard tooling (Go's golang.org/x/mod/sumdb/note, transparency-dev
witnesses) or by hand. A note is

    <text, ending in "\\n">
    <blank line>
    — <key name> <base64(4-byte big-endian key ID || Ed25519 signature over the text)>
    ...

with key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]. Key strings are the
sumdb forms: verifier key "<name>+<8 hex key ID>+<base64(0x01 || public key)>", signer key
"PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 || 32-byte seed)>".

Parsing is strict. Rejected as malformed (InputError): a note that is not UTF-8, holds an ASCII
control character other than newline, lacks the blank line before the signatures, has a
signature block without a final newline, a line that is not "— <name> <base64>" (em dash U+2014),
a key name that is empty or holds a space or '+', base64 that is not canonical standard base64,
a signature shorter than key ID + one byte, or more than MAX_SIGNATURES signatures. Key strings
need lowercase hex key IDs and canonical base64 (Go accepts more of both; what it prints is
always accepted here).

Verification follows the spec's MUSTs: signatures by unknown (name, key ID) pairs are ignored
and reported as unverified; every signature by a known key is verified (Go skips repeats of an
already verified key) and one that fails rejects the whole note (VerificationError); a note with
no verified signature is rejected (VerificationError). Two verifiers with the same name and key
ID are ambiguous, an InputError once a signature needs one of them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from engine.errors import InputError, VerificationError

ALG_ED25519 = 0x01
ED25519_KEY_SIZE = 32
MAX_SIGNATURES = 100  # the spec asks verifiers to accept at least 16; Go's limit is 100
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode canonical standard base64 (RFC 4648 section 4, padded, zero spare bits)."""
    if not _BASE64.fullmatch(text):
        raise InputError(f"{what} is not standard base64: {text[:80]!r}")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise InputError(f"{what} is not valid base64 ({exc}): {text[:80]!r}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise InputError(f"{what} is not canonical base64: {text[:80]!r}")
    return raw


def check_key_name(name: object) -> str:
    """A key name: non-empty, no Unicode space, no '+', no control character."""
    if not isinstance(name, str):
        raise InputError(f"a key name must be a string, got {type(name).__name__}")
    if not name:
        raise InputError("a key name must not be empty")
    for ch in name:
        if ch == "+" or ch.isspace() or ch < " ":
            raise InputError(f"key name {name!r} contains {ch!r}; names must not contain "
                             "spaces, '+' or control characters")
    return name


def key_id(name: str, public_key: bytes) -> int:
    """The uint32 key ID of an Ed25519 public key under `name`."""
    check_key_name(name)
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _key_string_parts(rest: str, what: str) -> tuple[str, int, bytes]:
    """Split "<name>+<hex key ID>+<base64 key>" and check the algorithm byte and length.
    Errors never quote the key data or a misplaced part (it may be a secret seed)."""
    parts = rest.split("+", 2)
    if len(parts) != 3:
        raise InputError(f"{what} must look like <name>+<8 hex key ID>+<base64 key>")
    name, hex_id, key64 = parts
    check_key_name(name)
    if not _KEY_ID_HEX.fullmatch(hex_id):
        raise InputError(f"{what}: the key ID must be 8 lowercase hex digits")
    try:
        raw = b64decode_strict(key64, "key data")
    except InputError:
        raise InputError(f"{what}: the key data is not canonical standard base64") from None
    if not raw or raw[0] != ALG_ED25519:
        alg = f"0x{raw[0]:02x}" if raw else "none"
        raise InputError(f"{what} uses algorithm {alg}; only Ed25519 (0x01) is supported")
    if len(raw) != 1 + ED25519_KEY_SIZE:
        raise InputError(f"{what}: an Ed25519 key is {ED25519_KEY_SIZE} bytes, got {len(raw) - 1}")
    return name, int(hex_id, 16), raw[1:]


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 public key with its name and key ID."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> Verifier:
        if not isinstance(public_key, bytes) or len(public_key) != ED25519_KEY_SIZE:
            raise InputError(f"an Ed25519 public key is {ED25519_KEY_SIZE} bytes")
        return cls(name, key_id(name, public_key), public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse a verifier key string "<name>+<hex key ID>+<base64(0x01 || key)>"."""
        if not isinstance(vkey, str):
            raise InputError(f"a verifier key must be a string, got {type(vkey).__name__}")
        name, claimed_id, public_key = _key_string_parts(vkey, "verifier key")
        verifier = cls.from_public_key(name, public_key)
        if verifier.key_id != claimed_id:
            raise InputError(f"verifier key ID {claimed_id:08x} does not match its name and key "
                             f"(expected {verifier.key_id:08x})")
        return verifier

    @property
    def vkey(self) -> str:
        key64 = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{key64}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """An Ed25519 private key with its name; repr and str never show the key."""

    def __init__(self, name: str, seed: bytes):
        check_key_name(name)
        if not isinstance(seed, bytes) or len(seed) != ED25519_KEY_SIZE:
            raise InputError(f"an Ed25519 private key seed is {ED25519_KEY_SIZE} bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier.from_public_key(name, public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        check_key_name(name)
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse a signer key "PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>"."""
        if not isinstance(skey, str) or not skey.startswith(PRIVATE_KEY_PREFIX):
            raise InputError(f"a signer key must start with {PRIVATE_KEY_PREFIX!r}")
        name, claimed_id, seed = _key_string_parts(skey[len(PRIVATE_KEY_PREFIX):], "signer key")
        signer = cls(name, seed)
        if signer.key_id != claimed_id:
            raise InputError(f"signer key ID {claimed_id:08x} does not match the public key of "
                             f"its seed (expected {signer.key_id:08x})")
        return signer

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> int:
        return self.verifier.key_id

    @property
    def skey(self) -> str:
        """The secret signer key string; whoever has it can sign as this key."""
        seed = self._key.private_bytes_raw()
        key64 = base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
        return f"{PRIVATE_KEY_PREFIX}{self.name}+{self.key_id:08x}+{key64}"

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def __repr__(self) -> str:
        return f"Signer({self.name}+{self.key_id:08x})"


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the raw signature (key ID prefix removed)."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        raw = self.key_id.to_bytes(4, "big") + self.signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(raw).decode()}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the signatures verified and those by unknown keys."""

    text: str
    signatures: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _check_note_chars(text: str, what: str) -> None:
    for i, ch in enumerate(text):
        if ch < " " and ch != "\n":
            raise InputError(f"malformed {what}: control character {ch!r} at offset {i}")


def sign_note(text: str, *signers: Signer) -> str:
    """The signed note of `text` (which must end in a newline) with one line per signer."""
    if not isinstance(text, str):
        raise InputError(f"note text must be a string, got {type(text).__name__}")
    if not text.endswith("\n"):
        raise InputError("malformed note text: it must end with a newline")
    _check_note_chars(text, "note text")
    try:
        message = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"malformed note text: not encodable as UTF-8 ({exc.reason})") from None
    if not signers:
        raise InputError("a note needs at least one signer")
    lines = [Signature(s.name, s.key_id, s.sign(message)).line() for s in signers]
    return text + "\n" + "".join(lines)


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise InputError(f"malformed note: signature line {line[:80]!r} does not start with "
                         "an em dash (U+2014) and a space")
    name, space, b64 = line[len(SIGNATURE_PREFIX):].partition(" ")
    if not space:
        raise InputError(f"malformed note: signature line {line[:80]!r} has no signature")
    try:
        check_key_name(name)
    except InputError as exc:
        raise InputError(f"malformed note: {exc}") from None
    raw = b64decode_strict(b64, f"malformed note: signature by {name}")
    if len(raw) < 5:
        raise InputError(f"malformed note: signature by {name} is {len(raw)} bytes, "
                         "shorter than a key ID and a signature")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse_note(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signature lines, checking only the syntax."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"malformed note: not UTF-8 at byte {exc.start}") from None
    elif not isinstance(note, str):
        raise InputError(f"a note must be str or bytes, got {type(note).__name__}")
    else:
        try:
            note.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(f"malformed note: not UTF-8 at offset {exc.start}") from None
    _check_note_chars(note, "note")
    split = note.rfind("\n\n")
    if split < 0:
        raise InputError("malformed note: no blank line between the text and the signatures")
    text, block = note[:split + 1], note[split + 2:]
    if not block:
        raise InputError("malformed note: no signature lines after the blank line")
    if not block.endswith("\n"):
        raise InputError("malformed note: the last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise InputError(f"malformed note: {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return text, [_parse_signature_line(line) for line in lines]


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse `note` and verify its signatures by the known `verifiers` (see module docstring)."""
    known: dict[tuple[str, int], list[Verifier]] = {}
    for v in verifiers:
        if not isinstance(v, Verifier):
            raise InputError(f"verifiers must be Verifier objects, got {type(v).__name__}")
        known.setdefault((v.name, v.key_id), []).append(v)
    text, signatures = parse_note(note)
    message = text.encode("utf-8")
    verified: dict[tuple[str, int], Signature] = {}
    unverified: dict[Signature, None] = {}  # ordered set: drops repeated identical lines
    for sig in signatures:
        candidates = known.get((sig.name, sig.key_id))
        if not candidates:
            unverified.setdefault(sig)
            continue
        if len(candidates) > 1:
            raise InputError(f"ambiguous key {sig.name}+{sig.key_id:08x}: "
                             f"{len(candidates)} verifiers have that name and key ID")
        if not candidates[0].verify(message, sig.signature):
            raise VerificationError(f"invalid signature for key {sig.name}+{sig.key_id:08x}")
        verified.setdefault((sig.name, sig.key_id), sig)
    if not verified:
        names = ", ".join(f"{s.name}+{s.key_id:08x}" for s in unverified)
        raise VerificationError(f"note has no verifiable signatures (signed only by unknown "
                                f"keys: {names})")
    return Note(text, tuple(verified.values()), tuple(unverified))
