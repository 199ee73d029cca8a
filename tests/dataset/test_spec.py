"""Statement options (CLI and API forms), column specs, and resolution against a schema."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from pydantic import ValidationError

from engine.dataset import ColumnSpec, StatementOptions, StatementSpec, resolve_statement
from engine.dataset.spec import scaled_int, type_range
from engine.errors import InputError

D = Decimal


def test_cli_forms_parse_like_the_api_forms():
    cli = StatementOptions(columns="a, b", scale=["b=2"], bounds=["a=-5:10", "b=:99.95"],
                           shard_rows=4096)
    api = StatementOptions(columns=["a", "b"], scale={"b": 2},
                           bounds={"a": ("-5", 10), "b": (None, D("99.95"))}, shard_rows=4096)
    assert cli == api
    assert cli.columns == ("a", "b")
    assert cli.bounds == {"a": (D(-5), D(10)), "b": (None, D("99.95"))}


def test_scale_as_one_comma_separated_string():
    assert StatementOptions(scale="b=2,c=0").scale == {"b": 2, "c": 0}


@pytest.mark.parametrize("options, says", [
    ({"scale": ["b"]}, "not NAME=VALUE"),
    ({"scale": ["b=2", "b=3"]}, "given twice"),
    ({"scale": {"b": 19}}, "0..18"),
    ({"scale": {"b": -1}}, "0..18"),
    ({"bounds": ["a=5"]}, "not LO:HI"),
    ({"bounds": ["a=x:1"]}, "not a decimal number"),
    ({"bounds": {"a": (0.1, 1)}}, "not floats"),
    ({"bounds": ["a=10:1"]}, "exceeds upper bound"),
    ({"bounds": ["a=NaN:1"]}, "should be a finite number"),
    ({"columns": "a,,b"}, "empty name"),
    ({"columns": "a,a"}, "names a column twice"),
    ({"columns": "a", "scale": ["b=2"]}, "not in --columns: b"),
    ({"shard_rows": 1000}, "power of two"),
    ({"shard_rows": 1 << 25}, "power of two"),
])
def test_bad_options_are_usage_errors(options, says):
    with pytest.raises(ValidationError, match=says):
        StatementOptions(**options)


def test_column_bounds_are_normalized_to_the_scale():
    col = ColumnSpec(name="p", kind="fixed", scale=2, lo="-1.5", hi=D("99.9"))
    assert (str(col.lo), str(col.hi)) == ("-1.50", "99.90")
    assert (col.lo_scaled, col.hi_scaled) == (-150, 9990)
    assert col.range_bits == (9990 + 150).bit_length()
    assert ColumnSpec.model_validate_json(col.model_dump_json()) == col
    assert col.model_dump(mode="json")["lo"] == "-1.50"


@pytest.mark.parametrize("fields, says", [
    ({"kind": "int", "scale": 2}, "kind 'int' has scale 0"),
    ({"kind": "fixed", "scale": 2, "lo": "1.555"}, "not exact at scale 2"),
    ({"lo": "9223372036854775808"}, "does not fit a signed 64-bit integer"),
    ({"kind": "fixed", "scale": 1, "hi": "922337203685477580.8"}, "does not fit"),
    ({"lo": 3, "hi": 2}, "exceeds upper bound"),
    ({"lo": 1.5}, "not floats"),
    ({"hi": "Infinity"}, "should be a finite number"),
    ({"name": ""}, "at least 1 character"),
])
def test_bad_column_specs(fields, says):
    with pytest.raises(ValidationError, match=says):
        ColumnSpec(**{"name": "c", **fields})


def test_unresolved_column_has_no_scaled_bounds():
    with pytest.raises(ValueError, match="resolve the statement first"):
        ColumnSpec(name="c").lo_scaled


def test_statement_spec_rejects_duplicates_and_round_trips():
    col = ColumnSpec(name="a", lo=0, hi=1)
    with pytest.raises(ValidationError, match="more than once: a"):
        StatementSpec(columns=(col, col))
    spec = StatementSpec(columns=(col, ColumnSpec(name="b", kind="fixed", scale=3, lo=0, hi=1)),
                         shard_rows=1 << 12)
    assert StatementSpec.model_validate_json(spec.model_dump_json()) == spec
    assert spec.names == ("a", "b") and spec.log_shard_rows == 12 and spec.resolved


@pytest.mark.parametrize("value, scale, expected", [
    ("1.25", 2, 125), ("1.25", 3, 1250), ("-1.2", 1, -12), ("1E+3", 0, 1000), ("1.25", 1, None),
    ("0.000", 0, 0), ("-0", 2, 0), ("12345678901234567890123456789.5", 1,
                                    123456789012345678901234567895),
])
def test_scaled_int_is_exact(value, scale, expected):
    assert scaled_int(D(value), scale) == expected


@pytest.mark.parametrize("data_type, scale, expected", [
    (pa.int8(), 0, (-128, 127)),
    (pa.uint16(), 2, (0, 6_553_500)),
    (pa.int64(), 0, (-(1 << 63), (1 << 63) - 1)),
    (pa.int64(), 3, (-(1 << 63), (1 << 63) - 1)),  # clamped
    (pa.uint64(), 0, (0, (1 << 63) - 1)),  # clamped
    (pa.decimal128(5, 2), 2, (-99_999, 99_999)),
    (pa.decimal128(5, 2), 4, (-9_999_900, 9_999_900)),
    (pa.decimal128(5, 2), 0, (-999, 999)),
    (pa.decimal128(38, 0), 0, (-(1 << 63), (1 << 63) - 1)),
    (pa.float64(), 2, (-(2**52 - 1), 2**52 - 1)),
    (pa.float32(), 0, (-(2**23 - 1), 2**23 - 1)),
    (pa.dictionary(pa.int8(), pa.int16()), 0, (-32768, 32767)),
])
def test_type_range(data_type, scale, expected):
    assert type_range(data_type, scale) == expected


SCHEMA = pa.schema([("id", pa.int32()), ("name", pa.string()), ("price", pa.float64()),
                    ("amount", pa.decimal128(7, 3)), ("n", pa.uint8())])
SAMPLE = pa.record_batch([pa.array([1, 2], pa.int32()), pa.array(["a", "b"]),
                          pa.array([1.5, 2.25]),
                          pa.array([D("1.000"), D("2.500")], pa.decimal128(7, 3)),
                          pa.array([3, 4], pa.uint8())], schema=SCHEMA)


def test_defaults_prove_every_numeric_column_at_its_type_range():
    spec = resolve_statement(SCHEMA, sample=SAMPLE, file="f.csv")
    assert spec.names == ("id", "price", "amount", "n")
    by_name = {c.name: c for c in spec.columns}
    assert by_name["id"].model_dump() == {"name": "id", "kind": "int", "scale": 0,
                                          "lo": D(-2**31), "hi": D(2**31 - 1)}
    price = by_name["price"]
    assert (price.kind, price.scale) == ("fixed", 2)  # 2.25 needs two decimals
    assert (price.lo_scaled, price.hi_scaled) == (-(2**52 - 1), 2**52 - 1)
    amount = by_name["amount"]
    assert (amount.kind, amount.scale, str(amount.lo), str(amount.hi)) == \
        ("fixed", 3, "-9999.999", "9999.999")
    assert (by_name["n"].lo_scaled, by_name["n"].hi_scaled) == (0, 255)


def test_explicit_options_win():
    options = StatementOptions(columns="n,price", scale=["price=3", "n=1"], bounds=["price=0:",
                                                                               "n=:9.5"])
    spec = resolve_statement(SCHEMA, options, sample=SAMPLE)
    n, price = spec.columns
    assert (n.kind, n.scale, n.lo_scaled, n.hi_scaled) == ("fixed", 1, 0, 95)
    assert (price.scale, str(price.lo), price.hi_scaled) == (3, "0.000", 2**52 - 1)
    assert spec.shard_rows == options.shard_rows


def test_without_a_sample_float_scale_defaults_to_zero():
    assert resolve_statement(SCHEMA, StatementOptions(columns="price")).columns[0].scale == 0


@pytest.mark.parametrize("options, column, says", [
    (StatementOptions(columns="id,nope"), "nope", "no such column (the file has: id, name,"),
    (StatementOptions(columns="name"), "name", "type string cannot be proved"),
    (StatementOptions(scale=["nope=2"]), "nope", "no such column"),
    (StatementOptions(bounds=["name=0:1"]), "name", "not a column that can be proved"),
    (StatementOptions(columns="id", bounds=["id=0.5:1"]), "id", "not exact at scale 0"),
])
def test_options_that_do_not_fit_the_file(options, column, says):
    with pytest.raises(InputError) as info:
        resolve_statement(SCHEMA, options, sample=SAMPLE, file="f.parquet")
    assert (info.value.file, info.value.column) == ("f.parquet", column)
    assert says in str(info.value)


def test_no_numeric_columns():
    with pytest.raises(InputError, match="no integer, decimal or float column"):
        resolve_statement(pa.schema([("s", pa.string())]), file="f.csv")


def test_float_scale_inference_failure_names_the_row():
    sample = pa.record_batch({"x": pa.array([0.5, 0.1 + 0.2, 1.0])})
    with pytest.raises(InputError) as info:
        resolve_statement(sample.schema, sample=sample, file="f.csv")
    assert (info.value.row, info.value.column) == (1, "x")
    assert "0.30000000000000004 has more than 15 decimals" in str(info.value)
