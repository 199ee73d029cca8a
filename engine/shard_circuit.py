"""The shard circuit: one Groth16 statement about 2^k rows of proved column values.

Private: the values v[i][j] (rows i < 2^k, columns j < m, field-encoded by engine.dataset), the
active-row flags a[i] and a salt. Public signals, in this order (docs/statement.md):
    commitment, index, count, sum[0..m), lo[0..m), hi[0..m)
Constraints:
- a[i] is boolean and a prefix (a[i+1] (1 - a[i]) = 0); count = sum of a[i];
- per value, d1 = v - a lo and d2 = a hi - v both lie in [0, 2^b) (b = the column's range bits):
  an active value is then the encoding of an integer in [lo, hi], a padded one is 0;
- sum[j] = sum over all rows of v[i][j] (padded zeros add nothing);
- commitment = Poseidon-sponge(index, salt, v[0][0], ..., v[0][m-1], v[1][0], ...), row-major over
  all 2^k rows, padded rows included. The shard's index in its dataset is absorbed first, so a
  proof (and its commitment) belongs to one position: shards cannot be reordered.
Each range check is b booleanity constraints plus one constraint that is both the gate and the
recomposition (`a * lo = v - sum 2^t d1_t`), so a value costs 2b + 2 constraints plus its share
of the sponge. lo and hi are public inputs, not constants, so one key serves every shard and every
bound of the same bit widths. The soundness argument is in docs/statement.md.

The shape (k, bit widths, sponge width) fixes the R1CS; `shard_circuit(shape)` builds it once
per process and records where each wire family sits. Witnesses are then written by position
(engine.shard_witness: the sponge's S-box wires from kernels.cpu.poseidon_trace, range bits by
NumPy shifts, a direct range check naming the constraint a bad value breaks), not replayed
through the builder's witness program: at 2^10 rows x 3 columns (239k constraints, loaded
2-core VM, same runs) 1.0-2.0 s -> 65-110 ms, about one native sponge.
`witness(..., check_r1cs=True)` also checks every constraint (0.2-0.7 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from engine.circuit import LC, Circuit, CircuitBuilder, lc_sum
from engine.dataset.field_encoding import to_fr
from engine.dataset.spec import StatementSpec
from engine.errors import InputError
from engine.gadgets.poseidon import sponge
from engine.shard_witness import (ConstraintChecker, WireLayout, assemble, range_bits,
                                  range_offsets)
from kernels.constants import FR_LIMBS, R
from kernels.cpu.poseidon import sponge_batch
from kernels.cpu.poseidon_trace import sponge_trace_batch, trace_sboxes
from kernels.limbs import ints_to_limbs, limbs_to_ints
from kernels.poseidon_params import SPONGE_WIDTH

MAX_RANGE_BITS = 64


@dataclass(frozen=True)
class ShardShape:
    """What fixes the R1CS: 2^log_rows rows, one range width per column, the sponge width."""

    log_rows: int
    bits: tuple[int, ...]
    sponge_width: int = SPONGE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.log_rows <= 24:
            raise ValueError(f"log_rows must be in 0..24, got {self.log_rows}")
        if not self.bits or any(not 1 <= b <= MAX_RANGE_BITS for b in self.bits):
            raise ValueError(f"need at least one column, each with 1..{MAX_RANGE_BITS} range "
                             f"bits, got {self.bits}")

    @classmethod
    def for_statement(cls, statement: StatementSpec,
                      sponge_width: int = SPONGE_WIDTH) -> ShardShape:
        """The shape proving `statement` (resolved): a column with hi = lo still gets 1 bit."""
        return cls(statement.log_shard_rows, tuple(max(1, c.range_bits) for c in statement.columns),
                   sponge_width)

    @property
    def rows(self) -> int:
        return 1 << self.log_rows

    @property
    def n_columns(self) -> int:
        return len(self.bits)

    @property
    def n_public(self) -> int:
        return 3 + 3 * self.n_columns


@dataclass(frozen=True)
class ShardPublic:
    """A shard's public signals as Fr elements (signed values are r - |x|)."""

    commitment: int
    index: int
    count: int
    sums: tuple[int, ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]

    def signals(self) -> list[int]:
        return [self.commitment, self.index, self.count, *self.sums, *self.lo, *self.hi]

    @classmethod
    def from_signals(cls, signals: Sequence[int], n_columns: int) -> ShardPublic:
        m = n_columns
        if len(signals) != 3 + 3 * m:
            raise InputError(f"a shard of {m} columns has {3 + 3 * m} public signals, "
                             f"got {len(signals)}")
        s = [int(x) for x in signals]
        return cls(s[0], s[1], s[2], tuple(s[3:3 + m]), tuple(s[3 + m:3 + 2 * m]),
                   tuple(s[3 + 2 * m:]))


