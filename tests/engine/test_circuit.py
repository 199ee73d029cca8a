"""Circuit builder: wire layout, exact matrices and counts, witnesses, rejection of bad witnesses.

Satisfaction is re-checked here from the built R1CS matrices with plain Python ints, independent
of the witness program's vectorised checker.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.circuit import LC, CircuitBuilder, lc_sum
from engine.demo_circuits import (
    range_sum,
    range_sum_for_power,
    range_sum_size,
    range_sum_values_for_power,
)
from engine.errors import InputError
from kernels.constants import R
from kernels.limbs import ints_to_limbs, limbs_to_ints


def matrix_rows(mat, n_rows):
    """Constraint rows of a SparseMatrix as {wire: coeff} dicts (Python ints)."""
    rows = [dict() for _ in range(n_rows)]
    for r, c, v in zip(mat.rows.tolist(), mat.cols.tolist(), limbs_to_ints(mat.coeffs)):
        assert c not in rows[r], "duplicate (row, col) entry"
        rows[r][c] = v
    return rows


def dot(row, w):
    return sum(c * w[i] for i, c in row.items()) % R


def unsatisfied(r1cs, w):
    a, b, c = (matrix_rows(m, r1cs.n_constraints) for m in (r1cs.a, r1cs.b, r1cs.c))
    return [i for i in range(r1cs.n_constraints) if dot(a[i], w) * dot(b[i], w) % R != dot(c[i], w)]


# ---- linear combinations ----------------------------------------------------------------------

def test_lc_arithmetic_reduces_mod_r_and_drops_zero_terms():
    x, y = LC.wire(3), LC.wire(5)
    e = 2 * x + y - 7
    assert e.terms == {3: 2, 5: 1, 0: R - 7}
    assert (e - y).terms == {3: 2, 0: R - 7}
    assert (-(x * 3)).terms == {3: R - 3}
    assert (x * R).terms == {}
    assert (7 - x).terms == {0: 7, 3: R - 1}
    assert lc_sum([x, y, x, -2 * x, 4]).terms == {5: 1, 0: 4}
    assert LC.constant(-1).terms == {0: R - 1}
    assert LC.constant(5).is_constant() and not x.is_constant()
    with pytest.raises(TypeError):
        _ = x + 1.5


# ---- layout and exact matrices ----------------------------------------------------------------

def test_wire_layout_is_one_outputs_public_inputs_private():
    b = CircuitBuilder("layout")
    s = b.private_input("s")          # allocated first, must land after the public wires
    x = b.public_input("x")
    p = b.mul(s, x)                   # private computed wire, later promoted to an output
    b.public_output("p", p)
    b.public_output("q", s + 1)       # a general LC: new output wire + 1 linear constraint
    c = b.build()
    r = c.r1cs
    assert (r.n_wires, r.n_pub_out, r.n_pub_in, r.n_prv_in, r.n_public) == (5, 2, 1, 1, 3)
    assert c.n_constraints == 2
    # wires: 0 one, 1 p, 2 q, 3 x, 4 s
    a_rows, b_rows, c_rows = (matrix_rows(m, 2) for m in (r.a, r.b, r.c))
    assert (a_rows[0], b_rows[0], c_rows[0]) == ({4: 1}, {3: 1}, {1: 1})
    assert (a_rows[1], b_rows[1], c_rows[1]) == ({}, {}, {0: 1, 4: 1, 2: R - 1})
    values = c.witness_values({"s": 6, "x": 7})
    assert values == [1, 42, 7, 7, 6]
    assert c.public_signals(values) == [42, 7, 7]


def test_witness_array_is_standard_form_limbs():
    b = CircuitBuilder()
    x, y = b.private_input("x"), b.private_input("y")
    b.public_output("z", b.mul(x, y))
    c = b.build()
    big = R - 2
    w = c.witness({"x": big, "y": 3})
    assert w.dtype == np.uint64 and w.shape == (4, 4)
    assert np.array_equal(w, ints_to_limbs([1, big * 3 % R, big, 3], 4))


def test_matrix_entries_sorted_by_row_then_column():
    c = range_sum(5, 4)
    for m in (c.r1cs.a, c.r1cs.b, c.r1cs.c):
        key = m.rows * c.r1cs.n_wires + m.cols
        assert np.all(np.diff(key) > 0)
        assert m.coeffs.dtype == np.uint64 and m.coeffs.shape == (m.nnz, 4)
        assert all(0 < v < R for v in limbs_to_ints(m.coeffs))


# ---- gadgets: real values and exact counts ----------------------------------------------------

def test_mul_by_constant_is_free_and_linear():
    b = CircuitBuilder()
    x = b.private_input("x")
    y = b.mul(x, 5)
    assert y.terms == {x.single_wire(): 5}
    assert b.mul(3, 4).terms == {0: 12}
    assert b.n_constraints == 0


@given(st.integers(1, 64), st.data())
@settings(max_examples=30, deadline=None)
def test_to_bits_decomposes_and_counts(n_bits, data):
    value = data.draw(st.integers(0, (1 << n_bits) - 1))
    b = CircuitBuilder()
    x = b.private_input("x")
    bits = b.to_bits(x, n_bits)
    c = b.build()
    assert c.n_constraints == n_bits + 1
    assert c.section_counts == {"num2bits": n_bits + 1}
    values = c.witness_values({"x": value})
    got = [values[bit.single_wire()] for bit in bits]  # no outputs, so ids equal R1CS indices
    assert got == [(value >> i) & 1 for i in range(n_bits)]
    assert unsatisfied(c.r1cs, values) == []


@pytest.mark.parametrize("n_bits", [1, 8, 32, 253])
def test_range_check_boundary(n_bits):
    b = CircuitBuilder()
    with b.section("bound"):
        b.range_check(b.private_input("v"), n_bits, what="v")
    c = b.build()
    c.witness({"v": (1 << n_bits) - 1})
    with pytest.raises(InputError, match=rf"constraint {n_bits}: bound/num2bits: v < 2\^{n_bits}"):
        c.witness({"v": 1 << n_bits})
    with pytest.raises(InputError, match="v < 2"):
        c.witness({"v": R - 1})  # "-1" must not pass a range check


def test_range_check_rejects_bad_bit_widths():
    b = CircuitBuilder()
    x = b.private_input("x")
    for n in (0, 254):
        with pytest.raises(ValueError):
            b.to_bits(x, n)


@pytest.mark.parametrize("x,y", [(5, 5), (5, 6), (0, 0), (0, R - 1), (R - 1, R - 1)])
def test_is_equal(x, y):
    b = CircuitBuilder()
    xs, ys = b.private_input("x"), b.private_input("y")
    b.public_output("eq", b.is_equal(xs, ys))
    c = b.build()
    assert c.n_constraints == 2 and c.section_counts == {"is_zero": 2}
    values = c.witness_values({"x": x, "y": y})
    assert c.public_signals(values) == [int(x == y)]
    assert unsatisfied(c.r1cs, values) == []


def test_forged_is_zero_output_breaks_a_constraint():
    b = CircuitBuilder()
    x = b.private_input("x")
    b.public_output("z", b.is_zero(x))
    c = b.build()
    assert unsatisfied(c.r1cs, _forge(c.witness_values({"x": 9}), 1, 1)) == [0, 1]  # 9 == 0?
    values = c.witness_values({"x": 0})
    assert values[1] == 1
    forged = _forge(values, 1, 0)  # claim 0 != 0: only x * inv = 1 - out catches it
    assert unsatisfied(c.r1cs, forged) == [0]
    bad = c.program.check.first_violation(np.array(_to_ids(c, forged), dtype=object))
    assert c.labels[bad] == "is_zero: is_zero(x): x * inv = 1 - out"


def _forge(values, wire, value):
    forged = list(values)
    forged[wire] = value
    return forged


def _to_ids(circuit, values):
    """Witness in R1CS order -> builder allocation order (what the checker reads)."""
    ids = [0] * len(values)
    for j, i in enumerate(circuit.program.order.tolist()):
        ids[i] = values[j]
    return ids


def test_unsatisfied_assertions_name_the_constraint():
    b = CircuitBuilder()
    x, y = b.private_input("x"), b.private_input("y")
    with b.section("checks"):
        b.assert_bool(x, what="x is a flag")
        b.assert_equal(y, x * 2 + 1, what="y = 2x + 1")
        b.assert_mul(x, y, 3, what="x * y = 3")
    c = b.build()
    c.witness({"x": 1, "y": 3})
    with pytest.raises(InputError, match="constraint 0: checks: x is a flag"):
        c.witness({"x": 2, "y": 5})
    with pytest.raises(InputError, match=r"constraint 1: checks: y = 2x \+ 1"):
        c.witness({"x": 1, "y": 4})
    b2 = CircuitBuilder()
    with pytest.raises(ValueError):
        b2.assert_zero(1)


def test_section_counts_are_inclusive_per_path():
    b = CircuitBuilder()
    x = b.private_input("x")
    with b.section("outer"):
        b.mul(x, x)
        with b.section("inner"):
            b.range_check(x, 3)
            b.assert_bool(x)
    b.assert_bool(x)
    c = b.build()
    assert c.n_constraints == 7
    assert c.section_counts == {"outer": 6, "outer/inner": 5, "outer/inner/num2bits": 4}
    assert "outer: 6" in c.report()


# ---- input validation -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    b = CircuitBuilder()
    b.public_output("s", lc_sum(b.private_inputs("v", 3)) + b.public_input("k"))
    return b.build()


@pytest.mark.parametrize("inputs,message", [
    ({"v": [1, 2, 3]}, "missing circuit input 'k'"),
    ({"v": [1, 2, 3], "k": 1, "z": 0}, "unknown circuit inputs: z"),
    ({"v": [1, 2], "k": 1}, "takes 3 values, got 2"),
    ({"v": 1, "k": 1}, "takes 3 values, got one"),
    ({"v": [1, 2, 3], "k": [1]}, "takes one value"),
    ({"v": [1, 2, R], "k": 1}, r"v\[2\] is not a field element"),
    ({"v": [1, -1, 3], "k": 1}, r"v\[1\] is not a field element"),
    ({"v": [1, 2, 3], "k": 1.0}, "k must be an integer, got float"),
    ({"v": [1, True, 3], "k": 1}, r"v\[1\] must be an integer, got bool"),
])
def test_bad_inputs_are_input_errors(small, inputs, message):
    with pytest.raises(InputError, match=message):
        small.witness(inputs)


def test_duplicate_input_name_rejected():
    b = CircuitBuilder()
    b.private_input("a")
    with pytest.raises(ValueError, match="declared twice"):
        b.public_inputs("a", 2)


# ---- the range-sum demo -----------------------------------------------------------------------

@pytest.mark.parametrize("power,n_values,n_constraints", [
    (12, 124, 4093), (14, 496, 16369), (16, 1985, 65506),
])
def test_range_sum_sizes_fill_a_snarkjs_domain(power, n_values, n_constraints):
    assert range_sum_values_for_power(power) == n_values
    assert range_sum_size(n_values) == n_constraints
    # snarkjs domain: smallest 2^k > n_constraints + n_public
    assert (1 << (power - 1)) <= n_constraints + 1 < (1 << power)
    assert range_sum_size(n_values + 1) + 1 >= (1 << power)


def test_range_sum_power_12_real_values():
    c = range_sum_for_power(12)
    rng = random.Random(12)
    values = [rng.randrange(1 << 32) for _ in range(124)]
    values[0], values[1] = 0, (1 << 32) - 1
    assert c.n_constraints == 4093 and c.r1cs.n_public == 1 and c.r1cs.n_wires == 1 + 124 * 33 + 1
    assert c.section_counts == {"range": 4092, "range/num2bits": 4092, "sum": 1}
    w = c.witness_values({"values": values})
    assert c.public_signals(w) == [sum(values)]
    values[77] = 1 << 32
    with pytest.raises(InputError, match=r"range/num2bits: values\[77\] < 2\^32"):
        c.witness({"values": values})


def test_range_sum_small_matches_independent_check():
    c = range_sum(4, 3)
    assert c.n_constraints == range_sum_size(4, 3) == 17
    w = c.witness_values({"values": [0, 7, 5, 2]})
    assert unsatisfied(c.r1cs, w) == []
    assert w[1] == 14
    forged = list(w)
    forged[1] = 15  # wrong public sum
    assert unsatisfied(c.r1cs, forged) == [16]


def test_public_output_promotes_only_fresh_computed_wires():
    b = CircuitBuilder()
    x = b.private_input("x")
    b.public_output("x_out", x)          # an input wire: copied, 1 constraint
    sq = b.mul(x, x)
    b.public_output("sq", sq)            # computed wire: promoted, free
    b.public_output("sq_again", sq)      # already public: copied, 1 constraint
    c = b.build()
    assert c.n_constraints == 3 and c.r1cs.n_pub_out == 3
    assert c.public_signals(c.witness_values({"x": 12})) == [12, 144, 144]


def test_outputs_keep_declaration_order():
    b = CircuitBuilder()
    x = b.private_input("x")
    first, second = b.mul(x, x), b.mul(x, 3 * x + 1)
    b.public_output("second", second)
    b.public_output("first", first)
    c = b.build()
    assert c.n_constraints == 2
    assert c.public_signals(c.witness_values({"x": 2})) == [14, 4]
