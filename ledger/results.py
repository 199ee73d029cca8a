"""What the Python API returns, each with the JSON form the CLI prints with --json.

Field names are the ones the CLI documents (docs/ledger.md); integers in scaled units stay
integers (Python's json writes big ones exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.notarization import DatasetNotarization
from ledger.entries import Entry, NotarizeEntry, entry_json


def statement_json(n: DatasetNotarization) -> dict:
    """Per proved column: count, sum, lo, hi (all in units of 10^-scale) and scale."""
    return {c.name: {"count": c.count, "sum": c.sum, "lo": c.lo, "hi": c.hi, "scale": c.scale}
            for c in n.columns}


@dataclass(frozen=True)
class Recorded:
    """An entry appended to the log."""

    entry_id: str
    log_index: int
    entry: Entry

    def to_json(self) -> dict:
        return {"entry_id": self.entry_id, "log_index": self.log_index, "kind": self.entry.kind,
                "dataset_id": self.entry.dataset.dataset_id, "name": self.entry.dataset.name,
                "version": self.entry.dataset.version, "entry": entry_json(self.entry)}


@dataclass(frozen=True)
class NotarizeResult(Recorded):
    seconds: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def notarization(self) -> DatasetNotarization:
        assert isinstance(self.entry, NotarizeEntry)
        return self.entry.notarization

    @property
    def dataset_id(self) -> str:
        return self.entry.dataset.dataset_id

    def to_json(self) -> dict:
        n = self.notarization
        return {"entry_id": self.entry_id, "log_index": self.log_index,
                "dataset_id": self.dataset_id, "name": self.entry.dataset.name,
                "version": self.entry.dataset.version, "file": self.entry.location,
                "rows": n.row_count, "sha256": n.file_sha256, "blake3_root": n.row_root,
                "commitment_root": n.commitment_root, "proofs": len(n.shards),
                "shard_rows": n.statement.shard_rows, "statement": statement_json(n),
                "vk_hash": n.vk_hash, "insecure_dev": n.insecure_dev,
                "backend": self.entry.backend,
                "seconds": {k: round(v, 4) for k, v in self.seconds.items()}}


@dataclass(frozen=True)
class LogProof:
    """Entry `leaf_index` is in the log's tree of `tree_size` leaves with root `root`, which
    the signed `checkpoint` note commits to. Hashes are SHA-256 RFC 6962, hex."""

    entry_id: str
    leaf_index: int
    tree_size: int
    leaf_hash: str
    proof: tuple[str, ...]
    root: str
    checkpoint: str

    def to_json(self) -> dict:
        return {"entry_id": self.entry_id, "leaf_index": self.leaf_index,
                "tree_size": self.tree_size, "leaf_hash": self.leaf_hash,
                "proof": list(self.proof), "root": self.root, "checkpoint": self.checkpoint}


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of `Ledger.verify`: every check passed (`ok`) or the first one that failed."""

    entry_id: str
    log_index: int
    kind: str
    dataset: dict
    ok: bool
    checks: tuple[str, ...]
    error: str | None
    tree_size: int
    checkpoint: str

    def to_json(self) -> dict:
        return {"entry_id": self.entry_id, "log_index": self.log_index, "kind": self.kind,
                "dataset": self.dataset, "valid": self.ok, "checks": list(self.checks),
                "error": self.error, "tree_size": self.tree_size, "checkpoint": self.checkpoint}


@dataclass(frozen=True)
class ChainResult:
    """The outcome of `Ledger.verify_chain`."""

    ok: bool
    size: int
    root: str
    problems: tuple[str, ...]
    checkpoint: str | None

    def to_json(self) -> dict:
        return {"valid": self.ok, "tree_size": self.size, "root": self.root,
                "problems": list(self.problems), "checkpoint": self.checkpoint}


__all__ = ["ChainResult", "LogProof", "NotarizeResult", "Recorded", "VerifyReport",
           "statement_json"]
