"""Poseidon as R1CS constraints: the permutation and the commitment sponge, with witness.

Same function as kernels.poseidon_ref. Each S-box x -> x^5 costs 3 constraints (x2 = x*x,
x4 = x2*x2, x5 = x4*x); constant additions and MDS products are folded into the linear
combinations and cost nothing, so a permutation costs 3 (t R_F + R_P) constraints, less 3 for
each S-box whose input is a constant (evaluated at build time instead: the capacity element in
the sponge's first round, zero padding). The price of free linear layers is longer linear
combinations: in the partial rounds the S-box input grows by one term per round (`sponge_cost`
reports the matrices' nonzeros).

The rounds are built from kernels.poseidon_fast's rewritten form: its linear maps are formally
equal to the plain ones, so the constraints are exactly the plain form's, but building a partial
round touches O(t) linear combinations instead of O(t^2).

Witness: one builder hint per S-box computes x2, x4, x5 from the value of its input (one
evaluation of the input's linear combination); the builder then checks every constraint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.circuit import LC, CircuitBuilder
from kernels.constants import R
from kernels.poseidon_fast import fast_form
from kernels.poseidon_params import SPONGE_WIDTH, PoseidonParams, poseidon_params
from kernels.poseidon_ref import LENGTH_TAG_SHIFT, padded_blocks

Value = LC | int


def permutation(cb: CircuitBuilder, state: Sequence[Value], params: PoseidonParams) -> list[LC]:
    """The Poseidon permutation of `state` (t linear combinations) as constraints."""
    t = params.t
    if len(state) != t:
        raise ValueError(f"Poseidon state must have {t} elements, got {len(state)}")
    if params.prime != R:
        raise ValueError("the Poseidon gadget works over BLS12-381 Fr only")
    form = fast_form(params)
    half = params.r_f // 2
    s = [_as_lc(x) for x in state]
    with cb.section(f"poseidon_t{t}"):
        for r in range(half):
            mds = form.pre_partial_mds if r == half - 1 else params.mds
            s = _full_round(cb, s, form.full_constants[r], mds)
        for k, row, col in zip(form.partial_constants, form.sparse_first_rows,
                               form.sparse_columns):
            x0 = _pow5(cb, s[0] + k)
            s = [_lc_combination(row, [x0, *s[1:]])] + [x + x0 * v for x, v in zip(s[1:], col)]
        for r in range(half, params.r_f):
            s = _full_round(cb, s, form.full_constants[r], params.mds)
    return s


def _full_round(cb: CircuitBuilder, s: list[LC], constants: Sequence[int],
                mds: Sequence[Sequence[int]]) -> list[LC]:
    s = [_pow5(cb, x + c) for x, c in zip(s, constants)]
    return [_lc_combination(row, s) for row in mds]


def sponge(cb: CircuitBuilder, inputs: Sequence[Value], t: int = SPONGE_WIDTH) -> LC:
    """The commitment hash of `inputs` (docs/poseidon.md) as a linear combination."""
    params = poseidon_params(t)
    if not inputs:
        raise ValueError("the Poseidon sponge needs at least one input")
    state: list[LC] = [LC.constant(len(inputs) << LENGTH_TAG_SHIFT)] + [LC()] * params.rate
    with cb.section("poseidon_sponge"):
        for block in padded_blocks(params, [_as_lc(x) for x in inputs]):
            state = [state[0]] + [s + x for s, x in zip(state[1:], block)]
            state = permutation(cb, state, params)
    return state[1]


@dataclass(frozen=True)
class SpongeCost:
    """Constraint cost of hashing `n_values` field elements with the width-t sponge."""

    t: int
    n_values: int
    permutations: int
    constraints: int
    nonzeros: int  # entries of A, B and C together

    @property
    def constraints_per_value(self) -> float:
        return self.constraints / self.n_values


def sponge_cost(t: int, n_values: int) -> SpongeCost:
    """Build the sponge over n_values private inputs and count what it costs."""
    cb = CircuitBuilder(f"poseidon_sponge_t{t}")
    sponge(cb, cb.private_inputs("v", n_values), t)  # the hash itself stays unused here
    r1cs = cb.build().r1cs
    nonzeros = r1cs.a.nnz + r1cs.b.nnz + r1cs.c.nnz
    return SpongeCost(t, n_values, -(-n_values // (t - 1)), r1cs.n_constraints, nonzeros)


def _as_lc(x: Value) -> LC:
    return x if isinstance(x, LC) else LC.constant(x)


def _lc_combination(coeffs: Sequence[int], items: Sequence[LC]) -> LC:
    terms: dict[int, int] = {}
    for c, item in zip(coeffs, items):
        for w, v in item.terms.items():
            terms[w] = terms.get(w, 0) + c * v
    return LC({w: v % R for w, v in terms.items() if v % R})


def _pow5(cb: CircuitBuilder, x: LC) -> LC:
    if x.is_constant():
        return LC.constant(pow(x.constant_value(), 5, R))
    x2, x4, x5 = cb.compute(3, [x], _pow_chain)
    cb.assert_mul(x, x, x2, "poseidon x2 = x * x")
    cb.assert_mul(x2, x2, x4, "poseidon x4 = x2 * x2")
    cb.assert_mul(x4, x, x5, "poseidon x5 = x4 * x")
    return x5


def _pow_chain(values: list[int]) -> list[int]:
    x = values[0]
    x2 = x * x % R
    x4 = x2 * x2 % R
    return [x2, x4, x4 * x % R]


__all__ = ["SpongeCost", "permutation", "sponge", "sponge_cost"]
