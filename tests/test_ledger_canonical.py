"""Canonical JSON: the RFC 8785 examples, big integers as strings, and every non-canonical byte
form rejected by `loads`."""

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError
from ledger import canonical

# RFC 8785 section 3.2.2 (value serialization) and 3.2.3 (property sorting), input and output.
RFC_322_IN = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
              ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
              ' "literals": [null, true, false]}')
RFC_322_OUT = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
               '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}').encode()
RFC_323_IN = ('{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet'
              ' With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080":'
              ' "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}')
RFC_323_KEYS = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_rfc8785_value_serialization_example():
    assert canonical.dumps(json.loads(RFC_322_IN)) == RFC_322_OUT
    assert canonical.loads(RFC_322_OUT) == json.loads(RFC_322_IN)


def test_rfc8785_property_sorting_example():
    out = canonical.dumps(json.loads(RFC_323_IN))
    assert list(json.loads(out)) == RFC_323_KEYS  # UTF-16 code unit order
    assert out.startswith(b'{"\\r":"Carriage Return","1":"One","\xc2\x80":"Control"')


def test_integers_beyond_2_53_are_decimal_strings():
    assert canonical.dumps({"a": (1 << 53) - 1, "b": 1 << 53, "c": -(1 << 63)}) == (
        b'{"a":9007199254740991,"b":"9007199254740992","c":"-9223372036854775808"}')
    assert canonical.loads(b'{"b":"9007199254740992"}') == {"b": "9007199254740992"}
    assert canonical.to_ijson([True, (1 << 60,), {"x": 3}]) == [True, [str(1 << 60)], {"x": 3}]
    # a number token that large can only be a double
    big = canonical.loads(b'{"a":9007199254740992}')["a"]
    assert type(big) is float and big == 1 << 53


@pytest.mark.parametrize("text", [
    b'{"a": 1}',                      # whitespace
    b'{"b":1,"a":2}',                 # key order
    b'{"a":1.0}',                     # number form
    b'{"a":1E2}',
    b'{"a":-0}',
    b'{"a":"\\u00e9"}',               # escaped non-ASCII
    b'{"a":"\\/"}',                   # escaped slash
    b'{"a":1}\n',                     # trailing newline
])
def test_loads_rejects_non_canonical_bytes(text):
    json.loads(text)  # valid JSON ...
    with pytest.raises(InputError, match="canonical form"):
        canonical.loads(text)  # ... but not the canonical bytes of its value


@pytest.mark.parametrize("text, match", [
    (b'{"a":1,"a":1}', "key 'a' twice"),
    (b'{"a":NaN}', "NaN"),
    (b'{"a":Infinity}', "Infinity"),
    (b'{"a":1', "not JSON"),
    (b'{"a":1}x', "not JSON"),
    (b'', "not JSON"),
    (b'{"a":"\xff"}', "not UTF-8 at byte 6"),
    (b'{"a":1e400}', "not representable"),
])
def test_loads_rejects_malformed_bytes(text, match):
    with pytest.raises(InputError, match=match):
        canonical.loads(text)


def test_loads_takes_bytes_only():
    with pytest.raises(InputError, match="must be bytes"):
        canonical.loads('{"a":1}')


@pytest.mark.parametrize("value, match", [
    ({1: 2}, "keys must be strings"),
    ({"a": float("nan")}, "not representable"),
    ({"a": b"raw"}, "bytes is not a JSON value"),
])
def test_dumps_rejects_non_json_values(value, match):
    with pytest.raises(InputError, match=match):
        canonical.dumps(value)


def test_first_difference_names_the_path():
    a = {"x": {"y": [1, 2, {"z": 1}]}, "w": 1}
    assert canonical.first_difference(a, json.loads(json.dumps(a))) is None
    assert canonical.first_difference(a, {"x": {"y": [1, 2, {"z": "1"}]}, "w": 1}) == "x.y[2].z"
    assert canonical.first_difference(a, {"x": {"y": [1, 2]}, "w": 1}) == "x.y"
    assert canonical.first_difference(a, {"x": a["x"]}) == "w"
    assert canonical.first_difference({"r": 1}, {"r": 1.0}) is None  # same JCS number


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(1 << 70), 1 << 70) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=12)


@settings(max_examples=50, deadline=None)
@given(json_values)
def test_dumps_loads_round_trip(value):
    data = canonical.dumps(value)
    again = canonical.loads(data)
    assert canonical.dumps(again) == data
    assert canonical.first_difference(canonical.to_ijson(value), again) is None


plain_values = st.recursive(  # no floats: what dumps writes with the standard library
    st.none() | st.booleans() | st.integers(-(1 << 70), 1 << 70) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=6),
        inner, max_size=5),
    max_leaves=16)


@settings(max_examples=200, deadline=None)
@given(plain_values)
def test_fast_path_equals_the_rfc8785_package(value):
    assert canonical.dumps(value) == rfc8785.dumps(canonical.to_ijson(value))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_float_path_equals_the_rfc8785_package(value):
    assert canonical.dumps([value, 0.5]) == rfc8785.dumps(canonical.to_ijson([value, 0.5]))


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False)
       | st.sampled_from([1e21, 1e-7, 1e-6, 9.999999999999999e20, 123456789012345680000.0,
                          5e-324, 1.7976931348623157e308, 0.1, 1e16, 2.0 ** 53, 4.35, -0.0]))
def test_es6_numbers_equal_the_rfc8785_package(x):
    assert canonical.es6_number(x).encode() == rfc8785.dumps(x)


@pytest.mark.parametrize("value", [
    {"\U0001f600": 1, "\ufb33": 2, "a\x00\x1f\x7f\"\\/\u2028": "\x08\x0c\n\r\t\x01\x7f"},
    {"k": 0.1}, [1e21, 1e-7, -0.0, 5e-324], {"\ud7ff": 1, "\ue000": 2},
])
def test_every_path_equals_the_rfc8785_package(value):
    assert canonical.dumps(value) == rfc8785.dumps(value)


def test_subclasses_are_written_as_their_base_type():
    import enum

    class Colour(str, enum.Enum):
        RED = "red"

    class Size(enum.IntEnum):
        BIG = 1 << 60
    assert canonical.dumps({"c": Colour.RED, "s": Size.BIG}) == (
        b'{"c":"red","s":"1152921504606846976"}')


def test_lone_surrogates_are_rejected():
    with pytest.raises(InputError, match="non-UTF-8"):
        canonical.dumps({"a": "\ud800"})
