"""The statement a notarization proves about a dataset: which columns, how each becomes an
integer (as it is, or fixed point with `scale` decimals), and the public bounds of every value.

Two layers, so that a typo in a command line and a file that does not match are different errors:
- `StatementOptions` is what a user asks for: `--columns a,b --scale b=2 --bounds a=LO:HI` or
  the Python API's mappings. Malformed options raise pydantic's `ValidationError` (a usage error).
- `StatementSpec` is the statement itself, `resolve_statement` fits the options to a file's schema:
  every column exists and is numeric, and has a scale and both bounds. A mismatch with the file
  raises `InputError` naming the file and column. The resolved spec is what a notarization stores.

Decisions:
- Bounds are decimals in the column's own units (`--scale price=2 --bounds price=0:99.95`) and must
  be exact at the column's scale; they are stored normalized to that scale (`"99.95"`, `"0.00"`).
  `lo_scaled`/`hi_scaled` are the integers the circuit range-checks (`v - lo` in `[0, hi - lo]`).
- Encoded values are signed 64-bit integers, so `hi - lo < 2^64`: a range check of at most 64 bits.
- A bound left out defaults to the column type's range at its scale (`type_range`), clamped to
  the signed 64-bit range. For floats that is the range in which a float still names one decimal
  exactly (see `engine.dataset.field_encoding`).
- Default columns: every integer, decimal and float column, in schema order. Default scale: 0 for
  integers, the type's scale for decimals, and for floats the fewest decimals (up to 15) that encode
  every value of the first batch exactly; like CSV column types, it is fixed by the first block,
  and a later value that needs more decimals is an error naming its row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Literal

import pyarrow as pa
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, ValidationInfo,
                      field_validator, model_validator)

from engine.dataset.field_encoding import float_limit, infer_float_scale
from engine.errors import InputError

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
MAX_SCALE = 18  # 10^18 < 2^63: a scale-18 column still holds values of magnitude up to 9
DEFAULT_SHARD_ROWS = 1 << 10
MAX_SHARD_ROWS = 1 << 24

Bound = Decimal | None


def scaled_int(value: Decimal, scale: int) -> int | None:
    """value * 10^scale as an exact int, or None when it has more than `scale` decimals."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return None  # NaN or infinity
    magnitude = int("".join(map(str, digits)) or "0")
    shift = exponent + scale
    if shift >= 0:
        magnitude *= 10 ** shift
    else:
        magnitude, rest = divmod(magnitude, 10 ** -shift)
        if rest:
            return None
    return -magnitude if sign else magnitude


def unscaled_decimal(value: int, scale: int) -> Decimal:
    """The decimal value / 10^scale, written with exactly `scale` decimals."""
    return Decimal(value).scaleb(-scale)


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("give bounds as decimal strings or integers, not floats "
                         "(a float has no exact decimal value)")
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"bound {value!r} is not a decimal number") from None
    return value


class ColumnSpec(BaseModel):
    """One proved column. `lo`/`hi` are None until resolved against a schema."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    kind: Literal["int", "fixed"] = "int"
    scale: int = Field(default=0, ge=0, le=MAX_SCALE)
    lo: Bound = None
    hi: Bound = None

    @field_validator("lo", "hi", mode="before")
    @classmethod
    def _parse_bound(cls, value: object) -> object:
        return _no_float(value)

    @field_validator("lo", "hi")
    @classmethod
    def _exact_at_scale(cls, value: Bound, info: ValidationInfo) -> Bound:
        if value is None or "scale" not in info.data:
            return value
        scale = info.data["scale"]
        scaled = scaled_int(value, scale)
        if scaled is None:
            raise ValueError(f"bound {value} is not exact at scale {scale} "
                             f"(more than {scale} decimals)")
        if not INT64_MIN <= scaled <= INT64_MAX:
            raise ValueError(f"bound {value} times 10^{scale} does not fit a signed 64-bit integer")
        return unscaled_decimal(scaled, scale)

    @model_validator(mode="after")
    def _consistent(self) -> ColumnSpec:
        if self.kind == "int" and self.scale != 0:
            raise ValueError(f"column {self.name}: kind 'int' has scale 0 (use kind 'fixed')")
        if self.lo is not None and self.hi is not None and self.lo > self.hi:
            raise ValueError(f"column {self.name}: lower bound {self.lo} exceeds upper bound "
                             f"{self.hi}")
        return self

    @property
    def resolved(self) -> bool:
        return self.lo is not None and self.hi is not None

    @property
    def lo_scaled(self) -> int:
        """The lower bound in encoded units (an integer); the column must be resolved."""
        return self._scaled(self.lo)

    @property
    def hi_scaled(self) -> int:
        return self._scaled(self.hi)

    @property
    def range_bits(self) -> int:
        """Bits of the range check `v - lo` in `[0, hi - lo]` (at most 64)."""
        return (self.hi_scaled - self.lo_scaled).bit_length()

    def _scaled(self, bound: Bound) -> int:
        if bound is None:
            raise ValueError(f"column {self.name} has no bounds yet: resolve the statement first")
        scaled = scaled_int(bound, self.scale)
        assert scaled is not None  # validated on construction
        return scaled


def _check_shard_rows(value: int) -> int:
    if not 1 <= value <= MAX_SHARD_ROWS or value & (value - 1):
        raise ValueError(f"shard_rows must be a power of two between 1 and 2^24, not {value}")
    return value


class StatementSpec(BaseModel):
    """The proved statement: columns in proof order and the shard size 2^k."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: tuple[ColumnSpec, ...] = Field(min_length=1)
    shard_rows: int = DEFAULT_SHARD_ROWS

    _shard_rows = field_validator("shard_rows")(_check_shard_rows)

    @field_validator("columns")
    @classmethod
    def _unique(cls, columns: tuple[ColumnSpec, ...]) -> tuple[ColumnSpec, ...]:
        names = [c.name for c in columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"column named more than once: {', '.join(duplicates)}")
        return columns

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def resolved(self) -> bool:
        return all(c.resolved for c in self.columns)

    @property
    def log_shard_rows(self) -> int:
        return self.shard_rows.bit_length() - 1


