"""An audit trail for the export tests, built from real notarizations and a real log tree.

tests/fixtures/export/notarizations.json holds four notarizations made by engine.notarize on
small CSV files (see make_notarizations.py there): `sales` (20 rows, 3 shards of 8), split into
`sales-train` (12 rows) and `sales-test` (8 rows) whose counts and sums add up to the parent's,
and `sales-train-x2` (train with qty doubled). The trail records them as a ledger would:
notarize x3, split, notarize, transform, recertify; leaves are the entries' canonical bytes in an
RFC 6962 tree (engine.merkle), the checkpoint is signed with a fixed Ed25519 seed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from engine import merkle
from engine.notarization import DatasetNotarization
from ledger.checkpoint import sign_checkpoint
from ledger.entries import (DatasetRef, NotarizeEntry, RecertifyEntry, SplitChild, SplitEntry,
                            TransformEntry, dataset_id, entry_bytes, entry_id, format_time)
from ledger.export.trail import AuditTrail, InclusionProof, TrailEntry, Verdict
from ledger.signed_note import Signer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "notarizations.json"
ORIGIN = "zkp-ledger.test/log"
START = datetime(2026, 11, 26, 8, 0, 0, 123456, tzinfo=timezone.utc)
CODE_HASH = "sha256:" + "ab" * 32


@cache
def notarizations() -> dict[str, DatasetNotarization]:
    raw = json.loads(FIXTURE.read_text())
    return {name: DatasetNotarization.model_validate(value) for name, value in raw.items()}


def signer(origin: str = ORIGIN) -> Signer:
    return Signer(origin, bytes(range(32)))


def ref(name: str, version: int = 1, n: DatasetNotarization | None = None) -> DatasetRef:
    n = n or notarizations()[name]
    return DatasetRef(name=name, version=version, dataset_id=dataset_id(n.file_sha256, n.row_root))


def _time(minutes: int) -> str:
    return format_time(START + timedelta(minutes=minutes))


def entries(notarized: dict[str, DatasetNotarization] | None = None,
            operation: str = "scale-column", recertify_status: str = "ok",
            reason: str | None = None) -> list:
    """The trail's entries in log order; `notarized` overrides the fixture's notarizations."""
    n = {**notarizations(), **(notarized or {})}

    def notarize(name: str, minute: int) -> NotarizeEntry:
        return NotarizeEntry(time=_time(minute), dataset=ref(name, n=n[name]),
                             notarization=n[name], location=f"/data/{name}.csv", backend="cpu")

    sales = notarize("sales", 0)
    split = SplitEntry(time=_time(3), dataset=sales.dataset, parent=sales.dataset.dataset_id,
                       seed=7, method="random-rows",
                       children=(SplitChild(dataset_id=ref("sales-train", n=n["sales-train"])
                                            .dataset_id, name="sales-train", version=1, ratio=0.6),
                                 SplitChild(dataset_id=ref("sales-test", n=n["sales-test"])
                                            .dataset_id, name="sales-test", version=1, ratio=0.4)))
    x2 = notarize("sales-train-x2", 4)
    transform = TransformEntry(time=_time(5), dataset=x2.dataset,
                               inputs=(ref("sales-train", n=n["sales-train"]).dataset_id,),
                               output=x2.dataset.dataset_id, operation=operation,
                               parameters={"column": "qty", "factor": 2}, code_hash=CODE_HASH)
    first = [sales, notarize("sales-train", 1), notarize("sales-test", 2), split, x2, transform]
    recert = RecertifyEntry(
        time=_time(60), dataset=sales.dataset, target=entry_id(entry_bytes(sales)),
        status=recertify_status,
        file_sha256=sales.notarization.file_sha256 if recertify_status == "ok" else None,
        row_root=sales.notarization.row_root if recertify_status == "ok" else None,
        reason=reason)
    return first + [recert]


def trail(items: list | None = None, origin: str = ORIGIN, with_proofs: bool = True,
          verdicts: dict[str, Verdict] | None = None) -> AuditTrail:
    """A trail of `items` (default `entries()`) at log indexes 0.., with inclusion proofs and a
    checkpoint signed by `signer(origin)` over exactly those leaves."""
    items = entries() if items is None else items
    leaves = [entry_bytes(e) for e in items]
    tree = merkle.MerkleTree(merkle.SHA256, [merkle.SHA256.leaf(b) for b in leaves])
    note = sign_checkpoint(origin, tree.size, tree.root, signer(origin))
    rows = []
    for i, (e, data) in enumerate(zip(items, leaves)):
        proof = (InclusionProof(i, tree.size, tuple(merkle.proof_to_hex(tree.inclusion_proof(i))))
                 if with_proofs else None)
        rows.append(TrailEntry(i, entry_id(data), e, proof))
    return AuditTrail(tuple(rows), note, verdicts or {})
