"""Exports of an audit trail (docs/export.md): `export(trail, format, ...)` gives the file's bytes.

Formats, spelled as the CLI's `--format` values:
- "json":        the trail itself (entries, log positions, inclusion proofs, checkpoint);
- "prov-jsonld": W3C PROV-O as JSON-LD;
- "in-toto":     an in-toto Statement v1 in a DSSE envelope signed by the ledger key (`signer`);
- "html":        a self-contained audit report (no network, no script).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from engine.errors import InputError
from ledger.export.html import html_report
from ledger.export.intoto import intoto_envelope
from ledger.export.json_export import json_export, load_trail
from ledger.export.prov import prov_jsonld
from ledger.export.trail import AuditTrail, InclusionProof, TrailEntry, Verdict
from ledger.signed_note import Signer, Verifier

FORMATS = ("json", "prov-jsonld", "in-toto", "html")


def export(trail: AuditTrail, format: str, *, signer: Signer | None = None,
           verifier: Verifier | None = None,
           files: Sequence[str | os.PathLike] = ()) -> bytes:
    """The export of `trail` in `format`. `signer` (the ledger key) is required for "in-toto";
    `verifier` (the ledger's public key) lets "html" and "in-toto" check the checkpoint
    signature; `files` are data files whose BLAKE3 file digests "in-toto" adds to its subjects."""
    if not isinstance(trail, AuditTrail):
        raise InputError(f"export takes an AuditTrail, got {type(trail).__name__}")
    if format not in FORMATS:
        raise InputError(f"unknown export format {format!r}; use one of {', '.join(FORMATS)}")
    if files and format != "in-toto":
        raise InputError("data files only add digests to the in-toto export")
    if format == "json":
        return json_export(trail)
    if format == "prov-jsonld":
        return prov_jsonld(trail)
    if format == "html":
        return html_report(trail, verifier).encode("utf-8")
    if signer is None:
        raise InputError("the in-toto export is a signed envelope: it needs the ledger's key")
    envelope = intoto_envelope(trail, signer, files=files, verifier=verifier)
    return (json.dumps(envelope, indent=2) + "\n").encode("utf-8")


__all__ = ["FORMATS", "AuditTrail", "InclusionProof", "TrailEntry", "Verdict", "export",
           "load_trail"]
