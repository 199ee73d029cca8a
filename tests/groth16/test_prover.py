"""Groth16 dev setup + prover against our blst verifier, with known answers from the circuits."""

from __future__ import annotations

import secrets

import numpy as np
import pytest

from engine.circuit import CircuitBuilder
from engine.demo_circuits import range_sum
from engine.errors import InputError
from engine.formats.zcash import encode_proof
from engine.groth16.prover import ProverContext, public_signals
from engine.groth16.qap import domain_power, lagrange_at
from engine.groth16.rerandomize import rerandomize
from engine.groth16.setup import dev_setup
from engine.groth16.verifier import batch_verify, verify
from kernels.constants import R, fr_root_of_unity
from kernels.limbs import ints_to_limbs


@pytest.fixture(scope="module")
def range_key():
    circuit = range_sum(12, bits=8)
    pk = dev_setup(circuit.r1cs)
    return circuit, pk, ProverContext.build(pk)


def _witness(circuit, values):
    return circuit.witness({"values": values})


def test_domain_power_matches_snarkjs_rule():
    # smallest power of two strictly greater than n_constraints + n_public
    assert domain_power(1023, 1) == 11
    assert domain_power(1022, 1) == 10
    assert domain_power(0, 0) == 1


def test_lagrange_basis_interpolates():
    tau = secrets.randbelow(R)
    lag = lagrange_at(tau, 3)
    w = fr_root_of_unity(3)
    # sum_i L_i(tau) * f(w^i) = f(tau) for f of degree < 8
    coeffs = [secrets.randbelow(R) for _ in range(8)]
    f = lambda x: sum(c * pow(x, k, R) for k, c in enumerate(coeffs)) % R  # noqa: E731
    assert sum(l * f(pow(w, i, R)) for i, l in enumerate(lag)) % R == f(tau)


def test_proofs_verify_and_bind_public_inputs(range_key):
    circuit, pk, ctx = range_key
    values = [secrets.randbelow(256) for _ in range(12)]
    w = _witness(circuit, values)
    proof = ctx.prove(w)
    public = public_signals(pk, w)
    assert public == [sum(values)]
    assert verify(pk.vk, public, proof)
    assert not verify(pk.vk, [sum(values) + 1], proof)
    with pytest.raises(InputError):
        verify(pk.vk, [sum(values) + R], proof)


def test_proofs_are_randomised_and_rerandomisable(range_key):
    circuit, pk, ctx = range_key
    w = _witness(circuit, list(range(12)))
    p1, p2 = ctx.prove(w), ctx.prove(w)
    assert encode_proof(p1) != encode_proof(p2)
    p3 = rerandomize(p1, pk.vk)
    assert encode_proof(p3) != encode_proof(p1)
    public = public_signals(pk, w)
    assert all(verify(pk.vk, public, p) for p in (p1, p2, p3))


def test_fixed_blinding_is_deterministic(range_key):
    circuit, pk, ctx = range_key
    w = _witness(circuit, [7] * 12)
    assert encode_proof(ctx.prove(w, r=5, s=9)) == encode_proof(ctx.prove(w, r=5, s=9))


def test_batch_verify_many_proofs(range_key):
    circuit, pk, ctx = range_key
    items = []
    for _ in range(4):
        w = _witness(circuit, [secrets.randbelow(256) for _ in range(12)])
        items.append((public_signals(pk, w), ctx.prove(w)))
    assert batch_verify(pk.vk, items)
    bad = list(items)
    bad[2] = ([items[2][0][0] + 1], items[2][1])
    assert not batch_verify(pk.vk, bad)


def test_unsatisfying_witness_gives_a_rejected_proof(range_key):
    circuit, pk, ctx = range_key
    w = _witness(circuit, [3] * 12).copy()
    w[-1, 0] ^= 1  # flip one private wire: a constraint no longer holds
    proof = ctx.prove(w)
    assert not verify(pk.vk, public_signals(pk, w), proof)


def test_witness_shape_and_range_checked(range_key):
    circuit, pk, ctx = range_key
    w = _witness(circuit, [1] * 12)
    with pytest.raises(InputError, match="expects"):
        ctx.prove(w[:-1])
    bad = w.copy()
    bad[0] = ints_to_limbs([2], 4)[0]
    with pytest.raises(InputError, match="constant wire"):
        ctx.prove(bad)
    bad = w.copy()
    bad[3] = ints_to_limbs([R], 4)[0]
    with pytest.raises(InputError, match="not below"):
        ctx.prove(bad)


def test_circuit_with_several_public_inputs_and_outputs():
    b = CircuitBuilder("mixed")
    x, y = b.public_input("x"), b.public_input("y")
    z = b.private_input("z")
    prod = b.mul(x, z)
    b.public_output("out", b.mul(prod, y))
    circuit = b.build()
    pk = dev_setup(circuit.r1cs)
    w = circuit.witness({"x": 3, "y": 5, "z": 11})
    public = public_signals(pk, w)
    assert public == [3 * 11 * 5, 3, 5]
    proof = ProverContext.build(pk).prove(w)
    assert verify(pk.vk, public, proof)
    assert not verify(pk.vk, [public[0], 5, 3], proof)
    assert isinstance(pk.a, np.ndarray) and pk.insecure_dev