def _bits_pair(b: int):
    """Hint: the b low bits of v - a lo, then of a hi - v (ins: v, a, lo, hi)."""
    def bits(ins: list[int]) -> list[int]:
        v, a, lo, hi = ins
        d1, d2 = (v - a * lo) % R, (a * hi - v) % R
        return [(d1 >> t) & 1 for t in range(b)] + [(d2 >> t) & 1 for t in range(b)]
    return bits


def _gated_range(cb: CircuitBuilder, v: LC, a: LC, lo: LC, hi: LC, b: int, pow2: list[int],
                 where: str) -> tuple[int, int]:
    """The range constraints of one value; returns (its first bit wire, its `a * lo` row)."""
    bits = cb.compute(2 * b, [v, a, lo, hi], _bits_pair(b))
    for bit in bits:
        cb.assert_bool(bit, f"{where}: range bit is 0 or 1")
    d1 = LC({w: p for bit, p in zip(bits[:b], pow2) for w in bit.terms})
    d2 = LC({w: p for bit, p in zip(bits[b:], pow2) for w in bit.terms})
    row = cb.n_constraints
    cb.assert_mul(a, lo, v - d1, f"{where}: a * lo = v - d1, d1 < 2^{b}")
    cb.assert_mul(a, hi, v + d2, f"{where}: a * hi = v + d2, d2 < 2^{b}")
    return bits[0].single_wire(), row


def _build(shape: ShardShape) -> tuple[Circuit, WireLayout]:
    n, m = shape.rows, shape.n_columns
    cb = CircuitBuilder(f"shard_k{shape.log_rows}_b{'-'.join(map(str, shape.bits))}"
                        f"_t{shape.sponge_width}")
    commitment = cb.public_input("commitment")
    index = cb.public_input("index")
    count = cb.public_input("count")
    sums = cb.public_inputs("sum", m)
    lo = cb.public_inputs("lo", m)
    hi = cb.public_inputs("hi", m)
    salt = cb.private_input("salt")
    active = cb.private_inputs("active", n)
    v = cb.private_inputs("v", n * m)  # row-major: v[i * m + j]
    pow2 = [1 << t for t in range(max(shape.bits))]
    with cb.section("active_rows"):
        for i in range(n):
            cb.assert_bool(active[i], f"active[{i}] is 0 or 1")
        for i in range(n - 1):
            cb.assert_mul(active[i + 1], 1 - active[i], 0, f"active[{i + 1}] implies active[{i}]")
        cb.assert_equal(lc_sum(active), count, "count = sum of active flags")
    first_bits, lo_rows = [], []
    with cb.section("bounds"):
        for i in range(n):
            for j, b in enumerate(shape.bits):
                bit, row = _gated_range(cb, v[i * m + j], active[i], lo[j], hi[j], b, pow2,
                                        f"v[{i}][{j}]")
                first_bits.append(bit)
                lo_rows.append(row)
    with cb.section("sums"):
        for j in range(m):
            cb.assert_equal(lc_sum(v[j::m]), sums[j], f"sum[{j}] = sum of column {j}")
    with cb.section("commitment"):
        cb.assert_equal(sponge(cb, [index, salt, *v], shape.sponge_width), commitment,
                        "commitment = Poseidon-sponge(index, salt, v)")
    circuit = cb.build()
    layout = WireLayout(shape.bits, salt.single_wire(), active[0].single_wire(),
                        v[0].single_wire(), first_bits[0], first_bits[0] + n * 2 * sum(shape.bits),
                        np.array(lo_rows, dtype=np.int64).reshape(n, m), circuit.labels)
    _check_layout(circuit, layout, shape, first_bits)
    return circuit, layout


def _check_layout(circuit: Circuit, layout: WireLayout, shape: ShardShape,
                  first_bits: list[int]) -> None:
    """The native witness writes wires by position: refuse a circuit laid out otherwise."""
    n, m = shape.rows, shape.n_columns
    n_wires = circuit.r1cs.n_wires
    expected = (layout.salt == 1 + shape.n_public and layout.active == layout.salt + 1
                and layout.values == layout.active + n
                and layout.range_bits == layout.values + n * m
                and first_bits == [layout.first_bit(i, j) for i in range(n) for j in range(m)]
                and n_wires - layout.sponge == 3 * trace_sboxes(shape.sponge_width, 2 + n * m)
                and circuit.r1cs.n_pub_out == 0
                and np.array_equal(circuit.program.order, np.arange(n_wires)))
    if not expected:  # a builder or gadget change, not bad input
        raise RuntimeError(f"the shard circuit {circuit.name} is not laid out as its native "
                           f"witness assumes")


@dataclass(frozen=True)
class ShardWitness:
    witness: np.ndarray  # (n_wires, 4) uint64 standard form, every constraint satisfied
    public: ShardPublic


