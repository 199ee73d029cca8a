"""verify_chain against a ledger tampered with directly in LMDB (raw puts and deletes, below the
journal): changed bytes, reordered, dropped and renumbered entries, wrong tree nodes and index rows
are each named by the first bad entry's index and id; a consistent rewrite needs the checkpoint."""

from __future__ import annotations

import hashlib
import json
import random

import pytest

from engine.errors import VerificationError
from ledger.chain import verify_chain
from ledger.entries import entry_bytes
from ledger.journal import Journal, index_rows
from ledger.log import index_key, node_key
from ledger.store import Store
from support.ledger_factories import entry_stream, notarize_entry

COUNT = 23


@pytest.fixture
def journal(tmp_path):
    j = Journal(Store(tmp_path / "lmdb"))
    j.append(notarize_entry("a"))
    j.append_many(entry_stream(COUNT - 3))
    j.append(notarize_entry("b"))
    j.append(notarize_entry("c", name="weather"))
    return j


def raw_put(j: Journal, table: str, key: bytes, value: bytes) -> None:
    with j.store.env.begin(write=True) as txn:
        txn.put(key, value, db=j.store.db(table))


def raw_delete(j: Journal, table: str, key: bytes) -> None:
    with j.store.env.begin(write=True) as txn:
        assert txn.delete(key, db=j.store.db(table))


def raw_get(j: Journal, table: str, key: bytes) -> bytes:
    with j.store.env.begin() as txn:
        return txn.get(key, db=j.store.db(table))


def ids(j: Journal) -> list[str]:
    return [hashlib.sha256(data).hexdigest() for _, data in j.entries()]


def assert_first(j: Journal, index: int, eid: str | None, *fragments: str):
    report = verify_chain(j.store)
    assert not report.ok
    first = report.first
    assert (first.index, first.entry_id) == (index, eid), report.problems
    for fragment in fragments:
        assert fragment in first.message, first.message
    with pytest.raises(VerificationError, match=f"entry {index}"):
        report.raise_for_problems()
    return report


def test_untouched_ledger_verifies(journal):
    report = verify_chain(journal.store)
    assert report.ok and report.first is None and report.size == COUNT
    assert report.root == journal.log.root().hex()
    report.raise_for_problems()
    assert verify_chain(journal.store, checkpoint=(7, journal.log.root(7))).ok


def test_every_changed_byte_is_named(journal):
    rng = random.Random(1)
    before = ids(journal)
    for _ in range(30):
        index = rng.randrange(COUNT)
        data = journal.data(index)
        pos = rng.randrange(len(data))
        changed = data[:pos] + bytes([data[pos] ^ (1 << rng.randrange(8))]) + data[pos + 1:]
        raw_put(journal, "entries", index_key(index), changed)
        assert_first(journal, index, before[index])
        raw_put(journal, "entries", index_key(index), data)
    assert verify_chain(journal.store).ok


def test_changed_value_that_still_parses_is_named(journal):
    before = ids(journal)
    data = journal.data(4)  # a transform
    changed = data.replace(b'"operation":"dropna"', b'"operation":"dropNA"')
    assert changed != data
    raw_put(journal, "entries", index_key(4), changed)
    assert_first(journal, 4, before[4], "not in the id index")


def test_reordered_entries_are_named(journal):
    before = ids(journal)
    a, b = journal.data(4), journal.data(9)
    raw_put(journal, "entries", index_key(4), b)
    raw_put(journal, "entries", index_key(9), a)
    report = assert_first(journal, 4, before[4], "indexed at 9")
    assert any(p.index == 9 and "indexed at 4" in p.message for p in report.problems)


def test_dropped_entry_is_named(journal):
    before = ids(journal)
    raw_delete(journal, "entries", index_key(6))
    assert_first(journal, 6, before[6], "jump from 5 to 7")


def test_dropped_last_entry_is_named(journal):
    before = ids(journal)
    raw_delete(journal, "entries", index_key(COUNT - 1))
    assert_first(journal, COUNT - 1, before[-1], "dropped")


