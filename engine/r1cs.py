"""Rank-1 constraint systems as sparse matrices, laid out like circom/snarkjs `.r1cs` files.

Wire 0 is the constant one; wires 1..n_public are the public signals (outputs first, then public
inputs); private wires follow. Constraint i reads <A_i, w> * <B_i, w> = <C_i, w>.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class SparseMatrix:
    """COO matrix over Fr: entry k is coeffs[k] at (rows[k], cols[k]); coefficients are standard
    form uint64 limbs (nnz, 4), each < r. Entries are sorted by row, then column."""

    rows: np.ndarray  # int64 (nnz,)
    cols: np.ndarray  # int64 (nnz,)
    coeffs: np.ndarray  # uint64 (nnz, 4)

    @property
    def nnz(self) -> int:
        return int(self.rows.shape[0])


@dataclass(frozen=True)
class R1CS:
    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    n_constraints: int
    a: SparseMatrix
    b: SparseMatrix
    c: SparseMatrix
    n_labels: int = 0
    wire_to_label: np.ndarray | None = field(default=None, compare=False)

    @property
    def n_public(self) -> int:
        """Public signals, not counting wire 0."""
        return self.n_pub_out + self.n_pub_in
