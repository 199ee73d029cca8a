"""Groth16 proofs are malleable: anyone can re-randomise a valid proof into another valid one.

(A, B, C) -> (A / t, t B + t u delta, C + u A) for random t != 0, u keeps
e(A, B) = e(alpha, beta) e(IC, gamma) e(C, delta). So proof bytes are never an identity: the ledger
keys entries by statement and commitment, never by proof encoding.
"""

from __future__ import annotations

import secrets

from engine.groth16.keys import Proof, VerifyingKey
from kernels.backend import Backend, get_backend
from kernels.constants import R


def rerandomize(proof: Proof, vk: VerifyingKey, backend: Backend | None = None) -> Proof:
    be = backend or get_backend()
    t = secrets.randbelow(R - 1) + 1
    u = secrets.randbelow(R)
    a = be.g1_mul(proof.a, pow(t, -1, R))
    b = be.g2_add_many([be.g2_mul(proof.b, t), be.g2_mul(vk.delta2, t * u % R)])
    c = be.g1_add_many([proof.c, be.g1_mul(proof.a, u)])
    return Proof(a=a, b=b, c=c)
