"""Groth16 verification with blst pairings (through pyblst): single proofs and batches.

A proof (A, B, C) for public inputs x verifies when
    e(A, B) = e(alpha, beta) * e(IC_0 + sum_j x_j IC_j, gamma) * e(C, delta).
blst splits a pairing into a Miller loop and a final exponentiation; `final_verify(f, g)` checks
FE(f) = FE(g), so one check costs three Miller loops (e(alpha, beta)'s loop is cached in the
prepared key) and one final exponentiation.

Batches of proofs under one key use a random linear combination: with independent 128-bit
rho_i from the OS CSPRNG (`secrets`),
    prod_i e(rho_i A_i, B_i) = e((sum rho_i) alpha, beta) * e(sum_i rho_i IC(x_i), gamma)
                               * e(sum rho_i C_i, delta),
n + 3 Miller loops and one final exponentiation. rho_i scales the G1 side (A_i, C_i): a G1
multiplication costs about a third of a G2 one. A false batch passes with probability about
2^-128; a failing batch does not say which proof failed (verify them one by one for that).

Everything is checked before any pairing: public inputs are ints in [0, r) and as many as the
key expects, and every point is canonical, on the curve and in the prime-order subgroup (blst's
uncompress). Malformed input raises InputError; a well-formed proof that does not satisfy the
equation returns False. Preparing a key also rejects alpha, beta, gamma or delta at infinity and
gamma = delta (a key that never went through phase 2: proofs for it can be forged).

IC(x) is a small fixed-base MSM: the prepared key holds, per IC point, the multiples
d * 2^(5k) * IC_j (d < 32), so x_j * IC_j costs at most 51 additions instead of a blst scalar
multiplication (~0.1 ms) per public input.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import pyblst

from engine.errors import InputError
from engine.formats import points as pts
from engine.formats import zcash
from engine.groth16.keys import Proof, VerifyingKey
from kernels.constants import R

_WINDOW = 5
_BATCH_BITS = 128
_SCALAR_BITS = R.bit_length()


class _FixedBase:
    """Multiples of one G1 point for windowed fixed-base multiplication by scalars < r."""

    def __init__(self, point: pyblst.BlstP1Element):
        self.rows: list[list[pyblst.BlstP1Element]] = []
        base = point
        for _ in range(-(-_SCALAR_BITS // _WINDOW)):
            row = [pyblst.BlstP1Element(), base]
            for _d in range(2, 1 << _WINDOW):
                row.append(row[-1] + base)
            self.rows.append(row)
            base = row[-1] + base  # 2^w * base

    def mul(self, scalar: int) -> pyblst.BlstP1Element:
        acc = pyblst.BlstP1Element()
        mask = (1 << _WINDOW) - 1
        for row in self.rows:
            if not scalar:
                break
            digit = scalar & mask
            if digit:
                acc = acc + row[digit]
            scalar >>= _WINDOW
        return acc


class _Plain:
    """Same interface as _FixedBase with no table: for one-off verifications."""

    def __init__(self, point: pyblst.BlstP1Element):
        self.point = point

    def mul(self, scalar: int) -> pyblst.BlstP1Element:
        return self.point.scalar_mul(scalar) if scalar else pyblst.BlstP1Element()


@dataclass(frozen=True, eq=False)
class PreparedVerifyingKey:
    n_public: int
    alpha: pyblst.BlstP1Element
    beta: pyblst.BlstP2Element
    gamma: pyblst.BlstP2Element
    delta: pyblst.BlstP2Element
    alpha_beta: pyblst.BlstFP12Element  # Miller loop of (alpha, beta), not exponentiated
    ic: tuple[_FixedBase | _Plain, ...]
    insecure_dev: bool

    def ic_sum(self, scalars: Sequence[int]) -> pyblst.BlstP1Element:
        """sum_j scalars[j] * IC_j, scalars reduced mod r, len = n_public + 1."""
        acc = pyblst.BlstP1Element()
        for table, s in zip(self.ic, scalars, strict=True):
            acc = acc + table.mul(s % R)
        return acc


def prepare(vk: VerifyingKey, *, fixed_base: bool = True) -> PreparedVerifyingKey:
    """Check the key's points and convert them to blst elements (once per key)."""
    if isinstance(vk, PreparedVerifyingKey):
        return vk
    (alpha_pt,) = pts.g1_from_array(vk.alpha1)
    g2 = {name: pts.g2_from_array(getattr(vk, name))[0] for name in ("beta2", "gamma2", "delta2")}
    for name, pt in (("alpha1", alpha_pt), *g2.items()):
        if pt is None:
            raise InputError(f"verification key {name} is the point at infinity")
    if g2["gamma2"] == g2["delta2"]:
        raise InputError("verification key has gamma2 = delta2 (no phase-2 contribution): "
                         "proofs for it can be forged")
    alpha = zcash.g1_blst_from_point(alpha_pt, "verification key alpha1")
    beta, gamma, delta = (zcash.g2_blst_from_point(pt, f"verification key {name}")
                          for name, pt in g2.items())
    table = _FixedBase if fixed_base else _Plain
    ic = tuple(table(zcash.g1_blst_from_point(pt, f"verification key IC[{i}]"))
               for i, pt in enumerate(pts.g1_from_array(vk.ic)))
    return PreparedVerifyingKey(
        n_public=vk.n_public, alpha=alpha, beta=beta, gamma=gamma, delta=delta,
        alpha_beta=pyblst.miller_loop(alpha, beta), ic=ic, insecure_dev=vk.insecure_dev)