def test_renumbered_entries_are_named(journal):
    """Entry 6 dropped and every later entry moved down one: no gap left in the keys."""
    before = ids(journal)
    datas = [journal.data(i) for i in range(COUNT)]
    del datas[6]
    raw_delete(journal, "entries", index_key(COUNT - 1))
    for i, data in enumerate(datas):
        raw_put(journal, "entries", index_key(i), data)
    assert_first(journal, 6, before[6], "indexed at 7")


@pytest.mark.parametrize("level, index", [(0, 3), (0, COUNT - 1), (2, 1), (4, 0)])
def test_wrong_tree_node_is_named(journal, level, index):
    before = ids(journal)
    good = raw_get(journal, "nodes", node_key(level, index))
    raw_put(journal, "nodes", node_key(level, index), bytes(31) + b"\x01")
    first = index << level
    assert_first(journal, first, before[first], f"(level {level}, index {index})", "disagrees")
    raw_put(journal, "nodes", node_key(level, index), good)
    assert verify_chain(journal.store).ok


def test_missing_and_extra_tree_nodes_are_named(journal):
    before = ids(journal)
    raw_delete(journal, "nodes", node_key(1, 2))
    assert_first(journal, 4, before[4], "(level 1, index 2) is missing")
    raw_put(journal, "nodes", node_key(1, 2), bytes(32))
    raw_delete(journal, "nodes", node_key(1, 2))
    raw_put(journal, "nodes", node_key(3, 2), bytes(32))  # entries 16..23: not complete at 23
    report = verify_chain(journal.store)
    assert any(p.index == 16 and "not a complete subtree" in p.message for p in report.problems)


def test_index_rows_are_checked(journal):
    before = ids(journal)
    entry = journal.entry(2)
    kind_key = entry.kind.encode() + b"\x00" + index_key(2)
    raw_delete(journal, "by_kind", kind_key)
    assert_first(journal, 2, before[2], "by_kind index row is missing")
    raw_put(journal, "by_kind", kind_key, b"")
    assert entry.kind == "split"
    raw_put(journal, "by_kind", b"recertify\x00" + index_key(2), b"")  # a row it never had
    assert_first(journal, 2, before[2], "does not belong")


def test_versions_must_run_in_order(journal):
    """A notarize entry re-versioned (ids and indexes made to match) still breaks the sequence."""
    index = COUNT - 2  # notarize "b": sales version 2
    entry = journal.entry(index)
    forged = entry.model_copy(update={"dataset": entry.dataset.model_copy(update={"version": 5})})
    data = entry_bytes(forged)
    eid = hashlib.sha256(data).hexdigest()
    raw_delete(journal, "ids", bytes.fromhex(ids(journal)[index]))
    raw_put(journal, "entries", index_key(index), data)
    for table, key, value in index_rows(index, forged, eid):
        raw_put(journal, table, key, value)
    report = verify_chain(journal.store)
    assert any(p.index == index and "version 5; the next version of sales is 2" in p.message
               for p in report.problems)


def test_non_canonical_rewrite_is_named(journal):
    data = journal.data(3)
    spaced = json.dumps(json.loads(data), indent=1).encode()
    raw_put(journal, "entries", index_key(3), spaced)
    report = verify_chain(journal.store)
    assert any(p.index == 3 and "canonical form" in p.message for p in report.problems)


def test_consistent_rewrite_needs_the_checkpoint(journal, tmp_path):
    """A whole new store, with one entry changed and everything derived rebuilt, passes on its
    own; the root of the checkpoint verified earlier exposes it."""
    checkpoint = (COUNT, journal.log.root())
    forged = Journal(Store(tmp_path / "forged"))
    entries = [journal.entry(i) for i in range(COUNT)]
    entries[8] = entries[8].model_copy(update={"method": "stratified"})
    forged.append_many(entries, stamp=False)
    assert verify_chain(forged.store).ok
    report = verify_chain(forged.store, checkpoint=checkpoint)
    assert not report.ok and "the log was rewritten" in str(report.first)
    short = verify_chain(journal.store, checkpoint=(COUNT + 1, checkpoint[1]))
    assert "fewer than the 24" in str(short.first)


def test_problem_count_is_capped(journal):
    raw_delete(journal, "entries", index_key(0))
    report = verify_chain(journal.store, max_problems=3)
    assert len(report.problems) == 3 and report.truncated
