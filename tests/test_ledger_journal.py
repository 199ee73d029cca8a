"""Journal appends (stamping, all-or-nothing batches, duplicates) and every lookup index."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import InputError
from ledger.entries import entry_bytes, parse_entry, parse_time
from ledger.journal import Journal, dataset_roles, index_rows
from ledger.store import Store
from support.ledger_factories import (TIME, ds, notarize_entry, recertify_entry, split_entry,
                                      transform_entry)


@pytest.fixture
def journal(tmp_path):
    return Journal(Store(tmp_path / "lmdb"))


def test_append_stamps_time_and_notarize_versions(journal):
    before = datetime.now(timezone.utc)
    a = journal.append(notarize_entry("a", version=7, time=TIME))
    b = journal.append(notarize_entry("b"))
    w = journal.append(notarize_entry("c", name="weather"))
    t = journal.append(transform_entry(0))
    assert (a.index, b.index, w.index, t.index) == (0, 1, 2, 3)
    assert [x.entry.dataset.version for x in (a, b, w)] == [1, 2, 1]
    assert t.entry.dataset.version == 1  # other kinds keep the version they refer to
    for x in (a, b, w, t):
        assert x.entry.time != TIME
        assert before - timedelta(seconds=1) <= parse_time(x.entry.time) <= datetime.now(
            timezone.utc)
        assert x.data == entry_bytes(x.entry) == journal.data(x.index)
        assert x.entry_id == hashlib.sha256(x.data).hexdigest()
        assert journal.entry(x.index) == x.entry == parse_entry(x.data)
    assert journal.next_version("sales") == 3 and journal.next_version("weather") == 2
    assert journal.next_version("sales-train") == 1


def test_unstamped_appends_keep_time_and_check_versions(journal):
    a = journal.append(notarize_entry("a", time=TIME), stamp=False)
    assert a.entry.time == TIME and a.entry == notarize_entry("a", time=TIME)
    with pytest.raises(InputError, match="version 3; the next version is 2"):
        journal.append(notarize_entry("b", version=3), stamp=False)
    journal.append(transform_entry(9), stamp=False)
    with pytest.raises(InputError, match="already in the ledger"):
        journal.append(transform_entry(9), stamp=False)
    with pytest.raises(InputError, match="already in the ledger"):  # twice in one batch
        journal.append_many([transform_entry(1), transform_entry(1)], stamp=False)
    assert journal.size() == 2


def test_only_entries_are_appended(journal):
    with pytest.raises(InputError, match="not a ledger entry: dict"):
        journal.append_many([transform_entry(0), {"kind": "transform"}])
    assert journal.size() == 0


def test_a_batch_is_all_or_nothing(journal):
    journal.append(transform_entry(0))
    root = journal.log.root()
    with pytest.raises(InputError):
        journal.append_many([transform_entry(1), notarize_entry("a", version=2),
                             transform_entry(2)], stamp=False)
    assert journal.size() == 1 and journal.log.root() == root
    assert journal.by_kind("transform") == [0]
    done = journal.append_many([transform_entry(1), notarize_entry("a"), transform_entry(2)])
    assert [d.index for d in done] == [1, 2, 3] and journal.size() == 4


def test_lookups(journal):
    n1 = journal.append(notarize_entry("a"))
    n2 = journal.append(notarize_entry("b"))
    tr = journal.append(transform_entry(5))
    sp = journal.append(split_entry())
    rc = journal.append(recertify_entry(n1.entry_id))
    assert journal.index_of(sp.entry_id) == 3 and journal.index_of("0" * 64) is None
    assert journal.ids_with_prefix(tr.entry_id[:8]) == [tr.entry_id]
    assert journal.ids_with_prefix(tr.entry_id[:11].upper()) == [tr.entry_id]  # odd length
    assert journal.ids_with_prefix("f" * 64) in ([], ["f" * 64])
    assert journal.notarized("sales") == 1 and journal.notarized("sales", 1) == 0
    assert journal.notarized("sales", 3) is None and journal.notarized("nothing") is None
    assert journal.by_name("sales") == [0, 3, 4, 1]  # version 1: notarize, split, recertify
    assert journal.by_name("clean") == [2] and journal.by_name("sale") == []
    assert journal.by_kind("notarize") == [0, 1] and journal.by_kind("recertify") == [4]
    assert journal.by_dataset_id(tr.entry.output) == [(2, ("subject", "output"))]
    assert journal.by_dataset_id(ds("shared-input")) == [(2, ("input",))]
    assert journal.by_dataset_id(ds("p")) == [(3, ("subject", "parent"))]
    assert journal.by_dataset_id(ds("train")) == [(3, ("child",))]
    assert journal.by_dataset_id(n1.entry.dataset.dataset_id) == [(0, ("subject",)),
                                                                  (4, ("subject",))]
    times = [x.entry.time for x in (n1, n2, tr, sp, rc)]
    assert journal.between() == sorted(range(5), key=lambda i: (times[i], i))
    assert journal.between(since=times[2]) == [i for i in range(5) if times[i] >= times[2]]
    assert journal.between(until=parse_time(times[2])) == [
        i for i in range(5) if times[i] < times[2]]
    assert [i for i, _ in journal.entries(2, 4)] == [2, 3]
    assert [d for _, d in journal.entries()] == [x.data for x in (n1, n2, tr, sp, rc)]


@pytest.mark.parametrize("call, match", [
    (lambda j: j.ids_with_prefix("abc"), "8 to 64 hex"),
    (lambda j: j.ids_with_prefix("zzzzzzzz"), "8 to 64 hex"),
    (lambda j: j.index_of("abcd"), "64 hex digits"),
    (lambda j: j.index_of("xyz"), "not hex"),
    (lambda j: j.by_kind("delete"), "not one of"),
    (lambda j: j.by_dataset_id("ds-12"), "not a dataset id"),
    (lambda j: j.between(since="yesterday"), "RFC 3339"),
    (lambda j: j.entry(0), "outside a log of 0"),
])
def test_bad_lookups_are_input_errors(journal, call, match):
    with pytest.raises(InputError, match=match):
        call(journal)


def test_index_rows_are_exactly_what_is_stored(journal):
    done = journal.append_many([notarize_entry("a"), transform_entry(0), split_entry()])
    expected = {(t, k, v) for d in done for t, k, v in index_rows(d.index, d.entry, d.entry_id)}
    stored = set()
    with journal.store.read() as txn:
        for table in {t for t, _, _ in expected}:
            stored |= {(table, k, v) for k, v in txn.cursor(db=journal.store.db(table))}
    assert stored == expected


def test_dataset_roles_merge_repeated_ids():
    roles = dataset_roles(transform_entry(3))
    assert list(roles.values()) == [["subject", "output"], ["input"], ["input"]]