def _public_scalars(pvk: PreparedVerifyingKey, public_inputs: Sequence[int]) -> list[int]:
    """[1, x_1, ..., x_n] after range and count checks."""
    values = list(public_inputs)
    if len(values) != pvk.n_public:
        raise InputError(f"expected {pvk.n_public} public inputs, got {len(values)}")
    for i, v in enumerate(values):
        if not isinstance(v, int) or isinstance(v, bool):
            raise InputError(f"public input {i} is not an integer ({type(v).__name__})")
        if not 0 <= v < R:
            raise InputError(f"public input {i} is not in [0, r)")
    return [1, *values]


def _proof_points(proof: Proof | bytes):
    """(A, B, C) as checked blst elements, from 192 ZCash bytes or a Proof of arrays."""
    if isinstance(proof, (bytes, bytearray, memoryview)):
        return zcash.decode_proof_blst(proof)
    if not isinstance(proof, Proof):
        raise InputError(f"proof: expected a Proof or 192 bytes, got {type(proof).__name__}")
    (a,), (b,), (c,) = (pts.g1_from_array(proof.a), pts.g2_from_array(proof.b),
                        pts.g1_from_array(proof.c))
    return (zcash.g1_blst_from_point(a, "proof A (G1)"), zcash.g2_blst_from_point(b, "proof B (G2)"),
            zcash.g1_blst_from_point(c, "proof C (G1)"))


def verify(vk: VerifyingKey | PreparedVerifyingKey, public_inputs: Sequence[int],
           proof: Proof | bytes) -> bool:
    """True iff the proof verifies; InputError for malformed keys, inputs or proofs."""
    pvk = vk if isinstance(vk, PreparedVerifyingKey) else prepare(vk, fixed_base=False)
    scalars = _public_scalars(pvk, public_inputs)
    a, b, c = _proof_points(proof)
    rhs = pvk.alpha_beta * pyblst.miller_loop(pvk.ic_sum(scalars), pvk.gamma)
    rhs = rhs * pyblst.miller_loop(c, pvk.delta)
    return bool(pyblst.final_verify(pyblst.miller_loop(a, b), rhs))


def batch_verify(vk: VerifyingKey | PreparedVerifyingKey,
                 items: Sequence[tuple[Sequence[int], Proof | bytes]]) -> bool:
    """True iff every (public_inputs, proof) verifies, up to a 2^-128 error; empty -> True.

    Every item is checked for well-formedness first (InputError names the item)."""
    pvk = vk if isinstance(vk, PreparedVerifyingKey) else prepare(vk)
    checked = []
    for k, (public, proof) in enumerate(items):
        try:
            checked.append((_public_scalars(pvk, public), *_proof_points(proof)))
        except InputError as exc:
            raise InputError(f"batch item {k}: {exc}") from None
    if not checked:
        return True
    rho_sum, ic_scalars = 0, [0] * (pvk.n_public + 1)
    lhs, c_sum = None, pyblst.BlstP1Element()
    for scalars, a, b, c in checked:
        rho = 1 + secrets.randbelow((1 << _BATCH_BITS) - 1)
        rho_sum += rho
        for j, s in enumerate(scalars):
            ic_scalars[j] = (ic_scalars[j] + rho * s) % R
        term = pyblst.miller_loop(a.scalar_mul(rho), b)
        lhs = term if lhs is None else lhs * term
        c_sum = c_sum + c.scalar_mul(rho)
    rhs = pyblst.miller_loop(pvk.alpha.scalar_mul(rho_sum % R), pvk.beta)
    rhs = rhs * pyblst.miller_loop(pvk.ic_sum(ic_scalars), pvk.gamma)
    rhs = rhs * pyblst.miller_loop(c_sum, pvk.delta)
    return bool(pyblst.final_verify(lhs, rhs))