def _split_pairs(value: object, what: str) -> object:
    """CLI repetitions `["b=2", "c=3"]` (or one string "b=2,c=3" for scale) -> dict."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Sequence):
        pairs = {}
        for item in value:
            name, sep, rest = str(item).partition("=")
            if not sep or not name.strip():
                raise ValueError(f"{what} option {item!r} is not NAME=VALUE")
            if name.strip() in pairs:
                raise ValueError(f"{what} given twice for column {name.strip()}")
            pairs[name.strip()] = rest.strip()
        return pairs
    return value


def _parse_range(value: object) -> object:
    """`"LO:HI"` (either side may be empty) -> (LO, HI); tuples/lists pass through."""
    if isinstance(value, str):
        lo, sep, hi = value.partition(":")
        if not sep:
            raise ValueError(f"bounds {value!r} are not LO:HI")
        return (lo.strip() or None, hi.strip() or None)
    return value


class StatementOptions(BaseModel):
    """What a user asks to prove; names are checked against a file by `resolve_statement`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: tuple[str, ...] | None = None
    scale: dict[str, int] = Field(default_factory=dict)
    bounds: dict[str, tuple[Bound, Bound]] = Field(default_factory=dict)
    shard_rows: int = DEFAULT_SHARD_ROWS

    _shard_rows = field_validator("shard_rows")(_check_shard_rows)

    @field_validator("columns", mode="before")
    @classmethod
    def _split_columns(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, Sequence):
            names = [str(v).strip() for v in value]
            if not names:
                raise ValueError("the column list is empty")
            if not all(names):
                raise ValueError(f"column list {value!r} has an empty name")
            if len(set(names)) != len(names):
                raise ValueError(f"column list {value!r} names a column twice")
            return tuple(names)
        return value

    @field_validator("scale", mode="before")
    @classmethod
    def _parse_scale(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        return _split_pairs(value, "scale")

    @field_validator("scale")
    @classmethod
    def _scale_range(cls, value: dict[str, int]) -> dict[str, int]:
        for name, scale in value.items():
            if not 0 <= scale <= MAX_SCALE:
                raise ValueError(f"scale of column {name} must be in 0..{MAX_SCALE}, not {scale}")
        return value

    @field_validator("bounds", mode="before")
    @classmethod
    def _parse_bounds(cls, value: object) -> object:
        pairs = _split_pairs(value, "bounds")
        if not isinstance(pairs, Mapping):
            return pairs
        parsed = {}
        for name, rng in pairs.items():
            rng = _parse_range(rng)
            if isinstance(rng, (tuple, list)):
                rng = tuple(None if b is None else _no_float(b) for b in rng)
            parsed[name] = rng
        return parsed

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, value: dict[str, tuple[Bound, Bound]]) -> dict[str, tuple[Bound, Bound]]:
        for name, (lo, hi) in value.items():  # pydantic has rejected NaN and infinities
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"column {name}: lower bound {lo} exceeds upper bound {hi}")
        return value

    @model_validator(mode="after")
    def _options_name_chosen_columns(self) -> StatementOptions:
        if self.columns is not None:
            stray = sorted((set(self.scale) | set(self.bounds)) - set(self.columns))
            if stray:
                raise ValueError(f"scale or bounds given for columns not in --columns: "
                                 f"{', '.join(stray)}")
        return self


