""".zkey codec against a key snarkjs made, byte-level section checks, rejections, and interop."""

import json
import struct

import numpy as np
import pytest

from engine.errors import InputError
from engine.formats import binfile
from engine.formats import points as pts
from engine.formats import snarkjs_json as sj
from engine.formats.r1cs_file import write_r1cs
from engine.formats.wtns_file import write_wtns
from engine.formats.zkey_file import EXT_SECTION, read_zkey, write_zkey
from engine.groth16 import verifier
from engine.r1cs import R1CS, SparseMatrix
from formats_testlib import DATA, G1_ORDER3, PTAU, requires_snarkjs, snarkjs
from kernels.constants import P, R
from kernels.limbs import ints_to_limbs, limbs_to_ints

FIXTURE = DATA / "tiny.zkey"


def _sections(data: bytes) -> dict[int, bytes]:
    bf = binfile.parse_binfile(data, "zkey", 1, "x")
    return {sid: bytes(v[0]) for sid, v in bf.sections.items()}


def _assemble(sections: dict[int, bytes], magic=b"zkey") -> bytes:
    out = magic + struct.pack("<II", 1, len(sections))
    return out + b"".join(struct.pack("<IQ", s, len(p)) + p for s, p in sections.items())


def test_reads_snarkjs_key():
    pk = read_zkey(FIXTURE)
    assert (pk.n_vars, pk.n_public, pk.domain_size) == (6, 2, 8)
    assert pk.a.shape == (6, 2, 6) and pk.b2.shape == (6, 2, 2, 6) and pk.c.shape == (3, 2, 6)
    assert pk.h.shape == (8, 2, 6) and not pk.insecure_dev
    # section 4 as zkey_new writes it: A then B terms per constraint, then A[m + i][i] = 1
    coefs = list(zip(pk.coeff_matrix.tolist(), pk.coeff_constraint.tolist(),
                     pk.coeff_signal.tolist(), limbs_to_ints(pk.coeff_value)))
    assert coefs == [(0, 0, 3, 1), (1, 0, 4, 1), (0, 1, 2, 1), (0, 1, 5, 1), (1, 1, 0, 1),
                     (0, 2, 0, 1), (0, 3, 1, 1), (0, 4, 2, 1)]
    vk = sj.read_vkey(DATA / "verification_key.json")
    for name in ("alpha1", "beta2", "gamma2", "delta2", "ic"):
        assert np.array_equal(getattr(pk.vk, name), getattr(vk, name)), name
    # wire 1 never appears in B: snarkjs stores the point at infinity as zeros
    assert not pk.b1[1].any() and not pk.b2[1].any()


def test_rewrite_keeps_every_snarkjs_section_byte_for_byte(tmp_path):
    write_zkey(tmp_path / "k.zkey", read_zkey(FIXTURE))
    ours, theirs = _sections((tmp_path / "k.zkey").read_bytes()), _sections(FIXTURE.read_bytes())
    for sid in range(1, 10):
        assert ours[sid] == theirs[sid], f"section {sid}"
    assert ours[10] == bytes(64) + b"\x00" * 4  # zero circuit hash, no contributions
    assert ours[EXT_SECTION] == struct.pack("<I", 0)


def test_coefficients_stored_with_extra_montgomery_factor(tmp_path):
    pk = read_zkey(FIXTURE)
    values = [5, R - 1, 2**255 % R, 0, 1, 7, 11, 13]
    pk2 = type(pk)(**{**pk.__dict__, "coeff_value": ints_to_limbs(values, 4), "insecure_dev": True})
    write_zkey(tmp_path / "k.zkey", pk2)
    raw = _sections((tmp_path / "k.zkey").read_bytes())[4]
    assert struct.unpack_from("<I", raw)[0] == 8
    stored = [int.from_bytes(raw[4 + 44 * i + 12:4 + 44 * (i + 1)], "little") for i in range(8)]
    assert stored == [v * pow(2, 512, R) % R for v in values]
    back = read_zkey(tmp_path / "k.zkey")
    assert limbs_to_ints(back.coeff_value) == values
    assert back.insecure_dev and back.vk.insecure_dev


