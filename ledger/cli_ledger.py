"""`zkp-ledger init | digest | row-proof`: making a ledger, and checking files and rows against it
(`notarize`, putting datasets in it, is ledger.cli_notarize)."""

from __future__ import annotations

from pathlib import Path

import typer

from engine.errors import InputError, VerificationError
from ledger.api import Ledger
from ledger.cli_common import emit_json, reports_errors
from ledger.cli_state import JsonOpt, console, ledger_dir, open_ledger
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
    app.command("digest")(digest_cmd)
    app.command("row-proof")(row_proof_cmd)


__all__ = ["register"]
