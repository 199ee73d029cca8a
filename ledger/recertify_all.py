"""The nightly re-certification: every notarized dataset re-checked against its file, one
recertify entry each, and a report of the run (ledger.recertify_report writes it).

Which datasets: each dataset name's latest notarization (its highest version), kept when it was
notarized at or after `since`. Each is re-read from the location its notarize entry recorded and
re-checked as `recertify ID` does (ledger.entry_checks.recheck_file): missing (no file there),
changed (other bytes: the new sha256, and the row root when it still reads), failed (the same
bytes, but a check failed: size, schema, row count, BLAKE3 row root, shard sums, commitments, or
the Groth16 proofs under the ledger's verification key), or ok. The runner's scanner does the
rescan: on Ray the file is read by the workers, shard by shard.

The log is verified first (Ledger.verify_chain: every entry's bytes, ids, indexes and tree nodes,
and the last remembered checkpoint). A problem at a notarize entry marks that dataset failed,
naming the entry's index and id. When the log does not verify, nothing is appended: new entries
would extend, and a fresh checkpoint would sign, a log known to be damaged. Every other dataset
is still re-checked so the report is complete, and the report says that nothing was recorded.

A dataset whose re-check could not run (a cluster job that failed after its retries) is reported
with status "error" and not recorded: the ledger records the outcome of checks, not of the
infrastructure. The report ends with a signed checkpoint that covers the new entries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InputError, ZkpLedgerError
from ledger.audit import parse_moment
from ledger.chain import ChainProblem
from ledger.entries import NotarizeEntry, entry_id, parse_entry, utc_now
from ledger.executors import Runner
from ledger.recertify_report import write_report

if TYPE_CHECKING:
    from ledger.api import Ledger

STATUSES = ("ok", "changed", "missing", "failed", "error")
REPORT_VERSION = 1


@dataclass(frozen=True)
class DatasetOutcome:
    """One dataset's re-check: what was notarized, what was found, what was recorded."""

    notarize_index: int
    notarize_entry: str  # the id recorded at append (for a damaged entry, not its bytes' id)
    name: str | None  # None: the entry does not parse
    version: int | None
    dataset_id: str | None
    notarized: str | None  # the notarize entry's time
    location: str | None
    rows: int | None
    status: str
    reason: str | None
    file_sha256: str | None  # found now (None: no file, or not read)
    row_root: str | None
    recertify_index: int | None = None  # the appended entry (None: nothing recorded)
    recertify_entry: str | None = None
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" if self.name else f"entry #{self.notarize_index}"

    def to_json(self) -> dict:
        return {"name": self.name, "version": self.version, "dataset_id": self.dataset_id,
                "notarize_entry": self.notarize_entry, "notarize_index": self.notarize_index,
                "notarized": self.notarized, "location": self.location, "rows": self.rows,
                "status": self.status, "reason": self.reason, "file_sha256": self.file_sha256,
                "row_root": self.row_root, "recertify_entry": self.recertify_entry,
                "recertify_index": self.recertify_index, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class RecertifyReport:
    """The run: when, on what, whether the log verified and was written, and every dataset."""

    started: str
    finished: str
    ledger: str
    origin: str
    executor: str
    since: str | None
    chain_ok: bool
    chain_problems: tuple[str, ...]
    recorded: bool  # whether recertify entries were appended (only to a log that verifies)
    tree_size: int  # after the run
    checkpoint: str | None  # signed note of the log after the run (None: the log is damaged)
    datasets: tuple[DatasetOutcome, ...]

    @property
    def ok(self) -> bool:
        """The log verified and every dataset re-certified ok."""
        return self.chain_ok and all(d.status == "ok" for d in self.datasets)

    def counts(self) -> dict[str, int]:
        return {s: sum(d.status == s for d in self.datasets) for s in STATUSES}

    def to_json(self) -> dict:
        return {"report": "zkp-ledger recertify", "report_version": REPORT_VERSION,
                "ok": self.ok, "started": self.started, "finished": self.finished,
                "ledger": self.ledger, "origin": self.origin, "executor": self.executor,
                "since": self.since,
                "chain": {"ok": self.chain_ok, "problems": list(self.chain_problems)},
                "recorded": self.recorded, "tree_size": self.tree_size,
                "checkpoint": self.checkpoint,
                "summary": {**self.counts(), "total": len(self.datasets)},
                "datasets": [d.to_json() for d in self.datasets]}

    def write(self, directory: str | Path) -> tuple[Path, Path]:
        """recertify-report.json and recertify-report.html in `directory` (made if needed)."""
        return write_report(self, directory)


@dataclass(frozen=True)
class _Target:
    index: int
    eid: str
    entry: NotarizeEntry | None
    problem: str | None  # what is wrong with the entry itself


def run(ledger: Ledger, *, since: str | datetime | None = None, runner: Runner,
        progress: Callable[[int, int], None] | None = None) -> RecertifyReport:
    """Re-check the selected datasets with `runner` and append their entries (module doc)."""
    started = utc_now()
    since_text = parse_moment(since, "since")
    chain, report = ledger._check_chain()
    targets = _targets(ledger, report.problems, since_text)
    outcomes = []
    if progress:
        progress(0, len(targets))
    for target in targets:
        outcomes.append(_recertify(ledger, target, runner, record=chain.ok))
        if progress:
            progress(len(outcomes), len(targets))
    note = None
    if chain.ok:
        note = ledger.checkpoint()
        ledger._witness(note)
    return RecertifyReport(started, utc_now(), str(ledger.path), ledger.origin, runner.name,
                           since_text, chain.ok, chain.problems, chain.ok, ledger.size, note,
                           tuple(outcomes))


def _targets(ledger: Ledger, problems: tuple[ChainProblem, ...],
             since: str | None) -> list[_Target]:
    """The latest notarize entry of each name (kept if notarized at or after `since`), and
    every notarize entry the chain check found damaged or that does not parse, in log order."""
    bad: dict[int, ChainProblem] = {}
    for p in problems:
        if p.index is not None:
            bad.setdefault(p.index, p)
    latest: dict[str, _Target] = {}
    broken: list[_Target] = []
    for index in ledger.journal.by_kind("notarize"):
        data = ledger.journal.data(index)
        problem = bad.get(index)
        eid = (problem.entry_id if problem and problem.entry_id else None) or entry_id(data)
        why = f"ledger entry {index} ({eid}): {problem.message}" if problem else None
        try:
            entry = parse_entry(data)
        except InputError as exc:
            broken.append(_Target(index, eid, None, why or f"ledger entry {index} ({eid}) "
                                                            f"does not parse: {exc}"))
            continue
        if not isinstance(entry, NotarizeEntry):
            broken.append(_Target(index, eid, None, why or f"ledger entry {index} ({eid}) is "
                                                            f"indexed as a notarization but is "
                                                            f"a {entry.kind} entry"))
            continue
        if why is not None:  # reported whatever its name and time say: they may be forged
            broken.append(_Target(index, eid, entry, why))
            continue
        name = entry.dataset.name
        if name not in latest or entry.dataset.version > latest[name].entry.dataset.version:
            latest[name] = _Target(index, eid, entry, None)
    chosen = [t for t in latest.values() if since is None or t.entry.time >= since]
    return sorted(chosen + broken, key=lambda t: t.index)


def _recertify(ledger: Ledger, target: _Target, runner: Runner, *,
               record: bool) -> DatasetOutcome:
    t0 = time.perf_counter()
    entry = target.entry
    about = dict(notarize_index=target.index, notarize_entry=target.eid,
                 name=entry.dataset.name if entry else None,
                 version=entry.dataset.version if entry else None,
                 dataset_id=entry.dataset.dataset_id if entry else None,
                 notarized=entry.time if entry else None,
                 location=entry.location if entry else None,
                 rows=entry.notarization.row_count if entry else None)
    if target.problem is not None:
        return DatasetOutcome(**about, status="failed", reason=target.problem, file_sha256=None,
                              row_root=None, seconds=time.perf_counter() - t0)
    assert entry is not None
    try:
        fields = ledger._recheck(entry, entry.location, runner.scanner)
    except InputError as exc:  # the file is there but cannot be read
        fields = dict(status="failed", file_sha256=None, row_root=None, reason=str(exc))
    except ZkpLedgerError as exc:  # the check itself could not run (e.g. cluster shards failed)
        return DatasetOutcome(**about, status="error", reason=f"not re-checked: {exc}",
                              file_sha256=None, row_root=None,
                              seconds=time.perf_counter() - t0)
    done = ledger._append_recertify(target.index, entry, fields) if record else None
    return DatasetOutcome(**about, **fields,
                          recertify_index=done.log_index if done else None,
                          recertify_entry=done.entry_id if done else None,
                          seconds=time.perf_counter() - t0)


__all__ = ["DatasetOutcome", "RecertifyReport", "STATUSES", "run"]
