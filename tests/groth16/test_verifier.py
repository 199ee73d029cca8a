"""Groth16 verifier: completeness on proofs built from known scalars (py_ecc) and on a snarkjs
proof, and soundness checks: bit flips, wrong inputs, bad points, bad keys, batch cancellation.

Test instances skip the QAP: with trapdoor scalars alpha, beta, gamma, delta, ic_j and chosen
a, b, the proof A = [a]G1, B = [b]G2, C = [(ab - alpha beta - gamma ic(x)) / delta]G1 satisfies
the verification equation exactly, which is all the verifier can see.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass
from pathlib import Path

import pyblst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.optimized_bls12_381 import G1, G2, Z1, multiply, normalize

from engine.errors import InputError
from engine.formats import snarkjs_json as sj
from engine.formats import zcash
from engine.formats.points import g1_to_array, g2_to_array
from engine.groth16 import verifier
from engine.groth16.keys import Proof, VerifyingKey
from kernels.constants import R

DATA = Path(__file__).resolve().parents[1] / "formats" / "data"


def _g1(k):
    pt = multiply(G1, k % R)
    if pt == Z1:
        return None
    x, y = normalize(pt)
    return int(x.n), int(y.n)


def _g2(k):
    x, y = normalize(multiply(G2, k % R))
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


@dataclass(frozen=True)
class Trapdoor:
    alpha: int
    beta: int
    gamma: int
    delta: int
    ic: tuple[int, ...]

    def c_scalar(self, public, a, b):
        ic = self.ic[0] + sum(x * s for x, s in zip(public, self.ic[1:]))
        return (a * b - self.alpha * self.beta - self.gamma * ic) * pow(self.delta, -1, R) % R


@functools.cache
def instance(n_public: int = 3, seed: int = 1):
    rnd = random.Random(seed)
    td = Trapdoor(*(rnd.randrange(1, R) for _ in range(4)),
                  ic=tuple(rnd.randrange(1, R) for _ in range(n_public + 1)))
    vk = VerifyingKey(alpha1=g1_to_array([_g1(td.alpha)])[0], beta2=g2_to_array([_g2(td.beta)])[0],
                      gamma2=g2_to_array([_g2(td.gamma)])[0], delta2=g2_to_array([_g2(td.delta)])[0],
                      ic=g1_to_array([_g1(s) for s in td.ic]))
    return vk, td


@functools.cache
def proof_for(public: tuple[int, ...], a: int = 5, b: int = 7, c_shift: int = 0,
              n_public: int = 3) -> Proof:
    _, td = instance(n_public)
    c = td.c_scalar(public, a, b) + c_shift
    return Proof(a=g1_to_array([_g1(a)])[0], b=g2_to_array([_g2(b)])[0], c=g1_to_array([_g1(c)])[0])


PUBLIC = (3, 0, R - 1)


@pytest.fixture(scope="module")
def pvk():
    return verifier.prepare(instance()[0])


def test_valid_proof_all_input_forms(pvk):
    vk, _ = instance()
    proof = proof_for(PUBLIC)
    enc = zcash.encode_proof(proof)
    assert verifier.verify(pvk, list(PUBLIC), proof)
    assert verifier.verify(pvk, list(PUBLIC), enc)
    assert verifier.verify(vk, list(PUBLIC), enc)  # unprepared key: plain scalar multiplications
    assert verifier.verify(pvk, list(PUBLIC), bytearray(enc))


def test_snarkjs_proof_verifies():
    vk = sj.read_vkey(DATA / "verification_key.json")
    proof = sj.read_proof(DATA / "proof.json")
    public = json.loads((DATA / "public.json").read_text())
    assert verifier.verify(vk, [int(x) for x in public], proof)
    assert not verifier.verify(vk, [22, 8], proof)
    assert not verifier.verify(vk, [7, 22], proof)


def test_proof_with_a_at_infinity_verifies(pvk):
    proof = proof_for(PUBLIC, a=0)
    assert not proof.a.any()
    assert verifier.verify(pvk, list(PUBLIC), zcash.encode_proof(proof))


@pytest.mark.parametrize("index", [0, 1, 2])
def test_wrong_public_input_is_false(pvk, index):
    bad = list(PUBLIC)
    bad[index] = (bad[index] + 1) % R
    assert not verifier.verify(pvk, bad, proof_for(PUBLIC))


@pytest.mark.parametrize("public, reason", [
    ([3 + R, 0, R - 1], "public input 0 is not in \\[0, r\\)"),
    ([3, -1, R - 1], "public input 1 is not in \\[0, r\\)"),
    ([3, 0], "expected 3 public inputs, got 2"),
    ([3, 0, R - 1, 0], "expected 3 public inputs, got 4"),
    ([3, True, 1], "public input 1 is not an integer"),
    ([3, "0", 1], "public input 1 is not an integer"),
])
def test_malformed_public_inputs(pvk, public, reason):
    with pytest.raises(InputError, match=reason):
        verifier.verify(pvk, public, proof_for(PUBLIC))


def test_every_single_bit_flip_is_rejected(pvk):
    enc = zcash.encode_proof(proof_for(PUBLIC))
    outcomes = {"input_error": 0, "false": 0}
    for bit in range(8 * len(enc)):
        flipped = bytearray(enc)
        flipped[bit // 8] ^= 1 << (bit % 8)
        try:
            ok = verifier.verify(pvk, list(PUBLIC), bytes(flipped))
        except InputError:
            outcomes["input_error"] += 1
            continue
        assert not ok, f"bit {bit} flipped still verifies"
        outcomes["false"] += 1
    assert sum(outcomes.values()) == 1536
    # Only the three sign flags give valid points (-A, -B, -C): those verify False. Every other
    # flip breaks the flags, x < p, the curve equation or subgroup membership.
    assert outcomes == {"input_error": 1533, "false": 3}


def test_bad_proof_points_have_clear_reasons(pvk):
    good = proof_for(PUBLIC)
    order3 = Proof(a=g1_to_array([(0, 2)])[0], b=good.b, c=good.c)
    with pytest.raises(InputError, match=r"^proof A \(G1\): not in the prime-order subgroup$"):
        verifier.verify(pvk, list(PUBLIC), order3)
    off = Proof(a=good.a, b=good.b, c=g1_to_array([(1, 1)])[0])
    with pytest.raises(InputError, match=r"^proof C \(G1\): not on the curve$"):
        verifier.verify(pvk, list(PUBLIC), off)
    with pytest.raises(InputError, match="expected 192 bytes"):
        verifier.verify(pvk, list(PUBLIC), b"\x00" * 191)
    with pytest.raises(InputError, match="expected a Proof or 192 bytes"):
        verifier.verify(pvk, list(PUBLIC), "proof")


def _vk_with(**changes):
    vk, _ = instance()
    return VerifyingKey(**{**vk.__dict__, **changes})


def test_key_checks():
    vk, _ = instance()
    with pytest.raises(InputError, match="gamma2 = delta2"):
        verifier.prepare(_vk_with(delta2=vk.gamma2))
    with pytest.raises(InputError, match="alpha1 is the point at infinity"):
        verifier.prepare(_vk_with(alpha1=vk.alpha1 * 0))
    bad_ic = vk.ic.copy()
    bad_ic[2] = g1_to_array([(0, 2)])[0]
    with pytest.raises(InputError, match=r"IC\[2\]: not in the prime-order subgroup"):
        verifier.prepare(_vk_with(ic=bad_ic))


def test_batch_verify(pvk):
    publics = [PUBLIC, (1, 2, 3), (0, 0, 0), (R - 1, R - 2, 5)]
    items = [(list(p), proof_for(p, a=11 + i, b=13 + i)) for i, p in enumerate(publics)]
    items[1] = (items[1][0], zcash.encode_proof(items[1][1]))  # mixed input forms
    assert verifier.batch_verify(pvk, items)
    assert verifier.batch_verify(instance()[0], items[:1])
    assert verifier.batch_verify(pvk, [])
    wrong = items[:2] + [([0, 0, 1], items[2][1])] + items[3:]
    assert not verifier.batch_verify(pvk, wrong)
    with pytest.raises(InputError, match=r"^batch item 1: public input 0 is not in"):
        verifier.batch_verify(pvk, [items[0], ([R, 2, 3], items[1][1])])


def test_batch_resists_cancelling_errors(pvk):
    """C_1 = C + D and C_2 = C - D for one statement: each proof is false, and a batch check
    without random weights would accept the pair (shown with blst directly)."""
    p1 = proof_for(PUBLIC, c_shift=1)
    p2 = proof_for(PUBLIC, c_shift=-1)
    assert not verifier.verify(pvk, list(PUBLIC), p1)
    assert not verifier.verify(pvk, list(PUBLIC), p2)
    (a1, b1, c1), (a2, b2, c2) = (zcash.decode_proof_blst(zcash.encode_proof(p)) for p in (p1, p2))
    ic = pvk.ic_sum([1, *PUBLIC])
    lhs = pyblst.miller_loop(a1, b1) * pyblst.miller_loop(a2, b2)
    rhs = (pvk.alpha_beta * pvk.alpha_beta * pyblst.miller_loop(ic + ic, pvk.gamma)
           * pyblst.miller_loop(c1 + c2, pvk.delta))
    assert pyblst.final_verify(lhs, rhs)  # the unweighted sum is fooled
    assert not verifier.batch_verify(pvk, [(list(PUBLIC), p1), (list(PUBLIC), p2)])


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.sampled_from([0, 1, 31, 32, 2**250, R - 1]), st.integers(0, R - 1)))
def test_fixed_base_tables_match_scalar_mul(pvk, scalar):
    _, td = instance()
    for j in (0, 3):
        ic_j = zcash.g1_blst_from_point(_g1(td.ic[j]))
        assert pvk.ic[j].mul(scalar) == ic_j.scalar_mul(scalar)
