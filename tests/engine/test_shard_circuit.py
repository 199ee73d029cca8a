"""The shard circuit: constraint counts, public signals against independent references, every
constraint family rejecting the witnesses it exists to reject, and the native witness equal,
wire for wire, to the builder's witness program (the slow, generic path kept as reference)."""

import numpy as np
import pytest

from engine.errors import InputError
from engine.gadgets.poseidon import sponge_cost
from engine.shard_circuit import ShardPublic, ShardShape, shard_circuit
from kernels.constants import R
from kernels.poseidon_params import poseidon_params
from kernels.poseidon_ref import sponge

SHAPE = ShardShape(3, (8, 5))  # 8 rows; column 0 spans 8 bits, column 1 spans 5
LO, HI = [-100, 7], [155, 30]  # 155 - -100 = 255: 8 bits; 30 - 7 = 23: 5 bits
VALUES = np.array([[-100, 7], [155, 30], [0, 19], [-1, 8], [42, 29]], dtype=np.int64)
SALT, INDEX = 0xC0FFEE ** 5 % R, 3


def sponge_ref(values, t):
    return sponge(poseidon_params(t), values)


@pytest.fixture(scope="module")
def circuit():
    return shard_circuit(SHAPE)


def _inputs(circuit, values, active=None, salt=SALT, index=INDEX, lo=LO, hi=HI, count=None):
    """Raw circuit inputs (no checks of our own), for witnesses the helper would refuse."""
    n, m = SHAPE.rows, SHAPE.n_columns
    padded = np.zeros((n, m), dtype=object)
    padded[: len(values)] = values
    flat = [int(x) % R for x in padded.reshape(-1)]
    active = active if active is not None else [1] * len(values) + [0] * (n - len(values))
    return {"commitment": sponge_ref([index, salt, *flat], 17), "index": index,
            "count": sum(active) if count is None else count,
            "sum": [sum(flat[j::m]) % R for j in range(m)], "lo": [x % R for x in lo],
            "hi": [x % R for x in hi], "salt": salt, "active": active, "v": flat}


def test_constraint_count_is_the_formula(circuit):
    n, m, bits = SHAPE.rows, SHAPE.n_columns, SHAPE.bits
    hashing = sponge_cost(17, 2 + n * m).constraints
    per_rows = n + (n - 1) + 1  # booleans, prefix, count
    per_values = n * sum(2 * b + 2 for b in bits)
    assert circuit.circuit.section_counts["active_rows"] == per_rows
    assert circuit.circuit.section_counts["bounds"] == per_values
    assert circuit.circuit.section_counts["commitment"] == hashing + 1
    assert circuit.n_constraints == per_rows + per_values + m + hashing + 1
    assert circuit.circuit.r1cs.n_public == SHAPE.n_public == 3 + 3 * m


def test_public_signals_match_python_and_the_reference_sponge(circuit):
    w = circuit.witness(INDEX, SALT, VALUES, LO, HI)
    ref = _inputs(circuit, VALUES)
    assert w.public.commitment == ref["commitment"]
    assert w.public.sums == ((-100 + 155 + 0 - 1 + 42) % R, (7 + 30 + 19 + 8 + 29))
    assert w.public.count == 5 and w.public.index == INDEX
    assert w.public.lo == (R - 100, 7) and w.public.hi == (155, 30)
    signals = circuit.circuit.public_signals(circuit.circuit.witness_values(ref))
    assert signals == w.public.signals()
    assert ShardPublic.from_signals(signals, 2) == w.public
    assert circuit.commitment(INDEX, SALT, VALUES) == ref["commitment"]


def _program_witness(circuit, index, salt, values, lo, hi):
    """The witness program's replay, every constraint checked with exact Python ints."""
    n, m = circuit.shape.rows, circuit.shape.n_columns
    padded = np.zeros((n, m), dtype=object)
    padded[: len(values)] = values
    flat = [int(x) % R for x in padded.reshape(-1)]
    inputs = {"commitment": sponge_ref([index, salt, *flat], circuit.shape.sponge_width),
              "index": index, "count": len(values),
              "sum": [sum(flat[j::m]) % R for j in range(m)], "lo": [x % R for x in lo],
              "hi": [x % R for x in hi], "salt": salt,
              "active": [1] * len(values) + [0] * (n - len(values)), "v": flat}
    return circuit.circuit.program.run(inputs)


