"""A small R1CS circuit builder: linear combinations, gadgets, witness program, constraint counts.

Statements (row counts, sums, bounds) are written against `CircuitBuilder`; `build()` yields a
`Circuit`: the `engine.r1cs.R1CS` (circom/snarkjs wire layout: 1, public outputs, public inputs,
private wires) plus the recorded witness program that computes and checks every wire.

Encoding choices, matching what circom emits:
- a purely linear constraint `lc = 0` is stored as `0 * 0 = lc` (A and B empty), so it adds no
  entries to the QAP's A/B coefficient list;
- `to_bits(x, n)` is circom's Num2Bits: n booleanity constraints plus one linear recomposition
  constraint, so it is also the range check `x < 2^n`;
- `mul` by a constant folds into the linear combination and costs no constraint.
Constraints are counted per section (`with builder.section("name"):`), inclusively per path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from engine.r1cs import R1CS, SparseMatrix
from engine.witness import ConstraintCheck, InputSlot, Step, WitnessProgram
from kernels.constants import FR_LIMBS, R
from kernels.limbs import ints_to_limbs

_ONE_WIRE = 0
Inputs = Mapping[str, int | Sequence[int]]  # input name -> value, or values for an array


class LC:
    """A linear combination sum(c_w * wire_w) over Fr; wire 0 is the constant 1.

    Immutable in use: every operation returns a new LC. Ints act as constants."""

    __slots__ = ("terms",)

    def __init__(self, terms: dict[int, int] | None = None):
        self.terms: dict[int, int] = terms if terms is not None else {}

    @staticmethod
    def constant(value: int) -> LC:
        value %= R
        return LC({_ONE_WIRE: value} if value else {})

    @staticmethod
    def wire(index: int) -> LC:
        return LC({index: 1})

    def is_constant(self) -> bool:
        return all(w == _ONE_WIRE for w in self.terms)

    def constant_value(self) -> int:
        return self.terms.get(_ONE_WIRE, 0)

    def single_wire(self) -> int | None:
        """The wire w when this LC is exactly 1 * w (w != 0), else None."""
        if len(self.terms) == 1:
            ((w, c),) = self.terms.items()
            if w != _ONE_WIRE and c == 1:
                return w
        return None

    def _combine(self, other: LC | int, sign: int) -> LC:
        other = _lc(other)
        out = dict(self.terms)
        for w, c in other.terms.items():
            v = (out.get(w, 0) + sign * c) % R
            if v:
                out[w] = v
            else:
                out.pop(w, None)
        return LC(out)

    def __add__(self, other: LC | int) -> LC:
        return self._combine(other, 1)

    __radd__ = __add__

    def __sub__(self, other: LC | int) -> LC:
        return self._combine(other, -1)

    def __rsub__(self, other: LC | int) -> LC:
        return _lc(other)._combine(self, -1)

    def __neg__(self) -> LC:
        return LC({w: R - c for w, c in self.terms.items()})

    def __mul__(self, k: int) -> LC:
        if not isinstance(k, int):
            return NotImplemented  # products of LCs need a constraint: CircuitBuilder.mul
        k %= R
        return LC({w: c * k % R for w, c in self.terms.items()} if k else {})

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return "LC(" + " + ".join(f"{c}*w{w}" for w, c in sorted(self.terms.items())) + ")"


def _lc(x: LC | int) -> LC:
    if isinstance(x, LC):
        return x
    if isinstance(x, int) and not isinstance(x, bool):
        return LC.constant(x)
    raise TypeError(f"expected a linear combination or an int, got {type(x).__name__}")


def lc_sum(items: Sequence[LC | int]) -> LC:
    """Sum of many LCs in one pass (repeated `+` would copy the growing dict each time)."""
    out: dict[int, int] = {}
    for item in items:
        for w, c in _lc(item).terms.items():
            out[w] = out.get(w, 0) + c
    return LC({w: c % R for w, c in out.items() if c % R})


@dataclass(frozen=True)
class Circuit:
    """A built circuit: its R1CS, the witness program, and constraint counts per section."""

    name: str
    r1cs: R1CS
    program: WitnessProgram
    section_counts: dict[str, int]
    labels: Sequence[str]

    @property
    def n_constraints(self) -> int:
        return self.r1cs.n_constraints

    def witness(self, inputs: Inputs) -> np.ndarray:
        """(n_wires, 4) uint64 standard-form witness; InputError if a constraint fails."""
        return self.program.run(inputs)

    def witness_values(self, inputs: Inputs) -> list[int]:
        """The checked witness as Python ints, in R1CS wire order."""
        return self.program.values(inputs)

    def public_signals(self, values: Sequence[int]) -> list[int]:
        """The public signals (wires 1..n_public) of a witness given as ints."""
        return [int(v) for v in values[1 : 1 + self.r1cs.n_public]]

    def report(self) -> str:
        lines = [f"{self.name}: {self.n_constraints} constraints, {self.r1cs.n_wires} wires "
                 f"({self.r1cs.n_public} public)"]
        for path, n in sorted(self.section_counts.items()):
            lines.append(f"  {'  ' * path.count('/')}{path.rsplit('/', 1)[-1]}: {n}")
        return "\n".join(lines)


class CircuitBuilder:
    """Records wires, constraints and witness steps; `build()` freezes them into a `Circuit`."""

    def __init__(self, name: str = "circuit"):
        self.name = name
        self.one = LC.wire(_ONE_WIRE)
        self._kind: list[str] = ["one"]  # per allocation id: one, out, in, prv
        self._outputs: list[int] = []  # allocation ids of public outputs, in declaration order
        self._inputs: list[tuple[str, bool, list[int], bool]] = []
        self._steps: list[Step] = []
        self._input_wires: set[int] = set()
        self._labels: list[str] = []
        self._label_section: list[int] = []
        self._sections: list[str] = [""]
        self._section_ids: dict[str, int] = {"": 0}
        self._path: list[str] = []
        self._cur_section = 0
        # Flat COO triples per matrix, rows = constraint index, cols = allocation ids.
        self._rows = ([], [], [])
        self._cols = ([], [], [])
        self._vals = ([], [], [])

    # ---- wires and inputs -------------------------------------------------------------------

    def _new_wire(self, kind: str = "prv") -> int:
        self._kind.append(kind)
        return len(self._kind) - 1

    def _declare(self, name: str, public: bool, n: int | None) -> list[int]:
        if any(existing == name for existing, *_ in self._inputs):
            raise ValueError(f"input {name!r} declared twice")
        wires = [self._new_wire("in" if public else "prv") for _ in range(n or 1)]
        self._inputs.append((name, public, wires, n is not None))
        self._input_wires.update(wires)
        return wires

    def public_input(self, name: str) -> LC:
        return LC.wire(self._declare(name, True, None)[0])

    def public_inputs(self, name: str, n: int) -> list[LC]:
        return [LC.wire(w) for w in self._declare(name, True, n)]

    def private_input(self, name: str) -> LC:
        return LC.wire(self._declare(name, False, None)[0])

    def private_inputs(self, name: str, n: int) -> list[LC]:
        return [LC.wire(w) for w in self._declare(name, False, n)]

    def public_output(self, name: str, value: LC | int) -> LC:
        """Expose `value` as the next public output signal.

        A computed private wire (1 * w, e.g. from `mul`) is promoted in place at no cost; any
        other LC gets a new wire and one linear constraint `out = value`."""
        value = _lc(value)
        w = value.single_wire()
        if w is not None and self._kind[w] == "prv" and w not in self._input_wires:
            self._kind[w] = "out"
            self._outputs.append(w)
            return value
        out = self._new_wire("out")
        self._outputs.append(out)
        self._steps.append(Step((out,), (value.terms,), _identity))
        self._add_constraint(LC(), LC(), value - LC.wire(out), f"public output {name} = value")
        return LC.wire(out)

    # ---- constraints ------------------------------------------------------------------------

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """Count the constraints added inside under `parent/name`."""
        if "/" in name or not name:
            raise ValueError(f"bad section name {name!r}")
        saved = self._cur_section
        self._path.append(name)
        path = "/".join(self._path)
        self._cur_section = self._section_ids.setdefault(path, len(self._sections))
        if self._cur_section == len(self._sections):
            self._sections.append(path)
        try:
            yield
        finally:
            self._path.pop()
            self._cur_section = saved

    def _add_constraint(self, a: LC, b: LC, c: LC, label: str) -> None:
        row = len(self._labels)
        for m, lc in enumerate((a, b, c)):
            t = lc.terms
            if t:
                self._rows[m].extend([row] * len(t))
                self._cols[m].extend(t.keys())
                self._vals[m].extend(t.values())
        self._labels.append(label)
        self._label_section.append(self._cur_section)

    def assert_mul(self, x: LC | int, y: LC | int, z: LC | int, what: str = "x * y = z") -> None:
        self._add_constraint(_lc(x), _lc(y), _lc(z), what)

    def assert_zero(self, x: LC | int, what: str = "x = 0") -> None:
        x = _lc(x)
        if x.is_constant():
            if x.constant_value():
                raise ValueError(f"{what}: asserts a nonzero constant is zero")
            return
        self._add_constraint(LC(), LC(), x, what)

    def assert_equal(self, x: LC | int, y: LC | int, what: str = "x = y") -> None:
        self.assert_zero(_lc(x) - _lc(y), what)

    def assert_bool(self, x: LC | int, what: str = "x is 0 or 1") -> None:
        x = _lc(x)
        self._add_constraint(x, x - 1, LC(), what)

    def mul(self, x: LC | int, y: LC | int, what: str = "product") -> LC:
        """x * y as a new wire (one constraint); free when either factor is constant."""
        x, y = _lc(x), _lc(y)
        if x.is_constant():
            return y * x.constant_value()
        if y.is_constant():
            return x * y.constant_value()
        z = self._new_wire()
        self._steps.append(Step((z,), (x.terms, y.terms), _product))
        self._add_constraint(x, y, LC.wire(z), what)
        return LC.wire(z)

    def compute(self, n: int, ins: Sequence[LC | int],
                fn: Callable[[list[int]], Sequence[int]]) -> list[LC]:
        """n new private wires set to fn(values of ins) during witness generation.

        A hint (circom's `<--`): no constraint is added, the caller must constrain every wire.
        Gadgets use it to compute several wires in one step (x^2, x^4, x^5 of an S-box)."""
        wires = [self._new_wire() for _ in range(n)]
        self._steps.append(Step(tuple(wires), tuple(_lc(x).terms for x in ins), fn))
        return [LC.wire(w) for w in wires]

    def to_bits(self, x: LC | int, n_bits: int, what: str = "x") -> list[LC]:
        """Little-endian bits of x; also proves x < 2^n_bits (circom Num2Bits: n + 1 constraints).

        n_bits must stay below 254 so that the recomposition cannot wrap around r."""
        if not 1 <= n_bits <= 253:
            raise ValueError(f"n_bits must be in 1..253, got {n_bits}")
        x = _lc(x)
        with self.section("num2bits"):
            bits = [self._new_wire() for _ in range(n_bits)]
            self._steps.append(Step(tuple(bits), (x.terms,), _bits_of(n_bits)))
            empty = LC()
            for i, b in enumerate(bits):  # b * (b - 1) = 0, terms spelled out: this is the hot loop
                self._add_constraint(LC({b: 1}), LC({b: 1, _ONE_WIRE: R - 1}), empty,
                                     f"bit {i} of {what} is 0 or 1")
            recomposed = LC({b: pow(2, i, R) for i, b in enumerate(bits)})
            self._add_constraint(LC(), LC(), recomposed - x, f"{what} < 2^{n_bits}")
        return [LC.wire(b) for b in bits]

    def range_check(self, x: LC | int, n_bits: int, what: str = "x") -> None:
        """Prove 0 <= x < 2^n_bits."""
        self.to_bits(x, n_bits, what)

    def is_zero(self, x: LC | int, what: str = "x") -> LC:
        """1 if x == 0 else 0, as a new wire (circom IsZero: 2 constraints)."""
        x = _lc(x)
        with self.section("is_zero"):
            inv, out = self._new_wire(), self._new_wire()
            self._steps.append(Step((inv, out), (x.terms,), _inverse_and_is_zero))
            self._add_constraint(x, LC.wire(inv), 1 - LC.wire(out),
                                 f"is_zero({what}): x * inv = 1 - out")
            self._add_constraint(x, LC.wire(out), LC(), f"is_zero({what}): x * out = 0")
        return LC.wire(out)

    def is_equal(self, x: LC | int, y: LC | int, what: str = "x == y") -> LC:
        """1 if x == y else 0 (2 constraints)."""
        return self.is_zero(_lc(x) - _lc(y), what)

    # ---- build ------------------------------------------------------------------------------

    @property
    def n_constraints(self) -> int:
        return len(self._labels)

    def build(self) -> Circuit:
        # R1CS wire order: one, outputs (as declared), public inputs, private (as allocated).
        public_in = [i for i, k in enumerate(self._kind) if k == "in"]
        private = [i for i, k in enumerate(self._kind) if k == "prv"]
        order = np.array([0, *self._outputs, *public_in, *private], dtype=np.int64)
        position = np.empty_like(order)
        position[order] = np.arange(order.size, dtype=np.int64)
        n_out, n_in = len(self._outputs), len(public_in)
        n_constraints = len(self._labels)

        mats, checks = [], []
        for m in range(3):
            rows = np.array(self._rows[m], dtype=np.int64)
            ids = np.array(self._cols[m], dtype=np.int64)
            cols = position[ids]
            vals = np.array(self._vals[m], dtype=object)
            perm = np.lexsort((cols, rows))
            rows, cols, ids, vals = rows[perm], cols[perm], ids[perm], vals[perm]
            mats.append(SparseMatrix(rows, cols, ints_to_limbs(vals.tolist(), FR_LIMBS)))
            checks.append((rows, ids, vals))

        r1cs = R1CS(
            n_wires=int(order.size), n_pub_out=n_out, n_pub_in=n_in,
            n_prv_in=sum(len(w) for _, public, w, _ in self._inputs if not public),
            n_constraints=n_constraints, a=mats[0], b=mats[1], c=mats[2],
        )
        labels = [self._label_with_section(i) for i in range(n_constraints)]
        slots = tuple(InputSlot(name, public, tuple(wires), is_array)
                      for name, public, wires, is_array in self._inputs)
        check = ConstraintCheck(n_constraints, checks[0], checks[1], checks[2], labels)
        program = WitnessProgram(order, slots, tuple(self._steps), check)
        return Circuit(self.name, r1cs, program, self._section_counts(), labels)

    def _label_with_section(self, i: int) -> str:
        path = self._sections[self._label_section[i]]
        return f"{path}: {self._labels[i]}" if path else self._labels[i]

    def _section_counts(self) -> dict[str, int]:
        per_section = Counter(self._label_section)
        counts: Counter[str] = Counter()
        for sid, n in per_section.items():
            path = self._sections[sid]
            parts = path.split("/") if path else []
            for depth in range(1, len(parts) + 1):
                counts["/".join(parts[:depth])] += n
        return dict(counts)


def _identity(ins: list[int]) -> list[int]:
    return ins


def _product(ins: list[int]) -> list[int]:
    return [ins[0] * ins[1]]


def _inverse_and_is_zero(ins: list[int]) -> list[int]:
    x = ins[0]
    return [pow(x, -1, R), 0] if x else [0, 1]


def _bits_of(n_bits: int):
    def bits(ins: list[int]) -> list[int]:
        x = ins[0]
        return [(x >> i) & 1 for i in range(n_bits)]
    return bits


__all__ = ["LC", "Circuit", "CircuitBuilder", "lc_sum"]
