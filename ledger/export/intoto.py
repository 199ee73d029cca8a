"""in-toto Statement v1 (https://in-toto.io/Statement/v1) for the notarized datasets of a trail,
signed as a DSSE envelope by the ledger's key.

Subjects: one per notarize entry, named "<dataset name>@v<version>", with a DigestSet of
- "sha256": SHA-256 of the file's bytes (from the notarization), the standard key every in-toto
  consumer matches on;
- "blake3": BLAKE3-256 of the file's bytes, standard semantics (what `b3sum` prints). The ledger
  records no whole-file BLAKE3, so this key is present only for files handed to the exporter
  (`files=`), which are hashed and matched to a subject by their SHA-256;
- "blake3RowRoot": the notarization's BLAKE3 row root (docs/row-merkle.md), lowercase hex. It is
  NOT a digest of the file's bytes but of its rows in the canonical encoding
  (docs/row-encoding.md), like the spec's `dirHash` digests an archive's contents rather than the
  archive. Consumers that do not know the key ignore it, as the DigestSet spec requires; ours can
  match a subject by its rows whatever file holds them.

Predicate type https://zkp-ledger.dev/notarization/v1, camelCase like in-toto's own predicates:
the log (origin, signed checkpoint, tree size, root), per dataset the statement (columns with
count, sum, lo, hi, scale), roots, proof count, key hash, log position with its inclusion proof,
what the ledger's own verification checked (null when the trail carries no verdict) and its
recertifications, and the lineage edges among them. Integers that may exceed 2^53 (sums, bounds) are
decimal strings, as in the protobuf JSON mapping of int64.

The exporter signs only what checks: a trail with any failed finding (ledger.export.checks) or a
failed ledger verdict is refused with VerificationError.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence

import blake3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from engine.errors import InputError, VerificationError
from ledger.entries import NotarizeEntry, RecertifyEntry, SplitEntry, TransformEntry
from ledger.export.checks import TrailStatus, all_problems, check_trail
from ledger.export.dsse import sign_envelope, verify_envelope
from ledger.export.trail import AuditTrail, TrailEntry, Verdict
from ledger.signed_note import Signer, Verifier

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://zkp-ledger.dev/notarization/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
ROW_ROOT_KEY = "blake3RowRoot"


def file_digests(path: str | os.PathLike) -> tuple[str, str]:
    """(sha256, blake3) hex of a file's bytes, in one read."""
    sha, b3 = hashlib.sha256(), blake3.blake3()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            sha.update(chunk)
            b3.update(chunk)
    return sha.hexdigest(), b3.hexdigest()


def _subject(e: NotarizeEntry, blake3_of: Mapping[str, str]) -> dict:
    n = e.notarization
    digest = {"sha256": n.file_sha256, ROW_ROOT_KEY: n.row_root}
    if n.file_sha256 in blake3_of:
        digest["blake3"] = blake3_of[n.file_sha256]
    return {"name": f"{e.dataset.name}@v{e.dataset.version}", "digest": digest}


def _dataset(te: TrailEntry, recerts: list[TrailEntry], verdict: Verdict | None) -> dict:
    e = te.entry
    assert isinstance(e, NotarizeEntry)
    n = e.notarization
    proof = te.inclusion
    return {
        "subject": f"{e.dataset.name}@v{e.dataset.version}",
        "datasetId": e.dataset.dataset_id, "entryId": te.entry_id, "logIndex": te.log_index,
        "time": e.time,
        "inclusionProof": None if proof is None else {
            "leafIndex": proof.leaf_index, "treeSize": proof.tree_size,
            "hashes": list(proof.hashes)},
        "file": {"name": n.file_name, "format": n.format, "byteSize": n.byte_size,
                 "sha256": n.file_sha256},
        "rowCount": n.row_count,
        "rowRoot": {"algorithm": "blake3-rfc6962-rows", "digest": n.row_root},
        "statement": {
            "shardRows": n.statement.shard_rows,
            "columns": [{"name": c.name, "count": c.count, "sum": str(c.sum), "lo": str(c.lo),
                         "hi": str(c.hi), "scale": c.scale} for c in n.columns]},
        "proofs": {"system": "groth16", "curve": "bls12-381", "count": len(n.shards),
                   "commitmentRoot": n.commitment_root, "vkHash": n.vk_hash,
                   "circuitDigest": n.circuit_digest, "insecureDevKey": n.insecure_dev},
        "ledgerVerification": None if verdict is None else verdict.detail,
        "recertifications": [{"entryId": r.entry_id, "logIndex": r.log_index,
                              "time": r.entry.time, "status": r.entry.status,
                              "reason": r.entry.reason} for r in recerts],
    }


