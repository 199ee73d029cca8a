"""The plain JSON export: the audit trail itself, readable back into an AuditTrail.

    {"format": "zkp-ledger/audit-trail", "version": 1,
     "checkpoint": "<signed note text>" | null,
     "entries": [{"log_index": n, "entry_id": "<64 hex>", "entry": {...},
                  "inclusion": {"leaf_index": n, "tree_size": m, "proof": ["<hex>", ...]} | null}],
     "verdicts": {"<entry_id>": {"ok": bool, "detail": str}}}

Each "entry" is the entry's JSON value exactly as the ledger stores it (ledger.entries.entry_json:
integers beyond 2^53 as decimal strings), so RFC 8785 over it gives the log leaf bytes, SHA-256 of
those the entry id, and SHA-256(0x00 || bytes) with the proof folds to the checkpoint's root: an
independent verifier needs nothing else. The file is indented JSON with sorted keys; `load_trail`
reads it strictly (unknown keys, wrong types and entries the schema rejects are InputErrors).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from engine.errors import InputError
from ledger.entries import entry_json
from ledger.export.trail import (AuditTrail, TrailEntry, Verdict, inclusion_from_json,
                                 inclusion_to_json)

FORMAT = "zkp-ledger/audit-trail"
VERSION = 1
_TOP = {"format", "version", "checkpoint", "entries", "verdicts"}
_ENTRY = {"log_index", "entry_id", "entry", "inclusion"}


def trail_json(trail: AuditTrail) -> dict:
    return {
        "format": FORMAT, "version": VERSION, "checkpoint": trail.checkpoint,
        "entries": [{"log_index": e.log_index, "entry_id": e.entry_id,
                     "entry": entry_json(e.entry),
                     "inclusion": inclusion_to_json(e.inclusion) if e.inclusion else None}
                    for e in trail.entries],
        "verdicts": {k: {"ok": v.ok, "detail": v.detail} for k, v in trail.verdicts.items()},
    }


def json_export(trail: AuditTrail) -> bytes:
    return (json.dumps(trail_json(trail), indent=2, sort_keys=True, ensure_ascii=False)
            + "\n").encode("utf-8")


def _keys(value: object, allowed: set[str], required: set[str], where: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise InputError(f"{where} must be a JSON object, got {type(value).__name__}")
    if unknown := value.keys() - allowed:
        raise InputError(f"{where} has unknown key(s) {', '.join(sorted(unknown))}")
    if missing := required - value.keys():
        raise InputError(f"{where} lacks {', '.join(sorted(missing))}")
    return value


def _entry(value: object, i: int) -> TrailEntry:
    item = _keys(value, _ENTRY, {"log_index", "entry_id", "entry"}, f"entries[{i}]")
    inclusion = item.get("inclusion")
    proof = None if inclusion is None else inclusion_from_json(inclusion, f"entries[{i}]")
    try:
        return TrailEntry.of(item["log_index"], item["entry_id"], item["entry"], proof)
    except InputError as exc:
        raise InputError(f"entries[{i}]: {exc}") from None


def _verdict(key: str, value: object) -> Verdict:
    item = _keys(value, {"ok", "detail"}, {"ok", "detail"}, f"verdicts[{key[:12]}]")
    try:
        return Verdict(item["ok"], item["detail"])
    except InputError as exc:
        raise InputError(f"verdicts[{key[:12]}]: {exc}") from None


def load_trail(data: bytes | str) -> AuditTrail:
    """Read a JSON export back (the inverse of json_export)."""
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"audit trail JSON: not JSON ({exc})") from None
    top = _keys(value, _TOP, _TOP, "audit trail JSON")
    if top["format"] != FORMAT or top["version"] != VERSION:
        raise InputError(f"audit trail JSON: format {top['format']!r} version {top['version']!r}"
                         f" is not {FORMAT!r} version {VERSION}")
    if not isinstance(top["entries"], list):
        raise InputError("audit trail JSON: entries must be a list")
    verdicts = top["verdicts"]
    if not isinstance(verdicts, Mapping):
        raise InputError("audit trail JSON: verdicts must be an object")
    return AuditTrail(tuple(_entry(v, i) for i, v in enumerate(top["entries"])),
                      top["checkpoint"], {k: _verdict(k, v) for k, v in verdicts.items()})


__all__ = ["FORMAT", "VERSION", "json_export", "load_trail", "trail_json"]