@pytest.mark.parametrize("shape, lo, hi, rows", [
    (SHAPE, LO, HI, 8), (SHAPE, LO, HI, 5), (SHAPE, LO, HI, 1),
    (ShardShape(0, (3,)), [-4], [3], 1),  # 3 sponge inputs: the first block is padded
    (ShardShape(4, (64, 1, 17)), [-2**63, 0, 2**16], [2**63 - 1, 1, 2**17 - 1], 11),
    (ShardShape(2, (2,), sponge_width=5), [0], [3], 3),
])
def test_native_witness_is_the_program_witness(shape, lo, hi, rows):
    circuit = shard_circuit(shape)
    rng = np.random.default_rng(rows + shape.log_rows)
    for trial in range(2):
        values = np.stack([rng.integers(a, b, size=rows, endpoint=True, dtype=np.int64)
                           for a, b in zip(lo, hi)], axis=1)
        values[0] = hi if trial else lo  # both ends of every range
        index, salt = int(rng.integers(0, 2**63)), int(rng.integers(0, 2**63)) ** 3 % R
        native = circuit.witness(index, salt, values, lo, hi, check_r1cs=True)
        program = _program_witness(circuit, index, salt, values, lo, hi)
        assert native.witness.dtype == np.uint64 and native.witness.shape == program.shape
        assert np.array_equal(native.witness, program)
        assert native.public == circuit.public(index, salt, values, lo, hi)


@pytest.mark.parametrize("row, col, value", [(0, 0, -101), (1, 0, 156), (2, 1, 6), (4, 1, 31),
                                             (3, 0, -2**63), (3, 1, 2**63 - 1)])
def test_out_of_bounds_error_names_the_constraint_the_r1cs_breaks(circuit, row, col, value):
    values = VALUES.copy()
    values[row, col] = value
    with pytest.raises(InputError) as native:
        circuit.witness(INDEX, SALT, values, LO, HI)
    with pytest.raises(InputError) as program:
        _program_witness(circuit, INDEX, SALT, values, LO, HI)
    assert str(native.value) == str(program.value)
    d1_fits = 0 <= value - LO[col] < 1 << SHAPE.bits[col]  # else a * lo = v - d1 fails first
    assert f"v[{row}][{col}]: a * {'hi' if d1_fits else 'lo'}" in str(native.value)


def test_bounds_are_read_as_field_elements_like_the_circuit(circuit):
    as_ints = circuit.witness(INDEX, SALT, VALUES, LO, HI)
    as_field = circuit.witness(INDEX, SALT, VALUES, [x % R for x in LO], [x + R for x in HI])
    assert np.array_equal(as_ints.witness, as_field.witness)


def test_a_circuit_laid_out_otherwise_is_refused(monkeypatch):
    import engine.shard_circuit as module
    monkeypatch.setattr(module, "trace_sboxes", lambda t, n: 0)
    with pytest.raises(RuntimeError, match="laid out"):
        module.ShardCircuit(ShardShape(0, (1,)))


def test_commitment_depends_on_salt_index_and_padding(circuit):
    c = circuit.commitment(INDEX, SALT, VALUES)
    assert circuit.commitment(INDEX, SALT + 1, VALUES) != c
    assert circuit.commitment(INDEX + 1, SALT, VALUES) != c
    with_zero_row = np.vstack([VALUES, [[0, 0]]])  # same padded block, but count differs
    assert circuit.commitment(INDEX, SALT, with_zero_row) == c
    assert circuit.public(INDEX, SALT, with_zero_row, LO, HI).count == 6


def test_commitments_of_consecutive_shards_in_one_call(circuit):
    rng = np.random.default_rng(4)
    values = np.stack([rng.integers(-100, 156, size=21), rng.integers(7, 31, size=21)], axis=1)
    salts = [SALT, SALT + 1, 5]  # 21 rows: shards of 8, 8 and 5
    got = circuit.commitments(INDEX, salts, values)
    assert got == [circuit.commitment(INDEX + s, salts[s], values[8 * s:8 * s + 8])
                   for s in range(3)]
    assert got[2] == sponge_ref([INDEX + 2, 5, *_inputs(circuit, values[16:])["v"]], 17)
    with pytest.raises(InputError, match="3 shards"):
        circuit.commitments(INDEX, salts[:2], values)
    with pytest.raises(InputError, match="salt"):
        circuit.commitments(INDEX, [SALT, R, 1], values)


def test_full_shard_and_single_row(circuit):
    full = np.tile(np.array([[155, 30]], dtype=np.int64), (8, 1))
    assert circuit.witness(0, SALT, full, LO, HI).public.count == 8
    assert circuit.witness(0, SALT, full[:1], LO, HI).public.sums == (155, 30)


