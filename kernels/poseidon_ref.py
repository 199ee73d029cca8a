"""Poseidon in plain Python ints: the readable specification the fast kernels are tested against.

Permutation (as the reference `poseidonperm_x5_255_*.sage`): for each of the R_F + R_P rounds,
add the round's constants, apply x^5 to every element (full rounds: the first and last R_F/2)
or to state[0] only (partial rounds), then multiply by the MDS matrix (state' = M state).

Sponge (the commitment hash, docs/poseidon.md): capacity = state[0], rate = state[1..t-1].
For n >= 1 inputs the state starts as [n * 2^64, 0, ..., 0] (the paper's domain tag for
fixed-length hashing, one output); the inputs, zero-padded to a multiple of t-1, are absorbed
t-1 at a time by adding them into state[1..t-1], each block followed by one permutation; the
hash is state[1] after the last permutation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from kernels.poseidon_params import PoseidonParams

T = TypeVar("T")

LENGTH_TAG_SHIFT = 64  # capacity = n * 2^64 (+ output count - 1 = 0)


def sbox_count(params: PoseidonParams) -> int:
    return params.t * params.r_f + params.r_p


def permute(params: PoseidonParams, state: Sequence[int]) -> list[int]:
    p, t = params.prime, params.t
    if len(state) != t:
        raise ValueError(f"Poseidon state must have {t} elements, got {len(state)}")
    s = [x % p for x in state]
    for r, constants in enumerate(params.round_constants):
        s = [(x + c) % p for x, c in zip(s, constants)]
        for i in range(t if params.is_full_round(r) else 1):
            s[i] = pow(s[i], params.alpha, p)
        s = [sum(m * x for m, x in zip(row, s)) % p for row in params.mds]
    return s


def initial_state(params: PoseidonParams, n_inputs: int) -> list[int]:
    if n_inputs < 1:
        raise ValueError("the Poseidon sponge needs at least one input")
    return [n_inputs << LENGTH_TAG_SHIFT] + [0] * params.rate


def padded_blocks(params: PoseidonParams, inputs: Sequence[T]) -> list[list[T | int]]:
    """The inputs cut into rate-sized blocks, the last one zero-padded (the gadget passes LCs)."""
    rate = params.rate
    padded = list(inputs) + [0] * (-len(inputs) % rate)
    return [padded[i:i + rate] for i in range(0, len(padded), rate)]


def sponge(params: PoseidonParams, inputs: Sequence[int]) -> int:
    """The commitment hash of `inputs` (field elements, at least one)."""
    p = params.prime
    if any(not 0 <= x < p for x in inputs):
        raise ValueError("sponge inputs must be field elements (0 <= x < p)")
    state = initial_state(params, len(inputs))
    for block in padded_blocks(params, inputs):
        state = [state[0]] + [(s + x) % p for s, x in zip(state[1:], block)]
        state = permute(params, state)
    return state[1]


__all__ = ["LENGTH_TAG_SHIFT", "initial_state", "padded_blocks", "permute", "sbox_count",
           "sponge"]
