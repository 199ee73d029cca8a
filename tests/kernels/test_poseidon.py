"""The Numba Poseidon kernels (permutation batch, sponge) against the pure-Python reference.

kernels.poseidon_ref is itself pinned to the hadeshash test vectors (test_poseidon_params.py);
here the batched kernels, which evaluate kernels.poseidon_fast's rewritten rounds, must agree
with it bit for bit on random and edge states, and the sponge must follow docs/poseidon.md.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.constants import R
from kernels.cpu import poseidon as cpu
from kernels.limbs import ints_to_limbs, limbs_to_ints
from kernels.poseidon_params import SPONGE_WIDTH, poseidon_params
from kernels.poseidon_ref import permute, sponge
from test_poseidon_params import HADESHASH_X5_255_3

WIDTHS = [3, 5, 9, 17]
felts = st.integers(0, R - 1) | st.sampled_from([0, 1, 2, R - 1, R - 2, (1 << 64) - 1, 1 << 254])


def states_array(states: list[list[int]]) -> np.ndarray:
    t = len(states[0])
    return ints_to_limbs([x for s in states for x in s], 4).reshape(len(states), t, 4)


@pytest.mark.parametrize("t", WIDTHS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_permute_batch_equals_reference(t, data):
    states = data.draw(st.lists(st.lists(felts, min_size=t, max_size=t), min_size=1, max_size=6))
    params = poseidon_params(t)
    got = cpu.permute_batch(states_array(states))
    assert got.shape == (len(states), t, 4)
    assert limbs_to_ints(got) == [x for s in states for x in permute(params, s)]


def test_permute_batch_hadeshash_vector_and_edges():
    states = [[0, 1, 2], [0, 0, 0], [R - 1] * 3]
    got = limbs_to_ints(cpu.permute_batch(states_array(states)))
    assert got[:3] == HADESHASH_X5_255_3
    assert got[3:] == [x for s in states[1:] for x in permute(poseidon_params(3), s)]


def test_permute_batch_many_states_in_parallel():
    rng = np.random.default_rng(5)
    t, m = 5, 300
    ints = [int(x) % R for x in rng.integers(0, 2**63, size=m * t)]
    states = [ints[i * t:(i + 1) * t] for i in range(m)]
    got = limbs_to_ints(cpu.permute_batch(states_array(states)))
    params = poseidon_params(t)
    assert got == [x for s in states for x in permute(params, s)]


# ---- sponge -----------------------------------------------------------------------------------

def test_sponge_definition_on_the_reference_permutation():
    # docs/poseidon.md: capacity n * 2^64, inputs added into the rate, output = state[1]
    p3 = poseidon_params(3)
    assert sponge(p3, [1, 2]) == permute(p3, [2 << 64, 1, 2])[1]
    after_first = permute(p3, [3 << 64, 1, 2])
    assert sponge(p3, [1, 2, 3]) == permute(p3, [after_first[0], after_first[1] + 3,
                                                 after_first[2]])[1]


def test_sponge_known_answers_published_in_the_docs():
    # docs/poseidon.md lists these for independent implementations; keep them true
    assert cpu.sponge([1, 2], 3) == (
        0x22BFE6ED4F16DD3ABE8BECFF2A4608D1E61F0EA1B408D508F3ED9FFC599D0CA3)
    assert SPONGE_WIDTH == 17
    assert cpu.sponge([1, 2, 3]) == (
        0x2B5866439FDA80A5E0EC6F9ACF41D6E569737B7AFD2B248936881D925BCD5F0D)
    assert cpu.sponge(list(range(1, 18))) == (
        0x3973E9C6C6390D7BC5459DBD36FCEF6DB32B0649307523F0CF8438E5F7061978)


@pytest.mark.parametrize("t", [3, SPONGE_WIDTH])
def test_sponge_kernel_equals_reference_across_block_boundaries(t):
    params = poseidon_params(t)
    rng = np.random.default_rng(t)
    rate = t - 1
    for n in (1, rate - 1, rate, rate + 1, 2 * rate + 3):
        if n < 1:
            continue
        values = [int(x) for x in rng.integers(0, 2**62, size=n)] + [R - 1]
        assert cpu.sponge(values, t) == sponge(params, values)


def test_sponge_batch_hashes_each_row():
    rng = np.random.default_rng(1)
    m, n = 7, 20
    rows = [[int(x) % R for x in rng.integers(0, 2**63, size=n)] for _ in range(m)]
    got = limbs_to_ints(cpu.sponge_batch(states_array(rows)))
    params = poseidon_params(SPONGE_WIDTH)
    assert got == [sponge(params, row) for row in rows]


def test_sponge_length_is_bound_in_the_capacity():
    # zero padding cannot make [x] and [x, 0] collide, nor [] pad to anything
    for t in (3, SPONGE_WIDTH):
        assert cpu.sponge([5], t) != cpu.sponge([5, 0], t)
        assert cpu.sponge([0] * (t - 1), t) != cpu.sponge([0] * (t - 2), t)
    assert cpu.sponge([5]) == cpu.sponge([5], SPONGE_WIDTH)


def test_kernels_reject_bad_input():
    with pytest.raises(ValueError, match="canonical"):
        cpu.permute_batch(states_array([[0, 1, R]]))
    with pytest.raises(ValueError, match="canonical"):
        cpu.sponge_batch(ints_to_limbs([1, (1 << 256) - 1], 4).reshape(1, 2, 4))
    with pytest.raises(ValueError, match="field elements"):
        cpu.sponge([R])
    with pytest.raises(ValueError, match="field elements"):
        cpu.sponge([-1])
    with pytest.raises(ValueError, match="at least one"):
        cpu.sponge([])
    with pytest.raises(ValueError, match="at least one"):
        sponge(poseidon_params(3), [])
    with pytest.raises(ValueError, match=r"\(m, 3, 4\)"):
        cpu.permute_batch(np.zeros((2, 4, 4), dtype=np.uint64), t=3)
    with pytest.raises(ValueError, match="width"):
        cpu.permute_batch(np.zeros((2, 1, 4), dtype=np.uint64))
    with pytest.raises(ValueError, match="n >= 1"):
        cpu.sponge_batch(np.zeros((2, 0, 4), dtype=np.uint64))
    with pytest.raises(ValueError, match="3 elements"):
        permute(poseidon_params(3), [1, 2])
