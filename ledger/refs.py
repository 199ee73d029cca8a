"""How users name entries and datasets, and how the ledger finds them.

An entry reference is one of
    "#<log index>"          the entry at that position of the log
    64 hex digits           an entry id
    8 to 63 hex digits      a unique prefix of an entry id
    "ds-<32 hex>"           a dataset id: its latest notarize entry
    "<name>@<version>"      that version's notarize entry
    "<name>"                the latest notarize entry of the name
A hex string that matches no entry id is tried as a dataset name (names may look like hex).
A dataset reference is the same set, resolved to a notarize entry (an entry reference must then
point at a notarize entry).
"""

from __future__ import annotations

import re

from engine.errors import InputError
from ledger.entries import NotarizeEntry
from ledger.journal import ID_PREFIX_MIN, Journal

_INDEX = re.compile(r"#(0|[1-9][0-9]*)")
_HEX = re.compile(r"[0-9a-f]+")
_DATASET_ID = re.compile(r"ds-[0-9a-f]{32}")
_VERSIONED = re.compile(r"(.+)@([1-9][0-9]*)")


def resolve_entry(journal: Journal, ref: str) -> int:
    """The log index an entry reference names; InputError naming the reference otherwise."""
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(f"an entry reference is a non-empty string, got {ref!r}")
    ref = ref.strip()
    if m := _INDEX.fullmatch(ref):
        index, size = int(m.group(1)), journal.size()
        if index >= size:
            raise InputError(f"entry {ref}: the log has {size} entries (#0..#{size - 1})")
        return index
    if _DATASET_ID.fullmatch(ref):
        return _latest_notarize_of_id(journal, ref)
    lowered = ref.lower()
    if len(ref) >= ID_PREFIX_MIN and _HEX.fullmatch(lowered):
        found = journal.ids_with_prefix(lowered, limit=2)
        if len(found) > 1:
            raise InputError(f"entry id prefix {ref} is ambiguous; give more digits")
        if found:
            index = journal.index_of(found[0])
            assert index is not None  # the id index named it in this same ledger
            return index
    return _notarize_of_name(journal, ref)


def _notarize_of_name(journal: Journal, ref: str) -> int:
    m = _VERSIONED.fullmatch(ref)
    name, version = (m.group(1), int(m.group(2))) if m else (ref, None)
    index = journal.notarized(name, version)
    if index is None:
        if version is not None and journal.notarized(name) is not None:
            latest = journal.next_version(name) - 1
            raise InputError(f"dataset {name} has versions 1..{latest}, not {version}")
        raise InputError(f"no entry or notarized dataset named {ref!r} in this ledger")
    return index


def _latest_notarize_of_id(journal: Journal, dataset: str) -> int:
    notarized = [index for index, roles in journal.by_dataset_id(dataset)
                 if "subject" in roles and isinstance(journal.entry(index), NotarizeEntry)]
    if not notarized:
        raise InputError(f"dataset {dataset} is not notarized in this ledger")
    return notarized[-1]


def resolve_dataset(journal: Journal, ref: str) -> tuple[int, NotarizeEntry]:
    """The notarize entry (index, entry) a dataset reference names."""
    index = resolve_entry(journal, ref)
    entry = journal.entry(index)
    if not isinstance(entry, NotarizeEntry):
        raise InputError(f"{ref} is a {entry.kind} entry; a dataset is named by its notarize "
                         f"entry, dataset id, name or name@version")
    return index, entry


__all__ = ["resolve_dataset", "resolve_entry"]
