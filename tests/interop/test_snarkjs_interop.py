"""Interop with snarkjs 0.7.6 on bls12381, both directions, through the real CLI and files.

(a) our circuit's .r1cs, set up and proved by snarkjs, verified by us;
(b) our prover on snarkjs's .zkey + our .wtns, verified by `snarkjs groth16 verify`;
(c) our dev setup and proof, verified by snarkjs with our exported verification key;
    and snarkjs proving with our dev .zkey, verified by us.
"""

from __future__ import annotations

import json
import secrets

import pytest

from engine.demo_circuits import range_sum
from engine.formats.r1cs_file import write_r1cs
from engine.formats.wtns_file import write_wtns
from kernels.constants import R
from support.cli import zkp
from support.snarkjs import PTAU, requires_snarkjs, snarkjs

pytestmark = [pytest.mark.interop, requires_snarkjs]

BEACON = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A range-sum circuit (30 values < 2^16: 511 constraints, domain 2^9) and its witness."""
    folder = tmp_path_factory.mktemp("interop")
    circuit = range_sum(30, bits=16)
    values = [secrets.randbelow(1 << 16) for _ in range(30)]
    write_r1cs(folder / "circuit.r1cs", circuit.r1cs)
    write_wtns(folder / "witness.wtns", circuit.witness({"values": values}))
    return folder, sum(values)


@pytest.fixture(scope="module")
def snarkjs_key(work):
    """A snarkjs phase-2 key for our circuit (beacon contribution so delta != gamma)."""
    folder, _ = work
    snarkjs("groth16", "setup", folder / "circuit.r1cs", PTAU, folder / "k0.zkey")
    snarkjs("zkey", "beacon", folder / "k0.zkey", folder / "snarkjs.zkey", BEACON, "10")
    snarkjs("zkey", "export", "verificationkey", folder / "snarkjs.zkey", folder / "snarkjs_vk.json")
    return folder / "snarkjs.zkey", folder / "snarkjs_vk.json"


def _snarkjs_verifies(vk, public, proof) -> bool:
    res = snarkjs("groth16", "verify", vk, public, proof, check=False)
    return res.returncode == 0 and "OK" in res.stdout


def _tamper_public(src, dst) -> None:
    values = json.loads(src.read_text())
    values[0] = str((int(values[0]) + 1) % R)
    dst.write_text(json.dumps(values))


def test_a_snarkjs_proves_we_verify(work, snarkjs_key):
    folder, total = work
    zkey, vk = snarkjs_key
    snarkjs("groth16", "prove", zkey, folder / "witness.wtns", folder / "a_proof.json", folder / "a_public.json")
    assert json.loads((folder / "a_public.json").read_text()) == [str(total)]
    res = zkp("snark", "verify", vk, folder / "a_public.json", folder / "a_proof.json")
    assert res.returncode == 0, res.stderr
    _tamper_public(folder / "a_public.json", folder / "a_bad_public.json")
    res = zkp("snark", "verify", vk, folder / "a_bad_public.json", folder / "a_proof.json")
    assert res.returncode == 1
    assert not _snarkjs_verifies(vk, folder / "a_bad_public.json", folder / "a_proof.json")


def test_b_we_prove_with_snarkjs_key_snarkjs_verifies(work, snarkjs_key):
    folder, total = work
    zkey, vk = snarkjs_key
    res = zkp("snark", "prove", zkey, folder / "witness.wtns", folder / "b_proof.json", folder / "b_public.json")
    assert res.returncode == 0, res.stderr
    assert json.loads((folder / "b_public.json").read_text()) == [str(total)]
    assert _snarkjs_verifies(vk, folder / "b_public.json", folder / "b_proof.json")
    assert zkp("snark", "verify", vk, folder / "b_public.json", folder / "b_proof.json").returncode == 0
    _tamper_public(folder / "b_public.json", folder / "b_bad_public.json")
    assert not _snarkjs_verifies(vk, folder / "b_bad_public.json", folder / "b_proof.json")


def test_c_our_dev_setup_snarkjs_verifies(work):
    folder, total = work
    dev = folder / "dev.zkey"
    assert zkp("snark", "setup", folder / "circuit.r1cs", dev, "--dev").returncode == 0
    assert zkp("snark", "export-vkey", dev, folder / "dev_vk.json").returncode == 0
    res = zkp("snark", "prove", dev, folder / "witness.wtns", folder / "c_proof.json", folder / "c_public.json")
    assert res.returncode == 0, res.stderr
    assert _snarkjs_verifies(folder / "dev_vk.json", folder / "c_public.json", folder / "c_proof.json")
    # snarkjs proves with our dev key too; we verify its proof.
    snarkjs("groth16", "prove", dev, folder / "witness.wtns", folder / "c2_proof.json", folder / "c2_public.json")
    res = zkp("snark", "verify", folder / "dev_vk.json", folder / "c2_public.json", folder / "c2_proof.json")
    assert res.returncode == 0, res.stderr
    # snarkjs's own exported vkey of our key equals ours (modulo the fields it adds).
    snarkjs("zkey", "export", "verificationkey", dev, folder / "dev_vk_snarkjs.json")
    ours = json.loads((folder / "dev_vk.json").read_text())
    theirs = json.loads((folder / "dev_vk_snarkjs.json").read_text())
    for key in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC", "nPublic"):
        assert ours[key] == theirs[key], key
