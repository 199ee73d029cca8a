"""snarkjs JSON codecs against files snarkjs wrote, plus strictness on malformed input."""

import copy
import json
import subprocess

import numpy as np
import pytest

from engine.errors import InputError
from engine.formats import points as pts
from engine.formats import snarkjs_json as sj
from engine.groth16.keys import VerifyingKey
from formats_testlib import (DATA, G1_ORDER3, SNARKJS, g1_ref, g2_non_subgroup, g2_ref,
                             requires_snarkjs)
from kernels.constants import P, R


def _load(name):
    return json.loads((DATA / name).read_text())


def test_snarkjs_proof_round_trips_exactly():
    ref = _load("proof.json")
    proof = sj.proof_from_json(ref)
    assert sj.proof_to_json(proof) == ref
    (a,) = pts.g1_from_array(proof.a)
    assert a == (int(ref["pi_a"][0]), int(ref["pi_a"][1]))
    (b,) = pts.g2_from_array(proof.b)
    assert b == tuple(tuple(int(c) for c in ref["pi_b"][i]) for i in range(2))


def test_snarkjs_vkey_round_trips_without_alphabeta():
    ref = _load("verification_key.json")
    vk = sj.vkey_from_json(ref)
    assert vk.n_public == 2 and not vk.insecure_dev
    expected = {k: v for k, v in ref.items() if k != "vk_alphabeta_12"}
    assert sj.vkey_to_json(vk) == expected
    assert list(sj.vkey_to_json(vk)) == list(expected)  # same key order as snarkjs


def test_file_helpers_and_public(tmp_path):
    assert sj.read_public(DATA / "public.json") == [22, 7]
    sj.write_public(tmp_path / "p.json", [0, R - 1])
    assert json.loads((tmp_path / "p.json").read_text()) == ["0", str(R - 1)]
    vk = sj.read_vkey(DATA / "verification_key.json")
    sj.write_vkey(tmp_path / "vk.json", vk)
    assert sj.read_vkey(tmp_path / "vk.json").ic.tolist() == vk.ic.tolist()
    proof = sj.read_proof(DATA / "proof.json")
    sj.write_proof(tmp_path / "proof.json", proof)
    assert json.loads((tmp_path / "proof.json").read_text()) == _load("proof.json")


def test_insecure_dev_marker_and_infinity_points():
    vk = VerifyingKey(alpha1=pts.g1_to_array([g1_ref(2)])[0], beta2=pts.g2_to_array([g2_ref(3)])[0],
                      gamma2=pts.g2_to_array([g2_ref(4)])[0], delta2=pts.g2_to_array([g2_ref(5)])[0],
                      ic=pts.g1_to_array([g1_ref(6), None]), insecure_dev=True)
    out = sj.vkey_to_json(vk)
    assert out["insecure_dev"] is True and out["IC"][1] == ["0", "1", "0"]
    back = sj.vkey_from_json(out)
    assert back.insecure_dev and np.array_equal(back.ic, vk.ic)


@pytest.mark.parametrize("value, reason", [
    ([22, "7"], "public signal 0: expected a decimal string"),
    (["0x16"], "expected a decimal string"),
    (["-1"], "expected a decimal string"),
    ([" 1"], "expected a decimal string"),
    (["\u0663"], "expected a decimal string"),  # Arabic-Indic digit three: str.isdigit() is True
    ([str(R)], "public signal 0: .* is not below the scalar field modulus r"),
    ({"0": "1"}, "expected a JSON list"),
])
def test_public_rejections(value, reason):
    with pytest.raises(InputError, match=reason):
        sj.public_from_json(value, "public.json")


def _with(obj, path, value):
    out = copy.deepcopy(obj)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


PROOF = _load("proof.json")


