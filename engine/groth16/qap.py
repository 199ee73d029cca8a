"""The QAP of an R1CS, built exactly as snarkjs builds it for Groth16 (docs/snarkjs-compat.md).

- Domain: the smallest power of two n >= n_constraints + n_public + 1.
- snarkjs appends one row per public signal and the constant one: A[n_constraints + i][i] = 1 for
  i in 0..n_public. These rows keep the IC polynomials linearly independent (so public inputs
  cannot be shifted between each other) and are part of the `.zkey` coefficient section.
- A prover only needs the A and B coefficients: on the domain, C = A * B for a valid witness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.r1cs import R1CS, SparseMatrix
from kernels.constants import FR_TWO_ADICITY, R, fr_root_of_unity
from kernels.limbs import ints_to_limbs, limbs_to_ints


def domain_power(n_constraints: int, n_public: int) -> int:
    need = n_constraints + n_public + 1
    power = max(1, (need - 1).bit_length())
    if power > FR_TWO_ADICITY - 1:  # the H computation needs the 2n-th roots too
        raise ValueError(f"{need} rows exceed the largest supported domain 2^{FR_TWO_ADICITY - 1}")
    return power


@dataclass(frozen=True)
class QapCoefficients:
    """The `.zkey` coefficient section: entry k adds value[k] * w[signal[k]] to row
    constraint[k] of matrix[k] (0 = A, 1 = B)."""

    matrix: np.ndarray  # int64
    constraint: np.ndarray  # int64
    signal: np.ndarray  # int64
    value: np.ndarray  # uint64 (k, 4), standard form

    def rows_of(self, which: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, signals, values) of one matrix, sorted by row (stable)."""
        sel = self.matrix == which
        rows, cols, vals = self.constraint[sel], self.signal[sel], self.value[sel]
        order = np.argsort(rows, kind="stable")
        return rows[order], cols[order], vals[order]


def public_rows(r1cs: R1CS) -> SparseMatrix:
    """The extra A rows snarkjs adds: A[n_constraints + i][i] = 1, i = 0..n_public."""
    k = r1cs.n_public + 1
    idx = np.arange(k, dtype=np.int64)
    return SparseMatrix(rows=r1cs.n_constraints + idx, cols=idx, coeffs=ints_to_limbs([1] * k, 4))


def qap_coefficients(r1cs: R1CS) -> QapCoefficients:
    extra = public_rows(r1cs)
    parts = [(0, r1cs.a), (1, r1cs.b), (0, extra)]
    matrix = np.concatenate([np.full(m.nnz, which, dtype=np.int64) for which, m in parts])
    return QapCoefficients(
        matrix=matrix,
        constraint=np.concatenate([m.rows for _, m in parts]).astype(np.int64),
        signal=np.concatenate([m.cols for _, m in parts]).astype(np.int64),
        value=np.concatenate([m.coeffs for _, m in parts]).astype(np.uint64).reshape(-1, 4),
    )


def batch_inverse_ints(values: list[int]) -> list[int]:
    """Montgomery's trick over python ints mod r (setup-time only; values must be non-zero)."""
    prefix, acc = [], 1
    for v in values:
        prefix.append(acc)
        acc = acc * v % R
    inv = pow(acc, -1, R)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = prefix[i] * inv % R
        inv = inv * values[i] % R
    return out


def lagrange_at(tau: int, power: int, indices: range | None = None) -> list[int]:
    """L_i(tau) on the domain of size 2^power: (tau^n - 1) / n * w^i / (tau - w^i)."""
    n = 1 << power
    w = fr_root_of_unity(power)
    idx = indices if indices is not None else range(n)
    roots, x = [], pow(w, idx.start, R)
    step = pow(w, idx.step, R)
    for _ in idx:
        roots.append(x)
        x = x * step % R
    if tau in set(roots):
        raise ValueError("tau is a root of unity of the domain")
    z = (pow(tau, n, R) - 1) * pow(n, -1, R) % R
    invs = batch_inverse_ints([(tau - x) % R for x in roots])
    return [z * x % R * iv % R for x, iv in zip(roots, invs)]


def _eval_matrix(m: SparseMatrix, lag: list[int], n_wires: int) -> list[int]:
    out = [0] * n_wires
    for row, col, coeff in zip(m.rows.tolist(), m.cols.tolist(), limbs_to_ints(m.coeffs)):
        out[col] = (out[col] + coeff * lag[row]) % R
    return out


def polynomials_at(r1cs: R1CS, tau: int, power: int) -> tuple[list[int], list[int], list[int]]:
    """(a_j(tau), b_j(tau), c_j(tau)) for every wire j, with snarkjs's public rows in A."""
    lag = lagrange_at(tau, power)
    a = _eval_matrix(r1cs.a, lag, r1cs.n_wires)
    for i in range(r1cs.n_public + 1):
        a[i] = (a[i] + lag[r1cs.n_constraints + i]) % R
    return a, _eval_matrix(r1cs.b, lag, r1cs.n_wires), _eval_matrix(r1cs.c, lag, r1cs.n_wires)
