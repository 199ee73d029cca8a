"""The Python API of the ledger: `Ledger` (docs/ledger.md has the guide).

    ledger = Ledger.init("ledger-data")             # or Ledger("ledger-data") to open
    result = ledger.notarize_dataset("sales.parquet", "sales", scale={"price": 2},
                                     bounds={"price": ("0", "999.99")})
    report = ledger.verify(result.entry_id, data="sales.parquet")
    trail = ledger.audit_trail("sales")
    ledger.notarize_datasets([("a.parquet", "a"), ("b.parquet", "b")], executor="ray")
    nightly = ledger.recertify_all(executor="ray")  # nightly.ok; nightly.write("reports")

One `Ledger` is a directory (ledger.layout) holding the LMDB journal and Merkle log
(ledger.journal, ledger.log), the log's Ed25519 key (ledger.keys), the notary secret and the
shard verification keys. Writing: the long work (scanning, proving, checking) happens before the
writer lock is taken; each call then appends its entries in one durable transaction, so a failure
anywhere leaves the log as it was (recertify_all appends one entry per dataset as it goes).
Reading: everything a result reports (a checkpoint and the proofs under it) comes from one LMDB
snapshot.

Where the work runs: `executor=` names "in-process" (default), "local" (a process pool) or
"ray" (a Ray cluster, `ray_address=`; the scan runs there too), or is an Executor object
(ledger.executors). Whatever runs the shard jobs, only this process writes the ledger.

Verification (`verify`) is self-contained: it signs a fresh checkpoint of the log, checks it with
the public key and against the last checkpoint this ledger directory verified (an RFC 6962
consistency proof, ledger.witness_state), proves the entry's inclusion under it, then checks
what the entry claims (ledger.entry_checks).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.dataset import StatementOptions, StatementSpec
from engine.dataset_scan import scan_dataset
from engine.errors import InputError, VerificationError
from engine.executor import Executor
from engine.formats.zkey_file import read_zkey
from engine.merkle import SHA256, proof_to_hex, verify_inclusion
from engine.notarization import DatasetNotarization
from engine.notarize import Scanner, notarize
from engine.proving_keys import key_path
from kernels.backend import BackendUnavailable, get_backend
from ledger import audit, entry_checks, recertify_all
from ledger.chain import ChainReport, verify_chain
from ledger.checkpoint import sign_checkpoint, verify_checkpoint
from ledger.entries import (DatasetRef, NotarizeEntry, RecertifyEntry, SplitEntry,
                            TransformEntry, dataset_id, entry_id, parse_entry, utc_now)
from ledger.executors import Runner, open_runner
from ledger.export.trail import AuditTrail
from ledger.journal import Journal
from ledger.keys import create_keys, load_signer, load_verifier
from ledger.layout import Layout, default_origin
from ledger.lineage import closes_cycle
from ledger.recertify_all import RecertifyReport
from ledger.refs import resolve_dataset, resolve_entry
from ledger.results import ChainResult, LogProof, NotarizeResult, Recorded, VerifyReport
from ledger.signed_note import Signer, Verifier, check_key_name
from ledger.split_check import check_totals, ratios
from ledger.store import Store
from ledger.witness_state import accept_checkpoint, load_last_checkpoint

Progress = Callable[[int, int], None]
ChildSpec = str | tuple[str, str | os.PathLike]


def code_hash_of(path: str | os.PathLike) -> str:
    """"sha256:<hex>" of a file's bytes: the code_hash of a transform."""
    try:
        with open(path, "rb") as f:
            return "sha256:" + hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None


