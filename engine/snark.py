"""File-level Groth16 operations behind `zkp-ledger snark ...` (snarkjs-compatible files).

Each function reads and writes the same files as the `snarkjs groth16` verb of the same name.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from engine import key_cache
from engine.formats.r1cs_file import read_r1cs
from engine.formats.snarkjs_json import read_proof, read_public, read_vkey, write_proof, write_public, write_vkey
from engine.formats.wtns_file import read_wtns
from engine.formats.zkey_file import read_zkey, write_zkey
from engine.groth16.keys import ProvingKey
from engine.groth16.prover import ProverContext, public_signals
from engine.groth16.setup import dev_setup
from engine.groth16.verifier import verify
from kernels.backend import get_backend

PathLike = str | os.PathLike


@dataclass
class Timings:
    """Seconds per named step, for --json output and benchmarks."""

    steps: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.steps[name] = round(now - since, 6)
        return now


def load_proving_key(path: PathLike) -> ProvingKey:
    """Read a .zkey, doing the full subgroup check only the first time these bytes are seen."""
    digest = key_cache.file_sha256(path)
    if key_cache.is_validated(digest):
        return read_zkey(path, subgroup_check="vk")
    pk = read_zkey(path, subgroup_check="all")
    key_cache.mark_validated(digest)
    return pk


def setup(r1cs_path: PathLike, zkey_path: PathLike, backend: str | None = None) -> ProvingKey:
    r1cs = read_r1cs(r1cs_path)
    pk = dev_setup(r1cs, get_backend(backend))
    write_zkey(zkey_path, pk)
    key_cache.mark_validated(key_cache.file_sha256(zkey_path))
    return pk


def export_vkey(zkey_path: PathLike, vkey_path: PathLike) -> None:
    write_vkey(vkey_path, read_zkey(zkey_path, subgroup_check="vk").vk)


def prove(zkey_path: PathLike, wtns_path: PathLike, proof_path: PathLike, public_path: PathLike,
          backend: str | None = None) -> tuple[list[int], Timings]:
    timings = Timings()
    t = time.perf_counter()
    pk = load_proving_key(zkey_path)
    witness = read_wtns(wtns_path)
    t = timings.mark("read", t)
    ctx = ProverContext.build(pk, get_backend(backend))
    proof = ctx.prove(witness)
    t = timings.mark("prove", t)
    public = public_signals(pk, witness)
    write_proof(proof_path, proof)
    write_public(public_path, public)
    timings.mark("write", t)
    return public, timings


def verify_files(vkey_path: PathLike, public_path: PathLike, proof_path: PathLike) -> bool:
    return verify(read_vkey(vkey_path), read_public(public_path), read_proof(proof_path))
