"""What each entry kind claims, checked against the rest of the ledger (and a file, if given).

The entry's bytes, id and log inclusion are checked by `Ledger.verify` before this runs. Here:
- notarize:  the shard proofs batch-verify under the verification key the entry names, and the
             totals and commitment root are what the shards add up to
             (engine.notarization.verify_notarization); with the data file, its sha256 first
             (a changed file fails fast, before any parsing), then size, schema, row count,
             BLAKE3 row root, shard sums and, with the notary secret, every commitment;
- transform: every input and the output were notarized earlier in the log, the output under the
             name and version the entry is about;
- split:     the parent and every child were notarized earlier under the names and versions
             given, the children's proved counts and sums add up to the parent's, and each
             ratio is the child's share of the rows;
- recertify: its target is an earlier notarize entry of the same dataset.
Every failure is a VerificationError; the names of the checks passed are returned.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from engine.dataset import file_digest
from engine.dataset_scan import scan_dataset
from engine.errors import InputError, VerificationError
from engine.groth16.keys import VerifyingKey
from engine.notarization import DatasetNotarization, verify_notarization
from engine.notarize import Scanner
from ledger.entries import (DatasetRef, Entry, NotarizeEntry, RecertifyEntry, SplitEntry,
                            TransformEntry)
from ledger.journal import Journal
from ledger.rows import digest_file
from ledger.split_check import check_totals, ratios

VkeyFor = Callable[[DatasetNotarization], VerifyingKey]


def _digest(path: str | os.PathLike):
    try:
        return file_digest(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None


def check_notarization(n: DatasetNotarization, vkey_for: VkeyFor, *,
                       data: str | os.PathLike | None = None,
                       secret: bytes | None = None, scanner: Scanner = scan_dataset) -> list[str]:
    try:
        vk = vkey_for(n)
    except InputError as exc:
        raise VerificationError(f"cannot check the proofs: {exc}") from None
    if data is not None:
        sha = _digest(data).sha256
        if sha != n.file_sha256:
            raise VerificationError(f"file {data}: sha256 {sha} is not the notarized "
                                    f"{n.file_sha256}: the file changed")
    return verify_notarization(n, vk, data=data, secret=secret if data is not None else None,
                               data_format=n.format, scanner=scanner)


def _notarization(journal: Journal, ref: DatasetRef, before: int, role: str) -> NotarizeEntry:
    """The notarize entry of ref's name@version, checked to be earlier and of ref's dataset."""
    index = journal.notarized(ref.name, ref.version)
    if index is None or index >= before:
        raise VerificationError(f"{role} {ref.name}@{ref.version} is not notarized before "
                                f"this entry")
    entry = journal.entry(index)
    assert isinstance(entry, NotarizeEntry)
    if entry.dataset.dataset_id != ref.dataset_id:
        raise VerificationError(f"{role} {ref.name}@{ref.version} is dataset "
                                f"{entry.dataset.dataset_id}, not {ref.dataset_id}")
    return entry


def _notarized_before(journal: Journal, dataset: str, before: int) -> bool:
    return any(index < before and "subject" in roles
               and isinstance(journal.entry(index), NotarizeEntry)
               for index, roles in journal.by_dataset_id(dataset))


def _check_transform(journal: Journal, index: int, e: TransformEntry) -> list[str]:
    _notarization(journal, e.dataset, index, "output")
    for dataset in e.inputs:
        if not _notarized_before(journal, dataset, index):
            raise VerificationError(f"input {dataset} is not notarized before this entry")
    return ["lineage"]


def _check_split(journal: Journal, index: int, e: SplitEntry) -> list[str]:
    parent = _notarization(journal, e.dataset, index, "parent").notarization
    children = [(f"{c.name}@{c.version}", _notarization(
        journal, DatasetRef(name=c.name, version=c.version, dataset_id=c.dataset_id), index,
        "child").notarization) for c in e.children]
    try:
        check_totals(parent, children)
    except InputError as exc:
        raise VerificationError(str(exc)) from None
    for c, share in zip(e.children, ratios(parent, [n for _, n in children]), strict=True):
        if c.ratio != share:
            raise VerificationError(f"child {c.name}@{c.version} has ratio {c.ratio}; it holds "
                                    f"{share} of the parent's rows")
    return ["lineage", "sums"]


def _check_recertify(journal: Journal, index: int, e: RecertifyEntry) -> list[str]:
    target = journal.index_of(e.target)
    if target is None or target >= index:
        raise VerificationError(f"target {e.target} is not an earlier entry")
    entry = journal.entry(target)
    if not isinstance(entry, NotarizeEntry) or entry.dataset != e.dataset:
        raise VerificationError(f"target {e.target} is not the notarization of "
                                f"{e.dataset.name}@{e.dataset.version}")
    return ["target"]


def check_entry(journal: Journal, index: int, entry: Entry, vkey_for: VkeyFor, *,
                data: str | os.PathLike | None = None, secret: bytes | None = None) -> list[str]:
    """The kind-specific checks of entry `index` (module doc)."""
    if data is not None and not isinstance(entry, NotarizeEntry):
        raise InputError(f"entry {index} is a {entry.kind} entry; a data file can only be "
                         f"checked against a notarize entry")
    if isinstance(entry, NotarizeEntry):
        return check_notarization(entry.notarization, vkey_for, data=data, secret=secret)
    if isinstance(entry, TransformEntry):
        return _check_transform(journal, index, entry)
    if isinstance(entry, SplitEntry):
        return _check_split(journal, index, entry)
    return _check_recertify(journal, index, entry)


def recheck_file(n: DatasetNotarization, path: str, vkey_for: VkeyFor,
                 secret: bytes, scanner: Scanner = scan_dataset) -> dict:
    """The fields of a recertify entry: status, file_sha256, row_root, reason. `scanner`
    rescans an unchanged file (engine.notarize.Scanner; default: in this process)."""
    if not os.path.isfile(path):
        return dict(status="missing", file_sha256=None, row_root=None,
                    reason=f"no file at {path}")
    sha = _digest(path).sha256
    if sha != n.file_sha256:
        try:  # the changed file's row root, if it still reads
            root = digest_file(path, format=n.format).blake3_root
        except InputError:
            root = None
        return dict(status="changed", file_sha256=sha, row_root=root,
                    reason=f"sha256 {sha} is not the notarized {n.file_sha256}")
    try:
        check_notarization(n, vkey_for, data=path, secret=secret, scanner=scanner)
    except (VerificationError, InputError) as exc:
        return dict(status="failed", file_sha256=sha, row_root=None, reason=str(exc))
    return dict(status="ok", file_sha256=sha, row_root=n.row_root, reason=None)


__all__ = ["VkeyFor", "check_entry", "check_notarization", "recheck_file"]
