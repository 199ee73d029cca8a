"""Groth16 prover, computing the QAP quotient exactly as `snarkjs groth16 prove` does.

Per proof, with witness w (standard form) and the key's coefficient section:
1. A_i, B_i = sparse products of the coefficient rows with w on the domain of size n; C_i = A_i B_i.
2. Each of A, B, C: inverse NTT, then evaluate on the coset w_2n * <w_n> (the odd points of the
   domain of size 2n); P = A*B - C there. The key's H points are the odd Lagrange basis of the
   2n domain divided by delta, so MSM(H, P) = h(tau) z(tau) / delta.
3. Four G1 MSMs (A, B1, C, H) and one G2 MSM (B2); then r, s blind the proof:
   A = sum w_j A_j + alpha + r delta;  B = sum w_j B2_j + beta + s delta
   C = sum_priv w_j C_j + H + s A + r B1 - r s delta,  B1 = sum w_j B1_j + beta + s delta (in G1).

A `ProverContext` holds what is reused across proofs with one key (CSR layout of the coefficient
rows in Montgomery form, coset powers): a job proves many shards against one key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np

from engine.errors import InputError
from engine.groth16.keys import Proof, ProvingKey
from engine.groth16.qap import QapCoefficients
from kernels.backend import Backend, get_backend
from kernels.constants import R, fr_root_of_unity
from kernels.limbs import ints_to_limbs, limbs_to_ints


@dataclass
class ProverContext:
    pk: ProvingKey
    backend: Backend
    a_rows: tuple[np.ndarray, np.ndarray, np.ndarray]  # (row_ptr, cols, vals_mont)
    b_rows: tuple[np.ndarray, np.ndarray, np.ndarray]
    coset_shift: int

    @classmethod
    def build(cls, pk: ProvingKey, backend: Backend | None = None) -> "ProverContext":
        be = backend or get_backend()
        coeffs = QapCoefficients(pk.coeff_matrix, pk.coeff_constraint, pk.coeff_signal, pk.coeff_value)
        layouts = []
        for which in (0, 1):
            rows, cols, vals = coeffs.rows_of(which)
            layouts.append((be.csr_row_ptr(rows, pk.domain_size), np.ascontiguousarray(cols),
                            be.fr_to_mont(vals)))
        return cls(pk=pk, backend=be, a_rows=layouts[0], b_rows=layouts[1],
                   coset_shift=fr_root_of_unity(pk.domain_power + 1))

    def quotient_evaluations(self, w_mont: np.ndarray) -> np.ndarray:
        """P = A*B - C on the odd coset, standard form (n, 4): the scalars of the H MSM."""
        be, n = self.backend, self.pk.domain_size
        evals = []
        for row_ptr, cols, vals in (self.a_rows, self.b_rows):
            evals.append(be.sparse_matvec(row_ptr, cols, vals, w_mont, n))
        a, b = evals
        c = be.fr_mul(a, b)
        odd = [be.coset_ntt(be.intt(x), self.coset_shift) for x in (a, b, c)]
        return be.fr_from_mont(be.fr_sub(be.fr_mul(odd[0], odd[1]), odd[2]))

    def prove(self, witness: np.ndarray, r: int | None = None, s: int | None = None) -> Proof:
        pk, be = self.pk, self.backend
        check_witness(pk, witness)
        w_mont = be.fr_to_mont(witness)
        h_scalars = self.quotient_evaluations(w_mont)
        pi_a = be.msm_g1(pk.a, witness)
        pib1 = be.msm_g1(pk.b1, witness)
        pi_b = be.msm_g2(pk.b2, witness)
        pi_c = be.msm_g1(pk.c, witness[pk.n_public + 1 :])
        pi_h = be.msm_g1(pk.h, h_scalars)
        return assemble(pk, be, (pi_a, pib1, pi_b, pi_c, pi_h), r, s)


def check_witness(pk: ProvingKey, witness: np.ndarray) -> None:
    """InputError unless witness is (n_vars, 4) standard-form Fr values with witness[0] = 1."""
    if witness.shape != (pk.n_vars, 4):
        raise InputError(f"witness has {witness.shape[0]} values, the key expects {pk.n_vars}")
    if witness[0, 0] != 1 or witness[0, 1:].any():
        raise InputError(f"witness[0] must be 1 (the constant wire), got {limbs_to_ints(witness[:1])[0]}")
    r_limbs = ints_to_limbs([R], 4)[0]
    above, equal = np.zeros(len(witness), dtype=bool), np.ones(len(witness), dtype=bool)
    for k in range(3, -1, -1):  # compare with r limb by limb from the top, all values at once
        above |= equal & (witness[:, k] > r_limbs[k])
        equal &= witness[:, k] == r_limbs[k]
    too_big = np.flatnonzero(above | equal)
    if too_big.size:
        raise InputError(f"witness[{too_big[0]}] is not below the field modulus r")


def assemble(pk: ProvingKey, be: Backend, msms: tuple[np.ndarray, ...], r: int | None = None,
             s: int | None = None) -> Proof:
    """The proof from the five MSMs (A, B1 in G1, B in G2, C, H) and the blinding r, s (drawn
    when None): the step every prover shares, whatever computed the MSMs."""
    pi_a, pib1, pi_b, pi_c, pi_h = msms
    r = secrets.randbelow(R) if r is None else r % R
    s = secrets.randbelow(R) if s is None else s % R
    a = be.g1_add_many([pi_a, pk.vk.alpha1, be.g1_mul(pk.delta1, r)])
    b = be.g2_add_many([pi_b, pk.vk.beta2, be.g2_mul(pk.vk.delta2, s)])
    b1 = be.g1_add_many([pib1, pk.beta1, be.g1_mul(pk.delta1, s)])
    c = be.g1_add_many([pi_c, pi_h, be.g1_mul(a, s), be.g1_mul(b1, r),
                        be.g1_mul(pk.delta1, (R - r * s % R) % R)])
    return Proof(a=a, b=b, c=c)


def prove(pk: ProvingKey, witness: np.ndarray, backend: Backend | None = None) -> Proof:
    """One proof; for many proofs with one key, build a ProverContext once."""
    return ProverContext.build(pk, backend).prove(witness)


def public_signals(pk: ProvingKey, witness: np.ndarray) -> list[int]:
    return limbs_to_ints(witness[1 : pk.n_public + 1])