def _mutated(mutate) -> bytes:
    secs = _sections(FIXTURE.read_bytes())
    mutate(secs)
    return _assemble(secs)


def _g1_bytes(pt) -> bytes:
    return pts.g1_to_array([pt]).astype("<u8").tobytes()


def _set(secs, sid, offset, data):
    secs[sid] = secs[sid][:offset] + data + secs[sid][offset + len(data):]


HEADER_POINTS = 4 + 48 + 4 + 32 + 12  # offset of alpha1 in section 2


@pytest.mark.parametrize("mutate, reason", [
    (lambda s: _set(s, 1, 0, struct.pack("<I", 2)), r"section 1 \(protocol\): protocol id 2"),
    (lambda s: _set(s, 2, 4, (P - 2).to_bytes(48, "little")), "base field is not BLS12-381"),
    (lambda s: _set(s, 2, 56, (R + 2).to_bytes(32, "little")), "scalar field is not BLS12-381"),
    (lambda s: _set(s, 2, 96, struct.pack("<I", 6)), "domainSize 6 is not a power of two"),
    (lambda s: _set(s, 2, 92, struct.pack("<I", 6)), "nPublic 6 \\+ 1 exceeds nVars 6"),
    (lambda s: _set(s, 2, HEADER_POINTS, bytes(96)), r"alpha1: point 0: is the point at infinity"),
    (lambda s: _set(s, 2, HEADER_POINTS + 96, _g1_bytes(G1_ORDER3)),
     r"beta1: point 0: not in the prime-order subgroup"),
    (lambda s: s.update({5: s[5][:-1]}), r"section 5 \(A points\): has 575 bytes, expected 6"),
    (lambda s: _set(s, 5, 96 + 48, b"\x01"), r"section 5 \(A points\): point 1: not on the curve"),
    (lambda s: _set(s, 9, 0, b"\xff" * 48), r"section 9 \(H points\): point 0: coordinate not below p"),
    (lambda s: _set(s, 8, 96, _g1_bytes(G1_ORDER3)),
     r"section 8 \(C points\): point 1: not in the prime-order subgroup"),
    (lambda s: _set(s, 4, 4, struct.pack("<I", 2)), "entry 0: matrix 2 out of range"),
    (lambda s: _set(s, 4, 4 + 4, struct.pack("<I", 8)), "entry 0: constraint 8 out of range"),
    (lambda s: _set(s, 4, 4 + 8, struct.pack("<I", 6)), "entry 0: signal 6 out of range"),
    (lambda s: _set(s, 4, 16, R.to_bytes(32, "little")), "entry 0: value not below r"),
    (lambda s: _set(s, 4, 0, struct.pack("<I", 9)), "count 9 needs"),
    (lambda s: s.pop(9), r"section 9 \(H points\): missing"),
])
def test_rejections(tmp_path, mutate, reason):
    path = tmp_path / "bad.zkey"
    path.write_bytes(_mutated(mutate))
    with pytest.raises(InputError, match=reason) as exc:
        read_zkey(path)
    assert str(exc.value).startswith(f"file {path}: ")


def test_subgroup_check_modes(tmp_path):
    """A non-subgroup point in a prover section: caught by 'all'; 'vk' trusts those sections
    but still checks the header and IC points."""
    path = tmp_path / "k.zkey"
    path.write_bytes(_mutated(lambda s: _set(s, 6, 0, _g1_bytes(G1_ORDER3))))
    with pytest.raises(InputError, match=r"section 6 \(B1 points\): point 0: not in the prime"):
        read_zkey(path)
    assert read_zkey(path, subgroup_check="vk").b1[0].tolist() == pts.g1_to_array([G1_ORDER3])[0].tolist()
    path.write_bytes(_mutated(lambda s: _set(s, 3, 96, _g1_bytes(G1_ORDER3))))
    with pytest.raises(InputError, match=r"section 3 \(IC\): point 1: not in the prime"):
        read_zkey(path, subgroup_check="vk")


