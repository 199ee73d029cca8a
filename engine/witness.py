"""Witness programs: the recorded recipe that turns circuit inputs into a full, checked witness.

A circuit builder records, next to each constraint, how every new wire's value is computed (a
step: output wires, input linear combinations, a pure function over Python ints). Replaying the
steps in order yields every wire; then every constraint is checked, vectorised over NumPy object
arrays so a 2^16-constraint circuit checks in tens of milliseconds. A witness that breaks a
constraint is an InputError naming the constraint, never a proof that would fail to verify.

Wire ids here are the builder's allocation ids (id 0 is the constant 1); `order[j]` is the id
of R1CS wire j, so the builder may declare public outputs after the private wires they depend on.
Linear combinations are dicts wire id -> coefficient in [1, r).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import InputError
from kernels.constants import FR_LIMBS, R
from kernels.limbs import ints_to_limbs

Terms = Mapping[int, int]


@dataclass(frozen=True)
class Step:
    """Assign `fn(values of ins)` to the wires `outs` (fn returns one int per output wire)."""

    outs: tuple[int, ...]
    ins: tuple[Terms, ...]
    fn: Callable[[list[int]], Sequence[int]]


@dataclass(frozen=True)
class InputSlot:
    """A named circuit input: `wires` receive the caller's values, in order."""

    name: str
    public: bool
    wires: tuple[int, ...]
    is_array: bool


@dataclass(frozen=True)
class ConstraintCheck:
    """Constraint matrices as object arrays (Python ints) for exact, vectorised checking.

    Each matrix is (rows, cols, coeffs), sorted by row; `labels[i]` names constraint i."""

    n_constraints: int
    a: tuple[np.ndarray, np.ndarray, np.ndarray]
    b: tuple[np.ndarray, np.ndarray, np.ndarray]
    c: tuple[np.ndarray, np.ndarray, np.ndarray]
    labels: Sequence[str]

    def first_violation(self, values: np.ndarray) -> int | None:
        """Index of the first constraint with <A_i,w> <B_i,w> != <C_i,w>, or None."""
        a = _matvec(self.a, values, self.n_constraints)
        b = _matvec(self.b, values, self.n_constraints)
        c = _matvec(self.c, values, self.n_constraints)
        bad = np.flatnonzero((a * b - c) % R != 0)
        return int(bad[0]) if bad.size else None


def _matvec(m: tuple[np.ndarray, np.ndarray, np.ndarray], values: np.ndarray, n_rows: int):
    rows, cols, coeffs = m
    out = np.zeros(n_rows, dtype=object)
    if rows.size:
        products = coeffs * values[cols]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        out[rows[starts]] = np.add.reduceat(products, starts) % R
    return out


def evaluate(terms: Terms, values: list[int]) -> int:
    return sum(c * values[w] for w, c in terms.items()) % R


@dataclass(frozen=True)
class WitnessProgram:
    order: np.ndarray  # int64 (n_wires,): allocation id of each R1CS wire
    inputs: tuple[InputSlot, ...]
    steps: tuple[Step, ...]
    check: ConstraintCheck

    @property
    def n_wires(self) -> int:
        return int(self.order.shape[0])

    def run(self, inputs: Mapping[str, int | Sequence[int]], *, check: bool = True) -> np.ndarray:
        """Full witness as (n_wires, 4) uint64 standard-form limbs, every constraint checked
        unless the caller checks them itself (`check=False`)."""
        values = self.values(inputs, check=check)
        return ints_to_limbs(values, FR_LIMBS)

    def values(self, inputs: Mapping[str, int | Sequence[int]], *,
               check: bool = True) -> list[int]:
        """Full witness as Python ints in R1CS wire order, every constraint checked (unless
        `check=False`)."""
        values: list[int | None] = [None] * self.n_wires
        values[0] = 1
        self._assign_inputs(inputs, values)
        for step in self.steps:
            ins = [evaluate(t, values) for t in step.ins]
            outs = step.fn(ins)
            for wire, v in zip(step.outs, outs, strict=True):
                values[wire] = v % R
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:  # a builder bug, not bad input: every wire must have a step or an input
            raise RuntimeError(f"witness program leaves wires unassigned: {missing[:5]}")
        bad = self.check.first_violation(np.array(values, dtype=object)) if check else None
        if bad is not None:
            raise InputError(f"witness does not satisfy constraint {bad}: {self.check.labels[bad]}")
        return [values[i] for i in self.order]

    def _assign_inputs(self, inputs: Mapping[str, int | Sequence[int]], values: list) -> None:
        known = {slot.name for slot in self.inputs}
        unknown = sorted(set(inputs) - known)
        if unknown:
            raise InputError(f"unknown circuit inputs: {', '.join(unknown)}")
        for slot in self.inputs:
            if slot.name not in inputs:
                raise InputError(f"missing circuit input {slot.name!r}")
            given = inputs[slot.name]
            items = _as_list(slot, given)
            for i, (wire, v) in enumerate(zip(slot.wires, items)):
                where = f"{slot.name}[{i}]" if slot.is_array else slot.name
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                    raise InputError(f"circuit input {where} must be an integer, "
                                     f"got {type(v).__name__}")
                v = int(v)
                if not 0 <= v < R:  # the value itself may be private: not echoed
                    raise InputError(f"circuit input {where} is not a field element (0 <= v < r)")
                values[wire] = v


def _as_list(slot: InputSlot, given) -> list:
    if not slot.is_array:
        if isinstance(given, (list, tuple, np.ndarray)):
            raise InputError(f"circuit input {slot.name!r} takes one value, got a sequence")
        return [given]
    if not isinstance(given, (list, tuple, np.ndarray)):
        raise InputError(f"circuit input {slot.name!r} takes {len(slot.wires)} values, got one")
    items = list(given)
    if len(items) != len(slot.wires):
        raise InputError(f"circuit input {slot.name!r} takes {len(slot.wires)} values, "
                         f"got {len(items)}")
    return items