@pytest.mark.parametrize("obj, reason", [
    (_with(PROOF, ["pi_a", 0], str(int(PROOF["pi_a"][0]) + P)), r"proof pi_a\[0\]: .* not below p"),
    (_with(PROOF, ["pi_a", 1], "1"), "proof pi_a: not on the curve"),
    (_with(PROOF, ["pi_a"], ["0", "2", "1"]), "proof pi_a: not in the prime-order subgroup"),
    (_with(PROOF, ["pi_c", 2], "2"), "only affine points"),
    (_with(PROOF, ["pi_c"], ["5", "1", "0"]), "not the canonical"),
    (_with(PROOF, ["pi_c"], ["5"]), "expected a list of 2 or 3 items"),
    (_with(PROOF, ["pi_b", 1, 0], "3"), "proof pi_b: not on the curve"),
    (_with(PROOF, ["pi_b", 2], ["1", "1"]), "only affine points"),
    (_with(PROOF, ["pi_b", 0], ["1"]), "expected a list of 2 items"),
    (_with(PROOF, ["protocol"], "plonk"), "protocol 'plonk' is not 'groth16'"),
    (_with(PROOF, ["curve"], "bn128"), "curve 'bn128' is not 'bls12381'"),
    ({k: v for k, v in PROOF.items() if k != "pi_b"}, "missing 'pi_b'"),
    ([], "expected a JSON object"),
])
def test_proof_rejections(obj, reason):
    with pytest.raises(InputError, match=reason) as exc:
        sj.proof_from_json(obj, "proof.json")
    assert str(exc.value).startswith("file proof.json: ")


def test_g2_non_subgroup_rejected():
    (x0, x1), (y0, y1) = g2_non_subgroup()
    obj = _with(PROOF, ["pi_b"], [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]])
    with pytest.raises(InputError, match="pi_b: not in the prime-order subgroup"):
        sj.proof_from_json(obj)


VK = _load("verification_key.json")


@pytest.mark.parametrize("obj, reason", [
    (_with(VK, ["nPublic"], 3), r"IC: expected a list of 4 items"),
    (_with(VK, ["nPublic"], "2"), "nPublic: expected a non-negative integer"),
    (_with(VK, ["curve"], "bn128"), "curve 'bn128'"),
    ({k: v for k, v in VK.items() if k != "protocol"}, "protocol None"),
    ({k: v for k, v in VK.items() if k != "vk_delta_2"}, "missing 'vk_delta_2'"),
    (_with(VK, ["IC", 1], [str(c) for c in (*G1_ORDER3, 1)]), r"IC\[1\]: not in the prime-order"),
    (_with(VK, ["insecure_dev"], "yes"), "insecure_dev: expected true or false"),
])
def test_vkey_rejections(obj, reason):
    with pytest.raises(InputError, match=reason):
        sj.vkey_from_json(obj, "vk.json")


def test_curve_name_normalised_like_snarkjs():
    assert sj.vkey_from_json(_with(VK, ["curve"], "BLS12-381")).n_public == 2


def test_bad_json_files(tmp_path):
    (tmp_path / "p.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        sj.read_proof(tmp_path / "p.json")
    (tmp_path / "b.json").write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match="not valid JSON"):
        sj.read_public(tmp_path / "b.json")
    with pytest.raises(InputError, match="cannot read"):
        sj.read_vkey(tmp_path / "missing.json")


def test_public_to_json_range():
    with pytest.raises(InputError):
        sj.public_to_json([R])


@pytest.mark.interop
@requires_snarkjs
def test_snarkjs_verifies_files_we_wrote(tmp_path):
    """Our writers' output (with the insecure_dev marker) is what `snarkjs groth16 verify` reads."""
    vk = sj.read_vkey(DATA / "verification_key.json")
    sj.write_vkey(tmp_path / "vk.json", VerifyingKey(**{**vk.__dict__, "insecure_dev": True}))
    sj.write_proof(tmp_path / "proof.json", sj.read_proof(DATA / "proof.json"))

    def snarkjs_verify(public):
        sj.write_public(tmp_path / "public.json", public)
        res = subprocess.run([str(SNARKJS), "groth16", "verify", tmp_path / "vk.json",
                              tmp_path / "public.json", tmp_path / "proof.json"],
                             capture_output=True, text=True, timeout=120)
        return res.returncode == 0 and "OK!" in res.stdout

    assert snarkjs_verify([22, 7])
    assert not snarkjs_verify([22, 8])