def test_bad_magic(tmp_path):
    (tmp_path / "x.zkey").write_bytes(_assemble(_sections(FIXTURE.read_bytes()), magic=b"ptau"))
    with pytest.raises(InputError, match="not a zkey file"):
        read_zkey(tmp_path / "x.zkey")


def _interop_circuit():
    """Wires [1, out, in, x, y, t]: (3x) * (5y) = 7t and (t + (r-2) in) * 1 = out."""
    def mat(entries):
        return SparseMatrix(np.array([e[0] for e in entries], np.int64),
                            np.array([e[1] for e in entries], np.int64),
                            ints_to_limbs([e[2] for e in entries], 4))
    r1cs = R1CS(n_wires=6, n_pub_out=1, n_pub_in=1, n_prv_in=2, n_constraints=2,
                a=mat([(0, 3, 3), (1, 2, R - 2), (1, 5, 1)]), b=mat([(0, 4, 5), (1, 0, 1)]),
                c=mat([(0, 5, 7), (1, 1, 1)]))
    x, y, inp = 1234, 98765, 42
    t = 15 * x * y * pow(7, -1, R) % R
    return r1cs, [1, (t - 2 * inp) % R, inp, x, y, t]


@pytest.mark.interop
@requires_snarkjs
def test_snarkjs_key_through_our_codecs_to_our_verifier(tmp_path):
    """r1cs (ours) -> zkey (snarkjs) -> read, rewrite (ours) -> export + prove (snarkjs, from our
    file and our witness) -> verify (ours)."""
    r1cs, witness = _interop_circuit()
    write_r1cs(tmp_path / "c.r1cs", r1cs)
    write_wtns(tmp_path / "w.wtns", ints_to_limbs(witness, 4))
    snarkjs("wtns", "check", tmp_path / "c.r1cs", tmp_path / "w.wtns")
    snarkjs("zkey", "new", tmp_path / "c.r1cs", PTAU, tmp_path / "k0.zkey")
    snarkjs("zkey", "beacon", tmp_path / "k0.zkey", tmp_path / "k.zkey", "ab" * 32, "10")
    pk = read_zkey(tmp_path / "k.zkey")
    coefs = sorted(zip(pk.coeff_matrix.tolist(), pk.coeff_constraint.tolist(),
                       pk.coeff_signal.tolist(), limbs_to_ints(pk.coeff_value)))
    assert coefs == sorted([(0, 0, 3, 3), (1, 0, 4, 5), (0, 1, 2, R - 2), (0, 1, 5, 1),
                            (1, 1, 0, 1), (0, 2, 0, 1), (0, 3, 1, 1), (0, 4, 2, 1)])
    mine = tmp_path / "ours.zkey"
    write_zkey(mine, type(pk)(**{**pk.__dict__, "insecure_dev": True}))
    snarkjs("zkey", "export", "verificationkey", mine, tmp_path / "vk.json")
    exported = json.loads((tmp_path / "vk.json").read_text())
    exported.pop("vk_alphabeta_12")
    ours = sj.vkey_to_json(pk.vk)
    assert exported == ours
    snarkjs("groth16", "prove", mine, tmp_path / "w.wtns", tmp_path / "proof.json",
            tmp_path / "public.json")
    public = sj.read_public(tmp_path / "public.json")
    assert public == witness[1:3]
    proof = sj.read_proof(tmp_path / "proof.json")
    vk = sj.read_vkey(tmp_path / "vk.json")
    assert verifier.verify(vk, public, proof)
    assert not verifier.verify(vk, [public[0], public[1] + 1], proof)
    snarkjs("groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json",
            tmp_path / "proof.json")
