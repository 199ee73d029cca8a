"""The LMDB store: all-or-nothing write transactions, a map that grows by itself (and is adopted by
other processes), the cross-process writer lock, and forked children that read and write."""

from __future__ import annotations

import os
import signal
import time
import traceback

import lmdb
import pytest

from engine.errors import InputError
from ledger.log import MerkleLog, index_key
from ledger.store import LOCK_FILE, SUB_DBS, Store, WriterBusy

SMALL_MAP = 1 << 20  # the smallest map Store opens with


def in_child(body) -> int:
    """Run body() in a forked child; return its exit status (0: body returned without raising)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            body()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_tables_exist_and_unknown_table_is_an_error(tmp_path):
    store = Store(tmp_path / "lmdb")
    with store.read() as txn:
        for name in SUB_DBS:
            assert txn.stat(store.db(name))["entries"] == 0
    with pytest.raises(InputError, match="no ledger table named 'blocks'"):
        store.db("blocks")
    with pytest.raises(InputError, match="no ledger database"):
        Store(tmp_path / "absent", create=False)


def test_a_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "lmdb")

    def body(txn):
        txn.put(b"k", b"v", db=store.db("by_kind"))
        raise RuntimeError("half way")
    with pytest.raises(RuntimeError):
        store.write(body)
    with store.read() as txn:
        assert txn.get(b"k", db=store.db("by_kind")) is None
    assert store.write(lambda txn: txn.put(b"k", b"v", db=store.db("by_kind")))


def test_the_map_grows_by_itself_and_reruns_the_transaction(tmp_path):
    store = Store(tmp_path / "lmdb", map_size=SMALL_MAP)
    log = MerkleLog(store)
    assert store.map_size() == SMALL_MAP
    calls = []

    def body(txn):
        calls.append(1)
        return log.extend(txn, [os.urandom(3000) for _ in range(1000)])  # ~3 MB in one txn
    assert store.write(body) == 0
    assert len(calls) >= 2 and store.map_size() >= 4 * SMALL_MAP  # doubled at least twice
    assert log.size() == 1000
    for _ in range(5):  # and again across transactions
        log.append_many([os.urandom(3000) for _ in range(200)])
    assert log.size() == 2000


def test_reopen_passes_a_map_size_that_fits(tmp_path):
    path = tmp_path / "lmdb"
    store = Store(path, map_size=SMALL_MAP)
    MerkleLog(store).append_many([bytes(2000)] * 2000)
    root = MerkleLog(store).root()

    def reopen():  # a fresh process opens it with the small request
        again = Store(path, map_size=SMALL_MAP)
        assert again.map_size() >= (path / "data.mdb").stat().st_size > SMALL_MAP
        assert MerkleLog(again).root() == root
        MerkleLog(again).append(b"more")
    assert in_child(reopen) == 0
    assert MerkleLog(store).size() == 2001


def test_readers_adopt_a_map_grown_by_another_process(tmp_path):
    store = Store(tmp_path / "lmdb", map_size=SMALL_MAP)
    log = MerkleLog(store)
    log.append(b"first")  # this process has the environment open at the small size

    def grow():
        MerkleLog(Store(tmp_path / "lmdb", map_size=SMALL_MAP)).append_many(
            [os.urandom(4000) for _ in range(2000)])
    assert in_child(grow) == 0
    assert store.map_size() == SMALL_MAP  # not yet noticed
    assert log.size() == 2001 and len(log.leaf(2000)) == 4000
    assert store.map_size() > SMALL_MAP
    log.append(b"after")
    assert log.size() == 2002


def test_forked_child_reads_and_writes(tmp_path):
    store = Store(tmp_path / "lmdb")
    log = MerkleLog(store)
    log.append_many([b"a", b"b", b"c"])
    root = log.root()
    with store.read() as parent_txn:  # a read transaction open across the fork
        def child():
            child_log = MerkleLog(store)  # the same Store object, used in the child
            assert child_log.size() == 3 and child_log.root() == root
            assert child_log.leaf(1) == b"b"
            child_log.append(b"d")
        assert in_child(child) == 0
        assert parent_txn.get(index_key(3), db=store.db("entries")) is None  # its snapshot
    assert log.size() == 4 and log.leaf(3) == b"d"
    log.append(b"e")
    assert log.size() == 5


def test_second_writer_waits_then_gets_a_clear_error(tmp_path):
    store = Store(tmp_path / "lmdb", lock_timeout=0.3)
    store.write(lambda txn: None)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        with Store(tmp_path / "lmdb").writer():
            os.write(write_end, b"locked")
            time.sleep(30)
        os._exit(0)
    os.close(write_end)
    try:
        assert os.read(read_end, 6) == b"locked"
        started = time.monotonic()
        with pytest.raises(WriterBusy, match=f"pid {pid}"):
            store.write(lambda txn: None)
        assert time.monotonic() - started >= 0.3
        with store.read() as txn:  # readers are not blocked
            assert txn.stat(store.db("entries"))["entries"] == 0
    finally:
        os.kill(pid, signal.SIGKILL)  # the lock dies with its holder
        os.waitpid(pid, 0)
        os.close(read_end)
    assert store.write(lambda txn: txn.put(b"k", b"v", db=store.db("by_kind")))
    assert (tmp_path / "lmdb" / LOCK_FILE).read_text().strip() == str(os.getpid())


def test_a_waiting_writer_gets_the_lock_when_it_is_released(tmp_path):
    store = Store(tmp_path / "lmdb", lock_timeout=20)
    store.write(lambda txn: None)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        with Store(tmp_path / "lmdb").writer():
            os.write(write_end, b"locked")
            time.sleep(0.4)
        os._exit(0)
    os.close(write_end)
    assert os.read(read_end, 6) == b"locked"
    started = time.monotonic()
    store.write(lambda txn: txn.put(b"k", b"v", db=store.db("by_kind")))
    assert 0.1 < time.monotonic() - started < 20
    os.waitpid(pid, 0)
    os.close(read_end)


def test_writer_lock_is_reentrant_and_spans_transactions(tmp_path):
    store = Store(tmp_path / "lmdb", lock_timeout=0.2)
    log = MerkleLog(store)
    with store.writer():
        log.append(b"one")
        with store.writer():
            log.append(b"two")

        def try_write():
            with pytest.raises(WriterBusy):
                MerkleLog(Store(tmp_path / "lmdb", lock_timeout=0.2)).append(b"three")
        assert in_child(try_write) == 0
    assert in_child(lambda: MerkleLog(Store(tmp_path / "lmdb")).append(b"three")) == 0
    assert [log.leaf(i) for i in range(3)] == [b"one", b"two", b"three"]


def test_another_thread_waits_for_the_writer_lock(tmp_path):
    import threading
    store = Store(tmp_path / "lmdb", lock_timeout=0.2)
    other = Store(tmp_path / "lmdb", lock_timeout=0.2)  # same process, same lock
    errors = []

    def write():
        try:
            other.write(lambda txn: None)
        except WriterBusy as exc:
            errors.append(str(exc))
    with store.writer():
        thread = threading.Thread(target=write)
        thread.start()
        thread.join()
    assert errors and "another thread of this process" in errors[0]
    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert len(errors) == 1  # free again


def test_two_stores_on_one_path_share_the_environment(tmp_path):
    a, b = Store(tmp_path / "lmdb"), Store(tmp_path / "lmdb")
    assert a.env is b.env
    MerkleLog(a).append(b"x")
    assert MerkleLog(b).leaf(0) == b"x"


def test_durable_settings(tmp_path):
    flags = Store(tmp_path / "lmdb").env.flags()
    assert flags["sync"] and flags["metasync"] and not flags["map_async"]
    assert not flags["readonly"]
    assert isinstance(Store(tmp_path / "lmdb").env, lmdb.Environment)
