"""The shard circuit's witness, written by wire position instead of replayed step by step.

engine.shard_circuit builds the R1CS and records where each wire family sits (`WireLayout`,
checked against the built circuit); this module fills a witness vector from it: the inputs and
public signals as given, the range bits by NumPy shifts, the sponge's S-box wires from
kernels.cpu.poseidon_trace. The builder's witness program (engine.witness) computes the same
vector wire by wire in Python, 15-20x slower; the tests compare the two.

Only the range constraints depend on the caller's values (sums, count, flags and commitment are
computed to satisfy theirs), so `range_offsets` checks them directly, reading d1 and d2 mod r as
the R1CS does, and names the first constraint a value breaks. `ConstraintChecker` evaluates
every constraint with the prover's sparse kernels, for callers who want the whole R1CS checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.circuit import Circuit
from engine.errors import InputError
from kernels.constants import FR_LIMBS, R
from kernels.cpu import fr_vec, sparse
from kernels.limbs import ints_to_limbs


@dataclass(frozen=True)
class WireLayout:
    """Where the shard circuit puts each wire family (an R1CS wire is its allocation id there:
    no public outputs, inputs declared first)."""

    bits: tuple[int, ...]  # range width of each column
    salt: int  # public signals are wires 1 .. salt - 1
    active: int  # first of 2^k flags
    values: int  # first of 2^k m values, row-major
    range_bits: int  # first of 2^k sum_j 2 b_j: per row, per column, d1's bits then d2's
    sponge: int  # first S-box wire (x2, x4, x5 each, kernels.cpu.poseidon_trace order), to the end
    lo_rows: np.ndarray  # (2^k, m) the constraint `a * lo = v - d1` of each value; `a * hi` follows
    labels: Sequence[str]  # constraint labels, for errors

    def first_bit(self, i: int, j: int) -> int:
        """The wire of the lowest bit of d1 of value (i, j)."""
        return self.range_bits + 2 * (i * sum(self.bits) + sum(self.bits[:j]))


def range_offsets(layout: WireLayout, full: np.ndarray, n_active: int, lo: Sequence[int],
                  hi: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """d1 = v - a lo and d2 = a hi - v mod r as (2^k, m) uint64 for the padded int64 values
    `full` (rows past n_active have a = 0) and bounds in [0, r); InputError naming the first
    range constraint a value breaks."""
    active = full[:n_active].astype(object)
    d1 = (active - np.array(lo, dtype=object)) % R
    d2 = (np.array(hi, dtype=object) - active) % R
    limit = np.array([1 << b for b in layout.bits], dtype=object)
    bad1, bad2 = d1 >= limit, d2 >= limit
    bad = np.flatnonzero((bad1 | bad2).reshape(-1))
    if bad.size:
        i, j = divmod(int(bad[0]), len(layout.bits))
        row = int(layout.lo_rows[i, j]) + (0 if bad1[i, j] else 1)
        raise InputError(f"witness does not satisfy constraint {row}: {layout.labels[row]}")
    out1 = np.zeros(full.shape, dtype=np.uint64)  # padded rows: a = 0 and v = 0
    out2 = np.zeros(full.shape, dtype=np.uint64)
    out1[:n_active], out2[:n_active] = d1.astype(np.uint64), d2.astype(np.uint64)
    return out1, out2


def range_bits(layout: WireLayout, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """The range bit wires in circuit order: per row, per column, b bits of d1 then of d2."""
    per_row = []
    for j, b in enumerate(layout.bits):
        shifts = np.arange(b, dtype=np.uint64)
        per_row += [(d1[:, j, None] >> shifts) & 1, (d2[:, j, None] >> shifts) & 1]
    return np.concatenate(per_row, axis=1).reshape(-1)


def assemble(layout: WireLayout, n_wires: int, signals: Sequence[int], salt: int,
             n_active: int, value_limbs: np.ndarray, bits: np.ndarray,
             trace: np.ndarray) -> np.ndarray:
    """The (n_wires, 4) uint64 standard-form witness from its parts, each at its position."""
    w = np.zeros((n_wires, FR_LIMBS), dtype=np.uint64)
    w[0, 0] = 1
    w[1:layout.salt] = ints_to_limbs(signals, FR_LIMBS)
    w[layout.salt] = ints_to_limbs([salt], FR_LIMBS)[0]
    w[layout.active:layout.active + n_active, 0] = 1
    w[layout.values:layout.range_bits] = value_limbs
    w[layout.range_bits:layout.sponge, 0] = bits
    w[layout.sponge:] = trace
    return w


class ConstraintChecker:
    """The R1CS as Montgomery CSR matrices: all constraints checked in three sparse products."""

    def __init__(self, circuit: Circuit):
        r1cs = circuit.r1cs
        self.n = r1cs.n_constraints
        self.labels = circuit.labels
        self.mats = [(sparse.csr_row_ptr(m.rows, self.n), np.ascontiguousarray(m.cols),
                      fr_vec.to_mont(m.coeffs)) for m in (r1cs.a, r1cs.b, r1cs.c)]

    def check(self, witness: np.ndarray) -> None:
        """InputError naming the first constraint with <A_i,w> <B_i,w> != <C_i,w>."""
        w = fr_vec.to_mont(witness)
        a, b, c = (self._matvec(m, w) for m in self.mats)
        lhs, rhs = fr_vec.from_mont(fr_vec.mul(a, b)), fr_vec.from_mont(c)  # canonical forms
        bad = np.flatnonzero((lhs != rhs).any(axis=1))
        if bad.size:
            raise InputError(f"witness does not satisfy constraint {bad[0]}: "
                             f"{self.labels[bad[0]]}")

    def _matvec(self, m: tuple[np.ndarray, np.ndarray, np.ndarray], w: np.ndarray) -> np.ndarray:
        out = np.empty((self.n, FR_LIMBS), dtype=np.uint64)
        sparse.sparse_matvec(*m, w, out)
        return out


__all__ = ["ConstraintChecker", "WireLayout", "assemble", "range_bits", "range_offsets"]
