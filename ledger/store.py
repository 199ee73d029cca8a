"""The ledger's LMDB environment: one durable writer, many readers, a map that grows by itself.

Decisions (docs/ledger-storage.md has the longer story):
- Durability: LMDB with sync and metasync on; a write transaction is on disk when `write` returns.
  LMDB's copy-on-write B+trees make a commit all or nothing, so a writer killed at any point leaves
  the last committed state.
- Single writer: every write transaction runs under an exclusive POSIX lock (fcntl) on
  `<lmdb dir>/writer.lock`. A second writer *waits* for it, up to `lock_timeout` seconds, then gets
  `WriterBusy` naming the holder's pid. `with store.writer():` holds the lock across several
  transactions, so a caller can read, check and then append with nothing committed in between.
  POSIX locks die with their process (a SIGKILLed writer never leaves a stale lock) and are not
  inherited by a forked child. Within a process the lock is one re-entrant object per path,
  shared by every Store on it; other threads wait for it like other processes do.
- Map size: `map_size` is passed on every open (at least the data file's size); a transaction that
  fills the map is aborted, the map doubled in place (`set_mapsize`) and the transaction run again,
  so the function given to `write` must compute everything from the transaction it is handed.
  Readers in other processes adopt a grown map when LMDB tells them (MapResizedError).
- Processes and fork: py-lmdb allows one handle per environment per process and LMDB handles must
  not cross fork, so environments are opened lazily per process (keyed by os.getpid()) and shared
  by every Store on the same path in that process. A forked child closes the handles it inherited
  (py-lmdb refuses a second open while one is open; the reader slots and fcntl locks they name
  belong to the parent, which keeps them) and opens its own.
- Named sub-databases: every table of the ledger, listed in SUB_DBS, opened once per environment.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import lmdb

from engine.errors import InputError

T = TypeVar("T")

DEFAULT_MAP_SIZE = 1 << 30  # address space only: the data file grows with what is written
MAX_READERS = 126
# Every table of the ledger; the layouts are documented where they are written.
SUB_DBS = (
    "entries",        # ledger.log: 8-byte big-endian index -> entry bytes (the log leaves)
    "nodes",          # ledger.log: level (1 byte) + index (8) -> 32-byte perfect-subtree hash
    "ids",            # ledger.journal: 32-byte entry id -> 8-byte index
    "versions",       # ledger.journal: name 0x00 version(8) -> index of its notarize entry
    "by_name",        # ledger.journal: name 0x00 version(8) index(8) -> kind
    "by_dataset_id",  # ledger.journal: dataset id index(8) -> roles ("subject,output")
    "by_kind",        # ledger.journal: kind 0x00 index(8) -> b""
    "by_time",        # ledger.journal: time (27 ASCII bytes) index(8) -> b""
)
LOCK_FILE = "writer.lock"


class WriterBusy(InputError):
    """Another process (or thread) holds the ledger's writer lock."""


class _ProcessEnv:
    """One process's handle on one LMDB environment and its sub-databases."""

    def __init__(self, env: lmdb.Environment):
        self.env = env
        self.dbs: dict[str, object] = {}
        self.grow_lock = threading.Lock()


_ENVS: dict[tuple[int, str], _ProcessEnv] = {}
_ENVS_LOCK = threading.Lock()


