"""The commitment sponge with its S-box trace: every value the R1CS gadget's witness holds.

The Poseidon gadget (engine.gadgets.poseidon) allocates three wires per S-box, x^2, x^4 and x^5
of the S-box input, and nothing else: constant additions and MDS products fold into linear
combinations. Replaying its witness hints in Python costs ~0.5 ms per absorbed value (the
partial rounds' long linear combinations); this kernel runs the sponge of kernels.cpu.poseidon
and writes each S-box's three values as it goes.

Trace layout, the gadget's allocation order: block by block, round by round; in a full round
the S-boxes of elements 0..t-1, in a partial round that of element 0; per S-box the rows x^2,
x^4, x^5. An S-box whose input is a constant of the circuit is evaluated when the circuit is
built and has no wires, so it has no rows: in the first block's first round, the capacity
element (the length tag) and the rate elements past the last input (zero padding). The rounds
are kernels.poseidon_fast's form, as in the gadget, so every intermediate value agrees.

Arrays follow kernels.limbs: inputs (m, n, 4) standard form, canonical; hashes (m, 4) and
traces (m, 3 * trace_sboxes(t, n), 4) standard form. States are independent (`prange`).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from kernels.constants import FR_LIMBS
from kernels.cpu import fr, fr_vec
from kernels.cpu.poseidon import check_canonical, get_elem, set_elem, tables
from kernels.poseidon_params import SPONGE_WIDTH, poseidon_params


@numba.njit(inline="always", cache=True)
def _sbox(x, trace, k, pos):
    """x^5, recording x^2, x^4, x^5 (standard form) at trace[k, pos .. pos + 2]."""
    x2 = fr.sqr(x)
    x4 = fr.sqr(x2)
    x5 = fr.mul(x4, x)
    set_elem(trace, k, pos, fr.from_mont(x2))
    set_elem(trace, k, pos + 1, fr.from_mont(x4))
    set_elem(trace, k, pos + 2, fr.from_mont(x5))
    return x5


@numba.njit(inline="always", cache=True)
def _full_round(state, scratch, rc, r, mds, trace, k, pos, live_lo, live_hi):
    """One full round of state (1, t, 4); S-boxes of elements live_lo..live_hi are traced, the
    others (constant inputs) computed only. Returns the next trace position."""
    t = state.shape[1]
    for i in range(t):
        x = fr.add(get_elem(state, 0, i), get_elem(rc, r, i))
        if live_lo <= i <= live_hi:
            set_elem(scratch, 0, i, _sbox(x, trace, k, pos))
            pos += 3
        else:
            set_elem(scratch, 0, i, fr.mul(fr.sqr(fr.sqr(x)), x))
    for i in range(t):
        acc = fr.mul(get_elem(mds, i, 0), get_elem(scratch, 0, 0))
        for j in range(1, t):
            acc = fr.add(acc, fr.mul(get_elem(mds, i, j), get_elem(scratch, 0, j)))
        set_elem(state, 0, i, acc)
    return pos


@numba.njit(cache=True)
def _permute_traced(state, scratch, tab, trace, k, pos, first_live_hi):
    """Permute state (1, t, 4) in place, tracing S-boxes from `pos`; in the first round only
    elements 1..first_live_hi are traced when first_live_hi < t, all when it is t."""
    full_rc, partial_rc, mds, pre_mds, rows, cols = tab
    t = state.shape[1]
    half = full_rc.shape[0] // 2
    for r in range(half):
        lo, hi = (0, t - 1) if r > 0 or first_live_hi == t else (1, first_live_hi)
        pos = _full_round(state, scratch, full_rc, r, pre_mds if r == half - 1 else mds,
                          trace, k, pos, lo, hi)
    for r in range(partial_rc.shape[0]):
        x0 = _sbox(fr.add(get_elem(state, 0, 0), fr.load(partial_rc, r)), trace, k, pos)
        pos += 3
        acc = fr.mul(get_elem(rows, r, 0), x0)
        for j in range(1, t):
            s = get_elem(state, 0, j)
            acc = fr.add(acc, fr.mul(get_elem(rows, r, j), s))
            set_elem(state, 0, j, fr.add(s, fr.mul(get_elem(cols, r, j - 1), x0)))
        set_elem(state, 0, 0, acc)
    for r in range(half, 2 * half):
        pos = _full_round(state, scratch, full_rc, r, mds, trace, k, pos, 0, t - 1)
    return pos


@numba.njit(parallel=True, cache=True)
def sponge_trace_mont(inputs, tab, tag, trace):
    """Hashes (m, 4) standard form of the m rows of (m, n, 4) Montgomery `inputs`, filling
    trace (m, 3 * trace_sboxes(t, n), 4) with the S-box values in the gadget's order."""
    m, n = inputs.shape[0], inputs.shape[1]
    t = tab[2].shape[0]
    out = np.empty((m, 4), dtype=np.uint64)
    for k in prange(m):
        state = np.zeros((1, t, 4), dtype=np.uint64)
        scratch = np.empty((1, t, 4), dtype=np.uint64)
        set_elem(state, 0, 0, (tag[0], tag[1], tag[2], tag[3]))
        pos = 0
        for start in range(0, n, t - 1):
            for j in range(min(t - 1, n - start)):  # the zero padding adds nothing
                set_elem(state, 0, j + 1,
                         fr.add(get_elem(state, 0, j + 1), get_elem(inputs, k, start + j)))
            # First block: the capacity and the padding are constants in the circuit.
            live_hi = min(n, t - 1) if start == 0 else t
            pos = _permute_traced(state, scratch, tab, trace, k, pos, live_hi)
        fr.store(out, k, fr.from_mont(get_elem(state, 0, 1)))
    return out


def trace_sboxes(t: int, n_inputs: int) -> int:
    """Number of traced S-boxes (3 trace rows each) of the width-t sponge over n_inputs values."""
    if n_inputs < 1:
        raise ValueError("the Poseidon sponge needs at least one input")
    params = poseidon_params(t)
    blocks = -(-n_inputs // params.rate)
    constant = 1 + max(0, params.rate - n_inputs)  # the first round's capacity and padding
    return blocks * (t * params.r_f + params.r_p) - constant


def sponge_trace_batch(inputs: np.ndarray, t: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(hashes (m, 4), traces (m, 3 s, 4)) of (m, n, 4) standard-form inputs, s the S-box count
    (`trace_sboxes`); the hashes equal kernels.cpu.poseidon.sponge_batch's."""
    tab = tables(t if t is not None else SPONGE_WIDTH)
    if inputs.ndim != 3 or inputs.shape[2] != FR_LIMBS or inputs.shape[1] < 1:
        raise ValueError(f"sponge inputs must be (m, n >= 1, 4) uint64, got {inputs.shape}")
    inputs = check_canonical(inputs, "Poseidon sponge inputs")
    m, n = inputs.shape[0], inputs.shape[1]
    mont = fr_vec.to_mont(inputs.reshape(-1, FR_LIMBS)).reshape(inputs.shape)
    trace = np.empty((m, 3 * trace_sboxes(tab.params.t, n), FR_LIMBS), dtype=np.uint64)
    hashes = sponge_trace_mont(mont, tab.arrays, tab.tag(n), trace)
    return hashes, trace


__all__ = ["sponge_trace_batch", "sponge_trace_mont", "trace_sboxes"]
