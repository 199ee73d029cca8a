"""The input of every export: an audit trail, the entries a query selected with their log positions.

An `AuditTrail` is what the ledger hands the exporters (and what the JSON export writes and reads
back): entries in log order, each with its log index, its entry id, optionally its RFC 6962
inclusion proof, plus optionally the signed checkpoint those proofs lead to and the ledger's own
verification verdicts. The exporters never open the ledger; everything they show comes from here.

Entries are `ledger.entries` models. Plain JSON values (dicts as parsed from the canonical JSON, or
a model's `model_dump(mode="json")`) are validated with `ledger.entries.validate_entry`, so an
exported report shows exactly what the schema admits. The stated entry id is kept as given and
checked against the canonical bytes in `ledger.export.checks`: a mismatch is a finding to report,
not a reason to refuse to render.

An inclusion proof carries no root of its own: it is checked against the trail's checkpoint, the
one signed tree head the report stands on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from engine.errors import InputError
from ledger.entries import Entry, validate_entry

_HEX64 = re.compile(r"[0-9a-f]{64}")


def check_int(value: object, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise InputError(f"{what} must be >= {minimum}, got {value}")
    return value


def check_hex64(value: object, what: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise InputError(f"{what} must be 64 lowercase hex digits, got {str(value)[:80]!r}")
    return value


@dataclass(frozen=True)
class InclusionProof:
    """The audit path of leaf `leaf_index` in the log's tree of `tree_size` leaves (hex hashes,
    leaf level first, as `engine.merkle.proof_to_hex` writes them)."""

    leaf_index: int
    tree_size: int
    hashes: tuple[str, ...]

    def __post_init__(self) -> None:
        check_int(self.leaf_index, "inclusion proof leaf_index")
        check_int(self.tree_size, "inclusion proof tree_size", minimum=1)
        if not isinstance(self.hashes, tuple):
            raise InputError("inclusion proof hashes must be a tuple of hex strings")
        for i, h in enumerate(self.hashes):
            check_hex64(h, f"inclusion proof hash {i}")


@dataclass(frozen=True)
class Verdict:
    """The ledger's own verification of one entry (e.g. `Ledger.verify`): passed or not, and
    what was checked or what failed, in words."""

    ok: bool
    detail: str

    def __post_init__(self) -> None:
        if not isinstance(self.ok, bool) or not isinstance(self.detail, str):
            raise InputError("a verdict is (ok: bool, detail: str)")


@dataclass(frozen=True)
class TrailEntry:
    log_index: int
    entry_id: str
    entry: Entry
    inclusion: InclusionProof | None = None

    def __post_init__(self) -> None:
        check_int(self.log_index, "log_index")
        check_hex64(self.entry_id, f"entry_id of log entry {self.log_index}")
        if not isinstance(self.entry, BaseModel):
            raise InputError(f"log entry {self.log_index}: use TrailEntry.of for JSON entries")
        if self.inclusion is not None and not isinstance(self.inclusion, InclusionProof):
            raise InputError(f"log entry {self.log_index}: inclusion must be an InclusionProof")

    @classmethod
    def of(cls, log_index: int, entry_id: str, entry: Entry | Mapping,
           inclusion: InclusionProof | None = None) -> TrailEntry:
        """A trail entry from a model or a JSON value of one (validated, errors name the entry)."""
        if not isinstance(entry, BaseModel):
            try:
                entry = validate_entry(dict(entry) if isinstance(entry, Mapping) else entry)
            except InputError as exc:
                raise InputError(f"log entry {log_index}: {exc}") from None
        return cls(log_index, entry_id, entry, inclusion)

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def short_id(self) -> str:
        return self.entry_id[:12]


@dataclass(frozen=True)
class AuditTrail:
    """Entries in strictly increasing log order, with the signed checkpoint (C2SP signed note
    text) and the ledger's verdicts keyed by entry id, both optional."""

    entries: tuple[TrailEntry, ...]
    checkpoint: str | None = None
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.entries, tuple):
            raise InputError("an audit trail's entries must be a tuple of TrailEntry")
        last = -1
        for e in self.entries:
            if not isinstance(e, TrailEntry):
                raise InputError(f"audit trail entries must be TrailEntry, got {type(e).__name__}")
            if e.log_index <= last:
                raise InputError(f"audit trail entries must be in increasing log order: "
                                 f"{e.log_index} follows {last}")
            last = e.log_index
        if self.checkpoint is not None and not isinstance(self.checkpoint, str):
            raise InputError(f"the checkpoint must be the signed note text, got "
                             f"{type(self.checkpoint).__name__}")
        for key, verdict in self.verdicts.items():
            check_hex64(key, "verdict entry id")
            if not isinstance(verdict, Verdict):
                raise InputError(f"verdict for {key[:12]} must be a Verdict")

    @classmethod
    def build(cls, entries: Iterable[tuple[int, str, Entry | Mapping]
                                     | tuple[int, str, Entry | Mapping, InclusionProof | None]],
              checkpoint: str | None = None,
              verdicts: Mapping[str, Verdict] | None = None) -> AuditTrail:
        """From (log_index, entry_id, entry[, inclusion]) tuples, entries as models or JSON."""
        return cls(tuple(TrailEntry.of(*item) for item in entries), checkpoint,
                   dict(verdicts or {}))

    def by_id(self) -> dict[str, TrailEntry]:
        return {e.entry_id: e for e in self.entries}

    def of_kind(self, kind: str) -> list[TrailEntry]:
        return [e for e in self.entries if e.kind == kind]


def inclusion_from_json(value: object, where: str) -> InclusionProof:
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: an inclusion proof is an object, got {type(value).__name__}")
    missing = {"leaf_index", "tree_size", "proof"} - value.keys()
    if missing:
        raise InputError(f"{where}: inclusion proof lacks {', '.join(sorted(missing))}")
    proof = value["proof"]
    if not isinstance(proof, Sequence) or isinstance(proof, str):
        raise InputError(f"{where}: inclusion proof 'proof' must be a list of hex strings")
    try:
        return InclusionProof(value["leaf_index"], value["tree_size"], tuple(proof))
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def inclusion_to_json(proof: InclusionProof) -> dict:
    return {"leaf_index": proof.leaf_index, "tree_size": proof.tree_size,
            "proof": list(proof.hashes)}


__all__ = ["AuditTrail", "InclusionProof", "TrailEntry", "Verdict", "check_hex64", "check_int",
           "inclusion_from_json", "inclusion_to_json"]
