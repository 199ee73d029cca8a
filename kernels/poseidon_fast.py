"""Poseidon's permutation rewritten with cheap partial rounds (the paper's appendix B).

A partial round only raises state[0] to the fifth power, yet the plain form pays t^2
multiplications for its MDS product. Two exact rewrites remove most of that:

1. Constants: in a partial round, the constants added to state[1..t-1] pass through the S-box
   untouched, so they are moved through the MDS matrix into the next round's constants
   (c_{r+1} += M (0, c_r[1], ..., c_r[t-1])). Each partial round keeps one scalar constant.
2. Matrices: walking the partial rounds backwards, each round's matrix X is split as X = S D
   with D = diag(1, X[1:, 1:]) and S = [[X00, w], [X[1:, 0], I]], w = X[0, 1:] X[1:, 1:]^-1.
   D leaves state[0] alone, so it commutes with the round's constant and S-box and moves into
   the previous round's matrix (X_prev = D M). S costs 2t - 1 multiplications instead of t^2;
   the last D lands on the full round before the partial rounds, which is dense anyway.

The result computes the same function bit for bit (the tests compare it with kernels.poseidon_ref
on random states); the CPU kernel (kernels.cpu.poseidon) evaluates this form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kernels.modp_linalg import Matrix, mat_inv, mat_mul, mat_vec
from kernels.poseidon_params import PoseidonParams


@dataclass(frozen=True)
class FastForm:
    full_constants: tuple[tuple[int, ...], ...]  # R_F rows of t: the full rounds, in order
    partial_constants: tuple[int, ...]  # R_P scalars, added to state[0]
    pre_partial_mds: tuple[tuple[int, ...], ...]  # matrix of the last full round before them
    sparse_first_rows: tuple[tuple[int, ...], ...]  # R_P rows (a, w): new s0 = a x0 + w . s[1:]
    sparse_columns: tuple[tuple[int, ...], ...]  # R_P rows v: s[j] += v[j-1] x0


@cache
def fast_form(params: PoseidonParams) -> FastForm:
    p, t = params.prime, params.t
    half, r_p = params.r_f // 2, params.r_p
    mds = [list(row) for row in params.mds]
    rc = [list(row) for row in params.round_constants]

    partial = []
    for r in range(half, half + r_p):
        pushed = mat_vec(mds, [0, *rc[r][1:]], p)
        rc[r + 1] = [(a + b) % p for a, b in zip(rc[r + 1], pushed)]
        partial.append(rc[r][0])

    x, rows, cols = mds, [], []
    for _ in range(r_p):
        row, col, block = _split(x, p)
        rows.append(row)
        cols.append(col)
        d = [[1] + [0] * (t - 1)] + [[0, *block_row] for block_row in block]
        x = mat_mul(d, mds, p)
    return FastForm(
        full_constants=tuple(map(tuple, rc[:half] + rc[half + r_p:])),
        partial_constants=tuple(partial),
        pre_partial_mds=tuple(map(tuple, x)),
        sparse_first_rows=tuple(reversed(rows)),
        sparse_columns=tuple(reversed(cols)),
    )


def _split(x: Matrix, p: int) -> tuple[tuple[int, ...], tuple[int, ...], Matrix]:
    """X = S D: S's first row (a, w), S's first column below a (v), and D's block X[1:, 1:]."""
    block = [row[1:] for row in x[1:]]
    inv = mat_inv(block, p)
    first = x[0][1:]
    w = [sum(f * inv[i][j] for i, f in enumerate(first)) % p for j in range(len(first))]
    return (x[0][0], *w), tuple(row[0] for row in x[1:]), block


__all__ = ["FastForm", "fast_form"]
