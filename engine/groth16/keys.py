"""Groth16 key and proof data structures, mirroring the sections of a snarkjs `.zkey`.

Points are numpy arrays in the layout of `kernels.limbs` (Montgomery form, infinity = zeros).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class VerifyingKey:
    alpha1: np.ndarray  # (2, 6)
    beta2: np.ndarray  # (2, 2, 6)
    gamma2: np.ndarray  # (2, 2, 6)
    delta2: np.ndarray  # (2, 2, 6)
    ic: np.ndarray  # (n_public + 1, 2, 6)
    insecure_dev: bool = False

    @property
    def n_public(self) -> int:
        return int(self.ic.shape[0]) - 1


@dataclass(frozen=True)
class ProvingKey:
    """Everything `snarkjs groth16 prove` reads from a .zkey.

    coeffs: the QAP coefficient section (zkey section 4): for each entry, the matrix (0 = A,
    1 = B), constraint index, signal index and value. The value is stored as snarkjs stores it
    (standard-form limbs here; the zkey codec converts). It includes the extra rows
    `A[n_constraints + i][i] = 1` for i in 0..n_public that snarkjs adds for public inputs.
    """

    n_vars: int
    n_public: int
    domain_power: int
    vk: VerifyingKey
    beta1: np.ndarray  # (2, 6)
    delta1: np.ndarray  # (2, 6)
    coeff_matrix: np.ndarray  # int64 (k,)  0 = A, 1 = B
    coeff_constraint: np.ndarray  # int64 (k,)
    coeff_signal: np.ndarray  # int64 (k,)
    coeff_value: np.ndarray  # uint64 (k, 4) standard form
    a: np.ndarray  # (n_vars, 2, 6)  G1
    b1: np.ndarray  # (n_vars, 2, 6)  G1
    b2: np.ndarray  # (n_vars, 2, 2, 6)  G2
    c: np.ndarray  # (n_vars - n_public - 1, 2, 6)  G1, private wires only
    h: np.ndarray  # (domain_size, 2, 6)  G1
    insecure_dev: bool = False

    @property
    def domain_size(self) -> int:
        return 1 << self.domain_power


@dataclass(frozen=True)
class Proof:
    a: np.ndarray  # (2, 6) G1 affine
    b: np.ndarray  # (2, 2, 6) G2 affine
    c: np.ndarray  # (2, 6) G1 affine
