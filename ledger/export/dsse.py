"""DSSE envelopes (https://github.com/secure-systems-lab/dsse) signed with the ledger's Ed25519 key.

    {"payload": base64(body), "payloadType": type, "signatures": [{"keyid": k, "sig": base64(s)}]}

with s = Ed25519 over PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body (LEN in
ASCII decimal bytes). We write standard base64; as the protocol requires, the verifier accepts
standard or URL-safe, padded or not, and nothing else. The keyid is the ledger's C2SP verifier key
string (what `zkp-ledger pubkey` prints), a hint only: the protocol forbids basing decisions on it,
so `verify_envelope` tries every signature against the key it is given.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from engine.errors import InputError, VerificationError
from ledger.signed_note import Signer, Verifier

_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9_-]*={0,2}")


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE v1 pre-authentication encoding: what the signature covers."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def b64decode_any(text: object, what: str) -> bytes:
    """Standard or URL-safe base64, with or without padding (DSSE verifiers must take both)."""
    if not isinstance(text, str) or not _B64.fullmatch(text):
        raise InputError(f"{what} is not base64: {str(text)[:60]!r}")
    body = text.rstrip("=").replace("-", "+").replace("_", "/")
    if len(body) % 4 == 1:
        raise InputError(f"{what} is not base64 (impossible length)")
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error as exc:
        raise InputError(f"{what} is not base64: {exc}") from None


def sign_envelope(payload: bytes, payload_type: str, signer: Signer) -> dict:
    sig = signer.sign(pae(payload_type, payload))
    return {"payload": base64.b64encode(payload).decode(), "payloadType": payload_type,
            "signatures": [{"keyid": signer.verifier.vkey, "sig": base64.b64encode(sig).decode()}]}


def _public_key(key: Verifier | Ed25519PublicKey | bytes) -> Ed25519PublicKey:
    if isinstance(key, Verifier):
        key = key.public_key
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, bytes) and len(key) == 32:
        return Ed25519PublicKey.from_public_bytes(key)
    raise InputError("the public key must be a Verifier, an Ed25519PublicKey or 32 raw bytes")


def parse_envelope(envelope: Mapping | bytes | str) -> tuple[str, bytes, list[bytes]]:
    """(payloadType, payload, signatures) of a JSON envelope, decoded; malformed is InputError."""
    if isinstance(envelope, (bytes, str)):
        try:
            envelope = json.loads(envelope)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"DSSE envelope: not JSON ({exc})") from None
    if not isinstance(envelope, Mapping):
        raise InputError(f"DSSE envelope must be a JSON object, got {type(envelope).__name__}")
    missing = {"payload", "payloadType", "signatures"} - envelope.keys()
    if missing:
        raise InputError(f"DSSE envelope lacks {', '.join(sorted(missing))}")
    payload_type, sigs = envelope["payloadType"], envelope["signatures"]
    if not isinstance(payload_type, str):
        raise InputError("DSSE envelope payloadType must be a string")
    if not isinstance(sigs, list) or not sigs:
        raise InputError("DSSE envelope signatures must be a non-empty list")
    decoded = []
    for i, s in enumerate(sigs):
        if not isinstance(s, Mapping) or "sig" not in s:
            raise InputError(f"DSSE envelope signature {i} must be an object with 'sig'")
        if "keyid" in s and not isinstance(s["keyid"], str):
            raise InputError(f"DSSE envelope signature {i}: keyid must be a string")
        decoded.append(b64decode_any(s["sig"], f"DSSE envelope signature {i}"))
    return payload_type, b64decode_any(envelope["payload"], "DSSE envelope payload"), decoded


def verify_envelope(envelope: Mapping | bytes | str,
                    public_key: Verifier | Ed25519PublicKey | bytes,
                    payload_type: str | None = None) -> bytes:
    """The payload, once a signature by `public_key` over PAE(payloadType, payload) verifies and
    the payloadType is `payload_type` (when given). VerificationError otherwise."""
    key = _public_key(public_key)
    kind, payload, signatures = parse_envelope(envelope)
    message = pae(kind, payload)
    for sig in signatures:
        try:
            key.verify(sig, message)
        except InvalidSignature:
            continue
        break
    else:
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        raise VerificationError(f"no signature in the DSSE envelope verifies with key "
                                f"{raw[:16]}... over the payload and its type")
    if payload_type is not None and kind != payload_type:
        raise VerificationError(f"DSSE payloadType is {kind!r}, expected {payload_type!r}")
    return payload


__all__ = ["b64decode_any", "pae", "parse_envelope", "sign_envelope", "verify_envelope"]