class _WriterLock:
    """One process's hold on one ledger's writer.lock: a POSIX lock for other processes, an RLock
    for other threads. One per (process, path), because closing *any* descriptor of a file drops
    every POSIX lock the process has on it: the descriptor stays open and is unlocked instead."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        self.threads = threading.RLock()
        self.depth = 0

    def acquire(self, timeout: float) -> None:
        if not self.threads.acquire(timeout=max(timeout, 0)):
            raise WriterBusy(f"the ledger at {self.path.parent} is being written by another "
                             f"thread of this process; waited {timeout:g} s")
        if self.depth == 0:
            try:
                self._lock_file(timeout)
            except BaseException:
                self.threads.release()
                raise
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)
        self.threads.release()

    def _lock_file(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pause = 0.002
        while True:
            try:
                fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
            if time.monotonic() >= deadline:
                holder = os.pread(self.fd, 32, 0).decode(errors="replace").strip() or "unknown"
                raise WriterBusy(f"the ledger at {self.path.parent} is being written by another "
                                 f"process (pid {holder}); waited {timeout:g} s")
            time.sleep(pause)
            pause = min(2 * pause, 0.05)
        # the holder's pid, for the next one's error message; fixed width, so no truncate (which
        # on ext4 makes the close flush) and no stale digits
        os.pwrite(self.fd, f"{os.getpid():<20}\n".encode(), 0)


_LOCKS: dict[tuple[int, str], _WriterLock] = {}
_LOCKS_LOCK = threading.Lock()  # not _ENVS_LOCK: opening an environment takes the writer lock


def _writer_lock(path: Path) -> _WriterLock:
    key = (os.getpid(), str(path))
    with _LOCKS_LOCK:
        if key not in _LOCKS:
            for other in [k for k in _LOCKS if k[0] != key[0]]:  # inherited over fork: a child
                os.close(_LOCKS.pop(other).fd)  # holds no POSIX lock of its parent's
            _LOCKS[key] = _WriterLock(path)
        return _LOCKS[key]


def _initial_map_size(path: Path, requested: int) -> int:
    """The map size to open with: the request, or the data file's size if that is larger (LMDB
    maps at least what is used anyway; the first write that needs more grows it)."""
    data = path / "data.mdb"
    used = data.stat().st_size if data.exists() else 0
    return max(requested, used, 1 << 20)


class Store:
    """A ledger's LMDB environment at `path` (a directory; created if `create`)."""

    def __init__(self, path: str | os.PathLike, *, map_size: int = DEFAULT_MAP_SIZE,
                 lock_timeout: float = 10.0, create: bool = True):
        self.path = Path(path).resolve()
        if not self.path.is_dir():
            if not create:
                raise InputError(f"no ledger database at {self.path}")
            self.path.mkdir(parents=True)
        self.initial_map_size = map_size
        self.lock_timeout = lock_timeout

    # --- the environment, per process ---

    def _handle(self) -> _ProcessEnv:
        pid = os.getpid()
        key = (pid, str(self.path))
        handle = _ENVS.get(key)
        if handle is not None:
            return handle
        with _ENVS_LOCK:
            for other in [k for k in _ENVS if k[0] != pid]:  # inherited over fork
                _ENVS.pop(other).env.close()
            if key not in _ENVS:
                _ENVS[key] = self._open()
            return _ENVS[key]

    def _open(self) -> _ProcessEnv:
        try:
            size = _initial_map_size(self.path, self.initial_map_size)
            env = lmdb.open(str(self.path), map_size=size,
                            subdir=True, max_dbs=len(SUB_DBS) + 2, max_readers=MAX_READERS,
                            sync=True, metasync=True, readahead=False, meminit=False)
        except lmdb.Error as exc:
            raise InputError(f"cannot open the ledger database at {self.path}: {exc}") from None
        handle = _ProcessEnv(env)
        # DBI handles outlive only a committed write transaction (py-lmdb resets read-only ones
        # for reuse, which discards them). Opening existing tables writes nothing, so the commit
        # costs no sync; it does wait for a write transaction in progress in another process.
        try:
            with env.begin(write=True) as txn:
                for name in SUB_DBS:
                    handle.dbs[name] = env.open_db(name.encode(), txn=txn, create=False)
        except lmdb.NotFoundError:  # a new ledger: create the tables once, as the writer
            handle.dbs.clear()
            with self.writer(), env.begin(write=True) as txn:
                for name in SUB_DBS:
                    handle.dbs[name] = env.open_db(name.encode(), txn=txn, create=True)
        return handle

    @property
    def env(self) -> lmdb.Environment:
        return self._handle().env

    def db(self, name: str):
        """The handle of sub-database `name` (one of SUB_DBS) in this process."""
        try:
            return self._handle().dbs[name]
        except KeyError:
            raise InputError(f"no ledger table named {name!r}") from None

    # --- transactions ---

    @contextmanager
    def read(self) -> Iterator[lmdb.Transaction]:
        """A read-only snapshot: everything read inside sees one committed state."""
        handle = self._handle()
        txn = self._begin(handle, write=False)
        try:
            yield txn
        finally:
            txn.abort()

    def _begin(self, handle: _ProcessEnv, *, write: bool) -> lmdb.Transaction:
        try:
            return handle.env.begin(write=write)
        except lmdb.MapResizedError:  # another process grew the map: adopt its size
            with handle.grow_lock:
                handle.env.set_mapsize(0)
            return handle.env.begin(write=write)

    def write(self, body: Callable[[lmdb.Transaction], T]) -> T:
        """Run `body(txn)` in one durable write transaction and return its result.

        All of it commits or none of it does. On a full map the transaction is aborted, the map
        doubled and `body` run again from the start.
        """
        with self.writer():
            handle = self._handle()
            while True:
                txn = self._begin(handle, write=True)
                try:
                    result = body(txn)
                    txn.commit()
                    return result
                except lmdb.MapFullError:
                    txn.abort()
                    self._grow(handle)
                except BaseException:
                    txn.abort()
                    raise

    def _grow(self, handle: _ProcessEnv) -> None:
        with handle.grow_lock:
            handle.env.set_mapsize(2 * handle.env.info()["map_size"])

    # --- the writer lock ---

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the ledger's writer lock (re-entrant within this process)."""
        lock = _writer_lock(self.path)
        lock.acquire(self.lock_timeout)
        try:
            yield
        finally:
            lock.release()

    # --- facts ---

    def map_size(self) -> int:
        """The current map size in bytes (it doubles whenever a write fills it)."""
        return self.env.info()["map_size"]


__all__ = ["DEFAULT_MAP_SIZE", "LOCK_FILE", "SUB_DBS", "Store", "WriterBusy"]
