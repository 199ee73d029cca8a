"""The Poseidon gadget: same outputs as the native kernels, exact constraint counts, sound R1CS.

Satisfaction is re-checked from the built matrices with plain Python ints (not only by the
witness program's own checker), and a witness with one S-box wire changed must fail. The
gadget's S-box wires are exactly the native trace (kernels.cpu.poseidon_trace).
"""

from __future__ import annotations

import random

import pytest

from engine.circuit import CircuitBuilder
from engine.errors import InputError
from engine.gadgets import permutation, sponge, sponge_cost
from kernels.constants import R
from kernels.cpu import poseidon as cpu
from kernels.cpu.poseidon_trace import sponge_trace_batch
from kernels.limbs import ints_to_limbs, limbs_to_ints
from kernels.poseidon_params import SPONGE_WIDTH, poseidon_params
from kernels.poseidon_ref import permute

HADESHASH_X5_255_3 = [  # hadeshash code/test_vectors.txt, poseidonperm_x5_255_3 of [0, 1, 2]
    0x28CE19420FC246A05553AD1E8C98F5C9D67166BE2C18E9E4CB4B4E317DD2A78A,
    0x51F3E312C95343A896CFD8945EA82BA956C1118CE9B9859B6EA56637B4B1DDC4,
    0x3B2B69139B235626A0BFB56C9527AE66A7BF486AD8C11C14D1DA0C69BBE0F79A,
]
rng = random.Random(17)


def unsatisfied(r1cs, w):
    def rows(mat):
        out = [dict() for _ in range(r1cs.n_constraints)]
        for r, c, v in zip(mat.rows.tolist(), mat.cols.tolist(), limbs_to_ints(mat.coeffs)):
            out[r][c] = v
        return out

    def dot(row):
        return sum(c * w[i] for i, c in row.items()) % R

    a, b, c = rows(r1cs.a), rows(r1cs.b), rows(r1cs.c)
    return [i for i in range(r1cs.n_constraints) if dot(a[i]) * dot(b[i]) % R != dot(c[i])]


def permutation_circuit(t):
    cb = CircuitBuilder(f"perm_t{t}")
    out = permutation(cb, cb.private_inputs("s", t), poseidon_params(t))
    for i, x in enumerate(out):
        cb.public_output(f"out{i}", x)
    return cb.build()


def test_permutation_gadget_hadeshash_vector_and_cost():
    circuit = permutation_circuit(3)
    values = circuit.witness_values({"s": [0, 1, 2]})
    assert circuit.public_signals(values) == HADESHASH_X5_255_3
    assert unsatisfied(circuit.r1cs, values) == []
    # 3 constraints per S-box: 8 full rounds x 3 + 57 partial; + 3 linear output constraints
    assert circuit.section_counts["poseidon_t3"] == 3 * (8 * 3 + 57) == 243
    assert circuit.n_constraints == 243 + 3


@pytest.mark.parametrize("t", [5, 9])
def test_permutation_gadget_equals_reference(t):
    circuit = permutation_circuit(t)
    params = poseidon_params(t)
    state = [rng.randrange(R) for _ in range(t)]
    values = circuit.witness_values({"s": state})
    assert circuit.public_signals(values) == permute(params, state)
    assert circuit.section_counts[f"poseidon_t{t}"] == 3 * (t * params.r_f + params.r_p)


def sponge_circuit(t, n):
    cb = CircuitBuilder(f"sponge_t{t}_{n}")
    cb.public_output("hash", sponge(cb, cb.private_inputs("v", n), t))
    return cb.build()


@pytest.mark.parametrize("t,n", [(3, 1), (3, 5), (5, 4), (5, 9), (SPONGE_WIDTH, 3),
                                 (SPONGE_WIDTH, 2 * SPONGE_WIDTH - 1)])
def test_sponge_gadget_equals_native_sponge(t, n):
    circuit = sponge_circuit(t, n)
    values = [rng.randrange(R) for _ in range(n - 1)] + [R - 1]
    witness = circuit.witness_values({"v": values})
    assert circuit.public_signals(witness) == [cpu.sponge(values, t)]
    assert unsatisfied(circuit.r1cs, witness) == []
    # every S-box costs 3, except those fed by constants in the first permutation's first
    # round: the capacity element and the zero padding when n < rate
    params = poseidon_params(t)
    rate = t - 1
    perms = -(-n // rate)
    constant_inputs = 1 + max(rate - n, 0)
    expected = 3 * (perms * (t * params.r_f + params.r_p) - constant_inputs)
    assert circuit.section_counts["poseidon_sponge"] == expected


@pytest.mark.parametrize("t,n", [(3, 1), (5, 9), (SPONGE_WIDTH, 2), (SPONGE_WIDTH, 16),
                                 (SPONGE_WIDTH, 35)])
def test_sponge_wires_are_the_native_trace(t, n):
    # the shard circuit's native witness writes the kernel's trace where the gadget's S-box
    # wires are: everything allocated after the inputs, in allocation order
    circuit = sponge_circuit(t, n)
    values = [rng.randrange(R) for _ in range(n)]
    witness = circuit.witness_values({"v": values})
    hashes, trace = sponge_trace_batch(ints_to_limbs(values, 4)[None], t)
    assert limbs_to_ints(hashes) == circuit.public_signals(witness)
    assert limbs_to_ints(trace[0]) == witness[circuit.r1cs.n_public + 1 + n:]


def test_sponge_gadget_accepts_constants_and_mixed_inputs():
    cb = CircuitBuilder("mixed")
    x = cb.private_input("x")
    cb.public_output("hash", sponge(cb, [7, x, x + 1], 3))
    circuit = cb.build()
    witness = circuit.witness_values({"x": 11})
    assert circuit.public_signals(witness) == [cpu.sponge([7, 11, 12], 3)]


def test_changed_sbox_wire_breaks_the_r1cs():
    circuit = sponge_circuit(3, 2)
    witness = circuit.witness_values({"v": [5, 6]})
    first_private, last = circuit.r1cs.n_public + 1, circuit.r1cs.n_wires - 1  # v[0], last x5
    for wire in (first_private, first_private + 2, last):
        bad = list(witness)
        bad[wire] = (bad[wire] + 1) % R
        assert unsatisfied(circuit.r1cs, bad)


def test_sponge_cost_reports_constraints_and_nonzeros():
    cost = sponge_cost(5, 8)
    assert (cost.t, cost.n_values, cost.permutations) == (5, 8, 2)
    assert cost.constraints == 3 * (2 * (5 * 8 + 60) - 1)
    assert cost.constraints_per_value == cost.constraints / 8
    assert cost.nonzeros > 3 * cost.constraints  # S-box inputs are long linear combinations


def test_gadget_rejects_bad_use():
    cb = CircuitBuilder("bad")
    with pytest.raises(ValueError, match="3 elements"):
        permutation(cb, [1, 2], poseidon_params(3))
    with pytest.raises(ValueError, match="at least one"):
        sponge(cb, [])
    circuit = sponge_circuit(3, 2)
    with pytest.raises(InputError, match="field element"):
        circuit.witness_values({"v": [R, 0]})