class ShardCircuit:
    """The built circuit of one shape, with native commitments and witness generation."""

    def __init__(self, shape: ShardShape):
        self.shape = shape
        self.circuit, self._layout = _build(shape)

    @cached_property
    def _checker(self) -> ConstraintChecker:
        return ConstraintChecker(self.circuit)

    @property
    def n_constraints(self) -> int:
        return self.circuit.n_constraints

    def _padded(self, values: np.ndarray) -> np.ndarray:
        """(2^k, m) int64: the values, zero rows appended."""
        n, m = self.shape.rows, self.shape.n_columns
        values = np.asarray(values)
        if values.ndim != 2 or values.shape[1] != m or values.dtype != np.int64:
            raise InputError(f"shard values must be an int64 (rows, {m}) array, got "
                             f"{values.dtype} {values.shape}")
        if not 1 <= values.shape[0] <= n:
            raise InputError(f"a shard holds 1..{n} rows, got {values.shape[0]}")
        full = np.zeros((n, m), dtype=np.int64)
        full[: values.shape[0]] = values
        return full

    def _bounds(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[tuple[int, ...], ...]:
        m = self.shape.n_columns
        if len(lo) != m or len(hi) != m:
            raise InputError(f"need {m} lower and upper bounds, got {len(lo)} and {len(hi)}")
        return tuple(int(x) % R for x in lo), tuple(int(x) % R for x in hi)

    def commitment(self, index: int, salt: int, values: np.ndarray) -> int:
        """Poseidon-sponge(index, salt, padded values row-major), natively."""
        return self.commitments(index, [salt], values)[0]

    def commitments(self, first_index: int, salts: Sequence[int],
                    values: np.ndarray) -> list[int]:
        """The commitments of consecutive shards in one parallel sponge call: int64 (rows, m)
        values cut into 2^k-row shards (the last may be shorter), shard s with index
        first_index + s and salt salts[s]."""
        n, m = self.shape.rows, self.shape.n_columns
        values = np.asarray(values)
        if values.ndim != 2 or values.shape[1] != m or values.dtype != np.int64:
            raise InputError(f"shard values must be an int64 (rows, {m}) array, got "
                             f"{values.dtype} {values.shape}")
        count = -(-values.shape[0] // n)
        if count < 1 or len(salts) != count:
            raise InputError(f"{values.shape[0]} rows make {count} shards of {n} rows, "
                             f"given {len(salts)} salts")
        full = np.zeros((count * n, m), dtype=np.int64)
        full[: values.shape[0]] = values
        inputs = np.concatenate([
            np.stack([_sponge_head(first_index + s, salt) for s, salt in enumerate(salts)]),
            to_fr(full.reshape(-1)).reshape(count, n * m, FR_LIMBS)], axis=1)
        return limbs_to_ints(sponge_batch(inputs, self.shape.sponge_width))

    def public(self, index: int, salt: int, values: np.ndarray, lo: Sequence[int],
               hi: Sequence[int]) -> ShardPublic:
        """The public signals for int64 (active rows, m) values and integer bounds."""
        lo_f, hi_f = self._bounds(lo, hi)
        return ShardPublic(self.commitment(index, salt, values), index, int(values.shape[0]),
                           _sums(values), lo_f, hi_f)

    def witness(self, index: int, salt: int, values: np.ndarray, lo: Sequence[int],
                hi: Sequence[int], *, check_r1cs: bool = False) -> ShardWitness:
        """The full witness; InputError if a value breaks its bounds (names the constraint).

        `check_r1cs` also checks every constraint (the native layout's cross-check)."""
        lo_f, hi_f = self._bounds(lo, hi)
        full = self._padded(values)
        n_active = int(values.shape[0])
        d1, d2 = range_offsets(self._layout, full, n_active, lo_f, hi_f)
        value_limbs = to_fr(full.reshape(-1))
        inputs = np.concatenate([_sponge_head(index, salt), value_limbs])[None]
        hashes, trace = sponge_trace_batch(inputs, self.shape.sponge_width)
        public = ShardPublic(limbs_to_ints(hashes)[0], index, n_active, _sums(values), lo_f,
                             hi_f)
        w = assemble(self._layout, self.circuit.r1cs.n_wires, public.signals(), salt, n_active,
                     value_limbs, range_bits(self._layout, d1, d2), trace[0])
        if check_r1cs:
            self._checker.check(w)
        return ShardWitness(w, public)


def _sums(values: np.ndarray) -> tuple[int, ...]:
    return tuple(int(x) % R for x in values.astype(object).sum(axis=0))


def _sponge_head(index: int, salt: int) -> np.ndarray:
    """(2, 4) limbs of what the sponge absorbs before the values: the index, then the salt."""
    if not 0 <= salt < R:
        raise InputError("the salt must be a field element (0 <= salt < r)")
    if not 0 <= index < 1 << 64:
        raise InputError(f"shard index {index} is out of range")
    return ints_to_limbs([index, salt], FR_LIMBS)


@cache
def shard_circuit(shape: ShardShape) -> ShardCircuit:
    """The circuit of `shape`, built once per process."""
    return ShardCircuit(shape)


__all__ = ["ShardCircuit", "ShardPublic", "ShardShape", "ShardWitness",
           "shard_circuit"]