def _edge(te: TrailEntry) -> dict:
    e = te.entry
    common = {"kind": e.kind, "entryId": te.entry_id, "logIndex": te.log_index, "time": e.time}
    if isinstance(e, TransformEntry):
        return {**common, "inputs": list(e.inputs), "outputs": [e.output],
                "operation": e.operation, "parameters": e.parameters, "codeHash": e.code_hash}
    assert isinstance(e, SplitEntry)
    return {**common, "inputs": [e.parent], "outputs": [c.dataset_id for c in e.children],
            "method": e.method, "seed": e.seed,
            "ratios": {c.dataset_id: c.ratio for c in e.children}}


def _refuse_unless_clean(trail: AuditTrail, status: TrailStatus) -> None:
    if problems := all_problems(trail, status):
        raise VerificationError("refusing to attest a trail that does not check: "
                                + "; ".join(problems[:5]))


def statement(trail: AuditTrail, *, files: Sequence[str | os.PathLike] = (),
              verifier: Verifier | None = None) -> dict:
    """The in-toto Statement (unsigned) for the trail's notarized datasets."""
    status = check_trail(trail, verifier)
    _refuse_unless_clean(trail, status)
    notarized = trail.of_kind("notarize")
    if not notarized:
        raise InputError("nothing to attest: the trail holds no notarize entry")
    blake3_of = {}
    wanted = {te.entry.notarization.file_sha256 for te in notarized}
    for path in files:
        sha, b3 = file_digests(path)
        if sha not in wanted:
            raise InputError("the file is none of the attested datasets (its sha256 matches no "
                             "notarization in the trail)", file=os.fspath(path))
        blake3_of[sha] = b3
    recerts: dict[str, list[TrailEntry]] = {}
    for r in trail.of_kind("recertify"):
        assert isinstance(r.entry, RecertifyEntry)
        recerts.setdefault(r.entry.target, []).append(r)
    cp = status.checkpoint
    return {
        "_type": STATEMENT_TYPE,
        "subject": [_subject(te.entry, blake3_of) for te in notarized],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "ledger": {"origin": cp.origin if cp else None, "checkpoint": trail.checkpoint,
                       "treeSize": cp.size if cp else None,
                       "rootHash": cp.root.hex() if cp else None},
            "datasets": [_dataset(te, recerts.get(te.entry_id, []), trail.verdicts.get(te.entry_id))
                         for te in notarized],
            "lineage": [_edge(te) for te in trail.entries if te.kind in ("transform", "split")],
        },
    }


def intoto_envelope(trail: AuditTrail, signer: Signer, *, files: Sequence[str | os.PathLike] = (),
                    verifier: Verifier | None = None) -> dict:
    """The statement serialised (sorted keys, compact) and signed as a DSSE envelope."""
    body = json.dumps(statement(trail, files=files, verifier=verifier), sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return sign_envelope(body, PAYLOAD_TYPE, signer)


def verify_statement(envelope: Mapping | bytes | str,
                     public_key: Verifier | Ed25519PublicKey | bytes) -> dict:
    """The Statement inside an envelope signed by `public_key` (see dsse.verify_envelope), after
    checking it is an in-toto v1 Statement of our predicate type."""
    payload = verify_envelope(envelope, public_key, PAYLOAD_TYPE)
    try:
        value = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"in-toto payload is not JSON ({exc})") from None
    if not isinstance(value, dict) or value.get("_type") != STATEMENT_TYPE:
        raise InputError(f"the payload is not an in-toto Statement v1 ({STATEMENT_TYPE})")
    if value.get("predicateType") != PREDICATE_TYPE:
        raise InputError(f"predicateType {value.get('predicateType')!r} is not {PREDICATE_TYPE}")
    subjects = value.get("subject")
    if not isinstance(subjects, list) or not subjects or not all(
            isinstance(s, dict) and isinstance(s.get("digest"), dict) and s["digest"]
            for s in subjects):
        raise InputError("an in-toto Statement needs subjects, each with a digest")
    return value


__all__ = ["PAYLOAD_TYPE", "PREDICATE_TYPE", "ROW_ROOT_KEY", "STATEMENT_TYPE", "file_digests",
           "intoto_envelope", "statement", "verify_envelope", "verify_statement"]
