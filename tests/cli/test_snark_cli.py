"""`zkp-ledger snark ...` as a user runs it: files, exit codes (0/1/2/3) and one-line errors."""

from __future__ import annotations

import json

import pytest

from engine.demo_circuits import range_sum
from engine.formats.r1cs_file import write_r1cs
from engine.formats.wtns_file import write_wtns
from kernels.backend import cuda_available
from support.cli import zkp


@pytest.fixture(scope="module")
def proved(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    circuit = range_sum(6, bits=8)
    write_r1cs(d / "c.r1cs", circuit.r1cs)
    write_wtns(d / "w.wtns", circuit.witness({"values": [1, 2, 3, 4, 5, 250]}))
    assert zkp("snark", "setup", d / "c.r1cs", d / "c.zkey", "--dev").returncode == 0
    assert zkp("snark", "export-vkey", d / "c.zkey", d / "vk.json").returncode == 0
    res = zkp("snark", "prove", d / "c.zkey", d / "w.wtns", d / "proof.json", d / "public.json", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["n_public"] == 1
    return d


def _one_line_error(res) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert "Traceback" not in res.stderr
    return lines[0]


def test_valid_proof_exit_0(proved):
    res = zkp("snark", "verify", proved / "vk.json", proved / "public.json", proved / "proof.json", "--json")
    assert res.returncode == 0 and json.loads(res.stdout) == {"valid": True}
    assert json.loads((proved / "public.json").read_text()) == ["265"]
    vk = json.loads((proved / "vk.json").read_text())
    assert vk["curve"] == "bls12381" and vk["protocol"] == "groth16" and vk["nPublic"] == 1


def test_wrong_public_exit_1(proved, tmp_path):
    (tmp_path / "public.json").write_text('["266"]')
    res = zkp("snark", "verify", proved / "vk.json", tmp_path / "public.json", proved / "proof.json")
    assert res.returncode == 1
    assert "INVALID" in res.stdout


@pytest.mark.parametrize("mutate", ["truncate", "garbage", "missing", "public_plus_r", "off_curve"])
def test_bad_input_exit_3(proved, tmp_path, mutate):
    proof, public = proved / "proof.json", proved / "public.json"
    if mutate == "truncate":
        proof = tmp_path / "p.json"
        proof.write_text((proved / "proof.json").read_text()[:50])
    elif mutate == "garbage":
        proof = tmp_path / "p.json"
        proof.write_bytes(b"\x00\xff garbage")
    elif mutate == "missing":
        proof = tmp_path / "nope.json"
    elif mutate == "public_plus_r":
        public = tmp_path / "public.json"
        from kernels.constants import R
        public.write_text(json.dumps([str(265 + R)]))
    elif mutate == "off_curve":
        obj = json.loads((proved / "proof.json").read_text())
        obj["pi_a"][1] = str(int(obj["pi_a"][1]) + 1)
        proof = tmp_path / "p.json"
        proof.write_text(json.dumps(obj))
    res = zkp("snark", "verify", proved / "vk.json", public, proof)
    assert res.returncode == 3, (res.stdout, res.stderr)
    line = _one_line_error(res)
    assert str(proof.name) in line or str(public.name) in line


def test_garbage_zkey_and_witness_exit_3(proved, tmp_path):
    (tmp_path / "bad.zkey").write_bytes(b"zkey\x01\x00\x00\x00")
    res = zkp("snark", "prove", tmp_path / "bad.zkey", proved / "w.wtns", tmp_path / "p.json", tmp_path / "q.json")
    assert res.returncode == 3
    assert "bad.zkey" in _one_line_error(res)
    (tmp_path / "bad.wtns").write_bytes((proved / "w.wtns").read_bytes()[:-7])
    res = zkp("snark", "prove", proved / "c.zkey", tmp_path / "bad.wtns", tmp_path / "p.json", tmp_path / "q.json")
    assert res.returncode == 3
    assert "bad.wtns" in _one_line_error(res)
    assert not (tmp_path / "p.json").exists()


def test_usage_errors_exit_2(proved, tmp_path):
    assert zkp("snark", "setup", proved / "c.r1cs", tmp_path / "x.zkey").returncode == 2
    if not cuda_available()[0]:  # on a GPU machine --backend cuda is a valid choice
        res = zkp("snark", "prove", proved / "c.zkey", proved / "w.wtns", tmp_path / "p.json",
                  tmp_path / "q.json", "--backend", "cuda")
        assert res.returncode == 2
        assert "cuda" in _one_line_error(res)
    assert zkp("snark", "verify").returncode == 2
