"""Per-shard salts: the secret that makes a shard's Poseidon commitment hiding.

A notarizer holds one secret (at least 16 bytes). The salt of shard i of a file is
    HMAC-SHA256(secret, TAG || sha256(file) || i as u64 big-endian || block)  for block = 0, 1,
the two 32-byte outputs concatenated, read as a 512-bit big-endian integer and reduced mod r
(bias below 2^-256). The same secret, file and shard always give the same salt, so shard jobs
stay idempotent and whoever holds the secret can recompute every commitment; without it the
commitments reveal nothing about the values. Salts never appear in public output.
"""

from __future__ import annotations

import hashlib
import hmac

from engine.errors import InputError
from kernels.constants import R

TAG = b"zkp-ledger/shard-salt/v1\x00"
MIN_SECRET_BYTES = 16


def check_secret(secret: object) -> bytes:
    """The secret as bytes; InputError unless it is bytes of at least MIN_SECRET_BYTES."""
    if not isinstance(secret, (bytes, bytearray)) or len(secret) < MIN_SECRET_BYTES:
        raise InputError(f"the notarizer secret must be at least {MIN_SECRET_BYTES} bytes")
    return bytes(secret)


def shard_salt(secret: bytes, file_sha256: str, shard_index: int) -> int:
    """The salt (an Fr element) of shard `shard_index` of the file with this sha256 (hex)."""
    secret = check_secret(secret)
    try:
        digest = bytes.fromhex(file_sha256)
    except (TypeError, ValueError):
        digest = b""
    if len(digest) != 32:
        raise InputError("file_sha256 must be 64 hex digits")
    if not 0 <= shard_index < 1 << 64:
        raise InputError(f"shard index {shard_index} is out of range")
    message = TAG + digest + shard_index.to_bytes(8, "big")
    wide = b"".join(hmac.new(secret, message + bytes([block]), hashlib.sha256).digest()
                    for block in (0, 1))
    return int.from_bytes(wide, "big") % R


__all__ = ["MIN_SECRET_BYTES", "check_secret", "shard_salt"]
