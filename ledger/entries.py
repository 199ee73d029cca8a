"""The four ledger entry kinds, their canonical bytes and their ids (docs/ledger-storage.md).

An entry is a pydantic model; its canonical JSON (RFC 8785, ledger.canonical) is the log leaf, and
entry_id = sha256 hex of those bytes. Common fields: "v" (schema version, 1), "kind", "time"
(RFC 3339 UTC with microseconds, set by the ledger at append) and "dataset" ({name, version,
dataset_id}: the dataset the entry is about). The kind fields follow the ledger contract:

- notarize:  notarization (engine.notarization.DatasetNotarization), location (absolute path of the
             file, for recertify), backend ("cpu" | "cuda"); dataset.dataset_id must be the
             notarization's content id;
- transform: inputs (dataset ids) -> output (a dataset id, = dataset.dataset_id), operation,
             parameters (a JSON object), code_hash ("sha256:<hex>");
- split:     parent (= dataset.dataset_id) -> children [{dataset_id, name, version, ratio}], seed,
             method;
- recertify: target (entry_id of the notarize entry re-checked), status, file_sha256, row_root and
             reason (null when not known).

Checks that need the rest of the ledger (transform inputs notarized here, split counts and sums
adding up, a recertify target existing) belong to the code that appends, not to these models.

`parse_entry` is strict: the bytes must be canonical JSON, "v" must be 1, every field must be
known and well formed, and the model must write back exactly the bytes it was read from (so a
number stored as a string, or a missing field with a default, is an error naming the field).
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime, timezone
from typing import Annotated, Literal, Union

from pydantic import (BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError,
                      field_validator, model_validator)

from engine.errors import InputError
from engine.notarization import DatasetNotarization
from ledger import canonical

SCHEMA_VERSION = 1
KINDS = ("notarize", "transform", "split", "recertify")

_HEX64 = r"^[0-9a-f]{64}$"
_HEX64_RE = re.compile(_HEX64)
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

Hex64 = Annotated[str, Field(pattern=_HEX64)]
EntryId = Hex64
DatasetId = Annotated[str, Field(pattern=r"^ds-[0-9a-f]{32}$")]
# Dataset names also appear in CLI references ("name", "name@version"), so '@' and '#' are out.
DatasetName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$")]


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds, the only form an entry's time takes."""
    if moment.tzinfo is None:
        raise InputError("entry times must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime(_TIME_FORMAT)


def utc_now() -> str:
    return format_time(datetime.now(timezone.utc))


def parse_time(text: str) -> datetime:
    """The moment an entry's time string names (UTC)."""
    if not isinstance(text, str) or not _TIME_RE.match(text):
        raise InputError(f"time {text!r} is not RFC 3339 UTC with microseconds "
                         f"(YYYY-MM-DDTHH:MM:SS.ffffffZ)")
    try:
        return datetime.fromisoformat(text)  # the pattern fixed the layout; this checks the date
    except ValueError as exc:
        raise InputError(f"time {text!r}: {exc}") from None


def _check_time(text: str) -> str:
    try:
        parse_time(text)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return text


def dataset_id(file_sha256: str, row_root: str) -> str:
    """The content id of a dataset: "ds-" + 32 hex of sha256(file_sha256 ":" row_root)."""
    for name, value in (("file_sha256", file_sha256), ("row_root", row_root)):
        if not isinstance(value, str) or not _HEX64_RE.match(value):
            raise InputError(f"{name} must be 64 lowercase hex digits, got {value!r}")
    return "ds-" + hashlib.sha256(f"{file_sha256}:{row_root}".encode()).hexdigest()[:32]


class DatasetRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: DatasetName
    version: int = Field(ge=1)
    dataset_id: DatasetId


class _EntryBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    v: Literal[1] = SCHEMA_VERSION
    time: str
    dataset: DatasetRef

    _time = field_validator("time")(_check_time)


class NotarizeEntry(_EntryBase):
    kind: Literal["notarize"] = "notarize"
    notarization: DatasetNotarization
    location: str
    backend: Literal["cpu", "cuda"]

    @field_validator("location")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not os.path.isabs(value):
            raise ValueError(f"location must be an absolute path, got {value!r}")
        return value

    @model_validator(mode="after")
    def _content_id(self) -> NotarizeEntry:
        expect = dataset_id(self.notarization.file_sha256, self.notarization.row_root)
        if self.dataset.dataset_id != expect:
            raise ValueError(f"dataset.dataset_id {self.dataset.dataset_id} is not the "
                             f"notarization's content id {expect}")
        return self


class TransformEntry(_EntryBase):
    kind: Literal["transform"] = "transform"
    inputs: tuple[DatasetId, ...] = Field(min_length=1)
    output: DatasetId
    operation: str = Field(min_length=1)
    parameters: dict[str, JsonValue]
    code_hash: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]

    @field_validator("parameters")
    @classmethod
    def _exact_numbers(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        if canonical.to_ijson(value) != value:
            raise ValueError(f"integers beyond +-{canonical.MAX_SAFE_INT} have no exact JSON "
                             f"number; give them as strings")
        return value

    @model_validator(mode="after")
    def _about_output(self) -> TransformEntry:
        if self.dataset.dataset_id != self.output:
            raise ValueError(f"a transform is about its output: dataset.dataset_id "
                             f"{self.dataset.dataset_id} is not output {self.output}")
        if self.output in self.inputs:
            raise ValueError(f"output {self.output} is also an input")
        return self


class SplitChild(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset_id: DatasetId
    name: DatasetName
    version: int = Field(ge=1)
    ratio: float = Field(gt=0.0, le=1.0)


class SplitEntry(_EntryBase):
    kind: Literal["split"] = "split"
    parent: DatasetId
    children: tuple[SplitChild, ...] = Field(min_length=1)
    seed: int
    method: str = Field(min_length=1)

    @model_validator(mode="after")
    def _about_parent(self) -> SplitEntry:
        if self.dataset.dataset_id != self.parent:
            raise ValueError(f"a split is about its parent: dataset.dataset_id "
                             f"{self.dataset.dataset_id} is not parent {self.parent}")
        ids = [c.dataset_id for c in self.children]
        if len(set(ids)) != len(ids) or self.parent in ids:
            raise ValueError("split children must be distinct datasets other than the parent")
        return self


class RecertifyEntry(_EntryBase):
    kind: Literal["recertify"] = "recertify"
    target: EntryId
    status: Literal["ok", "changed", "missing", "failed"]
    file_sha256: Hex64 | None
    row_root: Hex64 | None
    reason: str | None


Entry = Annotated[Union[NotarizeEntry, TransformEntry, SplitEntry, RecertifyEntry],
                  Field(discriminator="kind")]
_ADAPTER: TypeAdapter[Entry] = TypeAdapter(Entry)


def entry_json(entry: BaseModel) -> dict:
    """The JSON value of an entry (big integers as strings, see ledger.canonical)."""
    return canonical.to_ijson(entry.model_dump(mode="json"))


def entry_bytes(entry: BaseModel) -> bytes:
    """The canonical JSON bytes of an entry: its log leaf."""
    if not isinstance(entry, _EntryBase):
        raise InputError(f"not a ledger entry: {type(entry).__name__}")
    return canonical.dumps(entry.model_dump(mode="json"))


def entry_id(data: bytes) -> str:
    """sha256 hex of an entry's canonical bytes."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"entry_id takes the entry's bytes, got {type(data).__name__}")
    return hashlib.sha256(data).hexdigest()


def _field_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        path = err["loc"][1:]  # loc[0] is the kind (the union's tag)
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        parts.append(f"entry field {loc or '(top)'}: {err['msg']}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def validate_entry(value: object) -> Entry:
    """An entry from a JSON value (a dict), with errors naming the field."""
    if not isinstance(value, dict):
        raise InputError(f"an entry is a JSON object, got {type(value).__name__}")
    if "v" not in value:
        raise InputError("entry field v: missing (the schema version)")
    v = value["v"]
    if type(v) is not int or v != SCHEMA_VERSION:
        raise InputError(f"entry field v: version {v!r} is not supported (this ledger reads "
                         f"version {SCHEMA_VERSION})")
    if value.get("kind") not in KINDS:
        raise InputError(f"entry field kind: {value.get('kind')!r} is not one of "
                         f"{', '.join(KINDS)}")
    try:
        return _ADAPTER.validate_python(value)
    except ValidationError as exc:
        raise InputError(_field_errors(exc)) from None


def parse_entry(data: bytes) -> Entry:
    """The entry stored as `data`; anything but an entry's exact canonical bytes: InputError."""
    value = canonical.parse(data)
    entry = validate_entry(value)
    if entry_bytes(entry) != data:  # one encoding checks both the JSON form and the schema's
        canonical.check_canonical(bytes(data), value)
        where = canonical.first_difference(value, entry_json(entry))
        raise InputError(f"entry field {where}: not in the form the schema writes "
                         f"(a value of the wrong JSON type, or a field left out)")
    return entry


__all__ = ["KINDS", "SCHEMA_VERSION", "DatasetRef", "Entry", "NotarizeEntry", "RecertifyEntry",
           "SplitChild", "SplitEntry", "TransformEntry", "dataset_id", "entry_bytes", "entry_id",
           "entry_json", "format_time", "parse_entry", "parse_time", "utc_now", "validate_entry"]