def _values_type(data_type: pa.DataType) -> pa.DataType:
    """A dictionary column is proved by its values."""
    return data_type.value_type if pa.types.is_dictionary(data_type) else data_type


def provable(data_type: pa.DataType) -> bool:
    """Integer, decimal and float columns can be proved (dictionary-encoded ones by value)."""
    t = _values_type(data_type)
    return pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_floating(t)


def type_range(data_type: pa.DataType, scale: int) -> tuple[int, int]:
    """(lo, hi) in encoded units: the values this type can hold at `scale`, clamped to int64."""
    t = _values_type(data_type)
    if pa.types.is_integer(t):
        bits = t.bit_width
        lo, hi = ((-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if pa.types.is_signed_integer(t)
                  else (0, (1 << bits) - 1))
        lo, hi = lo * 10 ** scale, hi * 10 ** scale
    elif pa.types.is_decimal(t):
        top = 10 ** t.precision - 1
        shift = scale - t.scale
        hi = top * 10 ** shift if shift >= 0 else top // 10 ** -shift
        lo = -hi
    elif pa.types.is_floating(t):
        hi = float_limit(t) - 1
        lo = -hi
    else:
        raise ValueError(f"type {t} has no numeric range")
    return max(lo, INT64_MIN), min(hi, INT64_MAX)


def _default_scale(name: str, t: pa.DataType, sample: pa.RecordBatch | None,
                   file: str | None) -> int:
    if pa.types.is_decimal(t):
        if t.scale > MAX_SCALE:
            raise InputError(f"decimal scale {t.scale} exceeds {MAX_SCALE}; give --scale "
                             f"{name}=N explicitly", file=file, column=name)
        return max(t.scale, 0)
    if pa.types.is_floating(t) and sample is not None and sample.num_rows:
        return infer_float_scale(sample.column(name), column=name, file=file)
    return 0


def _column_names(schema: pa.Schema, options: StatementOptions, file: str | None) -> list[str]:
    """The columns asked for, or every provable one; options must name only those."""
    if options.columns is not None:
        return list(options.columns)
    names = [f.name for f in schema if provable(f.type)]
    for name in sorted((set(options.scale) | set(options.bounds)) - set(names)):
        if name in schema.names:
            raise InputError("not a column that can be proved (integer, decimal or float)",
                             file=file, column=name)
        raise InputError(f"no such column (the file has: {', '.join(schema.names)})", file=file,
                         column=name)
    if not names:
        raise InputError(f"no integer, decimal or float column to prove (the file has: "
                         f"{', '.join(schema.names)}); name columns with --columns", file=file)
    return names


def _resolve_column(name: str, schema: pa.Schema, options: StatementOptions,
                    sample: pa.RecordBatch | None, file: str | None) -> ColumnSpec:
    if name not in schema.names:
        raise InputError(f"no such column (the file has: {', '.join(schema.names)})", file=file,
                         column=name)
    data_type = schema.field(name).type
    if not provable(data_type):
        raise InputError(f"type {data_type} cannot be proved: only integer, decimal and "
                         f"float columns", file=file, column=name)
    t = _values_type(data_type)
    scale = options.scale[name] if name in options.scale else _default_scale(name, t, sample, file)
    type_lo, type_hi = type_range(t, scale)
    lo, hi = options.bounds.get(name, (None, None))
    kind = "int" if pa.types.is_integer(t) and scale == 0 else "fixed"
    try:
        return ColumnSpec(name=name, kind=kind, scale=scale,
                          lo=unscaled_decimal(type_lo, scale) if lo is None else lo,
                          hi=unscaled_decimal(type_hi, scale) if hi is None else hi)
    except ValidationError as exc:  # a bound the column's scale cannot hold
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise InputError(message, file=file, column=name) from None


def resolve_statement(schema: pa.Schema, options: StatementOptions | None = None, *,
                      sample: pa.RecordBatch | None = None,
                      file: str | None = None) -> StatementSpec:
    """Fit `options` to a file's schema; `sample` (the first batch) fixes default float scales.

    Typical use: `reader = open_dataset(path)`, `first = next(iter(reader))`, then
    `resolve_statement(reader.schema, options, sample=first.data, file=reader.display)`."""
    options = options or StatementOptions()
    columns = tuple(_resolve_column(name, schema, options, sample, file)
                    for name in _column_names(schema, options, file))
    return StatementSpec(columns=columns, shard_rows=options.shard_rows)
