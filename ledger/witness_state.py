"""The client's memory of the last checkpoint it verified, and the consistency check against it.

A signed checkpoint only shows that the log's key signed some tree head. To notice a log that
rewrites history (a fork, a rollback, a dropped entry), the client remembers the newest
checkpoint it has verified and accepts a new one only if the log proves, with an RFC 6962
consistency proof, that the new tree extends the remembered one. This is what a witness does;
here the CLI is its own witness.

The memory is <ledger dir>/state/last-checkpoint: the signed note itself, so it is re-verified
with the log key on every load (a hand-edited state file is an error, not a silent reset). It is
replaced atomically (temp file, fsync, os.replace, fsync of the directory) under an exclusive
flock, so concurrent verifiers never move it backwards. The consistency proof is passed in by
the caller (the log computes it), which keeps this module free of storage.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from engine.errors import InputError, VerificationError
from engine.merkle import SHA256, verify_consistency
from ledger.checkpoint import Checkpoint, verify_checkpoint
from ledger.signed_note import Verifier

STATE_DIR = "state"
STATE_FILE = "last-checkpoint"
_LOCK_FILE = "last-checkpoint.lock"

ConsistencyProver = Callable[[int, int], Sequence[bytes]]


def state_path(ledger_dir: str | Path) -> Path:
    return Path(ledger_dir) / STATE_DIR / STATE_FILE


def check_consistency(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Raise VerificationError unless `new` extends `old` by the RFC 6962 (SHA-256) `proof`."""
    if new.origin != old.origin:
        raise VerificationError(f"checkpoint is for log {new.origin!r}, the remembered one for "
                                f"{old.origin!r}")
    if new.size < old.size:
        raise VerificationError(f"checkpoint size {new.size} is smaller than the remembered "
                                f"checkpoint's size {old.size}: the log was rolled back or forked")
    for cp in (old, new):
        if cp.size == 0 and cp.root != SHA256.empty_root():
            raise VerificationError(f"a checkpoint of the empty tree must have root "
                                    f"SHA-256(\"\"), not {cp.root.hex()}")
    if new.size == old.size:
        if new.root != old.root:
            raise VerificationError(f"checkpoint at size {new.size} has root {new.root.hex()} but "
                                    f"the remembered checkpoint at that size has root "
                                    f"{old.root.hex()}: the log forked")
        if len(proof):
            raise VerificationError(f"a consistency proof between equal sizes is empty, got "
                                    f"{len(proof)} hashes")
        return
    if old.size == 0:  # every tree extends the empty tree
        if len(proof):
            raise VerificationError(f"a consistency proof from the empty tree is empty, got "
                                    f"{len(proof)} hashes")
        return
    try:
        verify_consistency(SHA256, old.size, new.size, proof, old.root, new.root)
    except VerificationError as exc:
        raise VerificationError(f"consistency proof from size {old.size} to {new.size} fails: "
                                f"{exc}") from None


def load_last_checkpoint(ledger_dir: str | Path, verifier: Verifier) -> Checkpoint | None:
    """The remembered checkpoint, re-verified with `verifier`; None if there is none yet."""
    path = state_path(ledger_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return verify_checkpoint(data, verifier)
    except (InputError, VerificationError) as exc:
        raise type(exc)(f"{path}: the remembered checkpoint does not verify ({exc}); if the log "
                        f"key was deliberately replaced, remove this file") from None


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextmanager
def _locked(ledger_dir: str | Path) -> Iterator[None]:
    directory = Path(ledger_dir) / STATE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def accept_checkpoint(ledger_dir: str | Path, note_text: str | bytes, verifier: Verifier,
                      consistency_proof: ConsistencyProver) -> Checkpoint:
    """Verify `note_text` with `verifier`, check that it extends the remembered checkpoint and,
    if it is newer, remember it. `consistency_proof(old_size, new_size)` gives the proof hashes;
    it is called only when 0 < old_size < new_size. Returns the verified checkpoint."""
    new = verify_checkpoint(note_text, verifier)
    with _locked(ledger_dir):
        old = load_last_checkpoint(ledger_dir, verifier)
        if old is not None:
            proof = (consistency_proof(old.size, new.size) if 0 < old.size < new.size else [])
            check_consistency(old, new, proof)
        if old is None or new.size > old.size:
            text = note_text if isinstance(note_text, str) else note_text.decode("utf-8")
            _write_atomically(state_path(ledger_dir), text.encode("utf-8"))
    return new
