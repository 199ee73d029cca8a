"""`zkp-ledger init | notarize | digest | row-proof`: making a ledger, putting datasets in it, and
checking files and rows against it."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from engine.errors import InputError, VerificationError
from engine.executor import LocalExecutor
from kernels.backend import get_backend
from ledger.api import Ledger
from ledger.cli_browse import column_line
from ledger.cli_common import emit_json, reports_errors
from ledger.cli_state import JsonOpt, console, ledger_dir, open_ledger, shard_progress
from ledger.entries import dataset_id
from ledger.refs import resolve_dataset
from ledger.rows import digest_file, row_proof


@reports_errors
def init_cmd(ctx: typer.Context,
             origin: str = typer.Option(None, "--origin",
                                        help="log name in checkpoints (default "
                                             "zkp-ledger/<hostname>/<random>)"),
             json_out: bool = JsonOpt) -> None:
    """Create a ledger in --ledger DIR: LMDB log, Ed25519 log key (0600), notary secret."""
    ledger = Ledger.init(ledger_dir(ctx), origin)
    info = {"ledger": str(ledger.path), "origin": ledger.origin, "pubkey": ledger.verifier.vkey}
    if json_out:
        emit_json(info)
    else:
        out = console()
        out.print(f"initialised ledger {ledger.path}\norigin  {ledger.origin}\n"
                  f"pubkey  {ledger.verifier.vkey}")


def _use_backend(backend: str) -> None:
    """Make `backend` this process's proving backend (BackendUnavailable, exit 2, if it can't)."""
    get_backend(backend)
    if backend != "auto":
        os.environ["ZKP_BACKEND"] = backend
        get_backend.cache_clear()


@reports_errors
def notarize_cmd(ctx: typer.Context, file: Path,
                 name: str = typer.Option(..., "--name", help="dataset name (versions count up)"),
                 columns: str = typer.Option(None, "--columns",
                                             help="proved columns a,b (default: every numeric)"),
                 scale: list[str] = typer.Option(None, "--scale",
                                                 help="b=2: column b is fixed point with 2 "
                                                      "decimals (repeatable)"),
                 bounds: list[str] = typer.Option(None, "--bounds",
                                                  help="a=LO:HI in the column's units; either "
                                                       "side may be empty (repeatable)"),
                 shard_rows: int = typer.Option(None, "--shard-rows",
                                                help="rows per proof, a power of two "
                                                     "(default 1024)"),
                 backend: str = typer.Option("auto", "--backend", help="cpu, cuda or auto"),
                 workers: int = typer.Option(1, "--workers", min=1,
                                             help="prove shards in N processes (1: in this one)"),
                 json_out: bool = JsonOpt) -> None:
    """Prove the dataset statement over FILE and append a notarize entry."""
    _use_backend(backend)
    ledger = open_ledger(ctx)
    options = dict(columns=columns, scale=scale or None, bounds=bounds or None,
                   shard_rows=shard_rows)
    with shard_progress(not json_out, f"notarizing {file.name}") as progress:
        if workers > 1:
            with LocalExecutor(workers) as pool:
                result = ledger.notarize_dataset(file, name, backend=backend, executor=pool,
                                                 progress=progress, **options)
        else:
            result = ledger.notarize_dataset(file, name, backend=backend, progress=progress,
                                             **options)
    if json_out:
        emit_json(result.to_json())
        return
    info = result.to_json()
    out = console()
    out.print(f"notarized {file} as {info['name']}@{info['version']} "
              f"({info['rows']} rows, {info['proofs']} proofs)")
    for key in ("entry_id", "log_index", "dataset_id", "sha256", "blake3_root",
                "commitment_root"):
        out.print(f"  {key:16} {info[key]}")
    for column, s in info["statement"].items():
        out.print(f"  column {column}: "
                  + column_line(s["count"], s["sum"], s["lo"], s["hi"], s["scale"]))


@reports_errors
def digest_cmd(file: Path,
               format: str = typer.Option(None, "--format",
                                          help="parquet, csv, tsv or ndjson (default: by "
                                               "extension)"),
               json_out: bool = JsonOpt) -> None:
    """Rows, sha256 and BLAKE3 row root of FILE (no proofs; compare with `show`)."""
    rows = digest_file(file, format=format)
    info = {**rows.to_json(), "dataset_id": dataset_id(rows.sha256, rows.blake3_root)}
    if json_out:
        emit_json(info)
    else:
        out = console()
        for key in ("file", "format", "rows", "byte_size", "sha256", "blake3_root",
                    "dataset_id"):
            out.print(f"{key:12} {info[key]}")


@reports_errors
def row_proof_cmd(ctx: typer.Context,
                  ref: str = typer.Argument(..., metavar="ID",
                                            help="notarize entry or dataset reference"),
                  row: int = typer.Argument(..., help="0-based row index"),
                  data: Path = typer.Option(..., "--data", help="the dataset file"),
                  json_out: bool = JsonOpt) -> None:
    """Inclusion proof of one row in the notarized BLAKE3 row root.

    Exit 1 if the file's rows are not the notarized ones."""
    ledger = open_ledger(ctx)
    index, entry = resolve_dataset(ledger.journal, ref)
    n = entry.notarization
    if row < 0 or row >= n.row_count:
        raise InputError(f"the notarized dataset has {n.row_count} rows (0..{n.row_count - 1})",
                         file=str(data), row=row)
    proof = row_proof(data, row, format=n.format)
    if proof.root.hex() != n.row_root or proof.row_count != n.row_count:
        raise VerificationError(f"file {data}: its rows ({proof.row_count}, BLAKE3 root "
                                f"{proof.root.hex()}) are not the notarized ones "
                                f"({n.row_count}, {n.row_root})")
    proof.verify()
    info = {**proof.to_json(), "entry_id": ledger.entry(f"#{index}").entry_id,
            "dataset_id": entry.dataset.dataset_id}
    if json_out:
        emit_json(info)
    else:
        out = console()
        for key in ("row_index", "row_count", "row_bytes", "leaf_hash", "root"):
            out.print(f"{key:10} {info[key]}")
        out.print("proof      " + "\n           ".join(info["proof"]))


def register(app: typer.Typer) -> None:
    app.command("init")(init_cmd)
    app.command("notarize")(notarize_cmd)
    app.command("digest")(digest_cmd)
    app.command("row-proof")(row_proof_cmd)


__all__ = ["register"]
