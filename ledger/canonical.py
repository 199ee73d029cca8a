"""Canonical JSON (RFC 8785, JCS): the one byte form of every ledger entry.

An entry's bytes are its log leaf and its entry_id is their SHA-256, so one JSON value must have
exactly one encoding. `dumps` writes it with the `rfc8785` package; `loads` accepts only bytes that
`dumps` would write for the value they hold (a parser that took any JSON would let two byte strings,
two leaf hashes, stand for one entry).

JCS numbers are IEEE doubles, so an integer beyond +-(2^53 - 1) has no exact JSON number. Such
integers (a dataset's column sum over a million int64 values easily is one) are written as their
decimal string, the I-JSON convention (RFC 7493 section 2.2), and `loads` reads a number token
beyond that range as the double it is. The rule is a function of the value alone, so it keeps one
encoding per value; models read the strings back into their int fields.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from typing import Any

import rfc8785

from engine.errors import InputError

MAX_SAFE_INT = (1 << 53) - 1


_FLOAT, _ASTRAL = 0, 1  # what _prepare found: a float; a key outside the BMP


def _prepare(value: Any, found: list[bool]) -> Any:
    """to_ijson's walk; records floats and keys outside the BMP in `found`."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise InputError(f"not representable as canonical JSON: object keys must be "
                                 f"strings, got {type(k).__name__}")
            if not k.isascii() and any(ord(c) > 0xFFFF for c in k):
                found[_ASTRAL] = True
            out[k] = _prepare(v, found)
        return out
    if kind is list or kind is tuple:
        return [_prepare(v, found) for v in value]
    if kind is int:
        return value if -MAX_SAFE_INT <= value <= MAX_SAFE_INT else str(value)
    if kind is float:
        found[_FLOAT] = True
        return value
    for base, plain_value in ((str, str.__str__), (int, int), (float, float), (dict, dict),
                              (list, list), (tuple, list)):  # subclasses (enums): their base
        if isinstance(value, base):
            return _prepare(plain_value(value), found)
    raise InputError(f"{kind.__name__} is not a JSON value")


def to_ijson(value: Any) -> Any:
    """`value` with every integer outside +-(2^53 - 1) replaced by its decimal string."""
    return _prepare(value, [False, False])


def es6_number(x: float) -> str:
    """A double as ECMAScript's Number::toString writes it (RFC 8785 section 3.2.2.3).

    Python's repr and ES6 both give the shortest digits that round-trip; only the layout
    differs: ES6 writes plain decimals for 1e-7 < |x| < 1e21 and `d.ddde+N` outside.
    """
    if x != x or x in (math.inf, -math.inf):
        raise InputError(f"not representable as canonical JSON: {x} is not a JSON number")
    if x == 0:
        return "0"
    text = repr(x)
    sign = "-" if text[0] == "-" else ""
    mantissa, _, exponent = text.lstrip("-").partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    digits = all_digits.lstrip("0")
    n = len(whole) + int(exponent or 0) - (len(all_digits) - len(digits))  # x = 0.digits * 10^n
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * -n + digits
    else:
        e = f"{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
        body = digits + "e" + e if k == 1 else digits[0] + "." + digits[1:] + "e" + e
    return sign + body


def _encode(value: Any, out: list[str]) -> None:
    """JCS text of a prepared value whose keys are all in the BMP (code point order = UTF-16)."""
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif kind is dict:
        out.append("{")
        for i, key in enumerate(sorted(value)):
            out.append("," if i else "")
            out.append(encode_basestring(key))
            out.append(":")
            _encode(value[key], out)
        out.append("}")
    elif kind is list:
        out.append("[")
        for i, item in enumerate(value):
            out.append("," if i else "")
            _encode(item, out)
        out.append("]")
    elif kind is float:
        out.append(es6_number(value))
    elif kind is int:
        out.append(str(value))  # _prepare made big ones strings
    else:
        out.append("null" if value is None else "true" if value else "false")


def dumps(value: Any) -> bytes:
    """The RFC 8785 bytes of a JSON value (str-keyed dicts, lists, str, int, float, bool, None).

    JCS's string escapes are the standard library's (ensure_ascii=False), and inside the BMP code
    point order is UTF-16 order, so with every key in the BMP the bytes come from `json.dumps`
    (no floats) or from `_encode` with ES6 number formatting (floats): several times faster than
    the `rfc8785` package, which writes the rest (keys outside the BMP). Tests hold every path
    equal to the package.
    """
    found = [False, False]
    value = _prepare(value, found)
    try:
        if found[_ASTRAL]:
            return rfc8785.dumps(value)
        if found[_FLOAT]:
            out: list[str] = []
            _encode(value, out)
            return "".join(out).encode("utf-8")
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                          allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("not representable as canonical JSON: input contains non-UTF-8 code "
                         "points") from None
    except rfc8785.CanonicalizationError as exc:
        raise InputError(f"not representable as canonical JSON: {exc}") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"JSON object has the key {key!r} twice")
        out[key] = value
    return out


def _number(text: str) -> int | float:
    """A JSON integer token; beyond +-(2^53 - 1) it can only be a double (big ints are strings)."""
    value = int(text)
    return value if -MAX_SAFE_INT <= value <= MAX_SAFE_INT else float(value)


def _no_constant(name: str) -> Any:
    raise InputError(f"JSON has {name}, which is not a JSON number")


def parse(data: bytes) -> Any:
    """Parse JSON bytes strictly (UTF-8, no duplicate keys, no NaN or Infinity, the big-integer
    rule) *without* checking that they are canonical: for callers that compare a re-encoding
    with `data` themselves."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"canonical JSON must be bytes, got {type(data).__name__}")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_number,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at byte {_byte_offset(text, exc.pos)}") from None


def check_canonical(data: bytes, value: Any) -> None:
    """Raise InputError unless `data` is exactly `dumps(value)`, naming the first differing byte."""
    again = dumps(value)
    if again != data:
        at = next((i for i, (a, b) in enumerate(zip(data, again)) if a != b),
                  min(len(data), len(again)))
        raise InputError(f"JSON is not in canonical form (RFC 8785): first difference at byte {at}"
                         f" (got {data[at:at + 16]!r}, canonical {again[at:at + 16]!r})")


def loads(data: bytes) -> Any:
    """Parse canonical JSON bytes; anything that is not exactly `dumps(value)` is an InputError."""
    value = parse(data)
    check_canonical(bytes(data), value)
    return value


def _byte_offset(text: str, char_pos: int) -> int:
    return len(text[:char_pos].encode("utf-8"))


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The dotted path of the first place two JSON values differ in canonical form, else None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            sub = f"{path}.{key}" if path else key
            if key not in a or key not in b:
                return sub
            if (found := first_difference(a[key], b[key], sub)) is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path or "(top)"
        for i, (x, y) in enumerate(zip(a, b)):
            if (found := first_difference(x, y, f"{path}[{i}]")) is not None:
                return found
        return None
    return None if dumps(a) == dumps(b) else (path or "(top)")


__all__ = ["MAX_SAFE_INT", "check_canonical", "dumps", "es6_number", "first_difference", "loads", "parse",
           "to_ijson"]
