"""Shard proving keys: generated once per circuit shape, kept on disk, named by content.

A key file lives at `<cache>/shard-keys/<sha256 of the R1CS>.zkey` (cache from
engine.key_cache.cache_dir()), so any change to the constraints (another shape, a new circuit
version) lands on another file, and identical circuits share one key however they were built.
The key's identity in a notarization is `vk_hash`: the sha256 of the verification key's
compressed points (alpha1, beta2, gamma2, delta2, IC in order), so a verifier holding a key
can tell whether it is the one the proofs were made with. Files are written to a temporary name
and renamed, so a reader never sees half a key; keys made here are dev keys (insecure_dev).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine import key_cache
from engine.formats import zcash
from engine.formats.zkey_file import write_zkey
from engine.groth16.keys import ProvingKey, VerifyingKey
from engine.groth16.setup import dev_setup
from engine.r1cs import R1CS
from engine.snark import load_proving_key


def r1cs_digest(r1cs: R1CS) -> str:
    """sha256 over the R1CS header and its three matrices (rows, columns, coefficients)."""
    h = hashlib.sha256(b"zkp-ledger/r1cs/v1")
    header = (r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in, r1cs.n_constraints)
    h.update(np.array(header, dtype="<u8").tobytes())
    for m in (r1cs.a, r1cs.b, r1cs.c):
        h.update(np.array([m.nnz], dtype="<u8").tobytes())
        for arr in (m.rows.astype("<i8"), m.cols.astype("<i8"), m.coeffs.astype("<u8")):
            h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def vk_bytes(vk: VerifyingKey) -> bytes:
    """alpha1 (48) || beta2 (96) || gamma2 (96) || delta2 (96) || IC_0 .. IC_n (48 each)."""
    g2 = np.stack([vk.beta2, vk.gamma2, vk.delta2])
    return (zcash.compress_g1_array(vk.alpha1[None]).tobytes()
            + zcash.compress_g2_array(g2).tobytes() + zcash.compress_g1_array(vk.ic).tobytes())


def vk_hash(vk: VerifyingKey) -> str:
    return hashlib.sha256(vk_bytes(vk)).hexdigest()


@dataclass(frozen=True)
class KeyRef:
    """Where a shard key is and which verification key it carries."""

    path: str
    circuit_digest: str  # r1cs_digest of the circuit the key was made for
    vk_hash: str
    insecure_dev: bool


def key_path(circuit_digest: str) -> Path:
    return key_cache.cache_dir() / "shard-keys" / f"{circuit_digest}.zkey"


def ensure_key(r1cs: R1CS) -> tuple[KeyRef, ProvingKey]:
    """The cached key of this R1CS, made by a dev setup (and stored) if there is none yet."""
    digest = r1cs_digest(r1cs)
    path = key_path(digest)
    if path.exists():
        pk = load_proving_key(path)
    else:
        pk = dev_setup(r1cs)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".zkey.tmp")
        os.close(fd)
        try:
            write_zkey(tmp, pk)
            key_cache.mark_validated(key_cache.file_sha256(tmp))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return KeyRef(str(path), digest, vk_hash(pk.vk), pk.insecure_dev), pk


__all__ = ["KeyRef", "ensure_key", "key_path", "r1cs_digest", "vk_bytes", "vk_hash"]
