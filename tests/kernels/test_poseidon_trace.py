"""The traced sponge kernel against a plain-form Python reference of the same trace.

The reference below runs the sponge of docs/poseidon.md on kernels.poseidon_params's plain
rounds (not the sparse form the kernel evaluates) and records x^2, x^4, x^5 of every S-box input,
skipping the first round's capacity and zero-padding S-boxes. The two forms apply their
constants and matrices differently, yet every S-box input is the same value, so the traces must
agree element for element. That the trace is also the gadget's wire order is tested in
tests/engine/test_poseidon_gadget.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.constants import R
from kernels.cpu import poseidon as cpu
from kernels.cpu.poseidon_trace import sponge_trace_batch, trace_sboxes
from kernels.limbs import ints_to_limbs, limbs_to_ints
from kernels.poseidon_params import SPONGE_WIDTH, poseidon_params
from kernels.poseidon_ref import initial_state, padded_blocks, sponge

felts = st.integers(0, R - 1) | st.sampled_from([0, 1, R - 1, (1 << 64) - 1])


def reference_trace(t: int, inputs: list[int]) -> tuple[int, list[int]]:
    params = poseidon_params(t)
    p = params.prime
    state = initial_state(params, len(inputs))
    trace = []
    for block_index, block in enumerate(padded_blocks(params, inputs)):
        state = [state[0]] + [(s + x) % p for s, x in zip(state[1:], block)]
        for r, constants in enumerate(params.round_constants):
            state = [(x + c) % p for x, c in zip(state, constants)]
            for i in range(t if params.is_full_round(r) else 1):
                x = state[i]
                x2 = x * x % p
                x4 = x2 * x2 % p
                state[i] = x4 * x % p
                constant = block_index == 0 and r == 0 and (i == 0 or i > len(inputs))
                if not constant:
                    trace += [x2, x4, state[i]]
            state = [sum(m * x for m, x in zip(row, state)) % p for row in params.mds]
    return state[1], trace


def as_batch(rows: list[list[int]]) -> np.ndarray:
    return ints_to_limbs([x for row in rows for x in row], 4).reshape(len(rows), -1, 4)


@pytest.mark.parametrize("t", [3, 5, SPONGE_WIDTH])
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_trace_equals_the_plain_form_reference(t, data):
    inputs = data.draw(st.lists(felts, min_size=1, max_size=2 * t + 3))
    hashes, trace = sponge_trace_batch(as_batch([inputs]), t)
    ref_hash, ref_trace = reference_trace(t, inputs)
    assert limbs_to_ints(hashes) == [ref_hash] == [sponge(poseidon_params(t), inputs)]
    assert trace.shape == (1, len(ref_trace), 4)
    assert limbs_to_ints(trace[0]) == ref_trace


@pytest.mark.parametrize("n", [1, 15, 16, 17, 33])
def test_block_boundaries_at_the_commitment_width(n):
    rng = np.random.default_rng(n)
    inputs = [int(x) for x in rng.integers(0, 2**63, size=n - 1)] + [R - 1]
    hashes, trace = sponge_trace_batch(as_batch([inputs]))
    ref_hash, ref_trace = reference_trace(SPONGE_WIDTH, inputs)
    assert limbs_to_ints(hashes) == [ref_hash]
    assert limbs_to_ints(trace[0]) == ref_trace
    assert len(ref_trace) == 3 * trace_sboxes(SPONGE_WIDTH, n)


def test_batch_rows_are_traced_independently():
    rng = np.random.default_rng(9)
    rows = [[int(x) % R for x in rng.integers(0, 2**63, size=7)] for _ in range(4)]
    hashes, traces = sponge_trace_batch(as_batch(rows), 5)
    assert limbs_to_ints(hashes) == limbs_to_ints(cpu.sponge_batch(as_batch(rows), 5))
    for row, trace in zip(rows, traces):
        assert limbs_to_ints(trace) == reference_trace(5, row)[1]


def test_sbox_count_formula():
    # t = 17 (R_F = 8, R_P = 68): 204 S-boxes per block, less the capacity and the padding
    assert trace_sboxes(17, 1) == 204 - 1 - 15
    assert trace_sboxes(17, 16) == 204 - 1
    assert trace_sboxes(17, 17) == 2 * 204 - 1
    assert trace_sboxes(3, 5) == 3 * (3 * 8 + 57) - 1


def test_trace_rejects_bad_input():
    with pytest.raises(ValueError, match="canonical"):
        sponge_trace_batch(as_batch([[1, R]]))
    with pytest.raises(ValueError, match="n >= 1"):
        sponge_trace_batch(np.zeros((1, 0, 4), dtype=np.uint64))
    with pytest.raises(ValueError, match="n >= 1"):
        sponge_trace_batch(np.zeros((3, 4), dtype=np.uint64))
    with pytest.raises(ValueError, match="at least one"):
        trace_sboxes(17, 0)
