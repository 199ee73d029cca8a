"""Groth16 dev setup: one party samples the toxic waste, builds the keys, and forgets it.

Keys made here are marked `insecure_dev` (whoever ran the setup can forge proofs); production keys
come from a snarkjs phase-2 ceremony `.zkey` (engine.formats.zkey_file). The key has exactly the
meaning of a snarkjs `.zkey` (docs/snarkjs-compat.md), with tau, alpha, beta, gamma, delta:
    A_j = a_j(tau) G1,  B1_j = b_j(tau) G1,  B2_j = b_j(tau) G2
    IC_j = (beta a_j + alpha b_j + c_j)(tau) / gamma G1            j <= n_public
    C_j  = (beta a_j + alpha b_j + c_j)(tau) / delta G1            j >  n_public
    H_i  = L'_{2i+1}(tau) / delta G1   (L' the Lagrange basis of the domain of size 2n)
"""

from __future__ import annotations

import secrets

import numpy as np

from engine.groth16.keys import ProvingKey, VerifyingKey
from engine.groth16.qap import domain_power, lagrange_at, polynomials_at, qap_coefficients
from engine.r1cs import R1CS
from kernels.backend import Backend, get_backend
from kernels.constants import R
from kernels.limbs import ints_to_limbs


def _random_scalar() -> int:
    return secrets.randbelow(R - 1) + 1


def dev_setup(r1cs: R1CS, backend: Backend | None = None) -> ProvingKey:
    be = backend or get_backend()
    power = domain_power(r1cs.n_constraints, r1cs.n_public)
    n = 1 << power
    tau, alpha, beta, gamma, delta = (_random_scalar() for _ in range(5))
    a, b, c = polynomials_at(r1cs, tau, power)
    n_pub = r1cs.n_public
    inv_gamma, inv_delta = pow(gamma, -1, R), pow(delta, -1, R)
    lc = [(beta * a[j] + alpha * b[j] + c[j]) % R for j in range(r1cs.n_wires)]
    ic = [x * inv_gamma % R for x in lc[: n_pub + 1]]
    cc = [x * inv_delta % R for x in lc[n_pub + 1 :]]
    hh = [x * inv_delta % R for x in lagrange_at(tau, power + 1, range(1, 2 * n, 2))]

    g1 = lambda scalars: be.fixed_base_g1(be.g1_generator(), ints_to_limbs(scalars, 4))  # noqa: E731
    g2 = lambda scalars: be.fixed_base_g2(be.g2_generator(), ints_to_limbs(scalars, 4))  # noqa: E731
    singles1 = g1([alpha, beta, delta])
    singles2 = g2([beta, gamma, delta])
    coeffs = qap_coefficients(r1cs)
    vk = VerifyingKey(alpha1=singles1[0], beta2=singles2[0], gamma2=singles2[1], delta2=singles2[2],
                      ic=g1(ic), insecure_dev=True)
    return ProvingKey(
        n_vars=r1cs.n_wires, n_public=n_pub, domain_power=power, vk=vk,
        beta1=singles1[1], delta1=singles1[2],
        coeff_matrix=coeffs.matrix, coeff_constraint=coeffs.constraint,
        coeff_signal=coeffs.signal, coeff_value=coeffs.value,
        a=g1(a), b1=g1(b), b2=g2(b), c=g1(cc) if cc else np.zeros((0, 2, 6), np.uint64), h=g1(hh),
        insecure_dev=True,
    )
