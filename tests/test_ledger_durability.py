"""Crash safety with real kills: a forked writer appending in a loop (single entries and batches,
large and small, across map growth) is SIGKILLed at random moments; after every kill the ledger
reopens, verify_chain passes, every acknowledged append is there, the one in flight is there whole
or not at all, and the log still extends the tree seen before the kill."""

from __future__ import annotations

import os
import random
import signal
import time
import traceback

from engine.merkle import SHA256, verify_consistency
from ledger.chain import verify_chain
from ledger.journal import Journal
from ledger.store import Store
from support.ledger_factories import notarize_entry, transform_entry

KILLS = 25
SMALL_MAP = 1 << 20  # so that some kills land while the map grows


def batch_size(committed: int) -> int:
    """How many entries the writer puts in the transaction after `committed` entries."""
    return 3 if committed % 4 == 3 else 1


def entries_after(committed: int) -> list:
    out = []
    for i in range(committed, committed + batch_size(committed)):
        out.append(notarize_entry(f"n{i}", shards=200) if i % 3 == 0 else transform_entry(i))
    return out


def writer(path, fd: int) -> None:
    """Append forever; after each commit report the committed count and the map size on `fd`."""
    journal = Journal(Store(path, map_size=SMALL_MAP))
    committed = journal.size()
    opened_with = journal.store.map_size()
    while True:
        committed += len(journal.append_many(entries_after(committed)))
        grew = journal.store.map_size() > opened_with
        os.write(fd, f"{committed},{int(grew)}\n".encode())


def run_writer_until_killed(path, delay: float) -> tuple[int, bool]:
    """Fork a writer, let it commit once, SIGKILL it `delay` seconds later: the last count it
    acknowledged, and whether it grew the map."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            writer(path, write_end)
        except BaseException:
            traceback.print_exc()
        os._exit(1)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        first = pipe.readline()  # one acknowledged commit: the writer is up and writing
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, first
        lines = [tuple(map(int, line.split(b","))) for line in (first + pipe.read()).split()]
    return lines[-1][0], any(grew for _, grew in lines)


def test_sigkilled_writer_leaves_a_whole_verifiable_ledger(tmp_path):
    rng = random.Random(20261126)
    path = tmp_path / "lmdb"
    store = Store(path, map_size=SMALL_MAP)
    journal = Journal(store)
    journal.append(notarize_entry("first", shards=1500))  # ~0.8 MB: the writers soon need more
    size, root = 1, journal.log.root()
    grown = 0
    for _ in range(KILLS):
        committed, grew = run_writer_until_killed(path, rng.uniform(0.0, 0.1))
        grown += grew
        report = verify_chain(store)
        assert report.ok, report.problems
        now = journal.size()
        assert now in (committed, committed + batch_size(committed)), (now, committed)
        assert report.size == now and report.root == journal.log.root().hex()
        verify_consistency(SHA256, size, now, journal.log.consistency_proof(size, now),
                           root, journal.log.root())
        size, root = now, journal.log.root()
    assert size > KILLS  # every writer committed before it was killed
    assert grown  # and grew the map on the way
    versions = [journal.entry(i).dataset.version for i in journal.by_kind("notarize")]
    assert versions == list(range(1, len(versions) + 1))  # no version lost or repeated


def test_forked_child_reads_the_ledger(tmp_path):
    journal = Journal(Store(tmp_path / "lmdb"))
    done = journal.append_many([notarize_entry("a"), transform_entry(1), transform_entry(2)])
    root = journal.log.root()
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            ok = (verify_chain(journal.store).ok and journal.log.root() == root
                  and journal.index_of(done[2].entry_id) == 2
                  and journal.entry(0) == done[0].entry)
        except BaseException:
            traceback.print_exc()
        os._exit(0 if ok else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    journal.append(transform_entry(3))  # the parent's handle still works
    assert verify_chain(journal.store).ok
