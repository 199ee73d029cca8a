"""The ledger's entries in LMDB: append them whole, look them up by id, dataset, kind and time.

One append is one durable write transaction (ledger.store) holding the entry's bytes (the log
leaf), the tree update (ledger.log) and every index row below, so a crash leaves all of it or none.

Stamping: `append` sets the entry's time to now (RFC 3339 UTC, microseconds) and, for a notarize
entry, dataset.version to one more than the name's last notarized version, inside the write
transaction, so two writers can never hand out the same version. `stamp=False` (bulk import)
keeps both as given and checks that the version is the next one. Times are the writer's clock:
they are not forced to increase, and the time index orders entries that share a time by index.

Index tables (values empty unless said; "index" is the 8-byte big-endian log index):
- ids:           entry id (32 bytes) -> index
- versions:      name 0x00 version(8) -> index of that version's notarize entry
- by_name:       name 0x00 version(8) index -> kind, for every entry about that dataset name
- by_dataset_id: dataset id index -> roles, e.g. b"subject,output" (roles: subject, input, output,
                 parent, child), for every dataset id an entry names: the lineage DAG's edges
- by_kind:       kind 0x00 index
- by_time:       time (27 ASCII bytes) index
Dataset names cannot hold 0x00 (entries.DatasetName), so a name's keys are one contiguous range.
`index_rows` is the single definition of these rows: appends write it, verify_chain recomputes it.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import lmdb

from engine.errors import InputError
from ledger.entries import (KINDS, Entry, NotarizeEntry, RecertifyEntry, SplitEntry,
                            TransformEntry, entry_bytes, entry_id, format_time, parse_entry,
                            parse_time, utc_now)
from ledger.log import MerkleLog, index_key, key_index
from ledger.store import Store

_U64 = struct.Struct(">Q")
ID_PREFIX_MIN = 8
ENTRY_TYPES = (NotarizeEntry, TransformEntry, SplitEntry, RecertifyEntry)
_DATASET_ID = re.compile(r"^ds-[0-9a-f]{32}$")


@dataclass(frozen=True)
class Appended:
    """Where an entry went: its log index, its id, the entry as stamped and its bytes."""

    index: int
    entry_id: str
    entry: Entry
    data: bytes


def _name_key(name: str, version: int) -> bytes:
    return name.encode() + b"\x00" + _U64.pack(version)


def dataset_roles(entry: Entry) -> dict[str, list[str]]:
    """Every dataset id the entry names, with its roles, in a fixed order."""
    roles: dict[str, list[str]] = {entry.dataset.dataset_id: ["subject"]}
    if isinstance(entry, TransformEntry):
        edges = [(d, "input") for d in entry.inputs] + [(entry.output, "output")]
    elif isinstance(entry, SplitEntry):
        edges = [(entry.parent, "parent")] + [(c.dataset_id, "child") for c in entry.children]
    else:
        edges = []
    for dataset, role in edges:
        if role not in roles.setdefault(dataset, []):
            roles[dataset].append(role)
    return roles


def index_rows(index: int, entry: Entry, eid: str) -> list[tuple[str, bytes, bytes]]:
    """The (table, key, value) index rows of entry `index` with id `eid`."""
    at = index_key(index)
    name_key = _name_key(entry.dataset.name, entry.dataset.version)
    rows = [("ids", bytes.fromhex(eid), at),
            ("by_name", name_key + at, entry.kind.encode()),
            ("by_kind", entry.kind.encode() + b"\x00" + at, b""),
            ("by_time", entry.time.encode() + at, b"")]
    if isinstance(entry, NotarizeEntry):
        rows.append(("versions", name_key, at))
    rows += [("by_dataset_id", dataset.encode() + at, ",".join(roles).encode())
             for dataset, roles in dataset_roles(entry).items()]
    return rows


def _time_bound(moment: str | datetime | None) -> bytes | None:
    if moment is None:
        return None
    text = format_time(moment) if isinstance(moment, datetime) else moment
    parse_time(text)
    return text.encode()


class Journal:
    """The ledger's entries over one Store: `log` is their Merkle log."""

    def __init__(self, store: Store):
        self.store = store
        self.log = MerkleLog(store)

    # --- appending ---

    def append(self, entry: Entry, *, stamp: bool = True) -> Appended:
        """Append one entry in a durable transaction of its own (see the module doc on stamping)."""
        return self.append_many([entry], stamp=stamp)[0]

    def append_many(self, entries: Iterable[Entry], *, stamp: bool = True) -> list[Appended]:
        """Append entries in one durable transaction: all of them or none."""
        entries = list(entries)
        for entry in entries:
            if not isinstance(entry, ENTRY_TYPES):
                raise InputError(f"not a ledger entry: {type(entry).__name__}")
        return self.store.write(lambda txn: self._append_in(txn, entries, stamp))

    def _append_in(self, txn: lmdb.Transaction, entries: Sequence[Entry],
                   stamp: bool) -> list[Appended]:
        start = self.log.size(txn)
        ids = self.store.db("ids")
        done = []
        for position, entry in enumerate(entries):
            entry = self._stamped(txn, entry) if stamp else self._checked(txn, entry)
            data = entry_bytes(entry)
            eid = entry_id(data)
            if txn.get(bytes.fromhex(eid), db=ids) is not None:
                raise InputError(f"entry {eid} is already in the ledger")
            index = start + position
            for table, key, value in index_rows(index, entry, eid):
                txn.put(key, value, db=self.store.db(table))
            done.append(Appended(index, eid, entry, data))
        self.log.extend(txn, [a.data for a in done])
        return done

    def _stamped(self, txn: lmdb.Transaction, entry: Entry) -> Entry:
        update: dict[str, object] = {"time": utc_now()}
        if isinstance(entry, NotarizeEntry):
            version = self.next_version(entry.dataset.name, txn)
            update["dataset"] = entry.dataset.model_copy(update={"version": version})
        return entry.model_copy(update=update)

    def _checked(self, txn: lmdb.Transaction, entry: Entry) -> Entry:
        if isinstance(entry, NotarizeEntry):
            expect = self.next_version(entry.dataset.name, txn)
            if entry.dataset.version != expect:
                raise InputError(f"notarize entry for {entry.dataset.name} has version "
                                 f"{entry.dataset.version}; the next version is {expect}")
        return entry

    # --- reading (the point lookups take an optional snapshot, `txn`) ---

    def size(self, txn: lmdb.Transaction | None = None) -> int:
        return self.log.size(txn)

    def data(self, index: int, txn: lmdb.Transaction | None = None) -> bytes:
        """The stored bytes of entry `index`."""
        return self.log.leaf(index, txn)

    def entry(self, index: int, txn: lmdb.Transaction | None = None) -> Entry:
        """Entry `index`, parsed strictly."""
        return parse_entry(self.data(index, txn))

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, bytes]]:
        """(index, bytes) of entries start..stop-1 from one snapshot."""
        with self.store.read() as txn:
            cursor = txn.cursor(db=self.store.db("entries"))
            if not cursor.set_range(index_key(start)):
                return
            for key, value in cursor:
                index = key_index(key)
                if stop is not None and index >= stop:
                    return
                yield index, value

    def index_of(self, eid: str, txn: lmdb.Transaction | None = None) -> int | None:
        """The log index of entry id `eid` (64 hex), or None."""
        if txn is None:
            with self.store.read() as txn:
                return self.index_of(eid, txn)
        try:
            raw = bytes.fromhex(eid)
        except (TypeError, ValueError):
            raise InputError(f"entry id {eid!r} is not hex") from None
        if len(raw) != 32:
            raise InputError(f"an entry id has 64 hex digits, got {len(eid)}")
        at = txn.get(raw, db=self.store.db("ids"))
        return None if at is None else key_index(at)

    def ids_with_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        """Entry ids starting with `prefix` (at least 8 hex digits), at most `limit` of them."""
        prefix = prefix.lower() if isinstance(prefix, str) else prefix
        if not isinstance(prefix, str) or not (ID_PREFIX_MIN <= len(prefix) <= 64) or any(
                c not in "0123456789abcdef" for c in prefix):
            raise InputError(f"an entry id prefix is {ID_PREFIX_MIN} to 64 hex digits, "
                             f"got {prefix!r}")
        start = bytes.fromhex(prefix[:len(prefix) & ~1])
        found: list[str] = []
        with self.store.read() as txn:
            cursor = txn.cursor(db=self.store.db("ids"))
            if cursor.set_range(start):
                for key in cursor.iternext(values=False):
                    text = key.hex()
                    if not text.startswith(prefix[:len(start) * 2]) or len(found) >= limit:
                        break
                    if text.startswith(prefix):
                        found.append(text)
        return found

    def next_version(self, name: str, txn: lmdb.Transaction | None = None) -> int:
        """The version the next notarization of `name` gets."""
        last = self._last_version(name, txn)
        return 1 if last is None else last[0] + 1

    def notarized(self, name: str, version: int | None = None,
                  txn: lmdb.Transaction | None = None) -> int | None:
        """The index of the notarize entry of name@version (default: the latest), or None."""
        if version is None:
            last = self._last_version(name, txn)
            return None if last is None else last[1]
        if txn is None:
            with self.store.read() as txn:
                return self.notarized(name, version, txn)
        at = txn.get(_name_key(name, version), db=self.store.db("versions"))
        return None if at is None else key_index(at)

    def _last_version(self, name: str, txn: lmdb.Transaction | None) -> tuple[int, int] | None:
        if txn is None:
            with self.store.read() as txn:
                return self._last_version(name, txn)
        cursor = txn.cursor(db=self.store.db("versions"))
        prefix = name.encode() + b"\x00"
        if cursor.set_range(name.encode() + b"\x01"):  # the first key past every key of `name`
            found = cursor.prev()
        else:
            found = cursor.last()
        if not found or not cursor.key().startswith(prefix):
            return None
        return _U64.unpack(cursor.key()[-8:])[0], key_index(cursor.value())

    def _scan(self, table: str, lo: bytes, *, prefix: bytes = b"",
              hi: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """Rows of `table` from key `lo` on, while they start with `prefix` and stay below `hi`."""
        with self.store.read() as txn:
            cursor = txn.cursor(db=self.store.db(table))
            if not cursor.set_range(lo):
                return
            for key, value in cursor:
                if not key.startswith(prefix) or (hi is not None and key >= hi):
                    return
                yield key, value

    def _with_prefix(self, table: str, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        return self._scan(table, prefix, prefix=prefix)

    def by_name(self, name: str) -> list[int]:
        """Indexes of every entry about dataset `name`, by version then index."""
        return [key_index(k[-8:]) for k, _ in self._with_prefix("by_name", name.encode() + b"\x00")]

    def by_dataset_id(self, dataset: str) -> list[tuple[int, tuple[str, ...]]]:
        """(index, roles) of every entry naming dataset id `dataset`, in log order."""
        if not isinstance(dataset, str) or not _DATASET_ID.match(dataset):
            raise InputError(f"{dataset!r} is not a dataset id (ds- and 32 hex digits)")
        return [(key_index(k[-8:]), tuple(v.decode().split(",")))
                for k, v in self._with_prefix("by_dataset_id", dataset.encode())]

    def by_kind(self, kind: str) -> list[int]:
        """Indexes of every entry of `kind`, in log order."""
        if kind not in KINDS:
            raise InputError(f"entry kind {kind!r} is not one of {', '.join(KINDS)}")
        return [key_index(k[-8:]) for k, _ in self._with_prefix("by_kind", kind.encode() + b"\x00")]

    def between(self, since: str | datetime | None = None,
                until: str | datetime | None = None) -> list[int]:
        """Indexes of entries with since <= time < until, in time order (ties by index)."""
        lo, hi = _time_bound(since) or b"", _time_bound(until)
        return [key_index(k[-8:]) for k, _ in self._scan("by_time", lo, hi=hi)]


__all__ = ["Appended", "ID_PREFIX_MIN", "Journal", "dataset_roles", "index_rows"]