@pytest.mark.parametrize("row, col, value", [(0, 0, -101), (1, 0, 156), (2, 1, 6), (4, 1, 31)])
def test_out_of_bounds_values_have_no_witness(circuit, row, col, value):
    values = VALUES.copy()
    values[row, col] = value
    with pytest.raises(InputError, match=rf"v\[{row}\]\[{col}\]"):
        circuit.witness(INDEX, SALT, values, LO, HI)


@pytest.mark.parametrize("value", [(1 << 8) - 100, R - 1 - 100, (R - 1) // 2])
def test_field_values_outside_the_bounds_have_no_witness(circuit, value):
    inputs = _inputs(circuit, VALUES)
    inputs["sum"][0] = (inputs["sum"][0] - inputs["v"][0] + value) % R
    inputs["v"][0] = value  # lo + 2^8, lo - 1, and a field element no int64 encodes
    inputs["commitment"] = sponge_ref([INDEX, SALT, *inputs["v"]], 17)
    with pytest.raises(InputError, match=r"v\[0\]\[0\]"):
        circuit.circuit.witness_values(inputs)


def test_nonzero_padding_has_no_witness(circuit):
    inputs = _inputs(circuit, VALUES)
    inputs["v"][5 * 2 + 1] = 9  # row 5 is padding; 9 is within column 1's bounds
    inputs["sum"][1] = (inputs["sum"][1] + 9) % R
    inputs["commitment"] = sponge_ref([INDEX, SALT, *inputs["v"]], 17)
    with pytest.raises(InputError, match=r"v\[5\]\[1\]"):
        circuit.circuit.witness_values(inputs)


@pytest.mark.parametrize("active", [[1, 1, 0, 1, 1, 1, 0, 0], [0, 1, 1, 1, 1, 1, 0, 0]])
def test_active_flags_must_be_a_prefix(circuit, active):
    values = np.zeros((8, 2), dtype=np.int64)
    values[:] = [0, 7]
    values[[i for i, a in enumerate(active) if not a]] = 0
    inputs = _inputs(circuit, np.array([[0, 7]] * 8), active=active)
    inputs["v"] = [int(x) % R for x in values.reshape(-1)]
    inputs["sum"] = [sum(inputs["v"][j::2]) % R for j in range(2)]
    inputs["commitment"] = sponge_ref([INDEX, SALT, *inputs["v"]], 17)
    with pytest.raises(InputError, match="implies"):
        circuit.circuit.witness_values(inputs)


@pytest.mark.parametrize("field, value", [("count", 4), ("sum", None), ("commitment", None),
                                          ("active", 2)])
def test_wrong_public_claims_have_no_witness(circuit, field, value):
    inputs = _inputs(circuit, VALUES)
    if field == "count":
        inputs["count"] = value
    elif field == "sum":
        inputs["sum"][0] = (inputs["sum"][0] + 1) % R
    elif field == "commitment":
        inputs["commitment"] = (inputs["commitment"] + 1) % R
    else:
        inputs["active"][0] = value
    with pytest.raises(InputError, match="does not satisfy"):
        circuit.circuit.witness_values(inputs)


def test_equal_bounds_use_one_bit():
    circuit = shard_circuit(ShardShape(1, (1,)))
    w = circuit.witness(0, 1, np.array([[-5]], dtype=np.int64), [-5], [-5])
    assert w.public.sums == (R - 5,)
    with pytest.raises(InputError):
        circuit.witness(0, 1, np.array([[-4]], dtype=np.int64), [-5], [-5])


def test_shape_and_input_validation(circuit):
    with pytest.raises(ValueError):
        ShardShape(3, ())
    with pytest.raises(ValueError):
        ShardShape(3, (65,))
    with pytest.raises(ValueError):
        ShardShape(25, (8,))
    with pytest.raises(InputError, match="int64"):
        circuit.witness(0, SALT, VALUES.astype(np.int32), LO, HI)
    with pytest.raises(InputError, match="1..8 rows"):
        circuit.witness(0, SALT, np.zeros((9, 2), dtype=np.int64), LO, HI)
    with pytest.raises(InputError, match="bounds"):
        circuit.witness(0, SALT, VALUES, LO[:1], HI)
    with pytest.raises(InputError, match="salt"):
        circuit.commitment(0, R, VALUES)
    with pytest.raises(InputError, match="public signals"):
        ShardPublic.from_signals([1, 2, 3], 2)