def _model(cls: type, **fields: Any) -> Any:
    """Build an entry model; schema violations become an InputError naming the field."""
    try:
        return cls(**fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or cls.__name__
        raise InputError(f"{where}: {err['msg'].removeprefix('Value error, ')}") from None


class _ShardProgress:
    """An executor that reports (done, total) shards; per shard when it runs them itself."""

    def __init__(self, inner: Executor | None, progress: Progress):
        self.inner, self.progress = inner, progress

    def map(self, fn, jobs):
        total = len(jobs)
        self.progress(0, total)
        if self.inner is not None:
            results = self.inner.map(fn, jobs)
            self.progress(total, total)
            return results
        results = []
        for job in jobs:
            results.append(fn(job))
            self.progress(len(results), total)
        return results


def statement_options(columns: Sequence[str] | str | None = None,
                      scale: Mapping[str, int] | Sequence[str] | None = None,
                      bounds: Mapping[str, Any] | Sequence[str] | None = None,
                      shard_rows: int | None = None) -> StatementOptions:
    """The notarize options, validated (pydantic ValidationError if malformed); None: default."""
    given = dict(columns=columns, scale=scale, bounds=bounds, shard_rows=shard_rows)
    return StatementOptions(**{k: v for k, v in given.items() if v is not None})


def _cluster_progress(progress: Progress | None) -> Callable[[Any], None] | None:
    """A RayExecutor progress callback (cluster.ray_executor.Progress) as (done, total)."""
    if progress is None:
        return None
    return lambda p: progress(p.done, p.total)


class Ledger:
    """An initialised ledger directory (see `Ledger.init`)."""

    def __init__(self, path: str | os.PathLike):
        self.layout = Layout(Path(path).resolve())
        self.origin = self.layout.read_origin()
        self.store = Store(self.layout.lmdb, create=False)
        self.journal = Journal(self.store)
        self._signer: Signer | None = None
        self._verifier: Verifier | None = None

    @classmethod
    def init(cls, path: str | os.PathLike, origin: str | None = None) -> Ledger:
        """Create a ledger in `path` (a new or empty directory): the LMDB environment, the log
        key named `origin` (default "zkp-ledger/<hostname>/<random>"), the notary secret, and
        ledger.toml last. The empty log's checkpoint becomes the first one remembered."""
        layout = Layout(Path(path).resolve())
        if layout.config.exists():
            raise InputError(f"{layout.root} is already a ledger")
        if layout.root.exists() and (not layout.root.is_dir() or any(layout.root.iterdir())):
            raise InputError(f"{layout.root} exists and is not an empty directory; a ledger is "
                             f"created in a new or empty one")
        origin = check_key_name(default_origin() if origin is None else origin)
        layout.root.mkdir(parents=True, exist_ok=True)
        create_keys(layout.root, origin)
        layout.create_secret()
        Journal(Store(layout.lmdb)).size()  # creates the environment and its tables
        layout.vkeys.mkdir()
        layout.write_config(origin)
        ledger = cls(layout.root)
        ledger._witness(ledger.checkpoint())
        return ledger

    # --- keys ---

    @property
    def path(self) -> Path:
        return self.layout.root

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = load_signer(self.path)
        return self._signer

    @property
    def verifier(self) -> Verifier:
        if self._verifier is None:
            self._verifier = load_verifier(self.path)
        return self._verifier

    @property
    def size(self) -> int:
        return self.journal.size()

    # --- reading entries ---

    def resolve(self, ref: str) -> int:
        """The log index of an entry reference (ledger.refs)."""
        return resolve_entry(self.journal, ref)

    def entry(self, ref: str) -> Recorded:
        """The entry a reference names, with its id and log index."""
        index = self.resolve(ref)
        data = self.journal.data(index)
        return Recorded(entry_id(data), index, parse_entry(data))

    def entries(self, *, kind: str | None = None, dataset: str | None = None) -> Iterator[Recorded]:
        """Entries in log order, optionally only one kind or those about one dataset name."""
        if dataset is not None:
            indexes: Sequence[int] | None = sorted(self.journal.by_name(dataset))
        elif kind is not None:
            indexes = self.journal.by_kind(kind)
        else:
            indexes = None
        if indexes is None:
            for index, data in self.journal.entries():
                yield Recorded(entry_id(data), index, parse_entry(data))
            return
        for index in indexes:
            data = self.journal.data(index)
            entry = parse_entry(data)
            if kind is None or entry.kind == kind:
                yield Recorded(entry_id(data), index, entry)

    # --- notarizing ---

    def notarize_dataset(self, path: str | os.PathLike, name: str, *,
                         columns: Sequence[str] | str | None = None,
                         scale: Mapping[str, int] | Sequence[str] | None = None,
                         bounds: Mapping[str, Any] | Sequence[str] | None = None,
                         shard_rows: int | None = None, backend: str = "auto",
                         secret: bytes | None = None, executor: Executor | str | None = None,
                         ray_address: str | None = None, scan_on_executor: bool | None = None,
                         progress: Progress | None = None) -> NotarizeResult:
        """Prove the statement (engine.dataset.spec.StatementOptions: columns, scale, bounds in
        the column's units, shard_rows) over the file and append a notarize entry. `secret`
        overrides the ledger's notary secret (the salts' HMAC key). Malformed options raise
        pydantic's ValidationError; a file that does not fit them, InputError naming it.
        `executor`: "in-process" (default), "local", "ray" (with `ray_address`) or an Executor
        object (ledger.executors); see `notarize_datasets`."""
        return self.notarize_datasets(
            [(path, name)], columns=columns, scale=scale, bounds=bounds, shard_rows=shard_rows,
            backend=backend, secret=secret, executor=executor, ray_address=ray_address,
            scan_on_executor=scan_on_executor, progress=progress)[0]

    def notarize_datasets(self, files: Sequence[tuple[str | os.PathLike, str]], *,
                          columns: Sequence[str] | str | None = None,
                          scale: Mapping[str, int] | Sequence[str] | None = None,
                          bounds: Mapping[str, Any] | Sequence[str] | None = None,
                          shard_rows: int | None = None, backend: str = "auto",
                          secret: bytes | None = None, executor: Executor | str | None = None,
                          ray_address: str | None = None,
                          scan_on_executor: bool | None = None,
                          progress: Progress | None = None) -> list[NotarizeResult]:
        """Notarize several (path, name) files under the same options, all or nothing: every
        file is scanned and proved first, then their entries are appended in one durable
        transaction (a file that fails, e.g. bad data in one shard, leaves the log as it was).

        `executor` is resolved once for all files (ledger.executors.open_runner): "ray" starts
        or joins Ray once, proves every shard on its actors and scans there too; its
        `[shards] shard_rows` is the default shard size. `progress(done, total)` is called per
        shard in process, else around each of the executor's maps (for Ray: the scan's shards,
        then the proofs'). For a live view of a Ray job (running, retried shards), pass a
        RayExecutor built with `progress=` (cluster.config.ClusterConfig.executor)."""
        names = [name for _, name in files]
        for name in names:
            self._check_name(name)
        if not files:
            raise InputError("no file to notarize")
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InputError(f"dataset name {twice[0]} is given for more than one file")
        options = statement_options(columns, scale, bounds, shard_rows)  # before Ray starts
        cluster_progress = _cluster_progress(progress) if executor == "ray" else None
        with open_runner(executor, ray_address=ray_address, progress=cluster_progress,
                         scan_on_executor=scan_on_executor) as runner:
            if shard_rows is None and runner.shard_rows is not None:
                options = statement_options(columns, scale, bounds, runner.shard_rows)
            proved = []
            for path, name in files:
                record, seconds, used = self._prove(
                    path, options=options, backend=backend, secret=secret, runner=runner,
                    progress=None if cluster_progress else progress)
                proved.append((self._notarize_entry(record, name, path, used), seconds))
        done = self.journal.append_many([entry for entry, _ in proved])
        return [NotarizeResult(d.entry_id, d.index, d.entry, seconds)
                for d, (_, seconds) in zip(done, proved, strict=True)]

    @staticmethod
    def _check_name(name: str) -> None:
        _model(DatasetRef, name=name, version=1, dataset_id="ds-" + "0" * 32)

    def _prove(self, path: str | os.PathLike, *, options: StatementOptions | None = None,
               statement: StatementSpec | None = None, backend: str = "auto",
               secret: bytes | None = None, runner: Runner | None = None,
               executor: Executor | None = None, progress: Progress | None = None
               ) -> tuple[DatasetNotarization, dict[str, float], str]:
        used = get_backend(backend).name
        if used != get_backend().name:  # engine.notarize proves on the process backend
            raise BackendUnavailable(f"this process proves with backend {get_backend().name}; "
                                     f"set ZKP_BACKEND={backend} to use {used}")
        runner = runner or Runner(executor, scan_dataset)
        seconds: dict[str, float] = {}
        jobs = _ShardProgress(runner.executor, progress) if progress else runner.executor
        record = notarize(path, secret=secret or self.layout.read_secret(), options=options,
                          statement=statement, executor=jobs, timings=seconds,
                          scanner=runner.scanner)
        self._keep_vkey(record)
        return record, seconds, used

    def _keep_vkey(self, record: DatasetNotarization) -> None:
        """Copy the shard verification key into the ledger (once per key)."""
        if self.layout.vkey_path(record.vk_hash).exists():
            return
        vk = read_zkey(key_path(record.circuit_digest), subgroup_check="vk").vk
        if self.layout.store_vkey(vk) != record.vk_hash:
            raise VerificationError("the cached proving key is not the one the proofs name")

    def _notarize_entry(self, record: DatasetNotarization, name: str, path: str | os.PathLike,
                        backend: str, version: int = 1) -> NotarizeEntry:
        ref = _model(DatasetRef, name=name, version=version,
                     dataset_id=dataset_id(record.file_sha256, record.row_root))
        return _model(NotarizeEntry, time=utc_now(), dataset=ref, notarization=record,
                      location=os.path.abspath(path), backend=backend)

    # --- lineage ---

    def record_transform(self, inputs: Sequence[str], output: str, operation: str,
                         parameters: Mapping[str, Any] | None = None,
                         code_hash: str | None = None) -> Recorded:
        """Record that `operation` (code with `code_hash`, "sha256:<hex>"; see `code_hash_of`)
        made the notarized dataset `output` from the notarized `inputs` (dataset references:
        name, name@version, dataset id or notarize entry id)."""
        if isinstance(inputs, str):
            inputs = [inputs]
        if code_hash is None:
            raise InputError("a transform needs the hash of the code that ran it "
                             "(code_hash='sha256:<hex>', see ledger.api.code_hash_of)")
        with self.store.writer():
            ins = [resolve_dataset(self.journal, ref)[1] for ref in inputs]
            out = resolve_dataset(self.journal, output)[1]
            ids = [e.dataset.dataset_id for e in ins]
            if len(set(ids)) != len(ids):
                raise InputError("a dataset is named twice among the transform's inputs")
            if closes_cycle(self.journal, ids, out.dataset.dataset_id):
                raise InputError(f"output {out.dataset.name}@{out.dataset.version} is an input "
                                 f"or an ancestor of one: the lineage would have a cycle")
            entry = _model(TransformEntry, time=utc_now(), dataset=out.dataset, inputs=ids,
                           output=out.dataset.dataset_id, operation=operation,
                           parameters=dict(parameters or {}), code_hash=code_hash)
            done = self.journal.append(entry)
        return Recorded(done.entry_id, done.index, done.entry)

    def record_split(self, parent: str, children: Sequence[ChildSpec], seed: int,
                     method: str, *, backend: str = "auto", executor: Executor | None = None,
                     progress: Progress | None = None) -> Recorded:
        """Record that `parent` was split into `children` by `method` with `seed`.

        A child is a dataset reference (already notarized), or a (name, file) pair: that file is
        notarized first, under the parent's statement (columns, scales, bounds, shard size), in
        the same transaction as the split. The children's proved row counts and per-column sums
        must add up to the parent's (VerificationError otherwise; InputError when a child proves
        other columns or scales); nothing is appended unless they do. Ratios are each child's
        share of the parent's rows."""
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InputError(f"the split seed must be an integer, got {seed!r}")
        _, parent_entry = resolve_dataset(self.journal, parent)
        statement = parent_entry.notarization.statement
        fresh: dict[str, NotarizeEntry] = {}  # name -> notarize entry to append
        chosen: list[tuple[str, NotarizeEntry, bool]] = []  # (label, entry, fresh?)
        for child in children:
            if isinstance(child, str):
                chosen.append((child, resolve_dataset(self.journal, child)[1], False))
                continue
            name, path = child
            self._check_name(name)
            if name in fresh:
                raise InputError(f"split child name {name} is given twice")
            record, _, used = self._prove(path, statement=statement, backend=backend,
                                          executor=executor, progress=progress)
            fresh[name] = self._notarize_entry(record, name, path, used)
            chosen.append((name, fresh[name], True))
        if not chosen:
            raise InputError("a split needs at least one child")
        check_totals(parent_entry.notarization, [(label, e.notarization) for label, e, _ in chosen])
        shares = ratios(parent_entry.notarization, [e.notarization for _, e, _ in chosen])
        with self.store.writer():  # versions handed out here are the ones the append stamps
            for name, e in fresh.items():
                fresh[name] = e.model_copy(update={"dataset": e.dataset.model_copy(
                    update={"version": self.journal.next_version(name)})})
            refs = [fresh[label].dataset if new else e.dataset for label, e, new in chosen]
            split = _model(SplitEntry, time=utc_now(), dataset=parent_entry.dataset,
                           parent=parent_entry.dataset.dataset_id, seed=seed, method=method,
                           children=[dict(dataset_id=r.dataset_id, name=r.name,
                                          version=r.version, ratio=share)
                                     for r, share in zip(refs, shares, strict=True)])
            done = self.journal.append_many([*fresh.values(), split])
        last = done[-1]
        return Recorded(last.entry_id, last.index, last.entry)

    def recertify(self, ref: str, file: str | os.PathLike | None = None, *,
                  executor: Executor | str | None = None,
                  ray_address: str | None = None) -> Recorded:
        """Re-check a notarized dataset against its file (default: where it was notarized from)
        and append the outcome: status ok, changed (other bytes), missing, or failed (same bytes,
        but a check failed). With `executor` "ray" (or an executor object) the file is rescanned
        there as shard jobs (ledger.executors)."""
        index, target = resolve_dataset(self.journal, ref)
        path = os.path.abspath(file) if file is not None else target.location
        with open_runner(executor, ray_address=ray_address, scan_on_executor=True) as runner:
            fields = self._recheck(target, path, runner.scanner)
        return self._append_recertify(index, target, fields)

    def _recheck(self, target: NotarizeEntry, path: str, scanner: Scanner = scan_dataset) -> dict:
        """The recertify fields (status, file_sha256, row_root, reason) of `path`."""
        return entry_checks.recheck_file(target.notarization, path, self._vkey_for,
                                         self.layout.read_secret(), scanner)

    def _append_recertify(self, index: int, target: NotarizeEntry, fields: dict) -> Recorded:
        entry = _model(RecertifyEntry, time=utc_now(), dataset=target.dataset,
                       target=entry_id(self.journal.data(index)), **fields)
        done = self.journal.append(entry)
        return Recorded(done.entry_id, done.index, done.entry)

    def recertify_all(self, since: str | datetime | None = None, *,
                      executor: Executor | str | None = None, ray_address: str | None = None,
                      progress: Progress | None = None) -> RecertifyReport:
        """The nightly re-certification (ledger.recertify_all): every dataset name's latest
        notarization (notarized at or after `since`) re-checked against its recorded location,
        one recertify entry appended for each, after the whole log verified. Write the report
        with `report.write(directory)`; `report.ok` is False if any dataset changed, vanished or
        failed, or the log did not verify. `progress(done, total)` counts datasets."""
        with open_runner(executor, ray_address=ray_address, scan_on_executor=True) as runner:
            return recertify_all.run(self, since=since, runner=runner, progress=progress)

    def _vkey_for(self, n: DatasetNotarization):
        return self.layout.load_vkey(n.vk_hash)

    # --- checkpoints and proofs ---

    def checkpoint(self) -> str:
        """A freshly signed C2SP checkpoint note of the whole log."""
        with self.store.read() as txn:
            size = self.journal.log.size(txn)
            root = self.journal.log.root(size, txn)
        return sign_checkpoint(self.origin, size, root, self.signer)

    def _witness(self, note: str):
        """Check `note` with the public key and against the remembered checkpoint; remember it."""
        return accept_checkpoint(self.path, note, self.verifier,
                                 lambda old, new: self.journal.log.consistency_proof(old, new))

    def inclusion_proof(self, ref: str) -> LogProof:
        """The entry's RFC 6962 audit path in the current log, with the signed checkpoint of
        that tree (all from one snapshot)."""
        index = self.resolve(ref)
        with self.store.read() as txn:
            log = self.journal.log
            size = log.size(txn)
            data = log.leaf(index, txn)
            proof = log.inclusion_proof(index, size, txn)
            root = log.root(size, txn)
        return LogProof(entry_id(data), index, size, SHA256.leaf(data).hex(),
                        tuple(proof_to_hex(proof)), root.hex(),
                        sign_checkpoint(self.origin, size, root, self.signer))

    # --- verification ---

    def verify(self, ref: str, data: str | os.PathLike | None = None) -> VerifyReport:
        """Verify one entry (module doc); with `data`, a notarize entry is also checked against
        the file: sha256, size, schema, BLAKE3 row root, shard sums and commitments. Never
        raises for something that does not verify: see VerifyReport.ok and .error."""
        index = self.resolve(ref)
        proof = self.inclusion_proof(f"#{index}")
        checks: list[str] = []
        kind, about, error = "unknown", {}, None
        try:
            self._witness(proof.checkpoint)
            checks.append("checkpoint")
            raw = self.journal.data(index)
            try:
                entry = parse_entry(raw)
            except InputError as exc:
                raise VerificationError(f"entry {index} does not parse: {exc}") from None
            kind, about = entry.kind, entry.dataset.model_dump()
            if self.journal.index_of(entry_id(raw)) != index:
                raise VerificationError(f"entry {index}'s bytes are not the ones appended (its "
                                        f"id is not in the id index at this position)")
            checks.append("entry")
            verify_inclusion(SHA256, index, proof.tree_size, SHA256.leaf(raw),
                             [bytes.fromhex(h) for h in proof.proof], bytes.fromhex(proof.root))
            checks.append("inclusion")
            checks += entry_checks.check_entry(self.journal, index, entry, self._vkey_for,
                                               data=data, secret=self.layout.read_secret())
        except VerificationError as exc:
            error = str(exc)
        return VerifyReport(proof.entry_id, index, kind, about, error is None, tuple(checks),
                            error, proof.tree_size, proof.checkpoint)

    def verify_chain(self) -> ChainResult:
        """Every entry, index and tree node re-derived (ledger.chain), the remembered checkpoint
        matched, and a fresh checkpoint checked as consistent with it and remembered."""
        return self._check_chain()[0]

    def _check_chain(self) -> tuple[ChainResult, ChainReport]:
        """verify_chain's result, and the chain report with each problem's entry index."""
        last = load_last_checkpoint(self.path, self.verifier)
        report = verify_chain(self.store, checkpoint=(last.size, last.root) if last else None)
        problems = [str(p) for p in report.problems]
        note = None
        if report.ok:
            note = self.checkpoint()
            checkpoint = verify_checkpoint(note, self.verifier)
            if checkpoint.size != report.size or checkpoint.root.hex() != report.root:
                problems.append("the log changed while it was verified; run verify-chain again")
            else:
                try:
                    self._witness(note)
                except VerificationError as exc:
                    problems.append(str(exc))
        result = ChainResult(not problems, report.size, report.root, tuple(problems), note)
        return result, report

    # --- audit ---

    def audit_trail(self, query: audit.AuditQuery | str | None = None, *, verify: bool = False
                    ) -> AuditTrail:
        """The entries a query selects (audit.AuditQuery; a string is a dataset name or
        reference) with their lineage both ways, inclusion proofs and the signed checkpoint;
        with `verify`, the ledger's verdict on each entry."""
        query = audit.AuditQuery.of(query)
        indexes = audit.select(self.journal, query)
        verdicts = None
        if verify:
            verdicts = {}
            for index in indexes:
                report = self.verify(f"#{index}")
                verdicts[report.entry_id] = audit.verdict(report)
        with self.store.read() as txn:
            log = self.journal.log
            size = log.size(txn)
            root = log.root(size, txn)
            items = [audit.trail_item(log, txn, index, size) for index in indexes]
        note = sign_checkpoint(self.origin, size, root, self.signer)
        return AuditTrail.build(items, note, verdicts)

    def generate_audit_report(self, query: audit.AuditQuery | str | None, format: str, *,
                              files: Sequence[str | os.PathLike] = ()) -> bytes:
        """The audit trail of `query`, verified entry by entry, exported as "json",
        "prov-jsonld", "in-toto" (a DSSE envelope signed with the ledger key; `files` add
        BLAKE3 digests of the data files to its subjects) or "html"."""
        from ledger.export import FORMATS, export

        if format not in FORMATS:
            raise InputError(f"unknown export format {format!r}; use one of {', '.join(FORMATS)}")
        trail = self.audit_trail(query, verify=True)
        return export(trail, format, signer=self.signer, verifier=self.verifier, files=files)


__all__ = ["Ledger", "code_hash_of", "statement_options"]
