"""`zkp-ledger log | show | audit | export`: reading the ledger.

`audit` selects like the Python API's `audit_trail` (ledger.audit: a dataset and its lineage both
ways, a time window); `--json` prints the audit trail in the JSON export's form, which `export
--format json` writes to a file. `export` writes one of the ledger.export formats.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import typer

from engine.dataset.spec import unscaled_decimal
from engine.errors import InputError
from ledger.audit import AuditQuery
from ledger.cli_common import emit_json, reports_errors
from ledger.cli_state import JsonOpt, console, open_ledger
from ledger.entries import (Entry, NotarizeEntry, RecertifyEntry, SplitEntry, TransformEntry,
                            entry_json)
from ledger.export.json_export import trail_json
from ledger.export.lineage import lineage
from ledger.export.trail import AuditTrail

SinceOpt = typer.Option(None, "--since", help="entries at or after this time (ISO 8601, UTC)")
UntilOpt = typer.Option(None, "--until", help="entries before this time (ISO 8601, UTC)")


def _summary(entry: Entry) -> str:
    """One line about what an entry records."""
    if isinstance(entry, NotarizeEntry):
        n = entry.notarization
        return f"{n.row_count} rows, {len(n.shards)} proofs, {n.file_name}"
    if isinstance(entry, TransformEntry):
        return f"{entry.operation} from {len(entry.inputs)} input(s)"
    if isinstance(entry, SplitEntry):
        return (f"{entry.method} (seed {entry.seed}) into "
                + ", ".join(f"{c.name}@{c.version}" for c in entry.children))
    assert isinstance(entry, RecertifyEntry)
    return entry.status + (f": {entry.reason}" if entry.reason else "")


def column_line(count: int, total: int, lo: int, hi: int, scale: int) -> str:
    """A proved column's totals in its own units (the JSON keeps units of 10^-scale)."""
    return (f"count {count}, sum {unscaled_decimal(total, scale)}, every value in "
            f"[{unscaled_decimal(lo, scale)}, {unscaled_decimal(hi, scale)}]")


def _line(index: int, eid: str, time: str, kind: str, dataset: str, summary: str) -> str:
    return f"#{index:<4} {eid[:12]}  {time}  {kind:9}  {dataset:24}  {summary}"


def _row(log_index: int, eid: str, entry: Entry) -> dict:
    return {"log_index": log_index, "entry_id": eid, "time": entry.time, "kind": entry.kind,
            "name": entry.dataset.name, "version": entry.dataset.version,
            "dataset_id": entry.dataset.dataset_id, "summary": _summary(entry)}


@reports_errors
def log_cmd(ctx: typer.Context,
            kind: str = typer.Option(None, "--kind",
                                     help="notarize, transform, split or recertify"),
            dataset: str = typer.Option(None, "--dataset", help="only entries about NAME"),
            limit: int = typer.Option(None, "--limit", min=1, help="only the last N"),
            json_out: bool = JsonOpt) -> None:
    """List the log's entries, oldest first."""
    rows = [_row(r.log_index, r.entry_id, r.entry)
            for r in open_ledger(ctx).entries(kind=kind, dataset=dataset)]
    if limit is not None:
        rows = rows[-limit:]
    if json_out:
        emit_json(rows)
        return
    out = console()
    for r in rows:
        out.print(_line(r["log_index"], r["entry_id"], r["time"], r["kind"],
                        f"{r['name']}@{r['version']}", r["summary"]))


@reports_errors
def show_cmd(ctx: typer.Context,
             ref: str = typer.Argument(..., metavar="ID", help="entry or dataset reference"),
             json_out: bool = JsonOpt) -> None:
    """Print one entry as stored (canonical JSON values, pretty-printed)."""
    found = open_ledger(ctx).entry(ref)
    info = {"log_index": found.log_index, "entry_id": found.entry_id,
            "entry": entry_json(found.entry)}
    if json_out:
        emit_json(info)
    else:
        typer.echo(f"entry #{found.log_index} {found.entry_id}")
        typer.echo(json.dumps(info["entry"], indent=2, sort_keys=True))


def print_trail(trail: AuditTrail) -> None:
    out = console()
    graph = lineage(trail)
    out.print(f"{len(trail.entries)} entries, {len(graph.nodes)} datasets")
    if graph.edges:
        out.print("lineage:")
        for edge in graph.edges:
            out.print(f"  {graph.nodes[edge.source].label} -> {graph.nodes[edge.target].label}"
                      f"  ({edge.description}, entry #{edge.entry.log_index})")
    out.print("entries:")
    for e in trail.entries:
        verdict = trail.verdicts.get(e.entry_id)
        mark = "" if verdict is None else ("  [verified]" if verdict.ok else
                                           f"  [INVALID: {verdict.detail}]")
        out.print("  " + _line(e.log_index, e.entry_id, e.entry.time, e.kind,
                               f"{e.entry.dataset.name}@{e.entry.dataset.version}",
                               _summary(e.entry)) + mark)
    for e in trail.of_kind("notarize"):
        n = e.entry.notarization
        for c in n.columns:
            out.print(f"  {e.entry.dataset.name}@{e.entry.dataset.version} column {c.name}: "
                      + column_line(c.count, c.sum, c.lo, c.hi, c.scale))
    if trail.checkpoint:
        out.print("checkpoint:\n" + trail.checkpoint, end="")


@reports_errors
def audit_cmd(ctx: typer.Context,
              dataset: str = typer.Option(None, "--dataset",
                                          help="a dataset name (or reference) and its lineage"),
              since: str = SinceOpt, until: str = UntilOpt,
              verify: bool = typer.Option(False, "--verify", help="verify every entry"),
              json_out: bool = JsonOpt) -> None:
    """The audit trail: entries about a dataset and everything it came from or went into."""
    trail = open_ledger(ctx).audit_trail(AuditQuery.make(dataset=dataset, since=since,
                                                         until=until), verify=verify)
    if json_out:
        emit_json(trail_json(trail))
    else:
        print_trail(trail)


def _write_atomically(path: Path, data: bytes) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


@reports_errors
def export_cmd(ctx: typer.Context,
               ref: str = typer.Argument(None, metavar="[ID]",
                                         help="an entry: export it with its lineage"),
               dataset: str = typer.Option(None, "--dataset", help="a dataset and its lineage"),
               format: str = typer.Option(..., "--format",
                                          help="json, prov-jsonld, in-toto or html"),
               output: Path = typer.Option(..., "-o", "--output", help="file to write"),
               since: str = SinceOpt, until: str = UntilOpt,
               data: list[str] = typer.Option(None, "--data",
                                              help="in-toto: add this data file's BLAKE3 "
                                                   "digest to its subject (repeatable)"),
               json_out: bool = JsonOpt) -> None:
    """Export the audit trail of ID or --dataset NAME (entries verified first)."""
    if (ref is None) == (dataset is None):
        raise typer.BadParameter("give an entry ID or --dataset NAME (one of them)")
    if not output.parent.is_dir():
        raise InputError("the output's folder does not exist", file=str(output))
    query = AuditQuery.make(dataset=dataset, entry=ref, since=since, until=until)
    body = open_ledger(ctx).generate_audit_report(query, format, files=data or ())
    _write_atomically(output, body)
    info = {"file": str(output), "format": format, "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest()}
    if json_out:
        emit_json(info)
    else:
        console().print(f"wrote {format} export to {output} ({len(body)} bytes)")


def register(app: typer.Typer) -> None:
    app.command("log")(log_cmd)
    app.command("show")(show_cmd)
    app.command("audit")(audit_cmd)
    app.command("export")(export_cmd)


__all__ = ["register"]
