"""Poseidon on the CPU: the permutation and the commitment sponge, batched over many states.

Numba kernels on Montgomery Fr tuples (kernels.cpu.fr), one `prange` iteration per state or
per sponge: shard commitments hash thousands of independent inputs, so states are the unit of
parallelism and each one runs the rounds sequentially in place. The rounds are
kernels.poseidon_fast's rewritten form (a partial round costs 2t + 2 multiplications instead of
t^2 + 3; 3-4x faster at t = 9..17), which equals the reference (kernels.poseidon_ref) bit for
bit.

Arrays follow kernels.limbs: Fr elements are (..., 4) uint64 limbs, standard form unless a name
says `_mont`; states are (m, t, 4), sponge inputs (m, n, 4). Inputs must be canonical (< r):
the wrappers reject anything else rather than hash x and x + r alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numba
import numpy as np
from numba import prange

from kernels.constants import FR_LIMBS, R
from kernels.cpu import fr, fr_vec
from kernels.limbs import ints_to_limbs, limbs_to_ints
from kernels.poseidon_fast import fast_form
from kernels.poseidon_params import SPONGE_WIDTH, PoseidonParams, poseidon_params
from kernels.poseidon_ref import LENGTH_TAG_SHIFT

_R_LIMBS = tuple(int(x) for x in ints_to_limbs([R], FR_LIMBS)[0])


@numba.njit(inline="always", cache=True)
def get_elem(a, i, j):
    """Element (i, j) of an (m, t, 4) limb array as an Fr tuple."""
    return (a[i, j, 0], a[i, j, 1], a[i, j, 2], a[i, j, 3])


@numba.njit(inline="always", cache=True)
def set_elem(a, i, j, v):
    """Store the Fr tuple v at (i, j) of an (m, t, 4) limb array."""
    a[i, j, 0] = v[0]
    a[i, j, 1] = v[1]
    a[i, j, 2] = v[2]
    a[i, j, 3] = v[3]


@numba.njit(inline="always", cache=True)
def pow5(x):
    x2 = fr.sqr(x)
    return fr.mul(fr.sqr(x2), x)


@numba.njit(inline="always", cache=True)
def _full_round(states, k, scratch, rc, r, mds):
    t = states.shape[1]
    for i in range(t):
        set_elem(scratch, 0, i, pow5(fr.add(get_elem(states, k, i), get_elem(rc, r, i))))
    for i in range(t):
        acc = fr.mul(get_elem(mds, i, 0), get_elem(scratch, 0, 0))
        for j in range(1, t):
            acc = fr.add(acc, fr.mul(get_elem(mds, i, j), get_elem(scratch, 0, j)))
        set_elem(states, k, i, acc)


@numba.njit(cache=True)
def _permute_row(states, k, scratch, tab):
    """Permute states[k] (t, 4) in place (kernels.poseidon_fast form); scratch is (1, t, 4)."""
    full_rc, partial_rc, mds, pre_mds, rows, cols = tab
    t = states.shape[1]
    half = full_rc.shape[0] // 2
    for r in range(half):
        _full_round(states, k, scratch, full_rc, r, pre_mds if r == half - 1 else mds)
    for r in range(partial_rc.shape[0]):
        x0 = pow5(fr.add(get_elem(states, k, 0), fr.load(partial_rc, r)))
        acc = fr.mul(get_elem(rows, r, 0), x0)
        for j in range(1, t):
            s = get_elem(states, k, j)
            acc = fr.add(acc, fr.mul(get_elem(rows, r, j), s))
            set_elem(states, k, j, fr.add(s, fr.mul(get_elem(cols, r, j - 1), x0)))
        set_elem(states, k, 0, acc)
    for r in range(half, 2 * half):
        _full_round(states, k, scratch, full_rc, r, mds)


@numba.njit(parallel=True, cache=True)
def permute_mont_inplace(states, tab):
    """Permute each state of (m, t, 4) Montgomery `states` in place (tab: PoseidonTables.arrays)."""
    for k in prange(states.shape[0]):
        scratch = np.empty((1, states.shape[1], 4), dtype=np.uint64)
        _permute_row(states, k, scratch, tab)


@numba.njit(parallel=True, cache=True)
def sponge_mont(inputs, tab, tag):
    """(m, 4) Montgomery hashes of the m rows of (m, n, 4) Montgomery `inputs` (n >= 1)."""
    m, n = inputs.shape[0], inputs.shape[1]
    t = tab[2].shape[0]
    out = np.empty((m, 4), dtype=np.uint64)
    for k in prange(m):
        state = np.zeros((1, t, 4), dtype=np.uint64)
        scratch = np.empty((1, t, 4), dtype=np.uint64)
        set_elem(state, 0, 0, (tag[0], tag[1], tag[2], tag[3]))
        for start in range(0, n, t - 1):
            for j in range(min(t - 1, n - start)):  # the zero padding adds nothing
                set_elem(state, 0, j + 1, fr.add(get_elem(state, 0, j + 1), get_elem(inputs, k, start + j)))
            _permute_row(state, 0, scratch, tab)
        fr.store(out, k, get_elem(state, 0, 1))
    return out


@numba.njit(parallel=True, cache=True)
def _count_noncanonical(a, r0, r1, r2, r3):
    bad = 0
    for i in prange(a.shape[0]):
        x3, x2, x1, x0 = a[i, 3], a[i, 2], a[i, 1], a[i, 0]
        below = x3 < r3 or (x3 == r3 and (x2 < r2 or (x2 == r2 and (
            x1 < r1 or (x1 == r1 and x0 < r0)))))
        if not below:
            bad += 1
    return bad


class PoseidonTables:
    """A parameter set in the kernels' form: kernels.poseidon_fast, as Montgomery limb arrays.

    `arrays` is the tuple the njit kernels take: (full-round constants (R_F, t, 4), partial
    constants (R_P, 4), MDS (t, t, 4), pre-partial MDS (t, t, 4), sparse first rows
    (R_P, t, 4), sparse columns (R_P, t-1, 4))."""

    def __init__(self, params: PoseidonParams):
        if params.prime != R:
            raise ValueError("the CPU Poseidon kernels work over BLS12-381 Fr only")
        t, form = params.t, fast_form(params)
        self.params = params
        self.arrays = (
            _mont(form.full_constants, (params.r_f, t)),
            _mont([form.partial_constants], (params.r_p,)),
            _mont(params.mds, (t, t)),
            _mont(form.pre_partial_mds, (t, t)),
            _mont(form.sparse_first_rows, (params.r_p, t)),
            _mont(form.sparse_columns, (params.r_p, t - 1)),
        )

    def tag(self, n_inputs: int) -> np.ndarray:
        return fr_vec.mont_scalar(n_inputs << LENGTH_TAG_SHIFT)


def _mont(rows: Sequence[Sequence[int]], shape: tuple[int, ...]) -> np.ndarray:
    return fr_vec.ints_to_mont([x for row in rows for x in row]).reshape(*shape, FR_LIMBS)


@cache
def tables(t: int) -> PoseidonTables:
    return PoseidonTables(poseidon_params(t))


def check_canonical(a: np.ndarray, what: str) -> np.ndarray:
    """`a` as contiguous uint64 limbs; ValueError unless every element is below r."""
    a = np.ascontiguousarray(a, dtype=np.uint64)
    flat = a.reshape(-1, FR_LIMBS)
    if _count_noncanonical(flat, *(np.uint64(x) for x in _R_LIMBS)):
        raise ValueError(f"{what}: every element must be a canonical Fr element (< r)")
    return a


def permute_batch(states: np.ndarray, t: int | None = None) -> np.ndarray:
    """Permute (m, t, 4) standard-form states; returns a new (m, t, 4) standard-form array."""
    tab = tables(t if t is not None else states.shape[1])
    if states.ndim != 3 or states.shape[1:] != (tab.params.t, FR_LIMBS):
        raise ValueError(f"states must be (m, {tab.params.t}, 4) uint64, got {states.shape}")
    states = check_canonical(states, "Poseidon states")
    work = fr_vec.to_mont(states.reshape(-1, FR_LIMBS)).reshape(states.shape)
    permute_mont_inplace(work, tab.arrays)
    return fr_vec.from_mont(work.reshape(-1, FR_LIMBS)).reshape(states.shape)


def sponge_batch(inputs: np.ndarray, t: int | None = None) -> np.ndarray:
    """Hash each row of (m, n, 4) standard-form inputs (n >= 1): (m, 4) standard-form hashes."""
    tab = tables(t if t is not None else SPONGE_WIDTH)
    if inputs.ndim != 3 or inputs.shape[2] != FR_LIMBS or inputs.shape[1] < 1:
        raise ValueError(f"sponge inputs must be (m, n >= 1, 4) uint64, got {inputs.shape}")
    inputs = check_canonical(inputs, "Poseidon sponge inputs")
    mont = fr_vec.to_mont(inputs.reshape(-1, FR_LIMBS)).reshape(inputs.shape)
    out = sponge_mont(mont, tab.arrays, tab.tag(inputs.shape[1]))
    return fr_vec.from_mont(out)


def sponge(values: Sequence[int], t: int | None = None) -> int:
    """The commitment hash of one sequence of field elements (Python ints in [0, r))."""
    if not values:
        raise ValueError("the Poseidon sponge needs at least one input")
    if any(not 0 <= int(v) < R for v in values):
        raise ValueError("sponge inputs must be field elements (0 <= v < r)")
    limbs = ints_to_limbs(values, FR_LIMBS).reshape(1, len(values), FR_LIMBS)
    return limbs_to_ints(sponge_batch(limbs, t))[0]


__all__ = ["PoseidonTables", "check_canonical", "get_elem", "permute_batch",
           "permute_mont_inplace", "pow5", "set_elem", "sponge", "sponge_batch", "sponge_mont",
           "tables"]
