"""C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed head of the ledger's log.

A checkpoint commits to the log's RFC 6962 tree at one size. Its body is the text of a signed
note (ledger/signed_note.py):

    <origin>\\n<tree size, decimal>\\n<base64 root hash>\\n[<extension line>\\n ...]

The ledger signs with a key whose name is the origin, so `verify_checkpoint` by default also
requires the checkpoint's origin to equal the verifier's key name: a checkpoint of another log
signed by the same key is not accepted as this log's.

Parsing is strict (InputError naming the line): the origin is non-empty; the size is ASCII
decimal without leading zeros (just "0" for the empty tree) and fits in 64 bits, as in
transparency-dev's Go parser; the root is canonical standard base64 of exactly 32 bytes (a
SHA-256 root); extension lines, opaque here, must be non-empty; the text ends with a newline and
holds no control character besides newlines.
"""

from __future__ import annotations

import re
from base64 import b64encode
from collections.abc import Sequence
from dataclasses import dataclass

from engine.errors import InputError, VerificationError
from ledger.signed_note import Signer, Verifier, b64decode_strict, open_note, sign_note

ROOT_SIZE = 32
MAX_TREE_SIZE = 2**64 - 1
_SIZE = re.compile(r"0|[1-9][0-9]*")


def _check_line(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"checkpoint {what} must be a string, got {type(value).__name__}")
    if not value:
        raise InputError(f"checkpoint {what} must not be empty")
    for i, ch in enumerate(value):
        if ch < " ":
            raise InputError(f"checkpoint {what} {value[:80]!r} contains control character "
                             f"{ch!r} at offset {i}")
    return value


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and opaque extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise InputError(f"checkpoint size must be an integer, got {type(self.size).__name__}")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise InputError(f"checkpoint size {self.size} is outside 0..2^64-1")
        if not isinstance(self.root, bytes) or len(self.root) != ROOT_SIZE:
            got = len(self.root) if isinstance(self.root, bytes) else type(self.root).__name__
            raise InputError(f"checkpoint root must be {ROOT_SIZE} bytes, got {got}")
        if not isinstance(self.extensions, tuple):
            raise InputError("checkpoint extensions must be a tuple of lines")
        for i, line in enumerate(self.extensions):
            _check_line(line, f"extension line {i}")

    def text(self) -> str:
        """The note text (checkpoint body) with its final newline."""
        lines = [self.origin, str(self.size), b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (a note's text), rejecting every non-canonical form."""
    if not isinstance(text, str):
        raise InputError(f"a checkpoint must be a string, got {type(text).__name__}")
    if not text.endswith("\n"):
        raise InputError("malformed checkpoint: the text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise InputError(f"malformed checkpoint: {len(lines)} lines, need origin, size and root")
    origin, size_text, root_text, *extensions = lines
    origin = _check_line(origin, "origin (line 1)")
    _check_line(size_text, "size (line 2)")
    if not _SIZE.fullmatch(size_text):
        raise InputError(f"malformed checkpoint: size (line 2) {size_text[:40]!r} is not a "
                         "decimal number without leading zeros")
    size = int(size_text)
    if size > MAX_TREE_SIZE:
        raise InputError(f"malformed checkpoint: size (line 2) {size_text[:40]} exceeds 2^64-1")
    _check_line(root_text, "root (line 3)")
    root = b64decode_strict(root_text, "malformed checkpoint: root (line 3)")
    if len(root) != ROOT_SIZE:
        raise InputError(f"malformed checkpoint: root (line 3) is {len(root)} bytes, "
                         f"expected {ROOT_SIZE}")
    for i, line in enumerate(extensions):
        _check_line(line, f"extension line (line {i + 4})")
    return Checkpoint(origin, size, root, tuple(extensions))


def sign_checkpoint(origin: str, size: int, root: bytes, signer: Signer,
                    extensions: Sequence[str] = ()) -> str:
    """The signed note of the checkpoint (origin, size, root); the key name must be the origin."""
    checkpoint = Checkpoint(origin, size, root, tuple(extensions))
    if signer.name != origin:
        raise InputError(f"the log key is named {signer.name!r} but the checkpoint origin is "
                         f"{origin!r}; a log signs its checkpoints with a key named after it")
    return sign_note(checkpoint.text(), signer)


def verify_checkpoint(note_text: str | bytes, verifier: Verifier,
                      origin: str | None = None) -> Checkpoint:
    """Verify the signature by `verifier` and parse the checkpoint; its origin must be `origin`
    (by default the verifier's key name)."""
    note = open_note(note_text, [verifier])
    checkpoint = parse_checkpoint(note.text)
    expected = verifier.name if origin is None else origin
    if checkpoint.origin != expected:
        raise VerificationError(f"checkpoint origin {checkpoint.origin!r} is not the expected "
                                f"log {expected!r}")
    return checkpoint
