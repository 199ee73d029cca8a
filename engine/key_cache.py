"""Which `.zkey` files have already passed the full per-point subgroup check.

Checking every point of a 2^16-constraint key with blst takes ~20 s, far more than proving with it.
A key's full check is therefore done once per file content: its SHA-256 is recorded under the cache
directory ($ZKP_LEDGER_CACHE, default ~/.cache/zkp-ledger) and later reads of identical bytes
check the verification-key points (alpha, beta, gamma, delta, IC) and on-curve for all points.
Keys written by our own setup are recorded when written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def cache_dir() -> Path:
    root = os.environ.get("ZKP_LEDGER_CACHE") or Path.home() / ".cache" / "zkp-ledger"
    return Path(root)


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _marker(digest: str) -> Path:
    return cache_dir() / "validated-keys" / digest


def is_validated(digest: str) -> bool:
    return _marker(digest).exists()


def mark_validated(digest: str) -> None:
    marker = _marker(digest)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:  # a read-only cache only costs speed
        pass
