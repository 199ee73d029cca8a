"""Which entries an audit shows: a query over names, lineage and time, as log indexes.

A query names a starting point and a time window:
- `dataset`: a dataset name (every version of it, and every entry about it), or any dataset or
  entry reference (ledger.refs: name@version, ds-<id>, an entry id, #index);
- `entry`: an entry reference: start from every dataset it names;
- neither: the whole log.
From the starting datasets the lineage DAG is walked both ways (ledger.lineage.related: where
they came from and what was made from them), and every entry naming a dataset reached is
selected: notarizations, transforms, splits and recertifications. `since` <= time < `until`
then filters by entry time (RFC 3339; a date or a time without zone is UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import lmdb

from engine.errors import InputError
from engine.merkle import proof_to_hex
from ledger.entries import entry_id, format_time, parse_entry, parse_time
from ledger.export.trail import InclusionProof, Verdict
from ledger.journal import Journal, dataset_roles
from ledger.lineage import related
from ledger.log import MerkleLog
from ledger.refs import resolve_entry
from ledger.results import VerifyReport


def parse_moment(value: str | datetime | None, what: str) -> str | None:
    """An entry-time string from a datetime or an ISO 8601 / RFC 3339 text (UTC if no zone)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{what} {value!r} is not a date or time (e.g. 2026-11-26 or "
                             f"2026-11-26T08:00:00Z)") from None
    if not isinstance(value, datetime):
        raise InputError(f"{what} must be a datetime or an ISO 8601 string")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return format_time(value)


@dataclass(frozen=True)
class AuditQuery:
    dataset: str | None = None
    entry: str | None = None
    since: str | None = None  # entry-time strings (parse_moment)
    until: str | None = None

    @classmethod
    def make(cls, dataset: str | None = None, entry: str | None = None,
             since: str | datetime | None = None,
             until: str | datetime | None = None) -> AuditQuery:
        if dataset is not None and entry is not None:
            raise InputError("an audit starts from a dataset or from an entry, not both")
        return cls(dataset, entry, parse_moment(since, "since"), parse_moment(until, "until"))

    @classmethod
    def of(cls, query: AuditQuery | str | None) -> AuditQuery:
        if query is None:
            return cls()
        if isinstance(query, str):
            return cls.make(dataset=query)
        if isinstance(query, AuditQuery):
            return query
        raise InputError(f"an audit query is an AuditQuery or a dataset name, got "
                         f"{type(query).__name__}")


def _start(journal: Journal, query: AuditQuery) -> list[str] | None:
    """The dataset ids the walk starts from (None: no starting point, the whole log)."""
    if query.entry is not None:
        return list(dataset_roles(journal.entry(resolve_entry(journal, query.entry))))
    if query.dataset is None:
        return None
    about = journal.by_name(query.dataset)
    if about:
        return list(dict.fromkeys(journal.entry(i).dataset.dataset_id for i in about))
    return list(dataset_roles(journal.entry(resolve_entry(journal, query.dataset))))


def select(journal: Journal, query: AuditQuery) -> list[int]:
    """The log indexes of the entries the query selects, in log order."""
    start = _start(journal, query)
    if start is None:
        if query.since is None and query.until is None:
            return list(range(journal.size()))
        return sorted(journal.between(query.since, query.until))
    indexes = sorted({index for dataset in related(journal, start).datasets
                      for index, _ in journal.by_dataset_id(dataset)})
    if query.since is None and query.until is None:
        return indexes
    since = parse_time(query.since) if query.since else None
    until = parse_time(query.until) if query.until else None
    return [i for i in indexes if (since is None or parse_time(journal.entry(i).time) >= since)
            and (until is None or parse_time(journal.entry(i).time) < until)]


def trail_item(log: MerkleLog, txn: lmdb.Transaction, index: int, size: int) -> tuple:
    """(log_index, entry_id, entry, inclusion proof) of entry `index` in the tree of `size`."""
    data = log.leaf(index, txn)
    proof = InclusionProof(index, size, tuple(proof_to_hex(log.inclusion_proof(index, size, txn))))
    return index, entry_id(data), parse_entry(data), proof


def verdict(report: VerifyReport) -> Verdict:
    if report.ok:
        return Verdict(True, "verified: " + ", ".join(report.checks))
    return Verdict(False, report.error or "failed")


__all__ = ["AuditQuery", "parse_moment", "select", "trail_item", "verdict"]
