"""What an export can check about a trail by itself, without the ledger: the findings it reports.

- entry ids: each stated entry_id must be the SHA-256 of the entry's canonical bytes;
- the checkpoint: it parses as a C2SP checkpoint, and, given the log's verifier key, its
  signature verifies and its origin is the key's name;
- inclusion: each entry's audit path must be for its own log index, in the checkpoint's tree
  size, and fold to the checkpoint's root from leaf hash SHA-256(0x00 || canonical bytes).

Nothing here raises for a failed check: every failure is a finding with its reason, for the HTML
report to show and for the in-toto exporter to refuse to sign (`TrailStatus.problems`). The
ledger's own verdicts (proof verification, data checks) come with the trail and are reported
alongside, not recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine import merkle
from engine.errors import InputError, VerificationError
from ledger.checkpoint import Checkpoint, parse_checkpoint, verify_checkpoint
from ledger.entries import entry_bytes, entry_id
from ledger.export.trail import AuditTrail, TrailEntry
from ledger.signed_note import Verifier, parse_note

Outcome = Literal["verified", "failed", "not checked", "absent"]


@dataclass(frozen=True)
class Finding:
    outcome: Outcome
    detail: str

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"


@dataclass(frozen=True)
class EntryStatus:
    entry_id: Finding
    inclusion: Finding


@dataclass(frozen=True)
class TrailStatus:
    checkpoint: Checkpoint | None  # parsed body, None when absent or malformed
    signature: Finding
    entries: dict[int, EntryStatus]  # by log index

    def problems(self) -> list[str]:
        """Every failed check, in words."""
        out = [f"checkpoint: {self.signature.detail}"] if self.signature.failed else []
        for index, status in self.entries.items():
            out += [f"log entry {index}: {f.detail}" for f in (status.entry_id, status.inclusion)
                    if f.failed]
        return out


def _checkpoint(text: str | None, verifier: Verifier | None) -> tuple[Checkpoint | None, Finding]:
    if text is None:
        return None, Finding("absent", "no checkpoint in the trail")
    try:
        body, _ = parse_note(text)
        checkpoint = parse_checkpoint(body)
    except InputError as exc:
        return None, Finding("failed", f"malformed checkpoint: {exc}")
    if verifier is None:
        return checkpoint, Finding("not checked", "no verifier key given")
    try:
        verify_checkpoint(text, verifier)
    except (InputError, VerificationError) as exc:
        return checkpoint, Finding("failed", f"signature: {exc}")
    return checkpoint, Finding("verified", f"signed by {verifier.vkey}")


def checkpoint_of(trail: AuditTrail) -> Checkpoint | None:
    """The trail's checkpoint body, parsed (None when absent or malformed); no signature check."""
    return _checkpoint(trail.checkpoint, None)[0]


def _entry_id(e: TrailEntry) -> tuple[bytes, Finding]:
    data = entry_bytes(e.entry)
    actual = entry_id(data)
    if actual != e.entry_id:
        return data, Finding("failed", f"stated entry id {e.entry_id[:16]}... is not the hash of "
                                       f"the entry's canonical bytes ({actual[:16]}...)")
    return data, Finding("verified", "sha256 of the canonical entry bytes")


def _inclusion(e: TrailEntry, data: bytes, checkpoint: Checkpoint | None) -> Finding:
    proof = e.inclusion
    if proof is None:
        return Finding("absent", "no inclusion proof in the trail")
    if checkpoint is None:
        return Finding("not checked", "no valid checkpoint to check the proof against")
    if proof.leaf_index != e.log_index:
        return Finding("failed", f"the proof is for leaf {proof.leaf_index}, not {e.log_index}")
    if proof.tree_size != checkpoint.size:
        return Finding("failed", f"the proof is for tree size {proof.tree_size}, the checkpoint's "
                                 f"is {checkpoint.size}")
    try:
        merkle.verify_inclusion(merkle.SHA256, proof.leaf_index, proof.tree_size,
                                merkle.SHA256.leaf(data),
                                [bytes.fromhex(h) for h in proof.hashes], checkpoint.root)
    except (InputError, VerificationError) as exc:
        return Finding("failed", str(exc))
    return Finding("verified", f"leaf {proof.leaf_index} of {proof.tree_size} under the "
                               f"checkpoint root")


def all_problems(trail: AuditTrail, status: TrailStatus) -> list[str]:
    """The failed checks plus the entries the ledger's own verification failed."""
    return status.problems() + [
        f"log entry {e.log_index}: the ledger's verification failed: "
        f"{trail.verdicts[e.entry_id].detail}"
        for e in trail.entries if e.entry_id in trail.verdicts
        and not trail.verdicts[e.entry_id].ok]


def check_trail(trail: AuditTrail, verifier: Verifier | None = None) -> TrailStatus:
    checkpoint, signature = _checkpoint(trail.checkpoint, verifier)
    entries = {}
    for e in trail.entries:
        data, id_finding = _entry_id(e)
        entries[e.log_index] = EntryStatus(id_finding, _inclusion(e, data, checkpoint))
    return TrailStatus(checkpoint, signature, entries)


__all__ = ["EntryStatus", "Finding", "TrailStatus", "all_problems", "check_trail",
           "checkpoint_of"]
